// `--variant ./my-patch.ts`: the examples under every command that takes a variant, a module that
// imports the package by name from a project of its own, and every kind of bad file.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMANDS } from '../../src/cli/commands.ts';
import { VARIANT_FLAGS, isVariantFile } from '../../src/cli/variant-file.ts';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
const FIX = './examples/fastreuse-update.ts';
const WRONG = './examples/publish-after-get-port.ts';

/** A project of the user's own: node_modules/tcp-listen-model is this checkout, as after `npm install`. */
const project = mkdtempSync(join(tmpdir(), 'tlm-variant-'));
mkdirSync(join(project, 'node_modules'));
symlinkSync(ROOT, join(project, 'node_modules', 'tcp-listen-model'), 'dir');
writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
const file = (name: string, text: string) => { const p = join(project, name); writeFileSync(p, text); return p; };

describe('a variant file under every command', () => {
  it('check: the historical fix keeps 4.3\'s race and loses its fast-path quirk; the wrong patch gets a counterexample', () => {
    const fix = cli('check', '--variant', FIX, '--scenario', 'listen-race-2', '--runs', '300');
    expect(fix.status, fix.stderr).toBe(0);
    expect(fix.stdout).toMatch(/check linux-4\.3\/fastreuse-update/);
    expect(fix.stdout).toMatch(/some-concurrent-listener-succeeds\s+outcome\s+\d+\s+violated as expected/);
    const quirk = cli('check', '--variant', FIX, '--scenario', 'bind-beside-reuseport-listener', '--runs', '100', '--property', 'two-socket-rule');
    expect(quirk.status).toBe(1);
    expect(quirk.stdout).toMatch(/two-socket-rule .* expected violation not found/);
    const wrong = cli('check', '--variant', WRONG, '--scenario', 'listen-race-2', '--runs', '300');
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/\n--- [a-z-]+: violated\n/);
    expect(wrong.stdout).toMatch(/replay: npx tcp-listen-model check --variant \.\/examples\/publish-after-get-port\.ts /);
  });

  it('explore (in its interruptible worker)', () => {
    const fix = cli('explore', '--variant', FIX, '--scenario', 'listen-race-2');
    expect(fix.status, fix.stderr).toBe(0);
    const wrong = cli('explore', '--variant', WRONG, '--scenario', 'listen-race-2');
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toMatch(/no-conflicting-listeners\s+violated/);
  });

  it('outcomes', () => {
    // The fix gives 4.3 6.18's outcome: B's SO_REUSEADDR bind fails beside the both-flags listener.
    const outcome = (v: string) => cli('outcomes', '--variant', v, '--scenario', 'bind-beside-reuseport-listener').stdout.split('\n')[2];
    expect(outcome(FIX)).toBe(outcome('linux-6.18'));
    expect(outcome(FIX)).not.toBe(outcome('linux-4.3'));
  });

  it('diff: the bind-beside-reuseport-listener difference appears against 4.3 and disappears against 6.18', () => {
    const from43 = cli('diff', '--from', 'linux-4.3', '--to', FIX, '--scenario', 'bind-beside-reuseport-listener');
    expect(from43.status).toBe(1);
    expect(from43.stdout).toMatch(/== bind-beside-reuseport-listener: DIFFERS/);
    const to618 = cli('diff', '--from', FIX, '--to', 'linux-6.18');
    expect(to618.status, to618.stdout).toBe(0);
    expect(to618.stdout).toMatch(/== bind-beside-reuseport-listener: same/);
    expect(to618.stdout).toMatch(/result: no difference/);
  });

  it('replay --variant FILE replays a trace the file\'s variant wrote; report --variant FILE writes its page', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tlm-variant-out-')), 'cx');
    expect(cli('explore', '--variant', WRONG, '--scenario', 'listen-race-2', '--out', out).status).toBe(1);
    const trace = readdirSync(out).find((f) => f.endsWith('.json'))!;
    expect(cli('replay', join(out, trace)).status).toBe(2); // the id alone is no variant this build knows
    const r = cli('replay', join(out, trace), '--variant', WRONG);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/reproduces/);
    const rep = join(out, 'report');
    const page = cli('report', '--variant', WRONG, '--scenario', 'listen-race-2', '--runs', '200', '--out', rep);
    expect(page.status).toBe(1);
    expect(readdirSync(rep)).toEqual(['report.html']);
  });
});

describe('a module in a project of its own, importing the package by name', () => {
  // The module registers a kernel of its own through the library and exports a mutant of it:
  // registerVariant in the CLI accepts the mutant only if the module's registry is the CLI's.
  const source = (ext: string) => `import { findVariant, registerVariant, moveAfter${ext === 'ts' ? ', type Variant' : ''} } from 'tcp-listen-model';
const base = findVariant('linux-4.3')${ext === 'ts' ? '!' : ''};
const mine = registerVariant({ ...base, id: 'my-kernel-${ext}', title: 'mine', mutant: undefined });
export const variant${ext === 'ts' ? ': Variant' : ''} = {
  ...mine, id: 'my-kernel-${ext}/hash-first', title: 'hash first',
  programs: { ...mine.programs, listen: moveAfter(mine.programs.listen, 'hash', 'publish-listen') },
  mutant: { id: 'hash-first', base: 'my-kernel-${ext}', change: 'hash before get_port', effect: 'a listener nobody validated' },
};
`;
  it.each(['mjs', 'ts', 'js'])('a .%s file: one registry, one library instance', (ext) => {
    const f = file(`own.${ext}`, source(ext));
    const r = cli('explore', '--variant', f, '--scenario', 'listen-race-2');
    expect(r.stderr).not.toMatch(/variant file/);
    expect(r.stdout).toMatch(new RegExp(`explore listen-race-2 on my-kernel-${ext}/hash-first`));
    expect(r.status).toBe(1); // hashing before get_port lets a conflicting listener in
  });
});

describe('bad variant files: one line on stderr, exit 2, no stack trace', () => {
  const bad: [string, string | null, RegExp][] = [
    ['syntax.mjs', 'export default {', /cannot load it: SyntaxError/],
    ['syntax.ts', 'export const variant: = 1;', /cannot load it/],
    ['throws.mjs', 'throw new Error("boom on import");', /cannot load it: boom on import/],
    ['nothing.mjs', 'export const x = 1;', /exports no variant/],
    ['number.mjs', 'export default 42;', /not a variant: it is number/],
    ['half.mjs', 'export default { id: "half", kernel: "4.3", title: "t", description: "d", programs: {} };', /not a variant: no listenBucket/],
    ['taken.mjs', 'import { findVariant } from "tcp-listen-model"; export default findVariant("linux-6.18/no-rollback") && { ...findVariant("linux-6.18") };', /an id already registered/],
    ['badsteps.mjs', 'import { findVariant } from "tcp-listen-model"; const b = findVariant("linux-4.3"); export default { ...b, id: "dup-steps", programs: { ...b.programs, bind: { ...b.programs.bind, steps: [...b.programs.bind.steps, b.programs.bind.steps[0]] } } };', /variant dup-steps: /],
    ['missing.ts', null, /no such file/],
    ['a-folder.mjs', 'dir', /is a folder/],
    ['data.json', '{}', /must be a \.ts, \.mts, \.js, \.mjs module/],
  ];
  it.each(bad)('%s', (name, text, message) => {
    const p = join(project, name);
    if (text === 'dir') mkdirSync(p, { recursive: true });
    else if (text !== null) writeFileSync(p, text);
    const arg = name === 'data.json' ? `./${name}` : p;
    // diff reads two variant options: its --to is checked the same way (for two of the files, to keep this short).
    const commands = [['check', '--variant', arg, '--runs', '1'], ...(/^(syntax|a-folder)/.test(name) ? [['diff', '--from', 'linux-4.3', '--to', arg]] : [])];
    for (const argv of commands) {
      const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8', cwd: project });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).toMatch(/variant file .*: /);
      expect(r.stderr).toMatch(message);
    }
  });
});

describe('which options name variants', () => {
  it('every command whose usage has --variant, --from or --to loads files for exactly those', () => {
    for (const [name, c] of Object.entries(COMMANDS)) {
      const used = ['variant', 'from', 'to'].filter((f) => new RegExp(`--${f}[ =]`).test(c.usage));
      expect(VARIANT_FLAGS[name] ?? [], name).toEqual(used);
    }
  });
  it('a path or a module name is a file; a variant id is not', () => {
    for (const f of ['./x.ts', '../x', '/tmp/x.mjs', 'x.js', 'patch.mts']) expect(isVariantFile(f), f).toBe(true);
    for (const id of ['linux-4.3', 'linux-6.18/no-rollback', 'my-kernel']) expect(isVariantFile(id), id).toBe(false);
  });
});
