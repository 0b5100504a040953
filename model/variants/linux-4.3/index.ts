// Variant linux-4.3: the seed's kernel (shared/kernel-listen-path.md §0, §2).

import type { Variant } from '../../variant.ts';
import { bindProgram, closeProgram, listenBucket43, listenProgram, synProgram } from './programs.ts';

export const linux43: Variant = {
  id: 'linux-4.3',
  kernel: '4.3',
  title: 'Linux 4.3 (the seed)',
  description:
    'inet_listen -> inet_csk_listen_start publishes TCP_LISTEN (icsk 813) before get_port checks the port ' +
    '(814); failure rolls back to TCP_CLOSE (823). One bind bucket per port with all its owners; one ' +
    'listening chain per port; inet_hash cannot fail.',
  programs: { bind: bindProgram(), listen: listenProgram(), close: closeProgram(), syn: synProgram() },
  listenBucket: listenBucket43,
};
