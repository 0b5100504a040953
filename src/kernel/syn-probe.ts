// A SYN probe: a throwaway non-blocking client connects on loopback, and we learn which listener
// queued the connection, or what the client was told. Shared by the sequential harness (one probe
// at a time) and the witness (the connect() races, the outcome is read once the race is over).
//
// What the client can see, and what it means on loopback (Linux 6.18 tcp_ipv4.c / tcp_input.c):
// - a listener's accept queue holds the connection: that listener took the SYN (we accept and drop it);
// - ECONNREFUSED: a RST answered the SYN itself, so the lookup found no listener;
// - ECONNRESET: a SYN-ACK came first, so some listener took the SYN, and the connection was then
//   reset: its listener closed (inet_csk_listen_stop resets queued children; an ACK reaching a
//   request whose listener is no longer TCP_LISTEN drops the request, tcp_v4_rcv 2275-2279, and
//   the new lookup answers with a RST);
// - EPIPE: as ECONNRESET, but the queued child sent its FIN before the RST (the client was in
//   CLOSE_WAIT; tcp_input.c tcp_reset gives EPIPE there): its listener closed;
// - ETIMEDOUT: nothing answered within the timeout: the SYN was dropped, which on loopback happens
//   when the lookup found a listener that was closing (tcp_rcv_state_process drops a segment for
//   a TCP_CLOSE socket without a reply); the client would retransmit after its 1 s RTO;
// - "unaccepted": the handshake completed but none of the given listeners queued it. In a race
//   that closes the listener: the final ACK found the request, but the child could not inherit
//   the port the closed listener had released (__inet_inherit_port -ENOENT, tcp_ipv4.c
//   1834-1835), and tcp_check_req drops the ACK without a reply (tcp_abort_on_overflow is 0).

import { AF_INET, POLLIN, POLLOUT, SOCK_NONBLOCK, SOCK_STREAM, SOL_SOCKET, SO_ERROR, errnoName, errnoNumber, type Libc } from './libc.ts';

const EAGAIN = errnoNumber('EAGAIN') ?? 11;
const POLLERR = 0x008;
const POLLHUP = 0x010;

/** A non-blocking TCP client that closes with RST (SO_LINGER 0), so it leaves no TIME_WAIT. */
export function openSynClient(libc: Libc): number {
  const client = libc.socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (client < 0) throw new Error(`syn: socket() failed: ${errnoName(client)}`);
  libc.setAbortiveClose(client);
  return client;
}

/** Index into the listeners given to settleSyn, or the client's errno name / ETIMEDOUT / "unaccepted" / "hangup" (POLLHUP with no error). */
type SynFate = { accepted: number } | { error: string };

/**
 * Waits, after a connect() that returned EINPROGRESS, until some listener in `listeners` has the
 * connection queued (accepts it and drops it with RST) or the client learns its fate.
 */
export function settleSyn(libc: Libc, client: number, listeners: readonly number[], timeoutMs: number): SynFate {
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  const fds = [client, ...listeners];
  for (;;) {
    const revents = libc.poll(fds, POLLIN, remaining());
    if (typeof revents === 'number') throw new Error(`syn: poll() failed: ${errnoName(revents)}`);
    // The client can see ESTABLISHED before the listener has processed the final ACK: the loop waits for it.
    for (let i = 0; i < listeners.length; i++) {
      if (!(revents[i + 1] & POLLIN)) continue;
      const child = libc.accept4(listeners[i], SOCK_NONBLOCK);
      if (child >= 0) {
        libc.setAbortiveClose(child);
        libc.close(child);
        return { accepted: i };
      }
      if (-child !== EAGAIN) throw new Error(`syn: accept4 failed: ${errnoName(child)}`);
    }
    if (revents[0] & (POLLERR | POLLHUP)) {
      const err = libc.getsockoptInt(client, SOL_SOCKET, SO_ERROR);
      return { error: err === 0 ? 'hangup' : errnoName(err) };
    }
    if (remaining() === 0) {
      const out = libc.poll([client], POLLOUT, 0);
      return { error: typeof out !== 'number' && out[0] & POLLOUT ? 'unaccepted' : 'ETIMEDOUT' };
    }
  }
}
