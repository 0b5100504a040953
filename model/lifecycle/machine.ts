// The socket lifecycle as an XState v5 statechart: the single source of truth for which
// lifecycle moves a socket may make. The race window is a state of its own: LISTEN is
// published (other CPUs can see it) but get_port has not validated the port yet.
//
// Every model step that changes a socket's lifecycle sends one of these events; a step whose
// event the current state does not accept is a model error (or, for a mutant, a kill).

import { setup } from 'xstate';

/** Every lifecycle event, in the order the compiled table numbers them. */
export const LIFE_EVENTS = [
  'BIND_OK',
  'PUBLISH_LISTEN',
  'GET_PORT_OK',
  'GET_PORT_FAIL',
  'HASH_OK',
  'HASH_FAIL',
  'ROLLBACK_TO_BOUND',
  'ROLLBACK_TO_UNBOUND',
  'UNHASH',
  'STATE_CLOSE',
  'RELEASE_FILE',
] as const;
export type LifeEvent = (typeof LIFE_EVENTS)[number];

export const socketLifecycle = setup({
  types: {
    events: {} as { type: LifeEvent },
  },
}).createMachine({
  id: 'socket',
  initial: 'unbound',
  states: {
    /** TCP_CLOSE, inet_num = 0: created, not bound. */
    unbound: {
      on: { BIND_OK: 'bound', PUBLISH_LISTEN: 'raceWindow', STATE_CLOSE: 'closing' },
    },
    /** TCP_CLOSE, owns its port in the bind hash. */
    bound: {
      on: { PUBLISH_LISTEN: 'raceWindow', STATE_CLOSE: 'closing' },
    },
    /** TCP_LISTEN published (icsk 813 / 1360), get_port not yet run: the race window. */
    raceWindow: {
      on: { GET_PORT_OK: 'validated', GET_PORT_FAIL: 'rejected' },
    },
    /** TCP_LISTEN still visible, but get_port (or 6.18's hash) failed: the rollback is pending. */
    rejected: {
      on: { ROLLBACK_TO_BOUND: 'bound', ROLLBACK_TO_UNBOUND: 'unbound' },
    },
    /** TCP_LISTEN, port validated by get_port, not yet in the listening hash. */
    validated: {
      on: { HASH_OK: 'listening', HASH_FAIL: 'rejected' },
    },
    /** TCP_LISTEN and in the listening hash: SYNs can find it. */
    listening: {
      on: { UNHASH: 'unhashed' },
    },
    /** close(): out of the listening hash, sk_state still TCP_LISTEN. */
    unhashed: {
      on: { STATE_CLOSE: 'closing' },
    },
    /** close() has begun: TCP_CLOSE, out of every hash; the port may still be owned. */
    closing: {
      on: { RELEASE_FILE: 'closed' },
    },
    /** The file is gone. */
    closed: { type: 'final' },
  },
});
