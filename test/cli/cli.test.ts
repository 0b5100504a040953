import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectRefusal, runMain } from './in-process.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'tlm-cli-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

describe('the CLI on bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown command', ['frobnicate'], /unknown command "frobnicate"/],
    ['unknown variant', ['check', '--variant', 'linux-9.9'], /unknown variant "linux-9.9"/],
    ['unknown scenario', ['check', '--scenario', 'nope'], /unknown scenario "nope"/],
    ['unknown property', ['check', '--property', 'nope'], /unknown property "nope"/],
    ['negative runs', ['check', '--runs=-1'], /--runs must be between 1/],
    ['non-numeric runs', ['check', '--runs', 'many'], /--runs must be a whole number/],
    ['unknown flag', ['check', '--frob'], /Unknown option '--frob'/],
    ['missing file', ['check', '--scenario', join(dir, 'absent.json')], /cannot read scenario file .*ENOENT/],
    ['not JSON', ['check', '--scenario', file('bad.json', '{nope')], /is not JSON/],
    ['wrong shape', ['check', '--scenario', file('shape.json', '{"name":"x","sockets":[],"threads":[]}')], /\/sockets must NOT have fewer than 1 items/],
    ['unknown socket', ['check', '--scenario', file('sock.json', JSON.stringify({ name: 'x', sockets: [{ name: 'A' }], threads: [[{ op: 'listen', sk: 'B' }]] }))], /\/threads\/0\/0 names socket "B"/],
    ['port out of range', ['check', '--scenario', file('port.json', JSON.stringify({ name: 'x', sockets: [{ name: 'A' }], threads: [[{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 70000 }]] }))], /\/threads\/0\/0\/port must be <= 65535/],
    ['too many ports for the state layout', ['check', '--scenario', file('many.json', JSON.stringify({
      name: 'many', sockets: [{ name: 'A' }],
      threads: Array.from({ length: 12 }, (_, t) => Array.from({ length: 8 }, (_, i) => ({ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 2000 + t * 8 + i }))),
    }))], /too many distinct ports \(96; at most 82\)/],
  ];
  // The first row runs the real process; the rest run main() in this process (the same exit
  // code and output, without a Node start-up each), which also checks that nothing was thrown.
  for (const [i, [what, args, message]] of cases.entries()) {
    it(`${what}: one line, exit 2`, async () => {
      const r = i === 0 ? cli(...args) : await runMain(args);
      expectRefusal({ ...r, status: r.status ?? -1 }, what);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('the CLI on good input', () => {
  it('check on a scenario file prints the verdict table and exits 0', () => {
    const p = file('race.json', JSON.stringify({
      name: 'my-race', sockets: [{ name: 'A', reuseaddr: true }, { name: 'B', reuseaddr: true }],
      setup: [{ op: 'bind', sk: 'A', addr: '127.0.0.1', port: 80 }, { op: 'bind', sk: 'B', addr: '127.0.0.1', port: 80 }],
      threads: [[{ op: 'listen', sk: 'A' }], [{ op: 'listen', sk: 'B' }]],
    }));
    const r = cli('check', '--scenario', p, '--runs', '500');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/some-concurrent-listener-succeeds\s+outcome\s+\d+\s+violated as expected/);
    expect(r.stdout).toMatch(/hashed-implies-validated\s+invariant\s+500\s+holds/);
    expect(r.stdout).toMatch(/replay: npx tcp-listen-model check --variant linux-4.3 --scenario .*race.json --property some-concurrent-listener-succeeds/);
  });

  it('check --json is one JSON object and byte-for-byte repeatable', () => {
    const a = cli('check', '--scenario', 'listen-race-2', '--runs', '200', '--json', '--seed', '3');
    const b = cli('check', '--scenario', 'listen-race-2', '--runs', '200', '--json', '--seed', '3');
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.properties.find((p: { id: string }) => p.id === 'some-concurrent-listener-succeeds').verdict).toBe('violated as expected');
    expect(j.properties.every((p: { id: string; verdict: string; runs: number }) => typeof p.runs === 'number')).toBe(true);
  });

  it('lists variants, scenarios and properties', async () => {
    expect((await runMain(['variants'])).stdout).toMatch(/^linux-4\.3 /m);
    expect((await runMain(['scenarios'])).stdout).toMatch(/^listen-race-2 /m);
    expect((await runMain(['properties'])).stdout).toMatch(/^hashed-implies-validated\s+invariant/m);
  });
});
