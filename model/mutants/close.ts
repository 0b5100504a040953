// Mutants of close() of a listener (tcp_set_state, tcp.c 1902-1935; tcp_v4_destroy_sock,
// tcp_ipv4.c 1795): the order of unhash, state store and port release.

import { TCP_CLOSE } from '../kernel.ts';
import { findStep, moveAfter, patchStep } from '../program.ts';
import { BASE, mutant43 } from './common.ts';

const C = BASE.programs.close;
const unhash = findStep(C, 'unhash');

// M13 — tcp.c 1933: `sk->sk_state = TCP_CLOSE` moved before `sk->sk_prot->unhash(sk)`. The
// lifecycle has no state for "TCP_CLOSE but still hashed": the socket's STATE_CLOSE is sent with
// the unhash, so sequential runs stay legal; the kill is hashed-implies-validated.
export const closeStateBeforeUnhash = mutant43({
  id: 'close-state-before-unhash',
  catalogue: 'M13',
  change: 'tcp_set_state(TCP_CLOSE) stores sk_state = TCP_CLOSE (tcp.c 1933) before it unhashes the listener (ih.c 454-474).',
  effect: 'For a moment the listening hash holds a TCP_CLOSE socket: SYNs reach a closed socket and lock-free readers see a listener that is not one.',
  steps: ['state-close', 'unhash'],
  programs: {
    close: patchStep(
      patchStep(moveAfter(C, 'state-close', 'lock_sock'), 'state-close', {
        text: 'sk->sk_state = TCP_CLOSE  /* M13: before unhash */',
        run: (k, c) => { k.set_sk_state(c.sk, TCP_CLOSE); k.setValidated(c.sk, false); },
      }),
      'unhash',
      { run: (k, c) => { unhash.run(k, c); k.life(c.sk, 'STATE_CLOSE'); } },
    ),
  },
});

// M13, second form — tcp.c 1924-1926: the inet_put_port of an autobound listener moved before
// the unhash (ih.c 454-474).
export const closePutPortBeforeUnhash = mutant43({
  id: 'close-put-port-before-unhash',
  catalogue: 'M13',
  change: 'tcp_set_state(TCP_CLOSE) releases an autobound listener\'s port (tcp.c 1924-1926) before it unhashes the listener.',
  effect: 'The port is free for others while the old listener is still in the listening hash; SYNs can reach a listener that owns no port.',
  steps: ['put-port-autobound'],
  programs: {
    close: patchStep(moveAfter(C, 'put-port-autobound', 'lock_sock'), 'put-port-autobound', {
      text: `${findStep(C, 'put-port-autobound').text}  /* M13: before unhash */`,
    }),
  },
});

// Not in §7.3 — tcp_ipv4.c 1795: tcp_v4_destroy_sock no longer releases an explicitly bound port.
export const destroySkipsPutPort = mutant43({
  id: 'destroy-skips-put-port',
  change: 'tcp_v4_destroy_sock no longer calls inet_put_port (tcp_ipv4.c 1795), so only autobound ports are released on close.',
  effect: 'close() of an explicitly bound socket returns with the port still held: the next bind() of that port fails with EADDRINUSE for good.',
  steps: ['destroy-put-port'],
  programs: {
    close: patchStep(C, 'destroy-put-port', {
      text: '/* inet_put_port(sk) dropped */',
      run: () => {}, // the owner entry (and its address) stays behind
    }),
  },
});

export const CLOSE_MUTANTS = [closeStateBeforeUnhash, closePutPortBeforeUnhash, destroySkipsPutPort];
