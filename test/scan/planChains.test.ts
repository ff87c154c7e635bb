import { describe, expect, it } from 'vitest';
import { planChains, type ChainTask } from '../../src/scan/planChains';

const sub = (i: number) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
const task = (s: string, type: string): ChainTask => ({ taskId: `${s}|${type}`, subscriptionId: s, type });

describe('planChains: Resource Graph chains over batches of tasks', () => {
  it('batches 300 small subscriptions into chains of a few pages, every task in exactly one chain', () => {
    const tasks = Array.from({ length: 300 }, (_, i) =>
      ['a/vms', 'a/disks', 'a/nics'].map((t) => task(sub(i), t)),
    ).flat();
    const chains = planChains(tasks, () => 12); // 36 rows a subscription
    // 3,000 rows a chain: 83 subscriptions each, 4 chains instead of 900 one-task chains
    expect(chains).toHaveLength(4);
    expect(chains.every((c) => c.types.length === 3)).toBe(true);
    expect(chains.map((c) => c.subscriptionIds.length)).toEqual([83, 83, 83, 51]);
    const ids = chains.flatMap((c) => c.taskIds);
    expect(ids.sort()).toEqual(tasks.map((t) => t.taskId).sort());
    for (const c of chains) expect(c.lead).toBe([...c.taskIds].sort()[0]);
  });

  it('caps the subscriptions a chain names', () => {
    const tasks = Array.from({ length: 250 }, (_, i) => task(sub(i), 'a/vms'));
    const chains = planChains(tasks, () => 1);
    expect(chains.map((c) => c.subscriptionIds.length)).toEqual([100, 100, 50]);
  });

  it('splits a subscription bigger than a chain by type, a type bigger than a chain alone', () => {
    const counts: Record<string, number> = { 'a/big': 5000, 'a/mid': 2000, 'a/small': 900, 'a/tiny': 50 };
    const tasks = Object.keys(counts).map((t) => task(sub(1), t));
    const chains = planChains(tasks, (_s, t) => counts[t] ?? 0);
    expect(chains.map((c) => c.types)).toEqual([['a/big'], ['a/mid', 'a/small', 'a/tiny']]);
    expect(chains.every((c) => c.subscriptionIds.length === 1)).toBe(true);
  });

  it('plans a type Graph no longer counts (its last resource deleted) in a chain, so its removals run', () => {
    const chains = planChains([task(sub(1), 'a/vms'), task(sub(1), 'a/gone')], (_s, t) =>
      t === 'a/vms' ? 10 : 0,
    );
    expect(chains).toHaveLength(1);
    expect(chains[0]?.taskIds).toEqual([`${sub(1)}|a/gone`, `${sub(1)}|a/vms`]);
  });
});
