// `report --out DIR`: runs check (same options) and writes DIR/report.html, one self-contained
// page with the verdicts, the statechart and every counterexample step by step. An existing page
// is kept unless --force. Exit status as check's: 0 when every verdict is as expected.

import { join } from 'node:path';
import { reportFromCheck } from '../../report/from-check.ts';
import { writeReport } from '../../report/html.ts';
import { CHECK_OPTIONS, CHECK_USAGE, checkStatus, runCheck } from './check.ts';
import { noPositionals, parse } from '../options.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { checkOutDir, writing } from '../out.ts';

export const reportCommand: Command = {
  summary: 'run check and write an HTML report (verdicts, statechart, counterexamples step by step)',
  usage: `--out DIR [--force] ${CHECK_USAGE}`,
  run(argv) {
    const { values, positionals } = parse(argv, { ...CHECK_OPTIONS, out: { type: 'string' }, force: { type: 'boolean' } });
    noPositionals(positionals);
    if (values.out === undefined) throw new UsageError('report needs --out DIR');
    const dir = String(values.out);
    const page = join(dir, 'report.html');
    // Refuse before the check runs, not after.
    checkOutDir(values, ['report.html']);
    const run = runCheck(values);
    const input = reportFromCheck({
      verdicts: run.verdicts, variant: run.options.variant, properties: run.options.properties, merge: run.options.merge,
      title: `tcp-listen-model check: ${run.options.variant.id}`, subtitle: run.header, replay: run.replay,
    });
    const path = writing(page, () => {
      try {
        return writeReport(dir, input, { overwrite: !!values.force });
      } catch (e) {
        if (/already exists/.test((e as Error).message)) throw new UsageError(`${page} already exists; refusing to overwrite it (use --force to replace)`);
        throw e;
      }
    });
    const found = input.counterexamples.length;
    process.stdout.write(`${run.header}\nwrote ${path}: ${input.verdicts.length} verdicts, ${found} counterexample${found === 1 ? '' : 's'}\n`);
    return checkStatus(run.verdicts);
  },
};
