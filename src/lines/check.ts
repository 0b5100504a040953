// Every cited line checked: does each step's `file` and `line` hold the C its `text` quotes?
//
// The rule (docs: README "Kernel lines"):
// - A step's text is kernel code, optionally annotated with `/* ... */` comments that are the
//   model's own words. The comments are dropped; what is left is the quote.
// - The quote is split into fragments at `;`, `{` and `}`. Every fragment must occur in the cited
//   lines (exactly that range; a fragment may span lines), compared with whitespace normalised
//   (runs of blanks between two identifier characters are one space, all others go), with the
//   source's own comments blanked out, and not as part of a longer identifier.
// - `...` inside a fragment is an elision (as in a quotation): it stands for any source text
//   between the parts around it, within the cited lines. Use it sparingly.
// - A mutant's changed steps (MUTATED_STEPS) are not checked: their text says what the mutant
//   does instead of the kernel, which is their point. Every other step of a mutant is.
// - A property cites lines without a quote: its ranges must lie inside the file and start and end
//   on a line that is not blank.
// A fragment not found at its cited lines is looked for in the whole file; the mismatch says where
// it is now (the occurrence nearest to the cited line).

import type { Program, Step } from '../../model/program.ts';
import type { Variant } from '../../model/variant.ts';
import type { KernelLines } from '../../properties/types.ts';

/** Reads a file of the kernel tree by its path in the tree; undefined when it is not there. */
export type FileReader = (path: string) => string | undefined;

/** One place a variant or property cites: what the checker compares. */
export interface Citation {
  /** Who cites it: "linux-6.18 listen/publish-listen" or "property hashed-implies-validated". */
  by: string;
  file: string;
  line: string;
  /** The quote; undefined for a property's bare line range. */
  text?: string;
}

interface Mismatch {
  citation: Citation;
  /** The one-line report, without the citing step. */
  problem: string;
  /** Where the quote is now, when every fragment was found elsewhere in the file: "1329" or "1321-1322". */
  now?: string;
}

/** Short names the reports use for the cited files. */
const SHORT: Readonly<Record<string, string>> = {
  'net/ipv4/inet_connection_sock.c': 'icsk.c',
  'net/ipv4/inet_hashtables.c': 'ih.c',
  'net/core/sock_reuseport.c': 'reuseport.c',
};
const shortName = (file: string) => SHORT[file] ?? file.split('/').pop()!;

// ---- The quote ----------------------------------------------------------------------------------

/** The code fragments a step's text quotes: comments dropped, split at `;`, `{`, `}`. */
export function codeFragments(text: string): string[] {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .split(/[;{}]/)
    .map((f) => f.trim())
    .filter((f) => f.length > 0);
}

/** [A-Za-z0-9_]: two of them must stay apart. */
const isWord = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/** Whitespace-normalised text and, for each of its characters, the 1-based source line it came from. */
interface Normalised {
  text: string;
  lineOf: number[];
}

/** Normalises C source (comments blanked first), keeping each character's line. */
function normaliseSource(src: string): Normalised {
  const blanked = src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
  const out: string[] = [];
  const lineOf: number[] = [];
  let line = 1;
  let gap = false;
  let last = -1;
  for (let i = 0; i < blanked.length; i++) {
    const c = blanked.charCodeAt(i);
    if (c === 10) line++;
    if (isSpace(c)) { gap = true; continue; }
    if (gap && isWord(last) && isWord(c)) { out.push(' '); lineOf.push(line); }
    gap = false;
    out.push(blanked[i]);
    lineOf.push(line);
    last = c;
  }
  return { text: out.join(''), lineOf };
}

/** A fragment normalised the same way (it holds no comments). */
const normalise = (fragment: string) => normaliseSource(fragment).text;

interface Span { from: number; to: number }

/** Every place the fragment occurs in the normalised file, as line spans. */
function occurrences(file: Normalised, fragment: string): Span[] {
  const parts = fragment.split('...').map(normalise);
  const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // A fragment that starts or ends with an identifier must not match inside a longer one
  // (lock_sock(sk) is not in bh_unlock_sock(sk)).
  const pattern = escaped.join('[\\s\\S]*?');
  const re = new RegExp(`${/^\w/.test(pattern) ? '(?<!\\w)' : ''}${pattern}${/\w$/.test(pattern) ? '(?!\\w)' : ''}`, 'g');
  const spans: Span[] = [];
  for (let m = re.exec(file.text); m; m = re.exec(file.text)) {
    spans.push({ from: file.lineOf[m.index], to: file.lineOf[m.index + Math.max(0, m[0].length - 1)] });
    re.lastIndex = m.index + 1;
  }
  return spans;
}

/** Occurrences inside [from, to] that start at or after `from`, searched from there: `...` must not reach outside. */
function occursWithin(file: Normalised, fragment: string, range: Span): boolean {
  const start = file.lineOf.findIndex((l) => l >= range.from);
  if (start < 0) return false;
  let end = file.lineOf.findIndex((l) => l > range.to);
  if (end < 0) end = file.text.length;
  const slice: Normalised = { text: file.text.slice(start, end), lineOf: file.lineOf.slice(start, end) };
  return occurrences(slice, fragment).length > 0;
}

export function parseRange(line: string): Span | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(line.trim());
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  return from >= 1 && to >= from ? { from, to } : undefined;
}

const showRange = (s: Span) => (s.from === s.to ? String(s.from) : `${s.from}-${s.to}`);

// ---- Checking ---------------------------------------------------------------------------------

/** Reads and normalises each file once per check. */
function fileCache(read: FileReader) {
  const cache = new Map<string, { lines: string[]; normalised?: Normalised } | null>();
  const get = (path: string) => {
    if (!cache.has(path)) {
      const src = read(path);
      cache.set(path, src === undefined ? null : { lines: src.split('\n') });
    }
    return cache.get(path)!;
  };
  return {
    lines: (path: string) => get(path)?.lines,
    normalised: (path: string) => {
      const f = get(path);
      if (!f) return undefined;
      f.normalised ??= normaliseSource(f.lines.join('\n'));
      return f.normalised;
    },
  };
}

function checkQuote(c: Citation, range: Span, file: Normalised): Mismatch | undefined {
  const fragments = codeFragments(c.text!);
  if (fragments.length === 0) return { citation: c, problem: 'the text quotes no code (only comments)' };
  const missing = fragments.filter((f) => !occursWithin(file, f, range));
  if (missing.length === 0) return undefined;
  // Where each fragment is now: at the cited lines if it is there, else its nearest occurrence.
  const spans: Span[] = [];
  const lost: string[] = [];
  for (const f of fragments) {
    if (!missing.includes(f)) continue;
    const found = occurrences(file, f);
    if (found.length === 0) { lost.push(f); continue; }
    spans.push(found.reduce((a, b) => (Math.abs(b.from - range.from) < Math.abs(a.from - range.from) ? b : a)));
  }
  const at = `${shortName(c.file)} ${c.line}`;
  if (lost.length > 0) return { citation: c, problem: `not in ${shortName(c.file)}: ${lost.map((f) => `"${f}"`).join(', ')} (cited at ${c.line})` };
  // Fragments found at the cited lines keep their place in the new range only if some moved with them.
  for (const f of fragments) {
    if (missing.includes(f)) continue;
    const found = occurrences(file, f);
    spans.push(found.reduce((a, b) => (Math.abs(b.from - spans[0].from) < Math.abs(a.from - spans[0].from) ? b : a)));
  }
  const now = showRange({ from: Math.min(...spans.map((s) => s.from)), to: Math.max(...spans.map((s) => s.to)) });
  return { citation: c, problem: `moved: ${at} -> ${now}  (${missing.map((f) => `"${f}"`).join(', ')})`, now };
}

function checkBareRange(c: Citation, range: Span, lines: string[]): Mismatch | undefined {
  const count = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  if (range.to > count) return { citation: c, problem: `${shortName(c.file)} ${c.line} is past the end of the file (${count} lines)` };
  const blank = [range.from, range.to].filter((n) => lines[n - 1].trim() === '');
  if (blank.length > 0) return { citation: c, problem: `${shortName(c.file)} ${c.line} starts or ends on a blank line (${blank.join(', ')})` };
  return undefined;
}

/** Checks citations against a tree; one mismatch per citation that fails. */
export function checkCitations(citations: readonly Citation[], read: FileReader): Mismatch[] {
  const files = fileCache(read);
  const out: Mismatch[] = [];
  for (const c of citations) {
    const range = parseRange(c.line);
    if (!range) { out.push({ citation: c, problem: `"${c.line}" is not a line or a range of lines` }); continue; }
    const lines = files.lines(c.file);
    if (!lines) { out.push({ citation: c, problem: `${c.file} is not in the tree` }); continue; }
    const m = c.text === undefined ? checkBareRange(c, range, lines) : checkQuote(c, range, files.normalised(c.file)!);
    if (m) out.push(m);
  }
  return out;
}

// ---- What a variant and the properties cite ----------------------------------------------------

const programsOf = (v: Variant): Program[] => [v.programs.bind, v.programs.listen, v.programs.close, v.programs.syn];

/**
 * The citations of some variants, each (file, line, text) once, named after its first citer.
 * `skip(variant)` lists step ids not to check in that variant (a mutant's changed steps).
 */
export function variantCitations(variants: readonly Variant[], skip: (v: Variant) => readonly string[] = () => []): Citation[] {
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const v of variants) {
    const skipped = new Set(skip(v));
    for (const p of programsOf(v)) {
      for (const s of p.steps as readonly Step[]) {
        if (skipped.has(s.id)) continue;
        const key = `${s.file}\n${s.line}\n${s.text}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ by: `${v.id} ${p.name}/${s.id}`, file: s.file, line: s.line, text: s.text });
      }
    }
  }
  return out;
}

/** Kernel file paths by the names properties cite them with. */
function propertyCitations(
  props: readonly { id: string; kernel: KernelLines }[], kernel: keyof KernelLines, paths: readonly string[],
): Citation[] {
  const byName = new Map(paths.map((p) => [p.split('/').pop()!, p]));
  const out: Citation[] = [];
  for (const p of props) {
    let file: string | undefined;
    for (const entry of p.kernel[kernel]) {
      // "inet_connection_sock.c 809-818 (seed 808-817)", or "189-213" in the file named before.
      const m = /^(?:(\S+\.[ch]) )?(\d+(?:-\d+)?)(?: \(seed \d+(?:-\d+)?\))?$/.exec(entry);
      if (m?.[1]) file = byName.get(m[1]) ?? m[1];
      out.push({ by: `property ${p.id}`, file: file ?? '(no file named)', line: m ? m[2] : entry });
    }
  }
  return out;
}

/** A mismatch as one report line. */
export const formatMismatch = (m: Mismatch) => `${m.citation.by}: ${m.problem}`;

/**
 * Everything a variant cites, checked against a tree. A kernel brings its mutants (their changed
 * steps skipped) and the properties' lines for that kernel; a mutant is checked alone.
 */
export function checkVariant(v: Variant, read: FileReader, context: LinesContext): { checked: number; mismatches: Mismatch[] } {
  const mutants = v.mutant ? [] : context.mutants.filter((m) => m.mutant?.base === v.id);
  const citations = [
    ...variantCitations([v, ...mutants], (x) => context.mutatedSteps[x.id] ?? []),
    ...(v.mutant ? [] : propertyCitations(context.properties, v.kernel, context.paths)),
  ];
  return { checked: citations.length, mismatches: checkCitations(citations, read) };
}

/** What checkVariant needs besides the variant: passed in, so that this file stays free of the registries. */
export interface LinesContext {
  mutants: readonly Variant[];
  mutatedSteps: Readonly<Record<string, readonly string[]>>;
  properties: readonly { id: string; kernel: KernelLines }[];
  /** Every kernel file path the model cites (properties name them by their last part). */
  paths: readonly string[];
}
