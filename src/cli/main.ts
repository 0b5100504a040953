// The command line: one function a command, each taking the argument list after its name and
// returning the exit code (0 as expected, 1 a finding, 2 bad input). A UsageError anywhere
// becomes one line on stderr and exit 2, never a stack trace.

import { UsageError } from './errors.ts';
import { setupFinding } from '../engine/setup.ts';
import { SearchWorkerDied } from '../explore/parallel.ts';
import { match } from 'ts-pattern';
import { COMMANDS, isCommandName, type CommandName } from './commands.ts';
import { loadVariantFiles } from './variant-file.ts';

const USAGE = `usage: tcp-listen-model <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)}${c.summary}`).join('\n')}

Run "tcp-listen-model <command> --help" for a command's options.`;

/** What the argument list asks for. */
type Invocation =
  | { kind: 'usage'; asked: boolean }
  | { kind: 'unknown'; name: string }
  | { kind: 'help'; name: CommandName }
  | { kind: 'run'; name: CommandName; rest: string[] };

function invocation([name, ...rest]: string[]): Invocation {
  if (name === undefined) return { kind: 'usage', asked: false };
  if (name === '--help' || name === '-h' || name === 'help') return { kind: 'usage', asked: true };
  if (!isCommandName(name)) return { kind: 'unknown', name };
  return rest.includes('--help') || rest.includes('-h') ? { kind: 'help', name } : { kind: 'run', name, rest };
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await match(invocation(argv))
      .with({ kind: 'usage', asked: true }, () => {
        process.stdout.write(USAGE + '\n');
        return 0;
      })
      .with({ kind: 'usage', asked: false }, () => {
        // Bad input like any other: one line on stderr, exit 2.
        process.stderr.write(`tcp-listen-model: no command given (commands: ${Object.keys(COMMANDS).join(', ')}; run "tcp-listen-model --help" for more)\n`);
        return 2;
      })
      .with({ kind: 'unknown' }, ({ name }): never => {
        throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
      })
      .with({ kind: 'help' }, ({ name }) => {
        process.stdout.write(`usage: tcp-listen-model ${name} ${COMMANDS[name].usage}\n\n${COMMANDS[name].summary}\n`);
        return 0;
      })
      .with({ kind: 'run' }, async ({ name, rest }) => {
        // `--variant ./my-patch.ts`: the user's module is imported before the command reads its options.
        await loadVariantFiles(name, rest);
        return COMMANDS[name].run(rest);
      })
      .exhaustive();
  } catch (e) {
    // A scenario the model cannot run (too many ports, a setup the statechart refuses) is bad
    // input too: ScenarioError is a UsageError.
    // A setup the variant cannot run although its kernel can: a finding about the variant, exit 1.
    const finding = setupFinding(e);
    if (finding !== undefined) {
      process.stderr.write(`tcp-listen-model: finding: ${finding}\n`);
      return 1;
    }
    // A search worker that died: the search cannot finish. One line, exit 1 (not bad input).
    if (e instanceof SearchWorkerDied) {
      process.stderr.write(`tcp-listen-model: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UsageError || isParseArgsError(e)) {
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
