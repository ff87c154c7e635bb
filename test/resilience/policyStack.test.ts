import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TopDeckError } from '../../src/errors/TopDeckError';
import { createCircuitBreaker } from '../../src/resilience/circuitBreaker';
import { createPolicyStack } from '../../src/resilience/policyStack';
import { createRateBudget } from '../../src/resilience/rateBudget';
import { createRetryPolicy } from '../../src/resilience/retry';

const down = (): TopDeckError =>
  new TopDeckError({ code: 'Http503', message: 'unavailable', transient: true, statusCode: 503 });

describe('createPolicyStack', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('every attempt, retries included, takes a token', async () => {
    const budget = createRateBudget({ service: 'devops', scope: 'org', capacity: 10, refillPerSecond: 1 });
    const stack = createPolicyStack({
      retry: createRetryPolicy({ attempts: 3, jitter: false, initialDelayMs: 10 }),
      budget,
    });
    let n = 0;
    const run = stack.execute(async () => {
      if (++n < 3) throw down();
      return 'ok';
    });
    await vi.runAllTimersAsync();
    await expect(run).resolves.toBe('ok');
    expect(budget.stats().tokens).toBe(3);
  });

  it('an open circuit fails fast without spending budget; budget errors are not dependency failures', async () => {
    const budget = createRateBudget({
      service: 'devops',
      scope: 'org',
      capacity: 2,
      refillPerSecond: 0.001,
      maxWaitMs: 0,
    });
    const breaker = createCircuitBreaker({ name: 'devops:org', threshold: 1 });
    const stack = createPolicyStack({ budget, breaker });
    await expect(stack.execute(async () => Promise.reject(down()))).rejects.toMatchObject({
      code: 'Http503',
      attempts: 1,
    });
    await expect(stack.execute(async () => 'never')).rejects.toMatchObject({ code: 'CircuitOpen' });
    expect(budget.stats().tokens).toBe(1);

    const fresh = createCircuitBreaker({ name: 'devops:org2', threshold: 1 });
    const stack2 = createPolicyStack({ budget, breaker: fresh });
    await stack2.execute(async () => 'ok');
    await expect(stack2.execute(async () => 'ok')).rejects.toMatchObject({ code: 'BudgetExhausted' });
    expect(fresh.state()).toBe('closed');
  });
});
