// Reads a scenario by name or from a JSON file, and checks it against schemas/scenario.schema.json
// plus the cross-references a schema cannot express (a socket named in an op must exist).

import { lazySchema, type ErrorObject } from '../json-schema.ts';
import { match } from 'ts-pattern';
import { readJsonFile } from '../read-json.ts';
import { checkSocketNames, type Scenario } from '../../model/scenario.ts';
import { builtinScenario, BUILTIN_SCENARIOS } from './builtin.ts';
import { ScenarioError, UsageError } from '../errors.ts';

// verbose: each error carries the value at fault and its schema, for messages that name them.
const validateScenario = lazySchema('scenario.schema.json', [], { allErrors: false, verbose: true });

/** A built-in name, or a path ending in .json. */
export function loadScenario(nameOrFile: string): Scenario {
  if (!nameOrFile.endsWith('.json')) {
    const s = builtinScenario(nameOrFile);
    if (!s) throw new UsageError(`unknown scenario "${nameOrFile}" (built-in: ${BUILTIN_SCENARIOS.map((b) => b.name).join(', ')}, listen-race-N; or a .json file)`);
    return s;
  }
  const data = readJsonFile(nameOrFile, 'scenario file');
  return checkScenario(data, nameOrFile);
}

/**
 * The one scenario validator (the file loader, trace files, the kernel harness): the JSON Schema,
 * then the socket names. Throws a one-line ScenarioError naming the first problem; `source`
 * names the scenario in it (its own name by default).
 */
export function checkScenario(data: unknown, source = nameOf(data)): Scenario {
  const validate = validateScenario();
  if (!validate(data)) throw new ScenarioError(`scenario ${source}: ${describeError(validate.errors!)}`);
  const s = data as Scenario;
  checkSocketNames(s, source);
  return s;
}

/** The scenario's own name, when it has one, for its errors. */
const nameOf = (data: unknown) => {
  const name = (data as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '(unnamed)';
};

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

/** Ajv's failure as "<where> <what is wrong>", in the words of the scenario format. */
function describeError(errors: readonly ErrorObject[]): string {
  // A oneOf failure lists its branches' errors first: the oneOf itself says what is wanted.
  const e = errors.find((x) => x.keyword === 'oneOf') ?? errors[0];
  const at = e.instancePath || '(top level)';
  const field = e.instancePath.split('/').pop();
  const parent = e.instancePath.slice(0, e.instancePath.lastIndexOf('/')) || '(top level)';
  return match(e.keyword)
    .with('additionalProperties', () => `${at} ${e.message} "${(e.params as { additionalProperty: string }).additionalProperty}"`)
    .with('required', () => `${at} "${(e.params as { missingProperty: string }).missingProperty}" must be given`)
    .with('type', () => `${at} is not ${article((e.params as { type: string }).type)}`)
    .with('enum', () => {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.join(', ');
      return field === 'op' ? `${parent} unknown op ${JSON.stringify(e.data)} (one of ${allowed})` : `${at} ${JSON.stringify(e.data)} is not one of ${allowed}`;
    })
    .with('oneOf', () => {
      // Ajv tries the syn branch's oneOf before the op's type: a non-object passes both branches.
      if (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) return `${at} is not an object`;
      const names = (e.schema as { required?: string[] }[]).flatMap((b) => b.required ?? []);
      const op = (e.data as { op?: unknown } | null)?.op;
      return `${at} ${typeof op === 'string' ? `${op} ` : ''}needs exactly one of ${names.join(', ')}`;
    })
    .otherwise(() => `${at} ${e.message}`);
}
