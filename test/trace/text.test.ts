import { describe, expect, it } from 'vitest';
import { formatTraceText } from '../../src/trace/text.ts';
import { bothFail } from './fixtures.ts';

describe('the text table', () => {
  const cx = bothFail();

  it('ends with the violated property, its step and message', () => {
    const lines = formatTraceText(cx.run.trace, { violation: cx.run.violation }).split('\n');
    expect(lines.at(-1)).toBe(`violated: some-concurrent-listener-succeeds at step ${cx.run.violation!.step}: ${cx.message}`);
    expect(lines.at(-2)).toBe('');
  });

  it('is unchanged without a violation', () => {
    const text = formatTraceText(cx.run.trace);
    expect(text).not.toMatch(/violated/);
    expect(formatTraceText(cx.run.trace, { violation: cx.run.violation }).startsWith(text)).toBe(true);
  });
});
