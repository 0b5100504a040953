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
import type { Command } from './command.ts';
import { linesCommand } from './commands/lines.ts';
import { diffCommand } from './commands/diff.ts';
import { semanticsCommand } from './commands/semantics.ts';

export type { Command } from './command.ts';

export const COMMANDS = {
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
  lines: linesCommand,
} as const satisfies Record<string, Command>;

export type CommandName = keyof typeof COMMANDS;

/** Own names only: "constructor" or "__proto__" is no command. */
export const isCommandName = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);
