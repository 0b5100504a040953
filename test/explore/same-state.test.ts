// Two invariants broken in the same state: the explorer asks every invariant there, so each is
// found in that state, with the same shortest counterexample, and the one asked second is not
// missed by a check that looks only at what later moves change.
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import type { Scenario } from '../../model/scenario.ts';
import type { InvariantProperty } from '../../properties/types.ts';
import { KernelReader, type Change } from '../../model/kernel-view.ts';

const noListener = (id: string, fromChange: boolean): InvariantProperty => ({
  id, kind: 'invariant', sentence: 'No socket is TCP_LISTEN (a test property: broken by the first listen()).', why: 'test', kernel: {},
  check: (k, sys) => {
    for (let sk = 0; sk < sys.L.sockets; sk++) if (k.isListen(sk)) return `socket ${sk} is TCP_LISTEN`;
    return null;
  },
  // Like type-ok's: only the bytes the move wrote, given the state before held.
  ...(fromChange ? {
    checkFrom: (k, sys, change: Change) => {
      const before = new KernelReader(sys.L, sys.socks, sys.ephemeral, new Uint8Array(change.before.buffer, change.before.byteOffset, sys.L.size));
      for (let sk = 0; sk < sys.L.sockets; sk++) if (k.isListen(sk) && !before.isListen(sk)) return `socket ${sk} is TCP_LISTEN`;
      return null;
    },
  } : {}),
});

/** One listen() beside an unrelated bind(): a single state at the least depth has a listener. */
const scenario: Scenario = {
  name: 'one-listener',
  sockets: [{ name: 'A' }, { name: 'B' }],
  setup: [{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 8080 }],
  threads: [[{ op: 'listen', sk: 'A' }], [{ op: 'bind', sk: 'B', addr: '127.0.0.2', port: 9090 }]],
};

describe('invariants broken in the same state', () => {
  for (const fromChange of [false, true]) {
    it(`are all found there, with one shortest counterexample (the second ${fromChange ? 'judging by the change' : 'checked whole'})`, () => {
      const props = [noListener('first', false), noListener('second', fromChange)];
      const r = explore({ variant: linux43, scenario, properties: props, symmetry: false, merge: false, strategy: 'bfs' });
      const [a, b] = r.properties;
      expect([a.verdict, b.verdict]).toEqual(['violated', 'violated']);
      // The same state: the same breadth-first depth, and the same moves (after shrinking).
      expect(b.counterexample!.depth).toBe(a.counterexample!.depth);
      expect(b.counterexample!.run.trace.map((s) => s.stepId)).toEqual(a.counterexample!.run.trace.map((s) => s.stepId));
    });
  }
});
