// Reads a JSON file a user gave us; any failure is one line naming the file and the problem.

import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

/** `what` names the kind of file in messages, e.g. "scenario file" or "trace file". */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}
