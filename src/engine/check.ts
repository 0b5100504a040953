// The property suite: for each property, fast-check searches for a schedule (and, for generated
// scenarios, a scenario) that violates it, and shrinks the first one it finds to a minimal
// counterexample. A verdict is per property, over every scenario it applies to.
//
// "holds" means no counterexample in the runs made: not proven (use `explore` for a proof within
// a bound). An expected violation (real Linux breaks the property on purpose) must be found.

import fc from 'fast-check';
import type { Scenario } from '../../model/scenario.ts';
import { compileSystem, type System } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property } from '../../properties/types.ts';
import { effectiveSchedule, runSchedule, type Segment } from './run.ts';
import { pctSchedule, uniformSchedule } from './schedule.ts';
import { generatedScenario } from './generate.ts';
import { minimizeSchedule } from './shrink.ts';
import { SetupRefused } from '../errors.ts';

import type { Verdict } from './verdict.ts';
import type { CheckedCounterexample, Counterexample } from './counterexample.ts';

export type { Verdict, Counterexample };

export interface PropertyVerdict {
  id: string;
  kind: Property['kind'];
  sentence: string;
  verdict: Verdict;
  /** Schedules (and scenarios) tried, summed over scenarios. */
  runs: number;
  scenarios: string[];
  counterexample?: CheckedCounterexample;
}

export interface CheckOptions {
  variant: Variant;
  scenarios: readonly Scenario[];
  /** Also try fast-check-generated scenarios. */
  generated: boolean;
  properties: readonly Property[];
  runs: number;
  seed: number;
  /** Replay one counterexample path (with --seed) instead of searching. */
  path?: string;
  scheduler: 'random' | 'pct';
  /** PCT bug depth d. */
  depth: number;
  merge: boolean;
}

/** Is a violation of this property on this variant documented kernel behaviour? */
export function expectedOn(p: Property, v: Variant): boolean {
  return p.expectedViolation?.kernels.includes(v.kernel) ?? false;
}

export function checkProperties(o: CheckOptions): PropertyVerdict[] {
  const systems = o.scenarios.map((s) => compileSystem(s, o.variant));
  return o.properties.map((p) => checkOne(o, p, systems));
}

function checkOne(o: CheckOptions, p: Property, systems: readonly System[]): PropertyVerdict {
  const expected = expectedOn(p, o.variant);
  const applicable = systems.filter((sys) => p.kind !== 'outcome' || p.appliesTo(sys));
  const out: PropertyVerdict = { id: p.id, kind: p.kind, sentence: p.sentence, verdict: 'holds', runs: 0, scenarios: [] };
  for (const sys of applicable) {
    out.scenarios.push(sys.scenario.name);
    const found = searchSchedule(o, p, sys);
    out.runs += found.runs;
    if (found.cx) return finish(out, found.cx, expected);
  }
  if (o.generated && p.kind !== 'outcome') {
    out.scenarios.push('generated');
    const found = searchGenerated(o, p);
    out.runs += found.runs;
    if (found.cx) return finish(out, found.cx, expected);
  }
  if (out.scenarios.length === 0) out.verdict = 'not applicable';
  else if (expected && out.scenarios.some((s) => p.expectedViolation!.seenIn.includes(s))) out.verdict = 'expected violation not found';
  return out;
}

function finish(out: PropertyVerdict, cx: CheckedCounterexample, expected: boolean): PropertyVerdict {
  return { ...out, verdict: expected ? 'violated as expected' : 'violated', counterexample: cx };
}

interface Found {
  runs: number;
  cx?: CheckedCounterexample;
}

const holds = (sys: System, p: Property, merge: boolean) => (schedule: Segment[]) =>
  runSchedule(sys, schedule, { properties: [p], merge }).violation === null;

function searchSchedule(o: CheckOptions, p: Property, sys: System): Found {
  const params = { seed: o.seed, numRuns: o.runs, ...(o.path ? { path: o.path } : {}) };
  const arb = o.scheduler === 'pct' ? pctSchedule(sys, o.depth) : uniformSchedule();
  const r = fc.check(fc.property(arb, holds(sys, p, o.merge)), params);
  if (!r.failed || !r.counterexample) return { runs: r.numRuns };
  let schedule = r.counterexample[0] as Segment[];
  let shrinks = r.numShrinks;
  if (o.scheduler === 'pct') {
    // Shrink the PCT schedule further as plain segments, toward fewer context switches.
    const again = fc.check(fc.property(uniformSchedule(1000, 10_000), holds(sys, p, o.merge)), { seed: o.seed, numRuns: 1, examples: [[schedule]] });
    if (again.failed && again.counterexample) { schedule = again.counterexample[0] as Segment[]; shrinks += again.numShrinks; }
  }
  schedule = minimizeSchedule(sys, effectiveSchedule(sys, schedule, o.merge), (s) => !holds(sys, p, o.merge)(s), o.merge);
  const run = runSchedule(sys, schedule, { properties: [p], merge: o.merge, trace: true });
  return {
    runs: r.numRuns,
    cx: {
      propertyId: p.id, message: run.violation?.message ?? '', scenario: sys.scenario, variant: o.variant.id,
      schedule, seed: r.seed, path: r.counterexamplePath ?? '', shrinks, run,
    },
  };
}

function searchGenerated(o: CheckOptions, p: Property): Found {
  const params = { seed: o.seed, numRuns: o.runs, ...(o.path ? { path: o.path } : {}) };
  const prop = fc.property(generatedScenario(), uniformSchedule(), (scenario, schedule) => {
    // A generated setup the variant cannot run (a mutant's broken lifecycle) is no run of this property.
    let sys: System;
    try { sys = compileSystem(scenario, o.variant); } catch (e) { fc.pre(!(e instanceof SetupRefused)); throw e; }
    return runSchedule(sys, schedule, { properties: [p], merge: o.merge }).violation === null;
  });
  const r = fc.check(prop, params);
  if (!r.failed || !r.counterexample) return { runs: r.numRuns };
  const [scenario, raw] = r.counterexample as [Scenario, Segment[]];
  const sys = compileSystem(scenario, o.variant);
  const schedule = minimizeSchedule(sys, effectiveSchedule(sys, raw, o.merge), (s) => !holds(sys, p, o.merge)(s), o.merge);
  const run = runSchedule(sys, schedule, { properties: [p], merge: o.merge, trace: true });
  return {
    runs: r.numRuns,
    cx: {
      propertyId: p.id, message: run.violation?.message ?? '', scenario, variant: o.variant.id,
      schedule, seed: r.seed, path: r.counterexamplePath ?? '', shrinks: r.numShrinks, run,
    },
  };
}
