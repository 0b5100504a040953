import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { FingerprintSet, RecentFingerprints, Zobrist } from '../../src/explore/fingerprint-set.ts';
import { BitstateTable } from '../../src/explore/bitstate.ts';
import { StateQueue } from '../../src/explore/state-queue.ts';

describe('FingerprintSet', () => {
  test.prop([fc.uniqueArray(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 2 ** 32 - 1 })), { maxLength: 3000, selector: ([a, b]) => `${a}:${b}` })])(
    'stores each fingerprint once and knows it again, across growth',
    (fps) => {
      const set = new FingerprintSet(16);
      fps.forEach(([h, l]) => expect(set.add(h, l)).toBe(true));
      fps.forEach(([h, l]) => expect(set.add(h, l)).toBe(false));
      expect(set.size).toBe(fps.length);
      const back: string[] = [];
      set.forEach((h, l) => back.push(`${h}:${l}`));
      expect(back.sort()).toEqual(fps.map(([h, l]) => `${h}:${l}`).sort());
    },
  );
});

describe('Zobrist fingerprints', () => {
  const z = new Zobrist(8);
  const bytes = fc.uint8Array({ minLength: 32, maxLength: 32 });

  test.prop([bytes, fc.array(fc.tuple(fc.nat(31), fc.nat(255)), { maxLength: 6 })])(
    'updating from the parent across the changed bytes gives the successor\'s whole fingerprint',
    (parent, changes) => {
      const child = parent.slice();
      for (const [at, v] of changes) child[at] = v;
      const a = new Int32Array(parent.buffer), b = new Int32Array(child.buffer);
      const fa = new Uint32Array(2), viaUpdate = new Uint32Array(2), whole = new Uint32Array(2);
      z.full(a, fa);
      z.update(fa[0], fa[1], a, b, viaUpdate);
      z.full(b, whole);
      expect([...viaUpdate]).toEqual([...whole]);
    },
  );

  test.prop([bytes, fc.nat(31), fc.integer({ min: 1, max: 255 })])('states that differ in one byte get different fingerprints, l odd', (s, at, d) => {
    const t = s.slice(); t[at] = (t[at] + d) & 0xff;
    const f1 = new Uint32Array(2), f2 = new Uint32Array(2);
    z.full(new Int32Array(s.buffer), f1);
    z.full(new Int32Array(t.buffer), f2);
    expect([...f1]).not.toEqual([...f2]);
    expect(f1[1] & 1).toBe(1);
  });
});

describe('RecentFingerprints', () => {
  test.prop([fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 2 ** 32 - 1 })), { maxLength: 200 })])(
    'says seen only for a fingerprint put there before (a hit is always a revisit)',
    (fps) => {
      const recent = new RecentFingerprints(4);
      const put = new Set<string>();
      for (const [h, l] of fps) {
        const key = `${h >>> 0}:${l >>> 0}`;
        if (recent.seen(h >>> 0, l >>> 0)) expect(put.has(key)).toBe(true);
        put.add(key);
      }
    },
  );
});

describe('BitstateTable', () => {
  test.prop([fc.uniqueArray(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 ** 31 - 1 }).map((x) => x * 2 + 1)), { maxLength: 500, selector: ([a, b]) => `${a}:${b}` })])(
    'never forgets a state; a sparse table estimates under 1% lost',
    (fps) => {
      const t = new BitstateTable(1 << 12);
      const stored = fps.filter(([h, l]) => t.add(h, l)).length;
      for (const [h, l] of fps) expect(t.add(h, l)).toBe(false);
      expect(t.size).toBe(stored);
      expect(t.omittedFraction(stored)).toBeGreaterThanOrEqual(0);
      expect(t.omittedFraction(stored)).toBeLessThan(stored > 0 ? 0.01 : 1);
    },
  );

  it('a nearly full table estimates most new states lost', () => {
    const t = new BitstateTable(4096);
    let x = 1;
    for (let i = 0; i < 20_000; i++) { x = Math.imul(x, 0x9e3779b1) + 1; t.add(x >>> 0, (Math.imul(x, 0x85ebca6b) | 1) >>> 0); }
    expect(t.size).toBeLessThan(20_000);
    expect(t.omittedFraction(t.size)).toBeGreaterThan(0.2);
  });
});

describe('StateQueue', () => {
  test.prop([fc.array(fc.array(fc.integer(), { minLength: 3, maxLength: 3 }), { maxLength: 200 }), fc.boolean()])(
    'returns states in FIFO or LIFO order with their number, depth and fingerprint, across chunks',
    (states, lifo) => {
      const q = new StateQueue(3, lifo, 64);
      states.forEach((s, i) => q.push(Int32Array.from(s), i, i * 2, i * 3, i + 1));
      const order = lifo ? [...states.keys()].reverse() : [...states.keys()];
      const out = new Int32Array(3), meta = new Uint32Array(4);
      for (const i of order) {
        q.pop(out, meta);
        expect([...out]).toEqual(states[i]);
        expect([...meta]).toEqual([i, i * 2, i * 3, i + 1]);
      }
      expect(q.length).toBe(0);
    },
  );
});
