// Shared option parsing: each value is checked where it is read, with a one-line message.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import { isVariantFile, loadedVariant } from './variant-file.ts';
import { findVariant, allVariants, DEFAULT_VARIANT } from '../../model/registry.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES, findProperty } from '../../properties/registry.ts';
import type { Property } from '../../properties/types.ts';

/** Parses argv strictly; an option given twice is refused unless it takes a list (last-wins would hide a typo). */
export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  const { values, positionals, tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: true, tokens: true });
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || options[t.name]?.multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given twice; give it once`);
    seen.add(t.name);
  }
  return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
}

/**
 * A fast-check replay path "run:shrink:shrink...". The first number is the index of the failing
 * run, so it must be below --runs (fast-check otherwise generates that many values first), and a
 * path has at most 10,000 segments.
 */
export function pathOption(v: unknown, runs: number): string | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (!/^\d+(:\d+)*$/.test(s)) throw new UsageError(`--path must look like "12:0:3", got "${s}"`);
  const parts = s.split(':');
  if (parts.length > 10_000) throw new UsageError(`--path has ${parts.length} segments; a replay path has at most 10000`);
  if (parts.some((p) => p.length > 9)) throw new UsageError(`--path ${s.length > 40 ? `${s.slice(0, 40)}...` : s}: each number must be below 10^9`);
  if (Number(parts[0]) >= runs) throw new UsageError(`--path starts at run ${parts[0]}, but --runs is ${runs} (the first number must be below it)`);
  return s;
}

export function intOption(v: unknown, name: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt;
  const s = String(v);
  if (!/^-?\d+$/.test(s)) throw new UsageError(`--${name} must be a whole number, got "${s}"`);
  const n = Number(s);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function variantOption(v: unknown): Variant {
  const id = v === undefined ? DEFAULT_VARIANT : String(v);
  // A variant file was loaded by main() before the command ran (src/cli/variant-file.ts).
  if (isVariantFile(id)) return loadedVariant(id) ?? (() => { throw new UsageError(`variant file ${id}: this command does not load variant files`); })();
  const found = findVariant(id);
  if (!found) {
    const kernels = allVariants().filter((x) => !x.mutant).map((x) => x.id);
    throw new UsageError(`unknown variant "${id}" (kernels: ${kernels.join(', ')}; mutants: run "tcp-listen-model variants")`);
  }
  return found;
}

export function propertiesOption(v: unknown): Property[] {
  if (v === undefined) return [...PROPERTIES];
  // A property named twice is checked once; a list that names none checks nothing, so it is refused.
  const ids = [...new Set((Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((x) => x.trim()).filter(Boolean))];
  if (ids.length === 0) throw new UsageError(`--property names no property (run "tcp-listen-model properties" for the list)`);
  return ids.map((id) => {
    const p = findProperty(id);
    if (!p) throw new UsageError(`unknown property "${id}" (run "tcp-listen-model properties" for the list)`);
    return p;
  });
}

export function choiceOption<T extends string>(v: unknown, name: string, choices: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!choices.includes(String(v) as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${String(v)}"`);
  return String(v) as T;
}

/** The flags of a command that takes no positional argument (one is a UsageError). */
export function flagsOnly(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  const { values, positionals } = parse(argv, options);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  return values;
}
