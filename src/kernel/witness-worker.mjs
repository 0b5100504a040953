// One racing thread (1, 2, ...) of the witness; thread 0 runs on the main thread (witness.ts,
// trialLoop, which follows the same protocol). Plain JS: tsx's loader does not reach
// worker_threads on Node 20, so this file cannot import the TypeScript sources.
//
// Per trial g: wait until the main thread publishes g (it has created the sockets and stored
// their fds, which are process-wide), run this thread's setup ops when their turn comes, meet
// the others at the barrier, run this thread's ops, store each result (0 or errno), report done.
// workerData.plan is a RacerPlan (witness.ts); its layout names the shared Int32Array's words.

import koffi from 'koffi';
import { parentPort, workerData } from 'node:worker_threads';

const { sab, plan } = workerData;
const { nThreads, nSetup, resultBase, spin, cpu } = plan;
const { GEN, ARRIVE, DONE, STOP, STEP, FDS, CLI, RES } = plan.layout;
const ctl = new Int32Array(sab);

const lib = koffi.load('libc.so.6');
const bind = lib.func('int bind(int, const void *, uint32_t)');
const listen = lib.func('int listen(int, int)');
const close = lib.func('int close(int)');
const connect = lib.func('int connect(int, const void *, uint32_t)');
const getsockname = lib.func('int getsockname(int, void *, void *)');
const EINPROGRESS = 115;
const nameBuf = Buffer.alloc(16);
const lenBuf = Buffer.alloc(4);

// On a CPU of its own, so that racers never queue behind each other at the barrier.
if (cpu >= 0) {
  const setaffinity = lib.func('int sched_setaffinity(int, size_t, const void *)');
  const mask = Buffer.alloc(128);
  mask[cpu >> 3] |= 1 << (cpu & 7);
  setaffinity(0, mask.length, mask); // pid 0: this thread; best effort, failing only costs speed
}

// Op kinds as in witness.ts: 0 bind, 1 listen, 2 close, 3 syn. The sockaddrs arrive prebuilt.
const withBuffer = (op) => ({ ...op, sa: op.sa ? Buffer.from(op.sa) : null });
const mySetup = plan.setup.map(({ k, op }) => ({ k, op: withBuffer(op) }));
const myOps = plan.program.map(withBuffer);

/** A syn sends its SYN only (witness.ts sendSyn): 0 while pending, else connect()'s errno. */
function syn(op) {
  if (op.sock >= 0) {
    lenBuf.writeUInt32LE(16);
    const bound = getsockname(ctl[FDS + op.sock], nameBuf, lenBuf) === 0;
    op.sa.writeUInt16BE(bound ? nameBuf.readUInt16BE(2) : 0, 2);
  }
  const r = connect(ctl[CLI + op.client], op.sa, 16);
  const e = r < 0 ? koffi.errno() : 0;
  return e === EINPROGRESS ? 0 : e;
}

function run(op) {
  if (op.kind === 3) return syn(op);
  const fd = ctl[FDS + op.sock];
  const r = op.kind === 0 ? bind(fd, op.sa, 16) : op.kind === 1 ? listen(fd, op.backlog) : close(fd);
  return r < 0 ? koffi.errno() : 0;
}

/** Spins `spin` times, then sleeps in 1 ms steps, until ctl[i] >= target. */
function awaitCount(i, target) {
  for (let v, spins = 0; (v = Atomics.load(ctl, i)) < target; ) {
    if (++spins > spin) Atomics.wait(ctl, i, v, 1);
  }
}

parentPort.postMessage('ready');

for (let gen = 1; ; gen++) {
  awaitCount(GEN, gen);
  if (Atomics.load(ctl, STOP) !== 0) break;
  const stepBase = (gen - 1) * nSetup;
  for (const { k, op } of mySetup) {
    awaitCount(STEP, stepBase + k);
    ctl[RES + k] = run(op);
    Atomics.store(ctl, STEP, stepBase + k + 1);
    Atomics.notify(ctl, STEP);
  }
  const target = gen * nThreads;
  if (Atomics.add(ctl, ARRIVE, 1) + 1 === target) Atomics.notify(ctl, ARRIVE);
  awaitCount(ARRIVE, target);
  for (let i = 0; i < myOps.length; i++) ctl[resultBase + i] = run(myOps[i]);
  if (Atomics.add(ctl, DONE, 1) + 1 === target) Atomics.notify(ctl, DONE);
}
