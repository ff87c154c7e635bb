import { createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import type { ArmClients } from './armClients';
import { staticTokenCredential } from './armClients';
import { ComputeManagementClient } from '@azure/arm-compute';

/**
 * Resource Graph rows are Resource Manager JSON. To map them with the SAME mapper a type's
 * Resource Manager listing uses (one mapping per type, whichever source fed it), the type's own
 * listing is run against SDK clients whose HTTP client answers every request, without a network
 * call, with the rows as one list page: the SDK's own deserialisation turns them into the models
 * the mapper expects. A VM's statusOnly listing is answered with the rows' power state
 * (`properties.extended.instanceView.powerState`, the only instance view part Graph has) and their
 * provisioning state, in the statusOnly list's shape.
 */
export function rowsAsArmClients(rows: Array<Record<string, unknown>>): ArmClients {
  const body = JSON.stringify({ value: rows.map(asListed) });
  let stateBody: string | undefined;
  const httpClient: HttpClient = {
    async sendRequest(request) {
      const statusOnly = /[?&]statusOnly=true(&|$)/i.test(request.url);
      if (statusOnly) stateBody ??= JSON.stringify({ value: rows.map(stateRow) });
      return {
        request,
        status: 200,
        headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8' }),
        bodyAsText: statusOnly ? stateBody : body,
      };
    },
  };
  const options = {
    // never called: the HTTP client answers; an https address keeps the bearer policy content
    endpoint: 'https://graph-rows.invalid',
    httpClient,
    retryOptions: { maxRetries: 0 },
  };
  const credential = staticTokenCredential('graph-rows');
  const unavailable = (what: string) => (): never => {
    throw new Error(`${what} is not available while mapping Resource Graph rows`);
  };
  return {
    compute: (subscriptionId) => new ComputeManagementClient(credential, subscriptionId, options),
    client: (ctor, subscriptionId) => new ctor(credential, subscriptionId, options),
    resourceTypeCounts: unavailable('resourceTypeCounts'),
    resourceGraphRows: unavailable('resourceGraphRows'),
    stats: () => ({ apiCalls: 0, throttled: 0, serverErrors: 0 }),
    listSubscriptionIds: unavailable('listSubscriptionIds'),
    vmSizes: unavailable('vmSizes'),
  };
}

/** A VM row in the statusOnly list's shape: id, name, type, location and the instance view's statuses. */
function stateRow(row: Record<string, unknown>): Record<string, unknown> {
  const properties = (row.properties ?? {}) as {
    provisioningState?: unknown;
    extended?: { instanceView?: { powerState?: unknown } };
  };
  const statuses: unknown[] = [];
  if (typeof properties.provisioningState === 'string')
    statuses.push({
      code: `ProvisioningState/${properties.provisioningState.toLowerCase()}`,
      level: 'Info',
      displayStatus: `Provisioning ${properties.provisioningState.toLowerCase()}`,
    });
  const power = properties.extended?.instanceView?.powerState;
  if (power && typeof power === 'object') statuses.push(power);
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    location: row.location,
    properties: { instanceView: { statuses } },
  };
}

/** Columns Graph projects on every row, `''` or `null` when the resource has none; a list leaves them out. */
const FILLED_COLUMNS = ['kind', 'managedBy', 'sku', 'identity', 'zones', 'resourceGroup', 'subscriptionId'];

/** A Graph row as a Resource Manager list gives the item: without Graph's empty fillers and own columns. */
function asListed(row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  for (const k of FILLED_COLUMNS)
    if (out[k] === '' || out[k] === null || k === 'resourceGroup' || k === 'subscriptionId') delete out[k];
  return out;
}
