// Property-based tests over the model, one import away:
//
//   import { test, scenarioArb, scheduleArb, modelRun } from 'tcp-listen-model/vitest';
//   test.prop([scenarioArb(), scheduleArb()])('no conflicting listeners', (scenario, schedule) => {
//     expect(modelRun(scenario, schedule, { properties: ['no-conflicting-listeners'] }).violation).toBeNull();
//   });

import type { fc } from '@fast-check/vitest';
import type { Scenario } from '../model/scenario.ts';
import { compileSystem, type System } from '../model/system.ts';
import type { Variant } from '../model/variant.ts';
import { DEFAULT_VARIANT, findVariant } from '../model/registry.ts';
import { PROPERTIES, findProperty } from '../properties/registry.ts';
import type { Property } from '../properties/types.ts';
import { generatedScenario, type GenerateOptions } from './engine/generate.ts';
import { runSchedule, type RunResult, type Segment } from './engine/run.ts';
import { uniformSchedule } from './engine/schedule.ts';

export { test, it, fc } from '@fast-check/vitest';

/** Random concurrent scenarios (a few sockets, a setup, a few threads); they shrink toward fewer. */
export function scenarioArb(o: GenerateOptions = {}): fc.Arbitrary<Scenario> {
  return generatedScenario(o);
}

/** Random schedules: segments "thread t runs n transitions", shrinking toward fewer context switches. */
export function scheduleArb(o: { maxSegments?: number; maxRun?: number } = {}): fc.Arbitrary<Segment[]> {
  return uniformSchedule(o.maxSegments, o.maxRun);
}

export interface ModelRunOptions {
  /** A variant or its id (default linux-4.3). */
  variant?: string | Variant;
  /** Properties or their ids (default: every property in the registry). */
  properties?: readonly (string | Property)[];
  /** Record the trace (default true: a failing test can print it). */
  trace?: boolean;
  merge?: boolean;
}

export interface ModelRun extends RunResult {
  system: System;
  variant: Variant;
}

// A property test compiles the same scenario once per schedule; compile it once per variant.
const systems = new WeakMap<Scenario, WeakMap<Variant, System>>();

function resolveVariant(v: string | Variant | undefined): Variant {
  if (typeof v === 'object') return v;
  const found = findVariant(v ?? DEFAULT_VARIANT);
  if (!found) throw new Error(`unknown variant "${v}"`);
  return found;
}

function resolveProperty(p: string | Property): Property {
  if (typeof p !== 'string') return p;
  const found = findProperty(p);
  if (!found) throw new Error(`unknown property "${p}"`);
  return found;
}

/** Runs a scenario under a schedule on a variant, checking the properties; `violation` is null when all hold. */
export function modelRun(scenario: Scenario, schedule: readonly Segment[], o: ModelRunOptions = {}): ModelRun {
  const variant = resolveVariant(o.variant);
  let byVariant = systems.get(scenario);
  if (!byVariant) systems.set(scenario, (byVariant = new WeakMap()));
  let system = byVariant.get(variant);
  if (!system) byVariant.set(variant, (system = compileSystem(scenario, variant)));
  const properties = (o.properties ?? PROPERTIES).map(resolveProperty);
  const run = runSchedule(system, schedule, { properties, trace: o.trace ?? true, merge: o.merge ?? true });
  return { ...run, system, variant };
}
