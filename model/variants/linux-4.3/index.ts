// Variant linux-4.3: the seed's kernel (shared/kernel-listen-path.md §0, §2).

import type { KernelParts, KernelVariant } from '../../variant.ts';
import { inetCskGetPort, RULES_4_3, type GetPortRules } from './get-port.ts';
import { inetHash } from './hashtables.ts';
import { listenBucket43, programs43 } from './programs.ts';

/** What the 4.3 programs are built from: get_port's rules and the kernel's own functions. */
const PARTS_4_3: KernelParts<GetPortRules> = {
  rules: RULES_4_3,
  getPort: (k, c, snum, rules) => inetCskGetPort(k, c.sk, snum, rules),
  errno: false, // get_port returns 1; bind and listen turn it into -EADDRINUSE
  hash: inetHash,
};

export const linux43: KernelVariant<GetPortRules> = {
  id: 'linux-4.3',
  kernel: '4.3',
  title: 'Linux 4.3 (the seed)',
  description:
    'inet_listen -> inet_csk_listen_start publishes TCP_LISTEN (icsk 813) before get_port checks the port ' +
    '(814); failure rolls back to TCP_CLOSE (823). One bind bucket per port with all its owners; one ' +
    'listening chain per port; inet_hash cannot fail.',
  programs: programs43(PARTS_4_3),
  listenBucket: listenBucket43,
  parts: PARTS_4_3,
  build: programs43,
};
