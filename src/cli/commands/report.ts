// `report --out DIR`: runs check (same options) and writes DIR/report.html, one self-contained
// page with the verdicts, the statechart and every counterexample step by step. An existing page
// is kept unless --force. Exit status as check's: 0 when every verdict is as expected.
//
// `report --from V1 --to V2 [--scenario ...] --out DIR`: the diff view instead: both outcome sets
// of each scenario side by side, each outcome only one side reaches with its witness's sequence
// diagram beside it. Exit status as diff's: 0 nothing differs, 1 something does (or a bound).

import { join } from 'node:path';
import { reportFromCheck } from '../../report/from-check.ts';
import { reportFromDiff } from '../../report/from-diff.ts';
import { writeReport } from '../../report/html.ts';
import type { ReportInput } from '../../report/types.ts';
import { diffVariants } from '../../diff/diff.ts';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { CHECK_OPTIONS, CHECK_USAGE, checkStatus, runCheck } from './check.ts';
import { flagsOnly, propertiesOption, variantOption } from '../options.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { checkOutDir, writing } from '../out.ts';

/** The diff report: --from, --to, --scenario and --property; check's other options mean nothing here. */
function runDiff(values: Record<string, unknown>): { input: ReportInput; line: string; status: number } {
  if (values.from === undefined || values.to === undefined) throw new UsageError('report --from V1 needs --to V2, and --to needs --from');
  for (const o of ['variant', 'runs', 'seed', 'path', 'scheduler', 'depth']) {
    if (values[o] !== undefined) throw new UsageError(`--${o} is a check option; report --from/--to compares outcome sets (give --scenario and --property only)`);
  }
  const from = variantOption(values.from);
  const to = variantOption(values.to);
  const scenarios = values.scenario === undefined ? [...BUILTIN_SCENARIOS] : [loadScenario(String(values.scenario))];
  const r = diffVariants({ from, to, scenarios, properties: propertiesOption(values.property), merge: !values['no-merge'] });
  const n = r.scenarios.filter((d) => d.differs).length;
  const subtitle = `diff ${r.from} -> ${r.to}: ${r.scenarios.length} scenario(s)${values.scenario === undefined ? ' (built-in)' : ''}, every interleaving of each on each side; ${n} differ`;
  return { input: reportFromDiff(r, { title: `tcp-listen-model diff: ${r.from} → ${r.to}`, subtitle }), line: subtitle, status: r.differs || !r.complete ? 1 : 0 };
}

export const reportCommand: Command = {
  summary: 'run check and write an HTML report (verdicts, statechart, counterexamples step by step), or with --from/--to the diff of two variants',
  usage: `--out DIR [--force] ${CHECK_USAGE}   |   --from V1 --to V2 [--scenario NAME|FILE.json] [--property ID] --out DIR [--force]`,
  run(argv) {
    const values = flagsOnly(argv, {
      ...CHECK_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' },
    });
    if (values.out === undefined) throw new UsageError('report needs --out DIR');
    const dir = String(values.out);
    const page = join(dir, 'report.html');
    // Refuse before the check runs, not after.
    checkOutDir(values, ['report.html']);
    const isDiff = values.from !== undefined || values.to !== undefined;
    let input: ReportInput, line: string, status: number;
    if (isDiff) ({ input, line, status } = runDiff(values));
    else {
      const run = runCheck(values);
      input = reportFromCheck({
        verdicts: run.verdicts, variant: run.options.variant, properties: run.options.properties, merge: run.options.merge,
        title: `tcp-listen-model check: ${run.options.variant.id}`, subtitle: run.header, replay: run.replay,
      });
      line = run.header;
      status = checkStatus(run.verdicts, run.setupFindings);
    }
    const path = writing(page, () => {
      try {
        return writeReport(dir, input, { overwrite: !!values.force });
      } catch (e) {
        if (/already exists/.test((e as Error).message)) throw new UsageError(`${page} already exists; refusing to overwrite it (use --force to replace)`);
        throw e;
      }
    });
    if (input.diff) {
      const only = input.diff.scenarios.reduce((a, d) => a + [...d.from.outcomes, ...d.to.outcomes].filter((x) => x.only).length, 0);
      process.stdout.write(`${line}\nwrote ${path}: ${input.diff.scenarios.length} scenarios, ${only} outcome${only === 1 ? '' : 's'} only one side reaches\n`);
    } else {
      const found = input.counterexamples.length;
      process.stdout.write(`${line}\nwrote ${path}: ${input.verdicts.length} verdicts, ${found} counterexample${found === 1 ? '' : 's'}\n`);
    }
    return status;
  },
};
