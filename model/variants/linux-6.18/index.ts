// Variant linux-6.18: the kernel the conformance tests run on (shared/kernel-listen-path.md §3).
// Line numbers: 6.18.2. From 6.18.21 on, inet_connection_sock.c lines after 155 are 14 lower.

import type { Variant } from '../../variant.ts';
import { listenBucket618 } from './hashtables.ts';
import { bindProgram, closeProgram, listenProgram, synProgram } from './programs.ts';

export const linux618: Variant = {
  id: 'linux-6.18',
  kernel: '6.18',
  title: 'Linux 6.18',
  description:
    '__inet_listen_sk sets the backlog first (af_inet 201); inet_csk_listen_start publishes TCP_LISTEN (icsk 1360) ' +
    'before get_port (1361); inet_hash (1366) can fail; either failure stores TCP_CLOSE (1372). Bind buckets per ' +
    'port (tb) and per port and address (tb2), the fast-path cache updated on every success, listening buckets per ' +
    'address and port, reuseport groups formed at hash time.',
  programs: { bind: bindProgram(), listen: listenProgram(), close: closeProgram(), syn: synProgram() },
  listenBucket: listenBucket618,
};
