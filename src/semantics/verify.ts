// Runs the table's 6.18 cells on the running kernel, through the same harness `conform` uses:
// one sequential run per combination (A placed, then B's bind() and listen()), read with the same
// definition as the model's cells. Different owners need setfsuid, and the wildcard address a
// private network namespace, so root; without it those cells are "not run (needs root)". The result is a record the page is generated from, so the
// page stays the same from one generation to the next until the next --verify.

import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import type { Scenario } from '../../model/scenario.ts';
import { runOnKernel } from '../kernel/harness.ts';
import { ScenarioError } from '../errors.ts';
import { answersOf, combinationKey, combinationScenario, type Answers, type Combination } from './table.ts';
import { showThree, threeScenario, type ThreeCombination } from './three.ts';

export const NOT_RUN = 'not run (needs root)';

/** What the kernel answered, per combination id; NOT_RUN for cells that could not run. */
export interface KernelRecord {
  /** uname -r of the kernel that answered. */
  kernel: string;
  pairs: Record<string, Answers | typeof NOT_RUN>;
  three: Record<string, Answers | typeof NOT_RUN>;
}

const needsRoot = (s: Scenario) => s.sockets.some((sk) => (sk.uid ?? 0) !== 0);
const isRoot = () => process.getuid?.() === 0;

/** One scenario on the kernel; its last socket's answers, or NOT_RUN. */
export function kernelAnswers(s: Scenario): Answers | typeof NOT_RUN {
  if (needsRoot(s) && !isRoot()) return NOT_RUN;
  // Only whether owners are equal matters: without root, "same user" is the caller.
  const run = isRoot() ? s : { ...s, sockets: s.sockets.map((sk) => ({ ...sk, uid: process.getuid!() })) };
  try {
    return answersOf(runOnKernel(run).results.filter((r) => r.thread === 0).map((r) => r.result), s.name);
  } catch (e) {
    // Another owner needs setfsuid, and 0.0.0.0 a private network namespace: both need root.
    if (e instanceof ScenarioError && /setfsuid|no private network namespace/.test(e.message)) return NOT_RUN;
    throw e;
  }
}

export function verifyOnKernel(pairs: readonly Combination[], three: readonly ThreeCombination[]): KernelRecord {
  return {
    kernel: release(),
    pairs: Object.fromEntries(pairs.map((c) => [combinationKey(c), kernelAnswers(combinationScenario(c))])),
    three: Object.fromEntries(three.map((t) => [showThree(t), kernelAnswers(threeScenario(t))])),
  };
}

/** The committed record, or null when there is none; a malformed file throws a one-line Error. */
export function readKernelRecord(path: string): KernelRecord | null {
  if (!existsSync(path)) return null;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
  const r = data as Partial<KernelRecord> | null;
  const answers = (x: unknown) => x === NOT_RUN || (typeof x === 'object' && x !== null && typeof (x as Answers).bind === 'string' && typeof (x as Answers).listen === 'string');
  if (typeof r !== 'object' || r === null || typeof r.kernel !== 'string') throw new Error(`${path}: /kernel must be a string`);
  for (const field of ['pairs', 'three'] as const) {
    const m = r[field];
    if (typeof m !== 'object' || m === null) throw new Error(`${path}: /${field} must be an object`);
    for (const [k, v] of Object.entries(m)) if (!answers(v)) throw new Error(`${path}: /${field}/${k} must be {bind, listen} or "${NOT_RUN}"`);
  }
  return r as KernelRecord;
}
