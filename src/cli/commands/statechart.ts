// `statechart`: the socket lifecycle, generated from the XState machine, as Mermaid (default) or
// as the machine config in JSON (paste it into Stately's visualizer).

import { statechartJson, statechartMermaid } from '../../trace/statechart.ts';
import { choiceOption, flagsOnly } from '../options.ts';
import type { Command } from '../command.ts';

export const statechartCommand: Command = {
  summary: 'print the socket-lifecycle statechart (Mermaid stateDiagram-v2, or the XState config as JSON)',
  usage: '[--format mermaid|json]',
  run(argv) {
    const values = flagsOnly(argv, { format: { type: 'string' } });
    const format = choiceOption(values.format, 'format', ['mermaid', 'json'] as const, 'mermaid');
    process.stdout.write(format === 'json' ? statechartJson() : statechartMermaid() + '\n');
    return 0;
  },
};
