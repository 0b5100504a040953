// docs/INVARIANTS.md, generated: the lifecycle statechart, then every property with its sentence,
// why, kernel lines and kind, the verdict of a fixed-seed check on each kernel, the mutants that
// break it, and for the documented kernel behaviours the counterexample and the real-kernel
// witness figures. Same sources, same bytes: no dates, no timings, fixed seeds.

import type { Scenario } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property, PropertyKind } from '../../properties/types.ts';
import { checkProperties, type Counterexample, type PropertyVerdict } from '../engine/check.ts';
import { showOp } from '../../model/system.ts';
import { formatTraceText } from '../trace/text.ts';
import { traceToMermaid } from '../trace/mermaid.ts';
import { statechartMermaid } from '../trace/statechart.ts';
import { mutantsBreaking, mutantsViolating, mutantTable, type MutantTable } from './mutants.ts';
import { witnessMarkdown, type WitnessRecord } from './witness.ts';
import { kernelVersions } from '../../properties/kernel-lines.ts';
import { atomicitySection } from './atomicity.ts';

export interface InvariantsDocOptions {
  properties: readonly Property[];
  kernels: readonly Variant[];
  mutants: readonly Variant[];
  scenarios: readonly Scenario[];
  /** Runs per property and scenario on each kernel. */
  runs: number;
  /** Bound on the states of each exhaustive search of a mutant (one per scenario). */
  mutantMaxStates: number;
  seed: number;
  /** docs/witness.json, or null when it is absent. */
  witness: readonly WitnessRecord[] | null;
}

const KIND: Record<PropertyKind, string> = {
  invariant: 'invariant: checked after every transition',
  step: 'step: checked right after the step it names',
  postcondition: 'postcondition: checked when a syscall returns, with what it returned',
  outcome: 'outcome: checked on the final state of a run in which every thread finished',
  progress: 'progress: checked on every state where some thread is unfinished and none can move',
};

const anchor = (id: string) => id.toLowerCase().replace(/[^a-z0-9-]/g, '');
const code = (s: string) => `\`${s}\``;

function fenced(lang: string, body: string): string[] {
  return ['```' + lang, body, '```'];
}

/** What a drawn counterexample needs: a checker's, or an explorer's with its scenario and variant. */
type Drawn = Pick<Counterexample, 'scenario' | 'variant' | 'schedule' | 'run'>;

function counterexampleBlock(cx: Drawn, withTable: boolean): string[] {
  const threads = cx.scenario.threads.map((ops, t) => `T${t}: ${ops.map(showOp).join(', ')}`).join('; ');
  return [
    `Scenario ${code(cx.scenario.name)} on ${code(cx.variant)} (${threads}); schedule ${cx.schedule.map((s) => `T${s.thread} x${s.steps}`).join(', ') || '(none)'}, ` +
      `then each thread to completion; results ${Object.entries(cx.run.results).map(([t, r]) => `${t} ${r.join(' ')}`).join(', ')}.`,
    '',
    ...fenced('mermaid', traceToMermaid(cx.run.trace, { scenario: cx.scenario, violation: cx.run.violation })),
    ...(withTable ? ['', '<details><summary>Step table</summary>', '', ...fenced('text', formatTraceText(cx.run.trace, { violation: cx.run.violation })), '', '</details>'] : []),
  ];
}

function mutantLine(m: Variant): string {
  const info = m.mutant;
  if (!info) return m.title;
  return `${info.catalogue ? `${info.catalogue}. ` : ''}${info.change} ${info.effect}${info.history ? ` (${info.history})` : ''}`;
}

function survivors(ms: readonly Variant[]): string[] {
  if (ms.length === 0) return [];
  return [`**Mutants no property kills:** ${ms.map((m) => code(m.id)).join(', ')}.`, ''];
}

/**
 * The last page generated, with its inputs: the same registries, numbers and witness give the same
 * bytes, so a second call (the test of `docs --check` after the test's own generation, in one
 * process) is not worked out twice. Inputs are compared by identity, the witness by value.
 */
let last: { key: unknown[]; text: string } | undefined;

export function generateInvariantsDoc(o: InvariantsDocOptions): string {
  // Element by element: KERNELS is a live list that registerVariant grows.
  const key = [...o.properties, ...o.kernels, ...o.mutants, ...o.scenarios, o.properties.length, o.kernels.length, o.mutants.length,
    o.runs, o.mutantMaxStates, o.seed, JSON.stringify(o.witness)];
  if (last && last.key.length === key.length && last.key.every((x, i) => x === key[i])) return last.text;
  const text = generateUncached(o);
  last = { key, text };
  return text;
}

/** The page: heading, lifecycle, summary table, one section per property, the atomicity table. */
function generateUncached(o: InvariantsDocOptions): string {
  const verdictOf = kernelVerdicts(o);
  const mutants = mutantTable(o.mutants, { scenarios: o.scenarios, properties: o.properties, maxStates: o.mutantMaxStates });
  const out = [
    ...pageHead(o),
    ...summary(o, verdictOf, mutants),
    ...o.properties.flatMap((p) => propertySection(o, p, verdictOf, mutants)),
    ...atomicitySection(o.kernels, o.scenarios),
  ];
  return out.join('\n').replace(/\n+$/, '\n');
}

type VerdictOf = (k: Variant, p: Property) => PropertyVerdict;

/** check's verdicts on every kernel, looked up by kernel and property. */
function kernelVerdicts(o: InvariantsDocOptions): VerdictOf {
  const verdicts = new Map<string, Map<string, PropertyVerdict>>();
  for (const k of o.kernels) {
    const vs = checkProperties({
      variant: k, properties: o.properties, scenarios: o.scenarios, generated: true,
      runs: o.runs, seed: o.seed, scheduler: 'random', depth: 2, merge: true,
    });
    verdicts.set(k.id, new Map(vs.map((v) => [v.id, v])));
  }
  return (k, p) => verdicts.get(k.id)!.get(p.id)!;
}

function pageHead(o: InvariantsDocOptions): string[] {
  return [
    '# Invariants of the listen path',
    '',
    '<!-- Generated by `npx tcp-listen-model docs` from properties/registry.ts, the lifecycle statechart, the kernels of',
    '     model/variants and the mutants of model/mutants. Do not edit by hand: `npm test` fails when this file is stale. -->',
    '',
    `Every property the checker knows, as data: what must hold, why, the kernel lines it rests on, and what the checker found. ` +
      `Verdicts come from ${code('check')} with seed ${o.seed} and ${o.runs} random schedules per property and scenario, over the ` +
      `${o.scenarios.length} built-in scenarios and fast-check-generated ones, on each kernel. *holds* means no counterexample in ` +
      `those runs, not a proof; *violated as expected* marks documented kernel behaviour.`,
    '',
    '## The socket lifecycle',
    '',
    'Generated from the XState machine (`model/lifecycle/machine.ts`); the highlighted states are the race window, where a ' +
      'socket is TCP_LISTEN for other CPUs but get_port has not validated its port.',
    '',
    ...fenced('mermaid', statechartMermaid()),
    '',
  ];
}

function summary(o: InvariantsDocOptions, verdictOf: VerdictOf, mutants: MutantTable): string[] {
  return [
    '## Summary',
    '',
    `| property | kind | ${o.kernels.map((k) => k.id).join(' | ')} | mutants that violate it | mutants it kills |`,
    `| --- | --- | ${o.kernels.map(() => '---').join(' | ')} | ---: | ---: |`,
    ...o.properties.map((p) =>
      `| [${p.id}](#${anchor(p.id)}) | ${p.kind} | ${o.kernels.map((k) => verdictOf(k, p).verdict).join(' | ')} | ` +
      `${o.mutants.length ? mutantsViolating(p.id, mutants).length : '-'} | ${o.mutants.length ? mutantsBreaking(p.id, mutants).length : '-'} |`),
    '',
    o.mutants.length
      ? `Mutants: ${o.mutants.length} catalogued (model/mutants). Each is explored exhaustively over the ${o.scenarios.length} built-in ` +
        `scenarios with every property (breadth-first, at most ${o.mutantMaxStates} states a scenario); every property it violates ` +
        '(not as expected) is listed with the shortest counterexample\'s message, and the first one in registry order kills it: ' +
        'the mutant is drawn under that property. A property that no mutant violates has no teeth (a test fails), unless the ' +
        'kernels themselves violate it on purpose.'
      : 'Mutants: no mutants catalogued yet.',
    '',
    ...survivors(mutants.survivors),
  ];
}

function propertySection(o: InvariantsDocOptions, p: Property, verdictOf: VerdictOf, mutants: MutantTable): string[] {
  const out = [`## ${p.id}`, '', p.sentence, '', `**Why.** ${p.why}`, ''];
  out.push(`- **Kind:** ${KIND[p.kind]}.`);
  for (const version of kernelVersions(o.kernels)) out.push(`- **Kernel lines, ${version}:** ${(p.kernel[version] ?? []).map(code).join(', ') || '-'}`);
  out.push(`- **Verdicts:** ${o.kernels.map((k) => `${k.id}: ${verdictOf(k, p).verdict} (${verdictOf(k, p).runs} runs)`).join('; ')}.`);
  const holdsOn = o.kernels.filter((k) => verdictOf(k, p).verdict === 'holds').map((k) => k.id);
  out.push(`- **Holds on:** ${holdsOn.length ? holdsOn.join(', ') : 'none of the kernels'}.`);
  out.push('');
  return [...out, ...mutantsSection(o, p, mutants), ...(p.expectedViolation ? expectedViolationSection(o, p, verdictOf) : [])];
}

function mutantsSection(o: InvariantsDocOptions, p: Property, mutants: MutantTable): string[] {
  const out = ['### Mutants that violate it', ''];
  const violators = mutantsViolating(p.id, mutants);
  if (o.mutants.length === 0) out.push('No mutants catalogued yet.', '');
  else if (violators.length === 0) out.push(`None of the ${o.mutants.length} catalogued mutants violates it${p.expectedViolation ? ': the kernels themselves do, on purpose (below)' : ''}.`, '');
  else out.push(...violators.map((v) => `- ${code(v.mutant.id)}${mutants.firstKill.get(v.mutant.id) === p.id ? ' (killed here)' : ''}, in ${code(v.scenario.name)}: ${v.message}`), '');

  out.push('### Mutants it kills', '');
  const kills = mutantsBreaking(p.id, mutants);
  if (o.mutants.length === 0) out.push('No mutants catalogued yet.', '');
  else if (kills.length === 0) out.push(`None of the ${o.mutants.length} catalogued mutants is first caught by this property.`, '');
  for (const { mutant, counterexample, scenario } of kills) {
    out.push(`#### ${mutant.id}`, '', mutantLine(mutant), '');
    if (counterexample) out.push(...counterexampleBlock({ ...counterexample, scenario, variant: mutant.id }, false), '');
    else out.push(`Killed in the setup of scenario ${code(scenario.name)}: the statechart refuses a move before any thread starts.`, '');
  }
  return out;
}

function expectedViolationSection(o: InvariantsDocOptions, p: Property, verdictOf: VerdictOf): string[] {
  const ev = p.expectedViolation!;
  const out = ['### Expected violation', '', ev.why, '', `Real Linux (${ev.kernels.join(', ')}) breaks it on purpose; seen in ${ev.seenIn.map(code).join(', ')}.`, ''];
  for (const k of o.kernels) {
    if (!ev.kernels.includes(k.kernel)) continue;
    const v = verdictOf(k, p);
    out.push(`#### Counterexample on ${k.id}`, '');
    if (v.counterexample) out.push(...counterexampleBlock(v.counterexample, true), '');
    else out.push(`Not found: ${v.verdict}.`, '');
  }
  out.push('#### Real-kernel witness', '');
  const seen = (o.witness ?? []).filter((w) => ev.seenIn.includes(w.scenario));
  if (seen.length === 0) out.push('Not measured yet.', '');
  for (const w of seen) out.push(witnessMarkdown(w), '');
  return out;
}
