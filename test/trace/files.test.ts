import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { counterexampleFiles, FileExistsError, writeCounterexamples } from '../../src/trace/files.ts';
import { parseTraceFile } from '../../src/trace/json.ts';
import { bothFail, cli } from './fixtures.ts';

const cx = bothFail();
const NAME = 'some-concurrent-listener-succeeds.listen-race-2.linux-4.3';

describe('writeCounterexamples', () => {
  it('writes one JSON trace and one Markdown page per counterexample', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlm-files-'));
    const written = writeCounterexamples(dir, [cx]);
    expect(written).toEqual([join(dir, `${NAME}.json`), join(dir, `${NAME}.md`)]);
    const json = parseTraceFile(JSON.parse(readFileSync(written[0], 'utf8')), written[0]);
    expect(json.steps).toEqual(cx.run.trace);
    const md = readFileSync(written[1], 'utf8');
    expect(md).toMatch(/^# some-concurrent-listener-succeeds: violated on linux-4\.3\n/);
    expect(md).toContain('```text\n    #   thread');
    expect(md).toContain(`violated: some-concurrent-listener-succeeds at step 18: ${cx.message}\n\`\`\``);
    expect(md).toMatch(/```mermaid\nsequenceDiagram\n[\s\S]*participant T1 as T1: listen\(B\)[\s\S]*\n```\n$/);
    expect(md).toContain(`replay: \`npx tcp-listen-model replay ${written[0]}\``);
  });

  it('refuses to overwrite, before writing anything, unless forced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlm-files-'));
    writeFileSync(join(dir, `${NAME}.md`), 'keep me');
    expect(() => writeCounterexamples(dir, [cx])).toThrow(FileExistsError);
    expect(() => writeCounterexamples(dir, [cx])).toThrow(/^\S+\.md already exists; refusing to overwrite it/);
    expect(readdirSync(dir)).toEqual([`${NAME}.md`]);
    expect(readFileSync(join(dir, `${NAME}.md`), 'utf8')).toBe('keep me');
    writeCounterexamples(dir, [cx], { force: true });
    expect(readFileSync(join(dir, `${NAME}.md`), 'utf8')).not.toBe('keep me');
  });

  it('gives counterexamples with the same name numbered names', () => {
    const names = counterexampleFiles('d', [cx, cx, cx]).map((f) => f.path);
    expect(names).toEqual([`d/${NAME}.json`, `d/${NAME}.md`, `d/${NAME}-2.json`, `d/${NAME}-2.md`, `d/${NAME}-3.json`, `d/${NAME}-3.md`]);
  });

  it('takes any counterexample-like value, e.g. an explorer outcome with a name of its own and no violation', () => {
    const outcome = { scenario: cx.scenario, variant: 'linux-4.3', schedule: cx.schedule, run: { ...cx.run, violation: null }, name: 'outcome 1' };
    const [json, md] = counterexampleFiles('d', [outcome]);
    expect(json.path).toBe('d/outcome_1.json');
    expect(JSON.parse(json.content).violation).toBeNull();
    expect(md.content).toMatch(/^# run on linux-4\.3\n/);
    expect(md.content).not.toContain('✗ violated');
  });
});

describe('check --out', () => {
  it('writes files that replay, and will not overwrite them without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tlm-out-'));
    const out = join(dir, 'cx');
    const args = ['check', '--scenario', 'listen-race-2', '--property', 'some-concurrent-listener-succeeds', '--runs', '300', '--out', out];
    const a = cli(...args);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(a.stdout).toContain(`wrote 2 files to ${out}`);
    expect(readdirSync(out).sort()).toEqual([`${NAME}.json`, `${NAME}.md`]);
    const json = JSON.parse(readFileSync(join(out, `${NAME}.json`), 'utf8'));
    expect(json.found.command).toMatch(/^npx tcp-listen-model check --variant linux-4\.3 --scenario listen-race-2 --property some-concurrent-listener-succeeds --runs 300 --seed 1 --path /);
    expect(cli('replay', join(out, `${NAME}.json`)).status).toBe(0);

    const b = cli(...args);
    expect(b.status).toBe(2);
    expect(b.stdout).toBe('');
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/already exists and is not empty; refusing to write into it \(use --force to replace files in it\)/);

    expect(cli(...args, '--force').status).toBe(0);
    expect(cli('check', '--force').stderr).toMatch(/--force only makes sense with --out/);
    expect(existsSync(join(out, `${NAME}.md`))).toBe(true);
  });
});
