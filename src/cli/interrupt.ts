// Ctrl-C during a long search: `explore`, `outcomes` and `witness` print what they found so far,
// marked interrupted and NOT PROVEN, and exit 130.
//
// The searches are synchronous loops, and Node runs a SIGINT handler only between tasks of the
// main thread's event loop, so a handler would never run during one. When started from the CLI
// entry, these commands therefore run themselves again in a worker thread (same entry, same
// arguments): the main thread stays idle, gets the signal and raises a flag in shared memory,
// which the search polls (about every 100 ms) and stops at. Called in-process (tests, the API),
// the command runs right there and cannot be interrupted.

import { Worker, isMainThread, workerData } from 'node:worker_threads';

/** Exit status after SIGINT, as a shell reports a process killed by it (128 + 2). */
export const INTERRUPTED_EXIT = 130;

interface InterruptData {
  tlmInterrupt: Int32Array;
  tlmTty: boolean;
}

const inWorker = (): InterruptData | undefined => (!isMainThread && (workerData as InterruptData | null)?.tlmInterrupt ? workerData as InterruptData : undefined);

/** True once the user pressed Ctrl-C (only ever true in the worker this module started). */
export function interrupted(): boolean {
  const d = inWorker();
  return d !== undefined && Atomics.load(d.tlmInterrupt, 0) === 1;
}

/** Whether stderr is a terminal, as the user sees it (a worker's own stderr never is). */
export function stderrIsTty(): boolean {
  return inWorker()?.tlmTty ?? !!process.stderr.isTTY;
}

/** The executable's own file, set by src/cli/bin.ts (dist/cli.js): a worker can run it again. */
let entryFile: string | undefined;

/** Called once by the executable with its own path; library use never sets it. */
export function setCliEntry(file: string): void {
  entryFile = file;
}

/** The CLI entry this process was started from, when it is one. */
function cliEntry(): string | undefined {
  return process.env.TLM_NO_WORKER ? undefined : entryFile;
}

/**
 * Runs `command argv` in a worker that SIGINT can stop, when this is the CLI's main thread;
 * otherwise returns undefined and the caller runs the command itself.
 */
export function runInterruptible(command: string, argv: readonly string[]): Promise<number> | undefined {
  const entry = isMainThread ? cliEntry() : undefined;
  if (entry === undefined) return undefined;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(entry, { argv: [command, ...argv], workerData: { tlmInterrupt: flag, tlmTty: !!process.stderr.isTTY } satisfies InterruptData });
  // A second Ctrl-C while the partial result is being written must not kill the process mid-line.
  const onSigint = () => Atomics.store(flag, 0, 1);
  process.on('SIGINT', onSigint);
  return new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => {
      process.off('SIGINT', onSigint);
      resolve(code);
    });
  });
}
