import { describe, expect, it } from 'vitest';
import { transition } from 'xstate';
import { LIFE, REFUSED, lifeState } from '../../model/lifecycle/table.ts';
import { LIFE_EVENTS, socketLifecycle } from '../../model/lifecycle/machine.ts';

describe('the compiled lifecycle table', () => {
  it('agrees with the XState machine on every state x event', () => {
    for (const [si, name] of LIFE.states.entries()) {
      const snap = socketLifecycle.resolveState({ value: name, context: undefined as never });
      for (const [ei, type] of LIFE_EVENTS.entries()) {
        const cell = LIFE.next[si * LIFE_EVENTS.length + ei];
        if (!snap.can({ type })) {
          expect(cell, `${name} x ${type}`).toBe(REFUSED);
          continue;
        }
        const [after] = transition(socketLifecycle, snap, { type });
        expect(LIFE.states[cell], `${name} x ${type}`).toBe(String(after.value));
      }
    }
  });

  it('has the race window as a state of its own, left only by get_port', () => {
    const rw = lifeState('raceWindow');
    const moves = LIFE_EVENTS.filter((_, e) => LIFE.next[rw * LIFE_EVENTS.length + e] !== REFUSED);
    expect(moves).toEqual(['GET_PORT_OK', 'GET_PORT_FAIL']);
  });

  it('sends a failed get_port back to TCP_CLOSE only through the rollback', () => {
    const at = (s: string, e: (typeof LIFE_EVENTS)[number]) => LIFE.states[LIFE.next[lifeState(s) * LIFE_EVENTS.length + LIFE_EVENTS.indexOf(e)]];
    expect(at('raceWindow', 'GET_PORT_FAIL')).toBe('rejected');
    expect(at('rejected', 'ROLLBACK_TO_BOUND')).toBe('bound');
    expect(LIFE.next[lifeState('rejected') * LIFE_EVENTS.length + LIFE_EVENTS.indexOf('HASH_OK')]).toBe(REFUSED);
    expect(LIFE.next[lifeState('raceWindow') * LIFE_EVENTS.length + LIFE_EVENTS.indexOf('HASH_OK')]).toBe(REFUSED);
  });

  it('starts in unbound, as a zeroed socket record does', () => {
    expect(LIFE.initial).toBe(0);
    expect(LIFE.states[0]).toBe('unbound');
  });
});
