// A trace as a versioned JSON document (schemas/trace.schema.json): everything needed to replay
// a run (variant, scenario, schedule, merge) and everything it did (steps, results, violation).
//
// The input is any value shaped like a counterexample: check, the explorer and the mutant table
// all produce a scenario, a variant id, a schedule and a traced run.

import type { Scenario } from '../../model/scenario.ts';
import type { RunResult, Segment, TraceStep } from '../engine/run.ts';
import { checkScenario } from '../scenarios/load.ts';
import { UsageError } from '../errors.ts';
import { lazySchema, type ErrorObject } from '../json-schema.ts';
import { readJsonFile } from '../read-json.ts';
import type { TraceViolation } from './text.ts';

export const TRACE_FORMAT = 'tcp-listen-model/trace';
export const TRACE_VERSION = 1;

/** A run as saved on disk, version 1. */
export interface TraceFile {
  format: typeof TRACE_FORMAT;
  version: typeof TRACE_VERSION;
  variant: string;
  scenario: Scenario;
  schedule: Segment[];
  /** Absent means true (check's default). */
  merge?: boolean;
  steps: TraceStep[];
  results?: Record<string, string[]>;
  violation: TraceViolation | null;
  /** How it was found, for people; replay ignores it. */
  found?: { by?: string; seed?: number; path?: string; command?: string };
}

/** What every producer of counterexamples can hand over: a Counterexample (engine/counterexample.ts) fits as is. */
export interface TraceSource {
  scenario: Scenario;
  /** Variant id. */
  variant: string;
  schedule: readonly Segment[];
  /** The run, recorded with `trace: true`. */
  run: Pick<RunResult, 'trace' | 'violation' | 'results'>;
  /** Default true. */
  merge?: boolean;
  /** Set by check: the fast-check seed and path that find it again. */
  seed?: number;
  path?: string;
}

export function toTraceFile(src: TraceSource, found?: TraceFile['found']): TraceFile {
  const v = src.run.violation;
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    variant: src.variant,
    scenario: src.scenario,
    schedule: src.schedule.map((s) => ({ thread: s.thread, steps: s.steps })),
    merge: src.merge ?? true,
    steps: src.run.trace,
    results: src.run.results,
    violation: v ? { propertyId: v.propertyId, message: v.message, step: v.step } : null,
    ...(found ? { found } : {}),
  };
}

/** The document as written to disk: two-space JSON with a final newline, same input same bytes. */
export function formatTraceJson(file: TraceFile): string {
  return JSON.stringify(file, null, 2) + '\n';
}

const validateTrace = lazySchema('trace.schema.json', ['scenario.schema.json'], { allErrors: false });

/** Ajv's first error as "<field> <what is wrong>", naming the field at fault. */
function describeError(e: ErrorObject): string {
  const at = e.instancePath || '(top level)';
  if (e.keyword === 'additionalProperties') return `${at} has unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'required') return `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty} is missing`;
  return `${at} ${e.message}`;
}

/** Checks parsed JSON as a version-1 trace; `source` names it in the one-line errors. */
export function parseTraceFile(data: unknown, source: string): TraceFile {
  const fail = (what: string): never => { throw new UsageError(`trace ${source}: ${what}`); };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail('(top level) must be a JSON object');
  const d = data as Record<string, unknown>;
  // A file of another kind or version is named as such, before any detail of its shape.
  if (!('format' in d)) fail(`/format is missing: not a ${TRACE_FORMAT} file`);
  if (d.format !== TRACE_FORMAT) fail(`/format is ${JSON.stringify(d.format)}, not "${TRACE_FORMAT}"`);
  if (d.version !== TRACE_VERSION) fail(`/version is ${JSON.stringify(d.version) ?? 'missing'}; this build reads version ${TRACE_VERSION}`);
  const validate = validateTrace();
  if (!validate(d)) fail(describeError(validate.errors![0]));
  try {
    checkScenario(d.scenario, source);
  } catch (e) {
    fail(`/scenario: ${(e as Error).message.replace(/^scenario [^:]*: /, '')}`);
  }
  const file = d as unknown as TraceFile;
  // The run engine takes a thread number modulo the thread count: a schedule naming a thread the
  // scenario does not have would silently run another one.
  const threads = file.scenario.threads.length;
  const stray = file.schedule.findIndex((s) => s.thread >= threads);
  if (stray >= 0) fail(`/schedule/${stray}/thread is ${file.schedule[stray].thread}; scenario ${file.scenario.name} has threads 0 to ${threads - 1}`);
  const names = new Set(file.scenario.threads.map((_, t) => `T${t}`));
  if (file.results !== undefined) {
    const unknown = Object.keys(file.results).find((t) => !names.has(t));
    if (unknown !== undefined) fail(`/results has thread "${unknown}", which the scenario does not have (threads T0 to T${threads - 1})`);
    const wrong = Object.entries(file.results).find(([t, rs]) => rs.length !== file.scenario.threads[Number(t.slice(1))].length);
    if (wrong) fail(`/results/${wrong[0]} has ${wrong[1].length} results; thread ${wrong[0]} has ${file.scenario.threads[Number(wrong[0].slice(1))].length} ops`);
  }
  const badStep = file.steps.findIndex((s) => !names.has(s.thread));
  if (badStep >= 0) fail(`/steps/${badStep}/thread is "${file.steps[badStep].thread}"; the scenario has threads T0 to T${threads - 1}`);
  const numbered = file.steps.findIndex((s, i) => s.n !== i + 1);
  if (numbered >= 0) fail(`/steps/${numbered}/n is ${file.steps[numbered].n}; steps are numbered 1, 2, 3, ...`);
  return file;
}

/** Reads and checks a trace file; every failure is a one-line UsageError. */
export function readTraceFile(path: string): TraceFile {
  const data = readJsonFile(path, 'trace file');
  return parseTraceFile(data, path);
}
