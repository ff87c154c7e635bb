import fs from 'node:fs';
import path from 'node:path';

/** The parts of host.json the local runtime honours, with the Functions host's own defaults. */
export interface HostConfig {
  routePrefix: string;
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  /** Delay before a failed message is visible again, in milliseconds. */
  visibilityTimeoutMs: number;
  /** Longest wait between polls of an empty queue, in milliseconds. */
  maxPollingIntervalMs: number;
  messageEncoding: 'base64' | 'none';
  /**
   * Longest a function may run, in milliseconds. The local runtime stops renewing a message's
   * lease past it, so the message is retried, as after a host timeout. (The lease itself is
   * short and renewed: LocalRuntimeOptions.messageLeaseMs.)
   */
  functionTimeoutMs: number;
}

/** Parses a .NET TimeSpan "hh:mm:ss[.fff]" or "d.hh:mm:ss" into milliseconds. */
export function timeSpanMs(value: string | undefined, fallbackMs: number): number {
  if (!value) return fallbackMs;
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(value.trim());
  if (!m) throw new Error(`host.json: "${value}" is not a TimeSpan (hh:mm:ss)`);
  const [, d, h, mi, s, f] = m;
  return (
    ((Number(d ?? 0) * 24 + Number(h)) * 3600 + Number(mi) * 60 + Number(s)) * 1000 +
    Number((f ?? '0').padEnd(3, '0'))
  );
}

/** host.json of the project: the nearest one above this file (src/ or dist/src/), else in the cwd. */
export function findHostJson(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'host.json');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(process.cwd(), 'host.json');
  }
}

export function loadHostConfig(file = findHostJson()): HostConfig {
  const candidate = file;
  const json = JSON.parse(fs.readFileSync(candidate, 'utf8')) as {
    functionTimeout?: string;
    extensions?: {
      http?: { routePrefix?: string };
      queues?: {
        batchSize?: number;
        newBatchThreshold?: number;
        maxDequeueCount?: number;
        visibilityTimeout?: string;
        maxPollingInterval?: string;
        messageEncoding?: 'base64' | 'none';
      };
    };
  };
  const q = json.extensions?.queues ?? {};
  const batchSize = q.batchSize ?? 16;
  return {
    routePrefix: json.extensions?.http?.routePrefix ?? 'api',
    batchSize,
    newBatchThreshold: q.newBatchThreshold ?? Math.floor(batchSize / 2),
    maxDequeueCount: q.maxDequeueCount ?? 5,
    visibilityTimeoutMs: timeSpanMs(q.visibilityTimeout, 0),
    maxPollingIntervalMs: timeSpanMs(q.maxPollingInterval, 60_000),
    messageEncoding: q.messageEncoding ?? 'base64',
    functionTimeoutMs: timeSpanMs(json.functionTimeout, 10 * 60_000),
  };
}
