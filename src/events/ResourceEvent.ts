/** The queue Event Grid delivers the target subscriptions' resource events to (design.md). */
export const RESOURCE_EVENTS_QUEUE = 'resource-events';

/** The three event types the system topic's subscription is filtered to (infra/). */
export const RESOURCE_EVENT_TYPES = [
  'Microsoft.Resources.ResourceWriteSuccess',
  'Microsoft.Resources.ResourceDeleteSuccess',
  'Microsoft.Resources.ResourceActionSuccess',
] as const;

export type ResourceEventType = (typeof RESOURCE_EVENT_TYPES)[number];

/**
 * One resource event as TopDeck keeps it: what changed, when, and who did it. Of the caller's
 * claims only `actor` survives (never a token, an object id or an IP address).
 */
export interface ResourceEvent {
  /** Event Grid's event id (duplicates carry the same one). */
  id: string;
  eventType: ResourceEventType;
  /** The ARM id the event is about (the event's subject). */
  subject: string;
  /** When Azure made the change (ISO 8601). */
  eventTime: string;
  /** UPN, else display name, else application id; absent when the claims name nobody. */
  actor?: string;
  /** The event's operationName, e.g. `Microsoft.Compute/virtualMachines/write`. */
  operation?: string;
  /** Resource Manager's correlation id: joins the Azure Activity Log. */
  correlationId?: string;
}

export function isDelete(e: Pick<ResourceEvent, 'eventType'>): boolean {
  return e.eventType === 'Microsoft.Resources.ResourceDeleteSuccess';
}
