import {
  RestError,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createArmPipelinePolicy,
  subscriptionIdOf,
  type ArmCallEvent,
} from '../../src/resilience/armPipelinePolicy';
import { createCircuitBreaker, type CircuitBreaker } from '../../src/resilience/circuitBreaker';
import { perScope } from '../../src/resilience/perScope';
import { createRateBudget, type RateBudget } from '../../src/resilience/rateBudget';

const SUB = '00000000-0000-0000-0000-0000000000AA';
const vmsUrl = (sub = SUB): string =>
  `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01`;

function respond(
  request: PipelineRequest,
  status: number,
  headers: Record<string, string> = {},
): PipelineResponse {
  return { request, status, headers: createHttpHeaders(headers), bodyAsText: '{}' };
}

interface Harness {
  policy: ReturnType<typeof createArmPipelinePolicy>;
  budgets: Map<string, RateBudget>;
  breakers: Map<string, CircuitBreaker>;
  calls: ArmCallEvent[];
}

function harness(budgetOptions: { capacity?: number; maxWaitMs?: number } = {}, threshold = 5): Harness {
  const budgets = new Map<string, RateBudget>();
  const breakers = new Map<string, CircuitBreaker>();
  const calls: ArmCallEvent[] = [];
  const budgetFor = perScope((scope) => {
    const b = createRateBudget({
      service: 'arm',
      scope,
      capacity: budgetOptions.capacity ?? 100,
      refillPerSecond: 10,
      maxWaitMs: budgetOptions.maxWaitMs ?? 30_000,
    });
    budgets.set(scope, b);
    return b;
  });
  const breakerFor = perScope((scope) => {
    const b = createCircuitBreaker({ name: `arm:${scope}`, threshold });
    breakers.set(scope, b);
    return b;
  });
  const policy = createArmPipelinePolicy({ budgetFor, breakerFor, onCall: (e) => calls.push(e) });
  return { policy, budgets, breakers, calls };
}

describe('subscriptionIdOf', () => {
  it.each<[string, string | undefined]>([
    [vmsUrl(), SUB.toLowerCase()],
    ['https://management.azure.com/SUBSCRIPTIONS/ABC/resourceGroups/rg?api-version=1', 'abc'],
    ['https://management.azure.com/subscriptions?api-version=2022-12-01', undefined],
    ['https://management.azure.com/providers/Microsoft.Resources/x?$filter=/subscriptions/zzz', undefined],
    ['not a url', undefined],
  ])('%s → %s', (url, expected) => {
    expect(subscriptionIdOf(url)).toBe(expected);
  });
});

describe('createArmPipelinePolicy with a fake next', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each<[string, Record<string, string>, number]>([
    ['Retry-After seconds', { 'retry-after': '7' }, 7000],
    ['Retry-After HTTP date', { 'retry-after': new Date(12_000).toUTCString() }, 12_000],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '1500' }, 1500],
    ['no Retry-After: the default pause', {}, 5000],
    ['malformed Retry-After: the default pause', { 'retry-after': 'soonish' }, 5000],
  ])(
    'a 429 (%s) pauses the subscription budget, is returned as is, and is not retried by the policy',
    async (_name, headers, pauseMs) => {
      const h = harness();
      const request = createPipelineRequest({ url: vmsUrl() });
      const next = vi.fn(async (req: PipelineRequest) => respond(req, 429, headers));
      const response = await h.policy.sendRequest(request, next);
      expect(response.status).toBe(429);
      expect(next).toHaveBeenCalledTimes(1);
      const budget = h.budgets.get(SUB.toLowerCase());
      expect(budget?.stats()).toMatchObject({ pauses: 1, pausedUntil: pauseMs });
      expect(h.calls).toEqual([
        expect.objectContaining({
          subscriptionId: SUB.toLowerCase(),
          status: 429,
          throttled: true,
          attempt: 1,
          retry: false,
        }),
      ]);
      expect(h.policy.stats()).toEqual({ apiCalls: 1, throttled: 1, retries: 0, shortCircuited: 0 });
      // Every other caller of that subscription now waits out the pause.
      let granted = false;
      void budget?.take().then(() => (granted = true));
      await vi.advanceTimersByTimeAsync(pauseMs - 1);
      expect(granted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(granted).toBe(true);
    },
  );

  it('counts a re-sent request (the SDK retrying) as a retry, and every attempt takes budget', async () => {
    const h = harness();
    const request = createPipelineRequest({ url: vmsUrl() });
    const next = vi.fn(async (req: PipelineRequest) => respond(req, 200));
    await h.policy.sendRequest(request, next);
    await h.policy.sendRequest(request, next);
    await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), next);
    expect(h.calls.map((c) => [c.attempt, c.retry])).toEqual([
      [1, false],
      [2, true],
      [1, false],
    ]);
    expect(h.policy.stats()).toEqual({ apiCalls: 3, throttled: 0, retries: 1, shortCircuited: 0 });
    expect(h.budgets.get(SUB.toLowerCase())?.stats().tokens).toBe(3);
  });

  it('scopes budget and breaker by subscription, "global" for tenant-level calls', async () => {
    const h = harness();
    const next = async (req: PipelineRequest): Promise<PipelineResponse> => respond(req, 200);
    await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl('SUB-A') }), next);
    await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl('sub-a') }), next);
    await h.policy.sendRequest(
      createPipelineRequest({ url: 'https://management.azure.com/subscriptions?api-version=2022-12-01' }),
      next,
    );
    expect([...h.budgets.keys()]).toEqual(['sub-a', 'global']);
    expect([...h.breakers.keys()]).toEqual(['sub-a', 'global']);
    expect(h.budgets.get('sub-a')?.stats().tokens).toBe(2);
    expect(h.calls.map((c) => c.subscriptionId)).toEqual(['sub-a', 'sub-a', undefined]);
  });

  it('feeds x-ms-ratelimit-remaining-subscription-reads to the budget', async () => {
    const h = harness({ capacity: 100 });
    const observe = vi.fn();
    await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), async (req) =>
      respond(req, 200, { 'x-ms-ratelimit-remaining-subscription-reads': '249' }),
    );
    const real = h.budgets.get(SUB.toLowerCase());
    if (!real) throw new Error('no budget');
    vi.spyOn(real, 'observeRemaining').mockImplementation(observe);
    await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), async (req) =>
      respond(req, 200, {
        'x-ms-ratelimit-remaining-subscription-reads': '3',
        'x-ms-ratelimit-remaining-subscription-global-reads': '40',
      }),
    );
    await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), async (req) => respond(req, 200));
    expect(observe.mock.calls).toEqual([[3]]);
    expect(real.stats().slowFactor).toBe(1);
  });

  it('5xx responses trip the subscription breaker; then calls fail fast without the network or the budget', async () => {
    const h = harness({}, 3);
    const next = vi.fn(async (req: PipelineRequest) => respond(req, 503));
    for (let i = 0; i < 3; i++) {
      const response = await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), next);
      expect(response.status).toBe(503); // handed back to the SDK, whose retry policy decides
    }
    expect(h.breakers.get(SUB.toLowerCase())?.state()).toBe('open');
    const error = await h.policy
      .sendRequest(createPipelineRequest({ url: vmsUrl() }), next)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CircuitOpen', transient: true });
    expect(next).toHaveBeenCalledTimes(3);
    expect(h.budgets.get(SUB.toLowerCase())?.stats().tokens).toBe(3);
    expect(h.policy.stats()).toMatchObject({ apiCalls: 3, shortCircuited: 1 });
  });

  it('429s do not trip the breaker (throttling is the budget’s job)', async () => {
    const h = harness({}, 2);
    for (let i = 0; i < 5; i++) {
      const sent = h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), async (req) =>
        respond(req, 429, { 'retry-after-ms': '1' }),
      );
      await vi.advanceTimersByTimeAsync(1); // each 429 pauses the budget for 1 ms
      await sent;
    }
    expect(h.breakers.get(SUB.toLowerCase())?.state()).toBe('closed');
    expect(h.policy.stats().throttled).toBe(5);
  });

  it('re-throws a network error unchanged (so the SDK may retry it) and counts it against the breaker', async () => {
    const h = harness({}, 1);
    const request = createPipelineRequest({ url: vmsUrl() });
    const sendError = new RestError('socket hang up', { code: 'REQUEST_SEND_ERROR', request });
    await expect(h.policy.sendRequest(request, async () => Promise.reject(sendError))).rejects.toBe(
      sendError,
    );
    expect(h.calls[0]).toMatchObject({ status: undefined, throttled: false, error: sendError });
    expect(h.breakers.get(SUB.toLowerCase())?.state()).toBe('open');
  });

  it('an exhausted budget throws BudgetExhausted before the network', async () => {
    const h = harness({ capacity: 1, maxWaitMs: 0 });
    const next = vi.fn(async (req: PipelineRequest) => respond(req, 200));
    await h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), next);
    await expect(h.policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), next)).rejects.toMatchObject({
      code: 'BudgetExhausted',
    });
    expect(next).toHaveBeenCalledTimes(1);
    expect(h.breakers.get(SUB.toLowerCase())?.state()).toBe('closed');
  });

  it('a throwing onCall hook never fails the call', async () => {
    const policy = createArmPipelinePolicy({
      budgetFor: perScope((scope) =>
        createRateBudget({ service: 'arm', scope, capacity: 10, refillPerSecond: 10 }),
      ),
      breakerFor: perScope((scope) => createCircuitBreaker({ name: `arm:${scope}` })),
      onCall: () => {
        throw new Error('telemetry down');
      },
    });
    const response = await policy.sendRequest(createPipelineRequest({ url: vmsUrl() }), async (req) =>
      respond(req, 200),
    );
    expect(response.status).toBe(200);
  });
});

describe('createArmPipelinePolicy in a real core-rest-pipeline (perRetry, after the SDK retry policy)', () => {
  it('the SDK retries the 429 once; the policy sees two attempts and does no retrying of its own', async () => {
    const h = harness();
    const sent: number[] = [];
    const httpClient: HttpClient = {
      sendRequest: async (req) => {
        sent.push(sent.length + 1);
        return sent.length === 1 ? respond(req, 429, { 'retry-after-ms': '20' }) : respond(req, 200);
      },
    };
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 3, retryDelayInMs: 1 } });
    pipeline.addPolicy(h.policy, { afterPhase: 'Retry' });
    const response = await pipeline.sendRequest(httpClient, createPipelineRequest({ url: vmsUrl() }));
    expect(response.status).toBe(200);
    expect(sent).toEqual([1, 2]);
    expect(h.calls.map((c) => [c.status, c.attempt, c.throttled])).toEqual([
      [429, 1, true],
      [200, 2, false],
    ]);
    expect(h.policy.stats()).toEqual({ apiCalls: 2, throttled: 1, retries: 1, shortCircuited: 0 });
  });

  it('with SDK retries off, a 503 comes back once: one attempt, no hidden retry layer', async () => {
    const h = harness();
    let sent = 0;
    const httpClient: HttpClient = { sendRequest: async (req) => (sent++, respond(req, 503)) };
    const pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 } });
    pipeline.addPolicy(h.policy, { afterPhase: 'Retry' });
    const response = await pipeline.sendRequest(httpClient, createPipelineRequest({ url: vmsUrl() }));
    expect(response.status).toBe(503);
    expect(sent).toBe(1);
  });
});

describe('createArmPipelinePolicy on a real ComputeManagementClient', () => {
  it('sees every page of a listing as its own attempt, through additionalPolicies perRetry', async () => {
    const { ComputeManagementClient } = await import('@azure/arm-compute');
    const h = harness();
    const urls: string[] = [];
    const httpClient: HttpClient = {
      sendRequest: async (req) => {
        urls.push(req.url);
        const page2 = `https://management.azure.com/subscriptions/${SUB}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01&$skiptoken=2`;
        const body = req.url.includes('skiptoken')
          ? { value: [{ name: 'vm-2' }] }
          : { value: [{ name: 'vm-1' }], nextLink: page2 };
        return {
          ...respond(req, 200, { 'content-type': 'application/json' }),
          bodyAsText: JSON.stringify(body),
        };
      },
    };
    const credential = {
      getToken: async () => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    const client = new ComputeManagementClient(credential, SUB, {
      httpClient,
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [{ policy: h.policy, position: 'perRetry' }],
    });
    const names: string[] = [];
    for await (const vm of client.virtualMachines.listAll()) names.push(vm.name ?? '');
    expect(names).toEqual(['vm-1', 'vm-2']);
    expect(urls).toHaveLength(2);
    expect(h.policy.stats()).toEqual({ apiCalls: 2, throttled: 0, retries: 0, shortCircuited: 0 });
    expect(h.budgets.get(SUB.toLowerCase())?.stats().tokens).toBe(2);
  });
});
