import { EventGridDeserializer } from '@azure/eventgrid';
import { actorFromClaims } from './actorFromClaims';
import { RESOURCE_EVENT_TYPES, type ResourceEvent, type ResourceEventType } from './ResourceEvent';

export interface ParsedMessage {
  /** Events of the three resource event types, in the order the message held them. */
  events: ResourceEvent[];
  /** Well-formed events of another type: ignored. */
  otherTypes: string[];
  /** Why the message (or an event in it) could not be read; empty when all of it was read. */
  malformed: string[];
}

const deserializer = new EventGridDeserializer();

/**
 * The message text as the queue trigger hands it over: already parsed (the host decoded
 * base64 JSON), JSON text, or base64 JSON text (a host set to `messageEncoding: none`).
 */
function decodePayload(payload: unknown): unknown {
  if (Buffer.isBuffer(payload)) payload = payload.toString('utf8');
  if (typeof payload !== 'string') return payload;
  const text = payload.trim();
  try {
    return JSON.parse(text);
  } catch {
    // not JSON text: Event Grid's own encoding (base64 of the JSON) is the other accepted form
  }
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(text)) throw new Error('message is neither JSON nor base64 JSON');
  try {
    return JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    throw new Error('message is neither JSON nor base64 JSON');
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** One event in either schema, validated by @azure/eventgrid's deserializer. */
async function readOne(raw: unknown): Promise<ResourceEvent | { otherType: string }> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('an event is not a JSON object');
  const o = raw as Record<string, unknown>;
  let type: string;
  let id: string;
  let subject: string | undefined;
  let time: Date | undefined;
  let data: unknown;
  if ('specversion' in o) {
    const [e] = await deserializer.deserializeCloudEvents(o);
    if (!e) throw new Error('empty CloudEvent');
    ({ type, id, subject, time, data } = e);
  } else {
    const [e] = await deserializer.deserializeEventGridEvents(o);
    if (!e) throw new Error('empty Event Grid event');
    ({ eventType: type, id, subject, eventTime: time, data } = e);
  }
  if (!(RESOURCE_EVENT_TYPES as readonly string[]).includes(type)) return { otherType: type };
  const d = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  const resource = subject || str(d.resourceUri);
  if (!resource?.startsWith('/')) throw new Error(`${type} ${id} has no ARM id as its subject`);
  const eventTime = time instanceof Date && !Number.isNaN(time.getTime()) ? time : undefined;
  if (!eventTime) throw new Error(`${type} ${id} has no valid event time`);
  const actor = actorFromClaims(d.claims);
  const operation = str(d.operationName);
  const correlationId = str(d.correlationId);
  return {
    id,
    eventType: type as ResourceEventType,
    subject: resource,
    eventTime: eventTime.toISOString(),
    ...(actor ? { actor } : {}),
    ...(operation ? { operation: operation.slice(0, 300) } : {}),
    ...(correlationId ? { correlationId: correlationId.slice(0, 100) } : {}),
  };
}

/**
 * Reads a `resource-events` message: one event or an array, Event Grid schema or CloudEvents
 * 1.0, base64 or plain JSON. Never throws: what cannot be read is reported in `malformed`, so
 * the caller drops it at once instead of retrying it into the poison queue.
 */
export async function parseResourceEvents(payload: unknown): Promise<ParsedMessage> {
  const out: ParsedMessage = { events: [], otherTypes: [], malformed: [] };
  let decoded: unknown;
  try {
    decoded = decodePayload(payload);
  } catch (e) {
    out.malformed.push((e as Error).message);
    return out;
  }
  const list = Array.isArray(decoded) ? decoded : [decoded];
  if (!list.length) out.malformed.push('message is an empty array');
  for (const raw of list) {
    try {
      const read = await readOne(raw);
      if ('otherType' in read) out.otherTypes.push(read.otherType);
      else out.events.push(read);
    } catch (e) {
      out.malformed.push((e as Error).message.slice(0, 300));
    }
  }
  return out;
}
