// What a search never exercised: model steps never run, statechart moves never taken.

import { LIFE, REFUSED } from '../../model/lifecycle/table.ts';
import { LIFE_EVENTS } from '../../model/lifecycle/machine.ts';
import { COVERAGE_STRIDE, type System } from '../../model/system.ts';

export interface Coverage {
  stepsNeverRun: string[];
  lifecycleMovesNeverTaken: string[];
}

/** From the search's marks: stepsRun[program.id * COVERAGE_STRIDE + pc], lifeCoverage[state * events + event]. */
export function coverage(sys: System, stepsRun: Uint8Array, lifeCoverage: Uint8Array): Coverage {
  const allSteps = new Map<string, number>();
  sys.threads.slice(0, sys.concurrent).forEach((th) => th.programs.forEach((pr) => pr.steps.forEach((s, pc) => allSteps.set(`${pr.name}:${s.id}`, pr.id * COVERAGE_STRIDE + pc))));
  const lifecycleMovesNeverTaken: string[] = [];
  LIFE.states.forEach((st, si) => LIFE_EVENTS.forEach((ev, ei) => {
    const cell = si * LIFE_EVENTS.length + ei;
    if (LIFE.next[cell] !== REFUSED && !lifeCoverage[cell]) lifecycleMovesNeverTaken.push(`${st} --${ev}--> ${LIFE.states[LIFE.next[cell]]}`);
  }));
  return { stepsNeverRun: [...allSteps].filter(([, at]) => !stepsRun[at]).map(([key]) => key).sort(), lifecycleMovesNeverTaken };
}
