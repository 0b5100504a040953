// The two base kernels as the mutation recipes see them (KernelBase, common.ts). Each field
// mirrors what that kernel's own programs do (variants/linux-4.3/programs.ts,
// variants/linux-6.18/programs.ts), so a recipe that calls it behaves as the base step would.

import { RES_EADDRINUSE, RES_OK } from '../kernel.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';
import { inetCskGetPort as getPort43, RULES_4_3, type GetPortRules } from '../variants/linux-4.3/get-port.ts';
import { inetHash as hash43 } from '../variants/linux-4.3/hashtables.ts';
import { bindProgram as bind43, listenBucket43, listenProgram as listen43, synProgram as syn43 } from '../variants/linux-4.3/programs.ts';
import { linux618 } from '../variants/linux-6.18/index.ts';
import { inetCskGetPort as getPort618, RULES_6_18, type GetPortRules618 } from '../variants/linux-6.18/get-port.ts';
import { inetHash as hash618, listenBucket618 } from '../variants/linux-6.18/hashtables.ts';
import { bindProgram as bind618, listenProgram as listen618, synProgram as syn618 } from '../variants/linux-6.18/programs.ts';
import type { KernelBase } from './common.ts';

export const LINUX_4_3: KernelBase<GetPortRules> = {
  variant: linux43,
  name: 'Linux 4.3',
  rules: RULES_4_3,
  programsWith: (r) => ({ bind: bind43(r), listen: listen43(r) }),
  getPort: getPort43,
  refused: 1, // callers turn it into -EADDRINUSE
  keepErr: () => {}, // err = -EADDRINUSE is set at the unwind (icsk.c 824-825)
  bindGotPort: (k, c, err) => {
    // af_inet.c 497-501
    if (err !== 0) {
      k.set_rcv_saddr(c.sk, 0);
      k.setErr(c.t, RES_EADDRINUSE);
      return 'release_sock';
    }
    k.life(c.sk, 'BIND_OK');
  },
  unwind: 'queue-destroy', // icsk.c 824-825
  failing: ['get-port'], // inet_hash cannot fail in 4.3
  hash: hash43,
  hashed: (k, c) => { k.life(c.sk, 'HASH_OK'); return 'set-backlog'; }, // icsk.c 818, then af_inet.c 240
  synWith: (lookup) => syn43(listenBucket43, lookup),
  text: {
    listenStore: 'sk->sk_state = TCP_LISTEN', // icsk.c 813
    rollbackStore: 'sk->sk_state = TCP_CLOSE', // icsk.c 823
    closeStore: 'sk->sk_state = state', // tcp.c 1929, state == TCP_CLOSE
    getPortCall: 'if (!sk->sk_prot->get_port(sk, inet->inet_num))', // icsk.c 814
    getPortTest: 'if (!get_port(...))',
    hashCall: 'sk->sk_prot->hash(sk)', // icsk.c 818
  },
};

export const LINUX_6_18: KernelBase<GetPortRules618> = {
  variant: linux618,
  name: 'Linux 6.18',
  rules: RULES_6_18,
  programsWith: (r) => ({ bind: bind618(r), listen: listen618(undefined, undefined, r) }),
  getPort: getPort618,
  refused: RES_EADDRINUSE,
  keepErr: (k, c, err) => { k.setErr(c.t, err); }, // err = get_port(...) (icsk.c 1361)
  bindGotPort: (k, c, err) => {
    // af_inet.c 536-542
    k.setRet(c.t, err);
    if (err !== 0) {
      k.set_rcv_saddr(c.sk, 0);
      k.setErr(c.t, err);
      return 'release_sock';
    }
    k.life(c.sk, 'BIND_OK');
  },
  unwind: 'return-err', // icsk.c 1373
  failing: ['get-port', 'hash'], // icsk.c 1361 and 1366 both reach the rollback
  hash: hash618,
  hashed: (k, c) => { k.life(c.sk, 'HASH_OK'); k.setErr(c.t, RES_OK); return 'release_sock'; }, // icsk.c 1366-1369
  synWith: (lookup) => syn618(listenBucket618, lookup),
  text: {
    listenStore: 'inet_sk_state_store(sk, TCP_LISTEN)', // icsk.c 1360
    rollbackStore: 'inet_sk_set_state(sk, TCP_CLOSE)', // icsk.c 1372
    closeStore: 'inet_sk_state_store(sk, state)', // tcp.c 3012, state == TCP_CLOSE
    getPortCall: 'err = sk->sk_prot->get_port(sk, inet->inet_num)', // icsk.c 1361
    getPortTest: 'if (!err)',
    hashCall: 'err = sk->sk_prot->hash(sk)', // icsk.c 1366
  },
};
