// Variant linux-6.18: the kernel the conformance tests run on (shared/kernel-listen-path.md §3).
// Line numbers: 6.18.2. From 6.18.21 on, inet_connection_sock.c lines after 155 are 14 lower.

import type { KernelParts, KernelVariant } from '../../variant.ts';
import { inetCskGetPort, RULES_6_18, type GetPortRules618 } from './get-port.ts';
import { inetHash, listenBucket618 } from './hashtables.ts';
import { programs618 } from './programs.ts';

/** What the 6.18 programs are built from: get_port's rules and the kernel's own functions. */
const PARTS_6_18: KernelParts<GetPortRules618> = {
  rules: RULES_6_18,
  getPort: (k, c, snum, rules) => inetCskGetPort(k, c.sk, snum, rules),
  errno: true, // get_port returns -EADDRINUSE, which bind and listen store in err
  hash: inetHash,
};

export const linux618: KernelVariant<GetPortRules618> = {
  id: 'linux-6.18',
  kernel: '6.18',
  title: 'Linux 6.18',
  description:
    '__inet_listen_sk sets the backlog first (af_inet 201); inet_csk_listen_start publishes TCP_LISTEN (icsk 1360) ' +
    'before get_port (1361); inet_hash (1366) can fail; either failure stores TCP_CLOSE (1372). Bind buckets per ' +
    'port (tb) and per port and address (tb2), the fast-path cache updated on every success, listening buckets per ' +
    'address and port, reuseport groups formed at hash time.',
  programs: programs618(PARTS_6_18),
  listenBucket: listenBucket618,
  parts: PARTS_6_18,
  build: programs618,
};
