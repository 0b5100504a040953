// The lifecycle statechart compiled once into a lookup table, state x event -> next state.
// XState's transition() costs microseconds; the model takes millions of steps, so each step
// reads this table instead. test/lifecycle checks the table against the machine itself.

import { transition, type AnyStateMachine } from 'xstate';
import { LIFE_EVENTS, socketLifecycle, type LifeEvent } from './machine.ts';

/** A refused move in the table. */
export const REFUSED = 255;

interface LifeTable {
  /** State names; a socket's `life` field is an index into this list. */
  states: readonly string[];
  events: readonly LifeEvent[];
  /** next[state * events.length + event] = next state index, or REFUSED. */
  next: Uint8Array;
  initial: number;
}

/** Asks the machine itself, for every state and event, whether and where it moves. */
function compileLifecycle(): LifeTable {
  // Seen as any machine: asking the machine itself needs none of its precise types, and checking
  // these calls against them took the type-checker 7 s, a third of the whole project's check.
  const machine = socketLifecycle as unknown as AnyStateMachine;
  const states = Object.keys(machine.config.states ?? {});
  const next = new Uint8Array(states.length * LIFE_EVENTS.length).fill(REFUSED);
  states.forEach((name, si) => {
    const snapshot = machine.resolveState({ value: name, context: undefined as never });
    LIFE_EVENTS.forEach((type, ei) => {
      if (!snapshot.can({ type })) return;
      const [after] = transition(machine, snapshot, { type });
      next[si * LIFE_EVENTS.length + ei] = states.indexOf(String(after.value));
    });
  });
  return { states, events: LIFE_EVENTS, next, initial: states.indexOf(String(machine.config.initial)) };
}

export const LIFE = compileLifecycle();

/** Index of a lifecycle state by name. */
export const lifeState = (name: string): number => {
  const i = LIFE.states.indexOf(name);
  if (i < 0) throw new Error(`unknown lifecycle state ${name}`);
  return i;
};
