// The command line: one function a command, each taking the argument list after its name and
// returning the exit code (0 as expected, 1 a finding, 2 bad input). A UsageError anywhere
// becomes one line on stderr and exit 2, never a stack trace.

import { UsageError } from './errors.ts';
import { ScenarioError } from '../../model/system.ts';
import { COMMANDS } from './commands.ts';

const USAGE = `usage: tcp-listen-model <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)}${c.summary}`).join('\n')}

Run "tcp-listen-model <command> --help" for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Bad input like any other: one line on stderr, exit 2.
    process.stderr.write(`tcp-listen-model: no command given (commands: ${Object.keys(COMMANDS).join(', ')}; run "tcp-listen-model --help" for more)\n`);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (!cmd) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`usage: tcp-listen-model ${name} ${cmd.usage}\n\n${cmd.summary}\n`);
      return 0;
    }
    return await cmd.run(rest);
  } catch (e) {
    // A scenario the model cannot run (too many ports, a setup the statechart refuses) is bad input too.
    if (e instanceof UsageError || e instanceof ScenarioError || isParseArgsError(e)) {
      // One line, always: parseArgs spreads its advice over several.
      process.stderr.write(`tcp-listen-model: ${(e as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ')}\n`);
      return 2;
    }
    throw e;
  }
}

/** node:util parseArgs throws TypeErrors with these codes for unknown or malformed options. */
function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? '';
  return code.startsWith('ERR_PARSE_ARGS');
}
