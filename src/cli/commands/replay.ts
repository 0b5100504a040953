// `replay FILE.json`: re-runs a saved trace's scenario and schedule, with every property, on its
// variant (or --variant), and says whether the run reproduces: exit 0 when it does, 1 when it
// diverges (with the first step that differs), 2 when the file is not a trace this build reads.

import { findVariant } from '../../../model/registry.ts';
import { ScenarioError } from '../../../model/system.ts';
import { PROPERTIES } from '../../../properties/registry.ts';
import { readTraceFile } from '../../trace/json.ts';
import { replayTrace } from '../../trace/replay.ts';
import { formatTraceText } from '../../trace/text.ts';
import { parse, variantOption } from '../options.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';

export const replayCommand: Command = {
  summary: 'replay a saved JSON trace and check it still reproduces (same steps, same violation)',
  usage: 'FILE.json [--variant V] [--quiet]',
  run(argv) {
    const { values, positionals } = parse(argv, { variant: { type: 'string' }, quiet: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument "${positionals[1]}"` : 'replay needs a trace file (FILE.json)');
    const path = positionals[0];
    const file = readTraceFile(path);
    if (values.variant === undefined && !findVariant(file.variant)) {
      throw new UsageError(`trace ${path}: /variant "${file.variant}" is not a variant this build knows (give --variant to replay it on another)`);
    }
    const variant = variantOption(values.variant ?? file.variant);
    let r;
    try {
      r = replayTrace(file, variant, PROPERTIES);
    } catch (e) {
      if (e instanceof ScenarioError) throw new UsageError(`trace ${path}: /scenario: ${e.message}`);
      throw e;
    }
    const out = [`replay ${path}: scenario ${file.scenario.name} on ${variant.id}, ${file.steps.length} saved steps, schedule ${file.schedule.map((s) => `T${s.thread} x${s.steps}`).join(', ') || '(none)'}`];
    if (r.status === 'reproduces') {
      const v = r.run.violation;
      out.push(`reproduces: ${r.run.trace.length} steps, ${v ? `${v.propertyId} violated at step ${v.step}: ${v.message}` : 'no violation'}`);
      if (r.note) out.push(`note: ${r.note}`);
    } else {
      out.push(`diverges at step ${r.step}: ${r.reason}`);
      if (!values.quiet) out.push('', 'the run now:', '', formatTraceText(r.run.trace, { violation: r.run.violation }));
    }
    process.stdout.write(out.join('\n') + '\n');
    return r.status === 'reproduces' ? 0 : 1;
  },
};
