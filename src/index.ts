// The library API: what a user needs to define a scenario, a property or a variant, run the
// checker from code, and turn a run into a trace, a diagram, a saved file or a report.
// `import { ... } from 'tcp-listen-model'`; test helpers are in 'tcp-listen-model/vitest'.

// ---- Errors: the ones a user can cause (bad input, a scenario that cannot run, a file in the way)
export { UsageError, ScenarioError } from './errors.ts';

// ---- Scenarios ----------------------------------------------------------------------------------
export type { Scenario, ScenarioSocket, Op, OpResult, Address } from '../model/scenario.ts';
export { ADDRESSES } from '../model/scenario.ts';
export { BUILTIN_SCENARIOS, builtinScenario, listenRace } from './scenarios/builtin.ts';
export { loadScenario, checkScenario } from './scenarios/load.ts';
export { generatedScenario, sequentialScenario, type GenerateOptions } from './engine/generate.ts';

// ---- Properties ---------------------------------------------------------------------------------
export type {
  Property, PropertyKind, InvariantProperty, StepProperty, PostconditionProperty, OutcomeProperty, ProgressProperty,
  KernelLines, Violation,
} from '../properties/types.ts';
export { PROPERTIES, findProperty } from '../properties/registry.ts';

// ---- The model, and variants ---------------------------------------------------------------------
export type { Variant, MutantInfo, KernelVariant, KernelParts, Programs } from '../model/variant.ts';
export type { Program, Step, Ctx, Scope } from '../model/program.ts';
export { RETURN, replaceStep, moveAfter, patchStep, findStep } from '../model/program.ts';
export { Kernel, type SocketConfig } from '../model/kernel-view.ts';
export { compileSystem, showOp, resultsOf, type System } from '../model/system.ts';
export { decodeState } from '../model/state.ts';
export * as kernel from '../model/kernel.ts';
export { KERNELS, DEFAULT_VARIANT, allVariants, findVariant, baseOf, registerVariant, registeredKernelVersions } from '../model/registry.ts';
export { applyMutation, type Mutation, type Edit } from '../model/mutants/common.ts';
export { MUTANTS } from '../model/mutants/index.ts';
export { socketLifecycle, LIFE_EVENTS, type LifeEvent } from '../model/lifecycle/machine.ts';
export { LIFE } from '../model/lifecycle/table.ts';

// ---- Running and checking -------------------------------------------------------------------------
export {
  runSchedule, effectiveSchedule, type Segment, type RunOptions, type RunResult, type TraceStep, type Change,
} from './engine/run.ts';
export {
  checkProperties, expectedOn, type CheckOptions, type Counterexample, type PropertyVerdict, type Verdict,
} from './engine/check.ts';
export { uniformSchedule, pctSchedule } from './engine/schedule.ts';
export { randomKill, type KillOptions, type KillResult } from './engine/kill.ts';
export {
  explore, outcomes, exploreKill, type ExploreOptions, type ExploreResult,
  type ExploreStats, type Outcome, type ExploreKill,
} from './explore/index.ts';
export { firstCounterexample, type FirstOptions, type FirstResult } from './engine/kill.ts';

// ---- Traces, files, pictures ----------------------------------------------------------------------
export { formatTraceText, traceRows, violationLine, type TextTraceOptions, type TraceViolation } from './trace/text.ts';
export { traceToMermaid, type MermaidTraceOptions } from './trace/mermaid.ts';
export {
  toTraceFile, formatTraceJson, parseTraceFile, readTraceFile, TRACE_FORMAT, TRACE_VERSION, type TraceFile, type TraceSource,
} from './trace/json.ts';
export { replayTrace, compareRun, type ReplayResult } from './trace/replay.ts';
export { writeCounterexamples, counterexampleFiles, counterexampleMarkdown, FileExistsError, type CounterexampleOutput } from './trace/files.ts';
export { statechartMermaid, statechartJson } from './trace/statechart.ts';
export { reportFromCheck, type ReportFromCheck } from './report/from-check.ts';
export { renderReportHtml, writeReport } from './report/html.ts';
export type { ReportInput } from './report/types.ts';
