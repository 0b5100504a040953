// Reads a scenario by name or from a JSON file, and checks it against schemas/scenario.schema.json
// plus the cross-references a schema cannot express (a socket named in an op must exist).

import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { rootPath } from '../paths.ts';
import { readJsonFile } from '../read-json.ts';
import { checkSocketNames, type Scenario } from '../../model/scenario.ts';
import { builtinScenario, BUILTIN_SCENARIOS } from './builtin.ts';
import { ScenarioError, UsageError } from '../errors.ts';

const schema = JSON.parse(readFileSync(rootPath('schemas', 'scenario.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: false }).compile(schema);

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

/** Validates parsed JSON as a scenario; `source` names it in errors. */
export function checkScenario(data: unknown, source: string): Scenario {
  if (!validate(data)) {
    const e = validate.errors![0];
    const at = e.instancePath || '(top level)';
    const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
    throw new ScenarioError(`scenario ${source}: ${at} ${e.message}${extra}`);
  }
  const s = data as Scenario;
  checkSocketNames(s, source);
  return s;
}
