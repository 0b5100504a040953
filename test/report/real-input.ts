// A report input built from a real check run (not hand-written like sample.ts): listen-race-2 on
// linux-4.3 with every property, so it holds the both-fail counterexample.

import { checkProperties } from '../../src/engine/check.ts';
import { reportFromCheck } from '../../src/report/from-check.ts';
import type { ReportInput } from '../../src/report/types.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { listenRace } from '../../src/scenarios/builtin.ts';

/** The report input of a real check: listen-race-2 on linux-4.3, every property. */
export function realReportInput(): ReportInput {
  const verdicts = checkProperties({
    variant: linux43, scenarios: [listenRace(2)], generated: false, properties: PROPERTIES,
    runs: 300, seed: 1, scheduler: 'random', depth: 2, merge: true,
  });
  return reportFromCheck({
    verdicts, variant: linux43, properties: PROPERTIES, merge: true, title: 'check linux-4.3', subtitle: 'seed 1',
    replay: (v) => `npx tcp-listen-model check --property ${v.id}`,
  });
}

