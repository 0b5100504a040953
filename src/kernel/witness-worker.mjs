// One racing thread (1, 2, ...) of the witness; thread 0 runs on the main thread (witness.ts).
// Plain JS: tsx's loader does not reach worker_threads on Node 20.
//
// Per trial: wait for the main thread to publish a new generation, meet the other threads at a
// barrier so the syscalls start together, run this thread's ops on the fds the main thread
// created (fds are process-wide), store each result (0 or errno) in shared memory, report done.
// The shared Int32Array layout (GEN, ARRIVE, DONE, STOP, FDS) comes from witness.ts in workerData.

import koffi from 'koffi';
import { parentPort, workerData } from 'node:worker_threads';

const { sab, layout, thread, nThreads, program, resultBase, delayBase, rankBase, spin, cpu } = workerData;
const { GEN, ARRIVE, DONE, STOP, SEQ, FDS } = layout;
const ctl = new Int32Array(sab);

const lib = koffi.load('libc.so.6');
const bind = lib.func('int bind(int, const void *, uint32_t)');
const listen = lib.func('int listen(int, int)');
const close = lib.func('int close(int)');

// On a CPU of its own, so that racers never queue behind each other at the barrier.
if (cpu >= 0) {
  const setaffinity = lib.func('int sched_setaffinity(int, size_t, const void *)');
  const mask = Buffer.alloc(128);
  mask[cpu >> 3] |= 1 << (cpu & 7);
  setaffinity(0, mask.length, mask); // best effort: failing only costs speed
}

// Op kinds as in witness.ts: 0 bind, 1 listen, 2 close; sockaddrs arrive prebuilt.
const ops = program.map((op) => ({ ...op, sa: op.sa ? Buffer.from(op.sa) : null }));

/** Spins `spin` times, then sleeps in 1 ms steps, until ctl[i] >= target (same as witness.ts). */
function awaitCount(i, target) {
  for (let v, spins = 0; (v = Atomics.load(ctl, i)) < target; ) {
    if (++spins > spin) Atomics.wait(ctl, i, v, 1);
  }
}

parentPort.postMessage('ready');

for (let gen = 1; ; gen++) {
  awaitCount(GEN, gen);
  if (Atomics.load(ctl, STOP) !== 0) break;
  const target = gen * nThreads;
  if (Atomics.add(ctl, ARRIVE, 1) + 1 === target) Atomics.notify(ctl, ARRIVE);
  awaitCount(ARRIVE, target);
  for (let k = ctl[delayBase + thread]; k > 0; k--) Atomics.load(ctl, GEN);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const fd = ctl[FDS + op.sock];
    const r = op.kind === 0 ? bind(fd, op.sa, 16) : op.kind === 1 ? listen(fd, op.backlog) : close(fd);
    ctl[resultBase + i] = r < 0 ? koffi.errno() : 0;
  }
  if (Atomics.add(ctl, DONE, 1) + 1 === target) Atomics.notify(ctl, DONE);
}
