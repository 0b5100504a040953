// Runs the CLI's main() in this process, capturing what it writes: about 100 times faster than
// spawning bin/tcp-listen-model.mjs, so tables of hostile inputs and the CLI fuzz property stay
// quick. `threw` is an exception main() let through: the CLI would print its stack trace.

import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../../src/cli/main.ts';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  threw?: unknown;
}

export async function runMain(argv: string[]): Promise<CliResult> {
  let stdout = '', stderr = '';
  const out = process.stdout.write, err = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => { stdout += String(chunk); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => { stderr += String(chunk); return true; }) as typeof process.stderr.write;
  try {
    return { status: await main(argv), stdout, stderr };
  } catch (e) {
    return { status: 1, stdout, stderr: stderr + String((e as Error)?.stack ?? e), threw: e };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** Every entry under `dir` (not following links) with its content or link target: equal snapshots, nothing changed. */
export function snapshot(dir: string, skip: (path: string) => boolean = () => false): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (skip(p)) continue;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) files.set(p, `-> ${readlinkSync(p)}`);
      else if (st.isDirectory()) { files.set(p, 'dir'); walk(p); }
      else if (st.isFile()) files.set(p, `${st.size}:${st.mtimeMs}:${st.size < 1 << 20 ? readFileSync(p, 'utf8') : ''}`);
      else files.set(p, 'special');
    }
  };
  walk(dir);
  return files;
}

/** What a refusal must look like: exit 2, nothing on stdout, one line on stderr, no stack trace. */
export function expectRefusal(r: CliResult, what: string): void {
  expect(r.threw, `${what}: threw`).toBe(undefined);
  expect(r.status, `${what}: exit code (stderr: ${r.stderr})`).toBe(2);
  expect(r.stdout, `${what}: stdout`).toBe('');
  expect(r.stderr.trimEnd().split('\n'), `${what}: stderr lines`).toHaveLength(1);
  expect(r.stderr, what).not.toMatch(/\n\s+at /);
}
