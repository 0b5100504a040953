// The JSON Schemas under schemas/, compiled by Ajv on first use. Ajv is loaded then too: loading
// and compiling cost a CLI start about 0.15 s, and most commands read no scenario or trace file.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvClass, Options, ValidateFunction } from 'ajv';
import { rootPath } from './paths.ts';

export type { ErrorObject, ValidateFunction } from 'ajv';

const readSchema = (name: string) => JSON.parse(readFileSync(rootPath('schemas', name), 'utf8'));

/**
 * A validator for schemas/`main`, compiled on its first call; `refs` are the schemas it refers
 * to. The returned function gives the same compiled validator every time.
 */
export function lazySchema(main: string, refs: readonly string[], options: Options): () => ValidateFunction {
  let compiled: ValidateFunction | undefined;
  return () => {
    if (compiled) return compiled;
    const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: typeof AjvClass };
    const ajv = new Ajv(options);
    for (const r of refs) ajv.addSchema(readSchema(r));
    return compiled = ajv.compile(readSchema(main));
  };
}
