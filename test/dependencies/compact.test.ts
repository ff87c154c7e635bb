import { describe, expect, it } from 'vitest';
import { HashOrdinals, NumberColumn, StringColumn, hashKey } from '../../src/dependencies/compact';

const id = (i: number) =>
  `/subscriptions/0b1f0000-0000-0000-0000-00000000000${i % 3}/resourcegroups/rg-${i % 97}/providers/microsoft.network/networkinterfaces/nic-${i}`;

describe('compact structures of the dependency step', () => {
  it('hashes 200,000 ARM ids to distinct non-zero 53-bit numbers, the same each time', () => {
    const seen = new Set<number>();
    let bad = 0;
    for (let i = 0; i < 200_000; i++) {
      const h = hashKey(id(i));
      if (!Number.isSafeInteger(h) || h <= 0) bad++;
      seen.add(h);
    }
    expect(bad).toBe(0);
    expect(seen.size).toBe(200_000);
    expect(hashKey(id(7))).toBe(hashKey(id(7)));
    expect(hashKey('a')).not.toBe(hashKey('A'));
  });

  it('maps hashes to ordinals past many growths, the first set kept by setIfAbsent', () => {
    const map = new HashOrdinals();
    let added = 0;
    for (let i = 0; i < 50_000; i++) if (map.setIfAbsent(hashKey(id(i)), i)) added++;
    expect(added).toBe(50_000);
    expect(map.size).toBe(50_000);
    expect(map.setIfAbsent(hashKey(id(10)), 99)).toBe(false);
    for (let i = 0; i < 50_000; i += 997) expect(map.get(hashKey(id(i)))).toBe(i);
    expect(map.get(hashKey('absent'))).toBe(-1);
    map.set(hashKey(id(10)), 99);
    expect(map.get(hashKey(id(10)))).toBe(99);
    expect(map.size).toBe(50_000);
  });

  it('keeps strings by ordinal, UTF-8 and empty ones included, across buffer growths', () => {
    const column = new StringColumn();
    const values = Array.from({ length: 5000 }, (_, i) => (i % 10 === 0 ? '' : `${id(i)}-ü-名前-${i}`));
    values.forEach((v, i) => expect(column.push(v)).toBe(i));
    values.forEach((v, i) => expect(column.get(i)).toBe(v));
    expect(column.get(5000)).toBe('');
    const numbers = new NumberColumn((n) => new Int32Array(n));
    numbers.set(5000, 7);
    expect([numbers.get(5000), numbers.get(4999), numbers.get(10_000)]).toEqual([7, 0, 0]);
  });
});
