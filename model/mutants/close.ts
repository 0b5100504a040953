// Mutants of close() of a listener (4.3: tcp_set_state, tcp.c 1902-1935, and tcp_v4_destroy_sock,
// tcp_ipv4.c 1794-1795; 6.18: tcp.c 2945-3014, 3123-3304, and tcp_ipv4.c 2576-2577): the order of
// unhash, state store and port release.

import { TCP_CLOSE } from '../kernel.ts';
import type { KernelVariant } from '../variant.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';
import { linux618 } from '../variants/linux-6.18/index.ts';
import { fp } from '../footprint.ts';
import { applyMutation, statement, told, type Mutant, type Told } from './common.ts';

// M13 — the TCP_CLOSE store of tcp_set_state (4.3 tcp.c 1929, 6.18 tcp.c 3012) moved before the
// unhash (4.3 ih.c 454-474; 6.18 tcp.c 2999, against its comment "to avoid closed socket sitting
// in hash tables"). The lifecycle has no state for "TCP_CLOSE but still hashed": the socket's
// STATE_CLOSE is sent with the unhash, so sequential runs stay legal; the kill is
// hashed-implies-validated.
function closeStateBeforeUnhash(b: KernelVariant, p: Told): Mutant {
  return applyMutation(b, {
    ...told('close-state-before-unhash', 'M13', p),
    steps: ['state-close', 'unhash'],
    edits: [
      { program: 'close', move: 'state-close', after: 'lock_sock' },
      {
        program: 'close', patch: 'state-close', with: (s) => ({
          text: `${statement(s)}  /* M13: before unhash */`,
          run: (k, c) => { k.set_sk_state(c.sk, TCP_CLOSE); k.setValidated(c.sk, false); },
        }),
      },
      { program: 'close', patch: 'unhash', with: (s) => ({ run: (k, c) => { s.run(k, c); k.life(c.sk, 'STATE_CLOSE'); } }) },
    ],
  });
}

// M13, second form — the inet_put_port of an autobound listener (4.3 tcp.c 1917-1919, 6.18 tcp.c
// 3000-3002) moved before the unhash (ih.c 454-474, tcp.c 2999).
function closePutPortBeforeUnhash(b: KernelVariant, p: Told): Mutant {
  return applyMutation(b, {
    ...told('close-put-port-before-unhash', 'M13', p),
    steps: ['put-port-autobound'],
    edits: [
      { program: 'close', move: 'put-port-autobound', after: 'lock_sock' },
      { program: 'close', patch: 'put-port-autobound', with: (s) => ({ text: `${s.text}  /* M13: before unhash */` }) },
    ],
  });
}

const M13 = [
  closeStateBeforeUnhash(linux43, {
    change: 'tcp_set_state(TCP_CLOSE) stores sk_state = TCP_CLOSE (tcp.c 1929) before it unhashes the listener (1916, inet_unhash ih.c 454-474).',
    effect: 'For a moment the listening hash holds a TCP_CLOSE socket: SYNs reach a closed socket and lock-free readers see a listener that is not one.',
  }),
  closePutPortBeforeUnhash(linux43, {
    change: 'tcp_set_state(TCP_CLOSE) releases an autobound listener\'s port (tcp.c 1917-1919) before it unhashes the listener.',
    effect: 'The port is free for others while the old listener is still in the listening hash; SYNs can reach a listener that owns no port.',
  }),
  closeStateBeforeUnhash(linux618, {
    change: 'tcp_set_state(TCP_CLOSE) stores TCP_CLOSE (tcp.c 3012) before it unhashes the listener (2999, inet_unhash ih.c 815-845).',
    effect: 'For a moment lhash2 holds a TCP_CLOSE socket: SYNs reach a closed socket and lock-free readers see a listener that is not one.',
  }),
  closePutPortBeforeUnhash(linux618, {
    change: 'tcp_set_state(TCP_CLOSE) releases an autobound listener\'s port (tcp.c 3000-3002) before it unhashes the listener (2999).',
    effect: 'The port is free for others while the old listener is still in lhash2; SYNs can reach a listener that owns no port.',
  }),
];

// Not in §7.3 — tcp_v4_destroy_sock (4.3 tcp_ipv4.c 1794-1795, 6.18 2576-2577) no longer releases an
// explicitly bound port.
function destroySkipsPutPort(b: KernelVariant, p: Told): Mutant {
  return applyMutation(b, {
    ...told('destroy-skips-put-port', undefined, p, 'close() of an explicitly bound socket returns with the port still held: the next bind() of that port fails with EADDRINUSE for good.'),
    steps: ['destroy-put-port'],
    edits: [{
      program: 'close', patch: 'destroy-put-port', with: {
        text: '/* inet_put_port(sk) dropped */',
        footprint: fp('socket.num r head->lock', 'tb.lock r head->lock'), // only the wait for the head lock is left
        run: () => {}, // the owner entry (and its address; on 6.18 tb2->owners, icsk_bind_hash, inet_num) stays behind
      },
    }],
  });
}

const DESTROY_SKIPS_PUT_PORT = [
  destroySkipsPutPort(linux43, {
    change: 'tcp_v4_destroy_sock no longer calls inet_put_port (tcp_ipv4.c 1794-1795), so only autobound ports are released on close.',
  }),
  destroySkipsPutPort(linux618, {
    change: 'tcp_v4_destroy_sock no longer calls inet_put_port (tcp_ipv4.c 2576-2577), so only autobound ports are released on close.',
  }),
];

export const CLOSE_MUTANTS: readonly Mutant[] = [...M13, ...DESTROY_SKIPS_PUT_PORT];
