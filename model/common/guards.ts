// The `blocked` guards of steps that wait for a lock another thread holds (both kernels alike).

import type { ReadonlyKernel } from '../kernel-view.ts';
import type { Ctx } from '../program.ts';

/** Someone else holds this socket's lock_sock. */
export const sockLockBusy = (k: ReadonlyKernel, c: Ctx) => {
  const owner = k.lockOwner(c.sk);
  return owner >= 0 && owner !== c.t;
};

/** Someone else holds the head lock of the port this socket asks for or owns. */
export const headLockBusy = (k: ReadonlyKernel, c: Ctx) => {
  const port = k.inet_num(c.sk) >= 0 ? k.inet_num(c.sk) : c.port;
  if (port < 0) return false;
  const h = k.headLock(port);
  return h >= 0 && h !== c.t;
};

/** Someone else holds the lock of this listening bucket (4.3 ilb->lock, 6.18 ilb2->lock). */
export function listenLockBusy(k: ReadonlyKernel, c: Ctx, bucket: number): boolean {
  if (bucket < 0) return false;
  const h = k.listenLock(bucket);
  return h >= 0 && h !== c.t;
}
