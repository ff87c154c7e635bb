/**
 * Overhead of the resilience stack and accuracy of the shared budget.
 *
 *   node --import tsx bench/resilience/policyOverhead.ts
 *
 * 1. Per-call overhead of budget.take + breaker + retry around a no-op async function, p50/p99 in
 *    ms: in-process only, with a live redis-server (state shared through Redis), and with that
 *    Redis stopped (fallback in-process).
 * 2. Budget accuracy: 4 OS processes hammering a loopback server through one Redis-backed budget;
 *    calls in the busiest 1 s window and in total against what the bucket allows.
 */
import { Redis } from 'ioredis';
import { createCircuitBreaker } from '../../src/resilience/circuitBreaker';
import { createPolicyStack } from '../../src/resilience/policyStack';
import { createRateBudget } from '../../src/resilience/rateBudget';
import { createRedisBreakerStore } from '../../src/resilience/redisBreakerStore';
import { createRetryPolicy } from '../../src/resilience/retry';
import {
  bucketWindowBound,
  maxInWindow,
  runBudgetWorkers,
  startArrivalServer,
} from '../../test/resilience/fixtures/budgetHarness';
import { startRedisServer } from '../../test/support/redisServer';

export interface OverheadRow {
  setup: string;
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Budget takes decided in-process during the run (0 when Redis served every call). */
  fallbacks: number;
}

export interface AccuracyRow {
  setup: string;
  configured: string;
  busiestWindow: number;
  windowBound: number;
  total: number;
  totalBound: number;
}

export interface BenchResult {
  overhead: OverheadRow[];
  accuracy: AccuracyRow[];
  checks: Array<{ target: string; actual: string; pass: boolean }>;
  pass: boolean;
}

const TARGET_P50_WITH_REDIS_MS = 0.5;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(
  setup: string,
  calls: number,
  redis: Redis | undefined,
  scope: string,
): Promise<OverheadRow> {
  const budget = createRateBudget({ service: 'bench', scope, capacity: 1e9, refillPerSecond: 1e9, redis });
  const breaker = createCircuitBreaker({
    name: `bench:${scope}`,
    store: redis ? createRedisBreakerStore(redis, 'bench:breaker:') : undefined,
  });
  const stack = createPolicyStack({ retry: createRetryPolicy(), breaker, budget });
  const noop = async (): Promise<number> => 1;
  for (let i = 0; i < Math.min(200, calls); i++) await stack.execute(noop); // warm-up (JIT, script load)
  const fallbacksBefore = budget.stats().fallbacks;
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await stack.execute(noop);
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return {
    setup,
    calls,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: samples[samples.length - 1] ?? NaN,
    fallbacks: budget.stats().fallbacks - fallbacksBefore,
  };
}

export async function main(): Promise<BenchResult> {
  const server = await startRedisServer();
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  redis.on('error', () => undefined);
  const target = await startArrivalServer();
  try {
    await redis.ping();
    const overhead = [
      await measure('in-process (no Redis)', 20_000, undefined, 'mem'),
      await measure('Redis (shared state)', 5_000, redis, 'redis'),
    ];
    await server.stop();
    overhead.push(await measure('Redis stopped (fallback)', 2_000, redis, 'down'));
    await server.start();

    const capacity = 5;
    const refill = 20;
    const durationMs = 3000;
    const accuracy: AccuracyRow[] = [];
    for (const [setup, redisUp] of [
      ['4 processes, Redis up', true],
      ['4 processes, Redis down (1/4 each)', false],
    ] as const) {
      if (!redisUp) await server.stop();
      target.arrivals.length = 0;
      await runBudgetWorkers(4, {
        redisUrl: server.url,
        targetUrl: target.url,
        scope: `accuracy-${redisUp ? 'up' : 'down'}-${Date.now()}`,
        capacity,
        refillPerSecond: refill,
        fallbackShare: 0.25,
        durationMs,
        loops: 4,
        maxCalls: 500,
      });
      accuracy.push({
        setup,
        configured: `burst ${capacity} + ${refill}/s`,
        busiestWindow: maxInWindow(target.arrivals, 1000),
        windowBound: bucketWindowBound(capacity, refill, 1000, 100),
        total: target.arrivals.length,
        totalBound: bucketWindowBound(capacity, refill, durationMs, 100),
      });
      if (!redisUp) await server.start();
    }

    const withRedis = overhead.find((r) => r.setup.startsWith('Redis (shared'));
    const checks = [
      {
        target: `p50 with Redis < ${TARGET_P50_WITH_REDIS_MS} ms (every take served by Redis)`,
        actual: `${withRedis?.p50Ms.toFixed(3)} ms, ${withRedis?.fallbacks} in-process takes`,
        pass: (withRedis?.p50Ms ?? Infinity) < TARGET_P50_WITH_REDIS_MS && withRedis?.fallbacks === 0,
      },
      ...accuracy.map((a) => ({
        target: `${a.setup}: never over budget (busiest 1 s <= ${a.windowBound}, total <= ${a.totalBound})`,
        actual: `${a.busiestWindow} / ${a.total}`,
        pass: a.busiestWindow <= a.windowBound && a.total <= a.totalBound,
      })),
    ];
    return { overhead, accuracy, checks, pass: checks.every((c) => c.pass) };
  } finally {
    redis.disconnect();
    await target.close();
    await server.stop();
  }
}

export function print(result: BenchResult): void {
  console.log('\nPolicy stack overhead per call (budget.take + breaker + retry around a no-op)');
  console.table(
    result.overhead.map((r) => ({
      setup: r.setup,
      calls: r.calls,
      'p50 ms': r.p50Ms.toFixed(3),
      'p99 ms': r.p99Ms.toFixed(3),
      'max ms': r.maxMs.toFixed(2),
      'in-process takes': r.fallbacks,
    })),
  );
  console.log(
    'Budget accuracy (arrivals at a loopback server; bound = burst + refill x (window + 100 ms slack))',
  );
  console.table(
    result.accuracy.map((a) => ({
      setup: a.setup,
      configured: a.configured,
      'busiest 1 s': a.busiestWindow,
      'bound 1 s': a.windowBound,
      total: a.total,
      'bound total (3 s)': a.totalBound,
    })),
  );
  console.log('Targets');
  for (const c of result.checks)
    console.log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.target}  (actual ${c.actual})`);
  console.log(result.pass ? '\nPASS' : '\nFAIL');
}

if (require.main === module) {
  main().then(
    (result) => {
      print(result);
      process.exit(result.pass ? 0 : 1);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
