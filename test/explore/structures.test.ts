import { describe, expect } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import { FingerprintSet, fingerprint } from '../../src/explore/fingerprint-set.ts';
import { StateQueue } from '../../src/explore/state-queue.ts';

describe('FingerprintSet', () => {
  test.prop([fc.uniqueArray(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 2 ** 32 - 1 })), { maxLength: 3000, selector: ([a, b]) => `${a}:${b}` })])(
    'stores each fingerprint once and returns the first id on a revisit, across growth',
    (fps) => {
      const set = new FingerprintSet(16);
      fps.forEach(([h, l], i) => expect(set.addOrGet(h, l, i)).toBe(-1));
      fps.forEach(([h, l], i) => expect(set.addOrGet(h, l, 99)).toBe(i));
      expect(set.size).toBe(fps.length);
    },
  );

  test('states that differ in one byte get different fingerprints', () => {
    const a = new Int32Array(64), out1 = new Uint32Array(2), out2 = new Uint32Array(2);
    fingerprint(a, 64, out1);
    const b = new Uint8Array(a.buffer.slice(0)); b[37] = 1;
    fingerprint(new Int32Array(b.buffer), 64, out2);
    expect([...out1]).not.toEqual([...out2]);
    expect(out1[1] & 1).toBe(1);
  });
});

describe('StateQueue', () => {
  test.prop([fc.array(fc.array(fc.integer(), { minLength: 3, maxLength: 3 }), { maxLength: 200 }), fc.boolean()])(
    'returns states in FIFO or LIFO order with their number and depth, across chunks',
    (states, lifo) => {
      const q = new StateQueue(3, lifo, 64);
      states.forEach((s, i) => q.push(Int32Array.from(s), i, i * 2));
      const order = lifo ? [...states.keys()].reverse() : [...states.keys()];
      const out = new Int32Array(3), meta = new Uint32Array(2);
      for (const i of order) {
        q.pop(out, meta);
        expect([...out]).toEqual(states[i]);
        expect([...meta]).toEqual([i, i * 2]);
      }
      expect(q.length).toBe(0);
    },
  );
});
