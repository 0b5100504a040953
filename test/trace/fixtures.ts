// Real counterexamples the trace tests share, found once per test file with fixed seeds.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkProperties, type Counterexample } from '../../src/engine/check.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { findProperty } from '../../properties/registry.ts';
import { listenRace } from '../../src/scenarios/builtin.ts';
import type { Variant } from '../../model/variant.ts';

/** The both-fail race: two SO_REUSEADDR listen() calls that both return EADDRINUSE. */
export function bothFail(variant: Variant = linux43): Counterexample {
  const [v] = checkProperties({
    variant, scenarios: [listenRace(2)], generated: false, properties: [findProperty('some-concurrent-listener-succeeds')!],
    runs: 300, seed: 1, scheduler: 'random', depth: 2, merge: true,
  });
  if (!v.counterexample) throw new Error(`no both-fail counterexample on ${variant.id}: ${v.verdict}`);
  return v.counterexample;
}

const BIN = join(import.meta.dirname, '../../dist/cli.js');

/** Runs the CLI in a child process. */
export const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
