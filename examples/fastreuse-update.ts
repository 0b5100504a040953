// A real change between Linux 4.3 and today, as a variant file: `--variant ./examples/fastreuse-update.ts`.
//
// In 4.3, a socket that takes a fast path in inet_csk_get_port jumps to `success` (icsk.c 193-198
// -> 237), past the update of the bucket's fast flags (218-235). A SO_REUSEADDR|SO_REUSEPORT
// listener validates its port by the fastreuseport path and leaves tb->fastreuse set, so a later
// SO_REUSEADDR bind beside it succeeds (README, "Kernel quirks"). Josef Bacik's 2017 rework of
// inet_csk_get_port (Linux 4.14) moved the update under `success`, so every success updates the
// flags (6.18: inet_csk_update_fastreuse, icsk.c 589). This is that change applied to 4.3:
//
//   npx tcp-listen-model diff --from linux-4.3 --to ./examples/fastreuse-update.ts --scenario bind-beside-reuseport-listener   # differs
//   npx tcp-listen-model diff --from ./examples/fastreuse-update.ts --to linux-6.18 --scenario bind-beside-reuseport-listener  # the same

import { applyMutation, findVariant, kernel, type Kernel, type KernelParts, type KernelVariant } from 'tcp-listen-model';

const linux43 = findVariant('linux-4.3') as KernelVariant;
const getPort43 = linux43.parts.getPort;

/** The `else` branch of the flag update (icsk.c 230-235): the bucket had owners before this socket. */
function updateFastFlags(k: Kernel, sk: number, port: number): void {
  const reuse = k.reuse(sk) && k.get_sk_state(sk) !== kernel.TCP_LISTEN;
  if (k.fastreuse(port) && !reuse) k.setFastreuse(port, 0);
  if (k.fastreuseport(port) && (!k.reuseport(sk) || k.fastuid(port) !== k.uid(sk))) k.setFastreuseport(port, 0);
}

/** 4.3's get_port, then the flag update on every success into a bucket that had owners. */
const getPort: KernelParts['getPort'] = (k, c, snum, rules) => {
  const hadOwners = Array.from({ length: k.L.ports }, (_, p) => k.tbExists(p) && k.hasOwners(p));
  const r = getPort43(k, c, snum, rules);
  const port = k.inet_num(c.sk);
  if (r === 0 && port >= 0 && hadOwners[port]) updateFastFlags(k, c.sk, port);
  return r;
};

export default applyMutation(linux43, {
  id: 'fastreuse-update',
  steps: ['get-port'],
  change: 'inet_csk_get_port updates tb->fastreuse and tb->fastreuseport on every success, a fast-path one too (icsk.c 218-235 run after 193-198).',
  effect: 'A SO_REUSEADDR bind beside a SO_REUSEADDR|SO_REUSEPORT listener fails with EADDRINUSE, as on 6.18.',
  history: 'Linux 4.14 (inet_csk_get_port reworked by Josef Bacik, 2017): the flag update moved under success:.',
  parts: { getPort },
}).variant;
