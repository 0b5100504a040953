// The command dispatch: a name is a command only when the registry has it as its own key.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('command dispatch', () => {
  it.each(['constructor', '__proto__', 'toString', 'nosuch'])('"%s" is an unknown command: one line, exit 2', (name) => {
    const r = cli(name);
    expect(r.stderr).toMatch(new RegExp(`^tcp-listen-model: unknown command "${name}" \\(commands: check, explore, .*\\)\\n$`));
    expect(r.stdout).toBe('');
    expect(r.status).toBe(2);
  });

  it('no command is one line on stderr and exit 2; help exits 0; a command\'s --help names its options', () => {
    const none = cli();
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^tcp-listen-model: no command given .*\n$/);
    expect(none.stderr.split('\n').length).toBe(2);
    expect(none.status).toBe(2);
    expect(cli('help').stdout).toMatch(/^usage: tcp-listen-model <command> \[options\]/);
    expect(cli('help').status).toBe(0);
    const help = cli('explore', '--help');
    expect(help.stdout).toMatch(/^usage: tcp-listen-model explore .*--strategy bfs\|dfs/);
    expect(help.status).toBe(0);
  });
});
