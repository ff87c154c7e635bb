import { ServiceClient } from '@azure/core-client';
import {
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { callCountingPolicies, countingCalls, currentCallCounts } from '../../src/telemetry/callCounts';

/** A client as the ARM clients are built (core-client, the SDK's own retry), over a scripted transport. */
function clientAnswering(statuses: number[]): { client: ServiceClient; attempts: () => number } {
  let attempts = 0;
  const httpClient: HttpClient = {
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      const status = statuses[Math.min(attempts, statuses.length - 1)] ?? 200;
      attempts++;
      // A 429 is retried only with Retry-After; 0 seconds keeps the test fast.
      return {
        status,
        headers: createHttpHeaders(status === 429 ? { 'retry-after': '0' } : {}),
        request,
        bodyAsText: '{}',
      };
    },
  };
  const client = new ServiceClient({
    httpClient,
    additionalPolicies: callCountingPolicies(),
    retryOptions: { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 2 },
  });
  return { client, attempts: () => attempts };
}

const get = (client: ServiceClient) =>
  client.sendRequest(createPipelineRequest({ url: 'https://management.example/subscriptions' }));

describe('per-operation Resource Manager call counts', () => {
  it.each([
    ['one clean call', [200], { apiCalls: 1, throttled: 0, serverErrors: 0, retries: 0 }],
    ['a 429 then success', [429, 200], { apiCalls: 2, throttled: 1, serverErrors: 0, retries: 1 }],
    ['two 503s then success', [503, 503, 200], { apiCalls: 3, throttled: 0, serverErrors: 2, retries: 2 }],
    ['throttled on every attempt', [429], { apiCalls: 4, throttled: 4, serverErrors: 0, retries: 3 }],
  ])('%s', async (_name, statuses, expected) => {
    const { client, attempts } = clientAnswering(statuses);
    const counts = await countingCalls(async () => {
      await get(client);
      return currentCallCounts();
    });
    expect(counts).toEqual(expected);
    expect(attempts()).toBe(expected.apiCalls);
  });

  it('keeps concurrent operations apart', async () => {
    const { client } = clientAnswering([200]);
    const [a, b] = await Promise.all([
      countingCalls(async () => {
        await get(client);
        return currentCallCounts();
      }),
      countingCalls(async () => {
        await Promise.all([get(client), get(client), get(client)]);
        return currentCallCounts();
      }),
    ]);
    expect(a?.apiCalls).toBe(1);
    expect(b?.apiCalls).toBe(3);
  });

  it('outside a scope calls pass through and nothing is counted', async () => {
    const { client, attempts } = clientAnswering([200]);
    const response = await get(client);
    expect(response.status).toBe(200);
    expect(attempts()).toBe(1);
    expect(currentCallCounts()).toBeUndefined();
  });
});
