// The published package, as a new user meets it: `npm pack`, install the tarball into an empty
// project (offline, from the npm cache `npm ci` filled), then use it there with plain node, a
// `module: nodenext` TypeScript file, the vitest helper, and the CLI through npx.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const npmMissing = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0;
if (npmMissing) console.warn('test/package/pack.test.ts: skipped: npm is not on PATH');

interface LockEntry {
  version?: string; resolved?: string; integrity?: string; link?: boolean;
  dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [k: string]: unknown;
}

/** Where npm's resolution finds package `name` from the package at `from` (a lockfile path). */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dir.includes('/node_modules/') ? dir.slice(0, dir.lastIndexOf('/node_modules/')) : '') {
    const at = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[at]) return at;
    if (!dir) return undefined;
  }
}

/**
 * The consumer's package-lock.json: the tarball plus the subtree of this project's lockfile that
 * its dependencies (and vitest, @fast-check/vitest) need. With it `npm ci --offline` resolves
 * nothing over the network: every tarball is in the cache `npm ci` filled here, and no registry
 * metadata (which `npm ci` never caches) is asked for.
 */
function consumerLock(tarball: string, wanted: Record<string, string>): { lock: object; deps: Record<string, string> } {
  const project = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const packages: Record<string, LockEntry> = {};
  const todo: string[] = [];
  const need = (from: string, name: string) => {
    const at = resolveIn(project.packages, from, name);
    if (at && !packages[at]) todo.push(at);
  };
  for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(wanted)]) need('', name);
  while (todo.length) {
    const at = todo.pop()!;
    if (packages[at]) continue;
    const { dev: _d, devOptional: _o, peer: _p, ...entry } = project.packages[at];
    packages[at] = entry;
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n);
    const names = [
      ...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.includes(n)),
    ];
    for (const n of names) need(at, n);
  }
  const deps = { 'tcp-listen-model': `file:${tarball}`, ...wanted };
  const self: LockEntry = {
    version: pkg.version, resolved: `file:${tarball}`, license: pkg.license, dependencies: pkg.dependencies,
    bin: pkg.bin, engines: pkg.engines, peerDependencies: pkg.peerDependencies, peerDependenciesMeta: pkg.peerDependenciesMeta,
  };
  const lock = {
    name: 'consumer', lockfileVersion: 3, requires: true,
    packages: { '': { name: 'consumer', dependencies: deps }, 'node_modules/tcp-listen-model': self, ...packages },
  };
  return { lock, deps };
}

function duBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += duBytes(p);
    else if (e.isFile()) n += statSync(p).size;
  }
  return n;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

describe.skipIf(npmMissing)('the README\'s first command, in this checkout', () => {
  it('npx tcp-listen-model runs the built bin here (dist/cli.js is executable)', () => {
    const root = join(import.meta.dirname, '..', '..');
    expect(statSync(join(root, 'dist/cli.js')).mode & 0o111).not.toBe(0);
    const r = spawnSync('npx', ['--offline', 'tcp-listen-model', 'scenarios'], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/listen-race-2/);
  });
});

describe.skipIf(npmMissing)('the packed package in an empty project', () => {
  let tmp = '';
  let proj = '';
  const run = (cmd: string, args: string[], o: SpawnSyncOptions = {}) => {
    const r = spawnSync(cmd, args, { cwd: proj, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', NO_COLOR: '1', FORCE_COLOR: '0' }, ...o });
    return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
  };

  beforeAll(() => {
    expect(existsSync(join(ROOT, 'dist/index.js')), 'dist/ is missing: run `npm run build` (npm test does)').toBe(true);
    tmp = mkdtempSync(join(tmpdir(), 'tlm-pack-'));
    proj = join(tmp, 'consumer');
    // The build is fresh (npm test runs it first); --ignore-scripts keeps pack from building again.
    const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT });
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as { filename: string; size: number; files: { path: string }[] }[];
    const paths = info.files.map((f) => f.path);
    expect(paths).toContain('dist/cli.js');
    expect(paths).toContain('dist/types/src/index.d.ts');
    expect(paths).toContain('schemas/scenario.schema.json');
    expect(paths.filter((p) => /^(test|\.ci|src\/(?!kernel\/witness-worker\.mjs$))/.test(p))).toEqual([]);

    const version = (name: string) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    const { lock, deps } = consumerLock(posix.join('..', info.filename), { vitest: version('vitest'), '@fast-check/vitest': version('@fast-check/vitest') });
    spawnSync('mkdir', [proj]);
    writeFileSync(join(proj, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2));
    writeFileSync(join(proj, 'package-lock.json'), JSON.stringify(lock, null, 2));
    const installed = run('npm', ['ci', '--offline', '--no-audit', '--no-fund']);
    expect(installed.status, installed.stderr).toBe(0);
    console.log(`tcp-listen-model tarball ${mib(info.size)}; consumer node_modules ${mib(duBytes(join(proj, 'node_modules')))} (with vitest)`);
  }, 120_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('plain node imports the library and checks a built-in scenario', () => {
    writeFileSync(join(proj, 'check.mjs'), `
import { checkProperties, builtinScenario, findVariant, findProperty, UsageError, ScenarioError, loadScenario } from 'tcp-listen-model';
const v = checkProperties({ variant: findVariant('linux-4.3'), scenarios: [builtinScenario('listen-race-2')],
  properties: [findProperty('some-concurrent-listener-succeeds'), findProperty('no-conflicting-listeners')],
  generated: false, runs: 300, seed: 1, scheduler: 'random', depth: 3, merge: true });
let thrown;
try { loadScenario('no-such-scenario'); } catch (e) { thrown = e; }
console.log(JSON.stringify({ verdicts: v.map((p) => [p.id, p.verdict]), usage: thrown instanceof UsageError, scenarioError: typeof ScenarioError }));
`);
    const r = run(process.execPath, ['check.mjs']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      verdicts: [['some-concurrent-listener-succeeds', 'violated as expected'], ['no-conflicting-listeners', 'holds']],
      usage: true, scenarioError: 'function',
    });
  });

  it('a module: nodenext TypeScript file compiles against the public types', () => {
    writeFileSync(join(proj, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [] },
      files: ['use.ts'],
    }));
    writeFileSync(join(proj, 'use.ts'), `
import { checkProperties, builtinScenario, findVariant, UsageError, type Scenario, type PropertyVerdict, type Verdict } from 'tcp-listen-model';
import { scenarioArb, modelRun } from 'tcp-listen-model/vitest';
const s: Scenario | undefined = builtinScenario('listen-race-2');
const out: PropertyVerdict[] = checkProperties({
  variant: findVariant('linux-4.3')!, scenarios: [s!], properties: [], generated: false, runs: 10, seed: 1, scheduler: 'pct', depth: 2, merge: true,
});
const first: Verdict = out[0].verdict;
const e: Error = new UsageError('x');
export { first, e, scenarioArb, modelRun };
// A wrong use must not compile, or this test proves nothing:
// @ts-expect-error a verdict is one of a few strings
const wrong: Verdict = 'maybe';
export { wrong };
`);
    const r = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', '.']);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the vitest helper runs a property in the consumer\'s vitest', () => {
    writeFileSync(join(proj, 'model.test.mjs'), `
import { expect } from 'vitest';
import { test, scenarioArb, scheduleArb, modelRun, fc } from 'tcp-listen-model/vitest';
fc.configureGlobal({ seed: 1, numRuns: 50 });
test.prop([scenarioArb(), scheduleArb()])('no conflicting listeners', (scenario, schedule) => {
  expect(modelRun(scenario, schedule, { properties: ['no-conflicting-listeners'] }).violation).toBeNull();
});
test.prop([scenarioArb(), scheduleArb()])('a broken property is caught', (scenario, schedule) => {
  expect(modelRun(scenario, schedule, { properties: ['no-conflicting-listeners'] }).results.length).toBe(-1);
});
`);
    const r = run(process.execPath, [join(proj, 'node_modules/vitest/vitest.mjs'), 'run', 'model.test.mjs']);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/Tests +1 failed \| 1 passed/);
    expect(out).toMatch(/Property failed after/);
    expect(r.status).toBe(1);
  });

  it('npx tcp-listen-model check runs and exits 0', () => {
    const r = run('npx', ['--offline', 'tcp-listen-model', 'check', '--scenario', 'listen-race-2']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\d+ properties: \d+ hold, 1 violated as expected, 0 violated, 0 expected violation not found/);
    expect(r.status).toBe(0);
  });

  it('the report inlines the Mermaid bundle the package ships, with no mermaid installed', () => {
    expect(existsSync(join(proj, 'node_modules/mermaid'))).toBe(false);
    const r = run('npx', ['--offline', 'tcp-listen-model', 'report', '--out', 'rep', '--scenario', 'listen-race-2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const html = readFileSync(join(proj, 'rep/report.html'), 'utf8');
    expect(html.length).toBeGreaterThan(3_000_000);
    expect(html).toContain('mermaid.initialize(');
  });
});
