// The command registry: name -> summary, usage and the function that runs it.

import { benchCommand } from './commands/bench.ts';
import { checkCommand } from './commands/check.ts';
import { exploreCommand, outcomesCommand } from './commands/explore.ts';
import { mutantsCommand } from './commands/mutants.ts';
import { propertiesCommand, scenariosCommand, variantsCommand } from './commands/list.ts';

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number> | number;
}

export const COMMANDS: Record<string, Command> = {
  check: checkCommand,
  explore: exploreCommand,
  outcomes: outcomesCommand,
  mutants: mutantsCommand,
  variants: variantsCommand,
  scenarios: scenariosCommand,
  properties: propertiesCommand,
  bench: benchCommand,
};
