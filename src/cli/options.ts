// Shared option parsing: each value is checked where it is read, with a one-line message.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.ts';
import { findVariant, allVariants, DEFAULT_VARIANT } from '../../model/registry.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES, findProperty } from '../../properties/registry.ts';
import type { Property } from '../../properties/types.ts';

export function parse(argv: string[], options: NonNullable<ParseArgsConfig['options']>) {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
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
  const found = findVariant(id);
  if (!found) {
    const kernels = allVariants().filter((x) => !x.mutant).map((x) => x.id);
    throw new UsageError(`unknown variant "${id}" (kernels: ${kernels.join(', ')}; mutants: run "tcp-listen-model variants")`);
  }
  return found;
}

export function propertiesOption(v: unknown): Property[] {
  if (v === undefined) return [...PROPERTIES];
  const ids = (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).filter(Boolean);
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

export function noPositionals(positionals: string[]): void {
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}
