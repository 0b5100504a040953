// `report --from V1 --to V2 --out DIR`: the diff page from the command line, and its refusals.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const cli = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', cwd: ROOT });
const refused = (r: ReturnType<typeof cli>, message: RegExp) => {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
};

describe('report --from --to', () => {
  it('writes the diff page of a variant file against 4.3 and exits 1 (something differs)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tlm-report-diff-')), 'page');
    const r = cli('report', '--from', 'linux-4.3', '--to', './examples/fastreuse-update.ts', '--scenario', 'bind-beside-reuseport-listener', '--out', dir);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/wrote .*report\.html: 1 scenarios, 2 outcomes only one side reaches/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('id="report-diff"');
    expect(html).toMatch(/class="diff-col from"[^]*linux-4\.3[^]*class="diff-col to"[^]*linux-4\.3\/fastreuse-update/);
    expect(html.match(/class="witness (lost|gained)"/g)).toEqual(['class="witness lost"', 'class="witness gained"']);
    // The same page again is refused; --force replaces it.
    refused(cli('report', '--from', 'linux-4.3', '--to', 'linux-4.3', '--scenario', 'listen-race-2', '--out', dir), /already exists/);
    const same = cli('report', '--from', 'linux-4.3', '--to', 'linux-4.3', '--scenario', 'listen-race-2', '--out', dir, '--force');
    expect(same.status).toBe(0);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/No scenario differs between linux-4\.3 and linux-4\.3/);
  });

  it('refuses half a pair, or a check option beside it, before writing anything', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tlm-report-diff-')), 'page');
    refused(cli('report', '--from', 'linux-4.3', '--out', dir), /--from V1 needs --to V2/);
    refused(cli('report', '--to', 'linux-4.3', '--out', dir), /--to needs --from/);
    refused(cli('report', '--from', 'linux-4.3', '--to', 'linux-6.18', '--runs', '5', '--out', dir), /--runs is a check option/);
    refused(cli('report', '--from', 'linux-4.3', '--to', './no-such-patch.ts', '--out', dir), /variant file \.\/no-such-patch\.ts: no such file/);
    expect(existsSync(dir)).toBe(false);
  });
});
