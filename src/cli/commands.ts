// The command registry: name -> summary, usage and the function that runs it.

import { benchCommand } from './commands/bench.ts';
import { checkCommand } from './commands/check.ts';
import { exploreCommand, outcomesCommand } from './commands/explore.ts';
import { mutantsCommand } from './commands/mutants.ts';
import { conformCommand, witnessCommand } from './commands/kernel.ts';
import { propertiesCommand, scenariosCommand, variantsCommand } from './commands/list.ts';
import { replayCommand } from './commands/replay.ts';
import { statechartCommand } from './commands/statechart.ts';
import { docsCommand } from './commands/docs.ts';
import { reportCommand } from './commands/report.ts';
import { diffCommand } from './commands/diff.ts';
import { semanticsCommand } from './commands/semantics.ts';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number> | number;
}

export const COMMANDS: Record<string, Command> = {
  check: checkCommand,
  explore: exploreCommand,
  outcomes: outcomesCommand,
  diff: diffCommand,
  mutants: mutantsCommand,
  conform: conformCommand,
  witness: witnessCommand,
  variants: variantsCommand,
  scenarios: scenariosCommand,
  properties: propertiesCommand,
  bench: benchCommand,
  replay: replayCommand,
  statechart: statechartCommand,
  docs: docsCommand,
  semantics: semanticsCommand,
  report: reportCommand,
};
