// Kernel constants the model uses, with the values the kernel gives them, and the result codes a
// syscall can return in the model. Names follow include/net/tcp_states.h and errno.h.

/** Kernel source files, as cited in step labels. */
export const AF_INET_C = 'net/ipv4/af_inet.c';
export const ICSK_C = 'net/ipv4/inet_connection_sock.c';
export const IH_C = 'net/ipv4/inet_hashtables.c';
export const TCP_C = 'net/ipv4/tcp.c';
export const TCP_IPV4_C = 'net/ipv4/tcp_ipv4.c';
export const REUSEPORT_C = 'net/core/sock_reuseport.c';

/** sk_state values (include/net/tcp_states.h). */
export const TCP_ESTABLISHED = 1;
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;

export const TCP_STATE_NAMES: Record<number, string> = {
  [TCP_ESTABLISHED]: 'TCP_ESTABLISHED',
  [TCP_CLOSE]: 'TCP_CLOSE',
  [TCP_LISTEN]: 'TCP_LISTEN',
};

/** sk_userlocks bits (include/net/sock.h). */
export const SOCK_BINDADDR_LOCK = 4;
export const SOCK_BINDPORT_LOCK = 8;

/**
 * What a syscall returned, as one byte in the state. 0 means "not returned yet". A SYN's result
 * is the socket that got it: RES_SYN_TO + socket index.
 */
export const RES_NONE = 0;
export const RES_OK = 1;
export const RES_EINVAL = 2;
export const RES_EADDRINUSE = 3;
export const RES_EBADF = 4;
export const RES_ECONNREFUSED = 5;
export const RES_ENOMEM = 6;
export const RES_EBUSY = 7;
export const RES_SYN_TO = 16;

const RESULT_NAMES = ['-', '0', 'EINVAL', 'EADDRINUSE', 'EBADF', 'ECONNREFUSED', 'ENOMEM', 'EBUSY'];

/** A result code as the string users see: "0", an errno name, or the listener's name. */
export function resultName(code: number, socketNames: readonly string[]): string {
  if (code >= RES_SYN_TO) return socketNames[code - RES_SYN_TO] ?? `socket#${code - RES_SYN_TO}`;
  return RESULT_NAMES[code] ?? `result#${code}`;
}

/** IPv4 addresses a scenario may use; index 0 is the wildcard. */
export const ADDR_ANY = 0;

/** IPv4 address overlap (icsk.c 69-70, 79-80): either is 0.0.0.0, or they are equal. Both kernels' rule and the properties'. */
export function addressesOverlap(a: number, b: number): boolean {
  return a === ADDR_ANY || b === ADDR_ANY || a === b;
}
