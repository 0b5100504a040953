// Reads a JSON file a user gave us; any failure is one line naming the file and the problem.
// Only a regular file is read, and only up to MAX_INPUT_BYTES: a symlink to /dev/zero, a FIFO or
// a device would otherwise be read forever. The type is checked on the open descriptor (fstat
// after open, so the file cannot be swapped between the check and the read), and the open does
// not block on a FIFO (O_NONBLOCK).

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from './errors.ts';

/** The largest input file read: far above any scenario or trace (a few hundred KiB at most). */
const MAX_INPUT_BYTES = 16 * 2 ** 20;

/** The text of a regular file of at most MAX_INPUT_BYTES; every failure is a one-line UsageError. */
export function readInputFile(path: string, what: string): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`cannot read ${what} ${path}: not a regular file`);
    if (st.size > MAX_INPUT_BYTES) throw new UsageError(`cannot read ${what} ${path}: ${st.size} bytes, more than the ${MAX_INPUT_BYTES / 2 ** 20} MiB an input may have`);
    // Read one byte more than the cap: a file that grows while read is refused too.
    const buf = Buffer.alloc(Math.min(st.size, MAX_INPUT_BYTES) + 1);
    let n = 0;
    for (let got; n < buf.length && (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
    if (n > MAX_INPUT_BYTES) throw new UsageError(`cannot read ${what} ${path}: more than the ${MAX_INPUT_BYTES / 2 ** 20} MiB an input may have`);
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** `what` names the kind of file in messages, e.g. "scenario file" or "trace file". */
export function readJsonFile(path: string, what: string): unknown {
  const text = readInputFile(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}
