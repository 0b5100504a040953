// A deliberately wrong patch, as a variant file: `--variant ./examples/publish-after-get-port.ts`.
//
// The idea: "close the race window" of inet_csk_listen_start by storing sk_state = TCP_LISTEN
// only after get_port has validated the port, so no other CPU ever sees an unvalidated listener.
// The kernel's order is deliberate (store, then check: of two concurrent listen()s at least one
// sees the other), and the checker shows what the patch breaks: two sockets bound with
// SO_REUSEADDR can now both listen on one port.
//
//   npx tcp-listen-model check --variant ./examples/publish-after-get-port.ts --scenario listen-race-2   # exit 1, a counterexample

import { applyMutation, findVariant, type KernelVariant } from 'tcp-listen-model';

const linux43 = findVariant('linux-4.3') as KernelVariant;

export const variant = applyMutation(linux43, {
  id: 'publish-after-validation',
  steps: ['publish-listen'],
  change: 'inet_csk_listen_start stores sk_state = TCP_LISTEN (icsk.c 813) after get_port (814) instead of before it.',
  effect: 'Neither of two concurrent listen()s sees the other as a listener: both succeed on one port.',
  edits: [{ program: 'listen', move: 'publish-listen', after: 'get-port' }],
}).variant;
