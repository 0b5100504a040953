import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statechartMermaid } from '../../src/trace/statechart.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { cli } from '../trace/fixtures.ts';
import { realReportInput } from './real-input.ts';

describe('reportFromCheck', () => {
  const input = realReportInput();

  it('has every verdict, the generated statechart and the both-fail counterexample', () => {
    expect(input.verdicts.map((v) => v.id)).toEqual(PROPERTIES.map((p) => p.id));
    expect(input.statechart).toBe(statechartMermaid());
    expect(input.counterexamples.map((c) => c.propertyId)).toEqual(['some-concurrent-listener-succeeds']);
    const cx = input.counterexamples[0];
    expect(cx.title).toBe('some-concurrent-listener-succeeds violated as expected');
    expect(cx.sequenceDiagram).toMatch(/^sequenceDiagram\n/);
    expect(cx.replay).toBe('npx tcp-listen-model check --property some-concurrent-listener-succeeds');
  });

  it('gives each step the decoded state after it', () => {
    const steps = input.counterexamples[0].steps;
    expect(steps.map((s) => s.n)).toEqual(steps.map((_, i) => i + 1));
    const publish = steps.findIndex((s) => s.did.endsWith('publish-listen'));
    const state = (i: number) => steps[i].state as { sockets: Record<string, { state: string; life: string }> };
    const sk = steps[publish].changes[0].split('.')[0];
    expect(state(publish).sockets[sk].state).toBe('TCP_LISTEN');
    expect(state(publish - 1).sockets[sk].state).toBe('TCP_CLOSE');
    expect(steps[publish].raceWindow).toBe(true);
    expect(state(steps.length - 1).sockets.A.life).toBe('bound');
    expect(steps.at(-1)!.did).toMatch(/⇒ returns EADDRINUSE$/);
  });
});

describe('tcp-listen-model report', () => {
  it('writes report.html and refuses to overwrite it without --force', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tlm-report-')), 'r');
    const args = ['report', '--out', dir, '--scenario', 'listen-race-2', '--runs', '200'];
    const a = cli(...args);
    expect(a.stderr).toBe('');
    expect(a.status).toBe(0);
    expect(a.stdout).toMatch(new RegExp(`wrote .*report\\.html: ${PROPERTIES.length} verdicts, 1 counterexample\\n$`));
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('participant T0 as T0: listen(A)');
    const b = cli(...args);
    expect(b.status).toBe(2);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toMatch(/report\.html already exists; refusing to overwrite it \(use --force to replace\)/);
    expect(cli(...args, '--force').status).toBe(0);
    expect(cli('report').stderr).toMatch(/report needs --out DIR/);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });
});
