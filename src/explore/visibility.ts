// The visibility proviso of partial-order reduction: the search may expand a persistent set
// smaller than every enabled move only when no move in it is visible, that is, when it changes
// nothing a property checked along the way can read. Then no such property can tell the moves
// in the set made first from their being made later, and every violation of it that the full
// state graph has, the reduced one has too (Peled 1993; Godefroid 1996, ch. 6).
//
// Which properties need it: the invariants, step properties and return properties. Not the
// outcome properties and the deadlock check: they judge final and stuck states, which a
// persistent set keeps without any proviso. Of the invariants, two judge the move itself, not
// the state: `type-ok` (a byte outside its domain is written by some move, and the reduced graph
// makes every move the full graph makes, with the same effect) and `lifecycle-legal` (a refused
// lifecycle move, seen by the search as it happens); their reads need no proviso either.

import { fieldBytes, type Layout } from '../../model/state.ts';

/**
 * The shared fields the other properties read (properties/registry.ts): a socket's state, port,
 * address, queue, hash membership and stamp (wasHashed), bind bucket, statechart state, lock
 * owner (queue-iff-listen), validation ghost, open flag and SOCK_BINDPORT_LOCK (two-socket-rule);
 * a bind bucket's existence; the in-use counter; each thread's op index and results. Two reads
 * are of the returning or stepping thread's own fields only, which another thread's move never
 * changes: its `ret` (get-port-respects-listeners) and the lock words it holds
 * (no-lock-held-on-return: only a lock's holder drops it). test/explore/por.test.ts records what
 * the invariants really read on every state of the built-in scenarios and fails on anything else.
 */
export const PROPERTY_READS: ReadonlySet<string> = new Set([
  'socket.state', 'socket.num', 'socket.saddr', 'socket.queue', 'socket.lhash', 'socket.lhashSeq', 'socket.bindHash',
  'socket.life', 'socket.lockOwner', 'socket.validated', 'socket.open', 'socket.userlocks',
  'tb.exists', 'global.prot_inuse', 'thread.op', 'thread.result',
]);

/** visible[at] = 1 when byte `at` of a state of this layout belongs to a field in PROPERTY_READS. */
export function visibleBytes(L: Layout): Uint8Array {
  return fieldBytes(L, PROPERTY_READS);
}

/**
 * The move from `before` to `after` changed a byte some property reads. `writes` (the first
 * `written` entries) are the offsets the move wrote, when the kernel view's log holds them all
 * (Kernel.write): only those are looked at; else (null) every byte is.
 */
export function changesVisible(visible: Uint8Array, before: Uint8Array, after: Uint8Array, writes: Int32Array | null = null, written = 0): boolean {
  if (writes !== null) {
    for (let i = 0; i < written; i++) {
      const at = writes[i];
      if (visible[at] === 1 && before[at] !== after[at]) return true;
    }
    return false;
  }
  for (let i = 0; i < visible.length; i++) if (before[i] !== after[i] && visible[i] === 1) return true;
  return false;
}
