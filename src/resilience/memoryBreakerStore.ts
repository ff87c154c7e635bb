import { closedSnapshot, type BreakerSnapshot, type BreakerStateStore } from './BreakerStateStore';

interface Entry extends BreakerSnapshot {
  probeUntil: number;
}

/** Breaker state held in this process only: the default, and the fallback when Redis is down. */
export function createMemoryBreakerStore(): BreakerStateStore {
  const entries = new Map<string, Entry>();
  const entry = (name: string): Entry => {
    let e = entries.get(name);
    if (!e) {
      e = { ...closedSnapshot, probeUntil: 0 };
      entries.set(name, e);
    }
    return e;
  };
  return {
    read: async (name) => {
      const e = entries.get(name);
      return e ? { failures: e.failures, openedUntil: e.openedUntil } : { ...closedSnapshot };
    },
    recordFailure: async (name, { threshold, recoveryMs, now }) => {
      const e = entry(name);
      e.failures += 1;
      let opened = false;
      if (e.failures >= threshold && e.openedUntil <= now) {
        e.openedUntil = now + recoveryMs;
        opened = true;
      }
      return { failures: e.failures, openedUntil: e.openedUntil, opened };
    },
    recordSuccess: async (name) => {
      entries.delete(name);
    },
    acquireProbe: async (name, { leaseMs, now }) => {
      const e = entry(name);
      if (e.probeUntil > now) return false;
      e.probeUntil = now + leaseMs;
      return true;
    },
    reopen: async (name, openedUntil) => {
      const e = entry(name);
      e.openedUntil = openedUntil;
      e.probeUntil = 0;
    },
  };
}
