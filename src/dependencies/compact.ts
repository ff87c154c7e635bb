/**
 * Compact structures for the dependency step, which must hold a fact per resource and per edge of
 * the whole estate while it reads the inventory a page at a time: a JS Map keyed by id strings
 * costs ~200 bytes of heap per entry, these cost 20–30 bytes outside the heap. Nothing listed
 * in package.json offers an open-addressing table keyed by numbers or a string column.
 */

/**
 * A 53-bit hash of a string: two 32-bit FNV-1a passes with different offset bases, the second's
 * low 21 bits on top. Never 0 (0 marks an empty slot below). Two different keys share a hash
 * with odds of about n²/2⁵⁴: ~10⁻⁵ for a million keys.
 */
export function hashKey(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  const h = (b & 0x1fffff) * 0x100000000 + (a >>> 0);
  return h === 0 ? 1 : h;
}

/** Hash (from hashKey) → ordinal (a small non-negative integer), open addressing, linear probing. */
export class HashOrdinals {
  private keys = new Float64Array(1024);
  private values = new Int32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The ordinal under `hash`, or -1. */
  get(hash: number): number {
    const mask = this.keys.length - 1;
    for (let i = (hash >>> 0) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i] as number;
      if (k === 0) return -1;
      if (k === hash) return this.values[i] as number;
    }
  }

  /** Keeps the first ordinal given for a hash; true when this call set it. */
  setIfAbsent(hash: number, ordinal: number): boolean {
    return this.put(hash, ordinal, false);
  }

  set(hash: number, ordinal: number): void {
    this.put(hash, ordinal, true);
  }

  private put(hash: number, ordinal: number, replace: boolean): boolean {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    for (let i = (hash >>> 0) & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i] as number;
      if (k === 0) {
        this.keys[i] = hash;
        this.values[i] = ordinal;
        this.count++;
        return true;
      }
      if (k === hash) {
        if (replace) this.values[i] = ordinal;
        return false;
      }
    }
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Float64Array(keys.length * 2);
    this.values = new Int32Array(keys.length * 2);
    this.count = 0;
    for (let i = 0; i < keys.length; i++)
      if (keys[i] !== 0) this.put(keys[i] as number, values[i] as number, true);
  }
}

/** A growable typed array of numbers by ordinal. */
export class NumberColumn<T extends Float64Array | Int32Array | Uint8Array> {
  private data: T;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  get(i: number): number {
    return (this.data[i] as number | undefined) ?? 0;
  }
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const next = this.make(Math.max(this.data.length * 2, i + 1));
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }
}

/** Strings by ordinal in one growing buffer (UTF-8), appended in ordinal order. */
export class StringColumn {
  private buffer = Buffer.alloc(64 * 1024);
  private ends = new NumberColumn((n) => new Int32Array(n));
  private used = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends a string; returns its ordinal. */
  push(s: string): number {
    const bytes = Buffer.byteLength(s);
    if (this.used + bytes > this.buffer.length) {
      const next = Buffer.alloc(Math.max(this.buffer.length * 2, this.used + bytes));
      this.buffer.copy(next, 0, 0, this.used);
      this.buffer = next;
    }
    this.used += this.buffer.write(s, this.used);
    this.ends.set(this.count, this.used);
    return this.count++;
  }

  get(i: number): string {
    if (i < 0 || i >= this.count) return '';
    return this.buffer.toString('utf8', i === 0 ? 0 : this.ends.get(i - 1), this.ends.get(i));
  }
}
