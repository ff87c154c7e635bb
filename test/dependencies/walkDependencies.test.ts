import { describe, expect, it } from 'vitest';
import type { Edge } from '../../src/dependencies/Edge';
import { walkDependencies } from '../../src/dependencies/walkDependencies';

const e = (sourceId: string, targetId: string): Edge => ({
  sourceId,
  targetId,
  category: 'network',
  strength: 1,
  method: 'arm-reference',
  evidence: 'test',
});

// app → api → db → server; api → cache; server → vnet; vnet → api closes a cycle.
const EDGES = [
  e('app', 'api'),
  e('api', 'db'),
  e('db', 'server'),
  e('api', 'cache'),
  e('server', 'vnet'),
  e('vnet', 'api'),
];
const out = async (id: string) => EDGES.filter((x) => x.sourceId.toLowerCase() === id.toLowerCase());
const into = async (id: string) => EDGES.filter((x) => x.targetId.toLowerCase() === id.toLowerCase());

describe('walkDependencies', () => {
  it('walks outwards by hops, each edge once at its first depth', async () => {
    const items = await walkDependencies('app', 'out', 10, out);
    expect(items.map((i) => `${i.sourceId}>${i.targetId}@${i.depth}`)).toEqual([
      'app>api@1',
      'api>db@2',
      'api>cache@2',
      'db>server@3',
      'server>vnet@4',
      'vnet>api@5',
    ]);
  });

  it('stops at the asked depth', async () => {
    const items = await walkDependencies('app', 'out', 2, out);
    expect(Math.max(...items.map((i) => i.depth))).toBe(2);
    expect(items).toHaveLength(3);
  });

  it('gives the blast radius (direction in) and ends on a cycle', async () => {
    const items = await walkDependencies('server', 'in', 10, into);
    // server → vnet → api → db → server: the cycle's edge back is reported once and the walk ends.
    expect(items).toHaveLength(5);
    const dependents = new Set(items.map((i) => i.sourceId).filter((id) => id !== 'server'));
    expect(dependents).toEqual(new Set(['db', 'api', 'app', 'vnet']));
    expect(items.find((i) => i.sourceId === 'db')?.depth).toBe(1);
    expect(items.find((i) => i.sourceId === 'app')?.depth).toBe(3);
  });

  it('matches ids case-insensitively and gives nothing for a leaf', async () => {
    expect(await walkDependencies('CACHE', 'out', 5, out)).toEqual([]);
    expect((await walkDependencies('APP', 'out', 1, out)).length).toBe(1);
  });
});
