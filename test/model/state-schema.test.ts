import { describe, expect, it } from 'vitest';
import { Kernel, KernelReader, type ReadonlyKernel } from '../../model/kernel-view.ts';
import { compileProgram, patchStep, RETURN, type Program } from '../../model/program.ts';
import { diffStates, locate, SK, TB } from '../../model/state.ts';
import { SOCKET_FIELDS, TB_FIELDS } from '../../model/state-schema.ts';
import { compileSystem } from '../../model/system.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import type { Variant } from '../../model/variant.ts';
import { findProperty, PROPERTIES } from '../../properties/registry.ts';
import { runSchedule } from '../../src/engine/run.ts';
import { listenRace } from '../../src/scenarios/builtin.ts';

const typeOk = findProperty('type-ok')!;
const check = (k: ReadonlyKernel, sys: ReturnType<typeof compileSystem>) => (typeOk.kind === 'invariant' ? typeOk.check(k, sys) : 'not an invariant');

describe('the state schema', () => {
  const sys = compileSystem(listenRace(2), linux43);

  it('lays every socket and bucket field where the view reads it', () => {
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
    k.setLockOwner(1, 0);
    k.setHeadLock(0, 1);
    const [sock, tb] = diffStates(sys.L, sys.names, sys.init, k.s);
    expect(sock).toMatchObject({ section: 'socket', index: 1, record: 'B', field: 'lockOwner', kind: SOCKET_FIELDS.lockOwner, from: 0, to: 1 });
    expect(tb).toMatchObject({ section: 'tb', index: 0, record: '8080', field: 'lock', kind: TB_FIELDS.lock, from: 0, to: 2 });
    expect(locate(sys.L, sys.L.skBase + 1 * Object.keys(SOCKET_FIELDS).length + SK.group).section.fields[SK.group].name).toBe('group');
    expect(TB.lock).toBe(Object.keys(TB_FIELDS).indexOf('lock'));
  });

  it('type-ok holds on every state of a run and catches a byte outside its domain', () => {
    const r = runSchedule(sys, [{ thread: 1, steps: 3 }], { properties: PROPERTIES });
    expect(r.violation).toBeNull();
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, r.final.slice());
    expect(check(k, sys)).toBeNull();
    // A listening-bucket lock held by a thread that does not exist.
    k.s[sys.L.lbBase + 2] = sys.L.threads + 1;
    expect(check(k, sys)).toBe(`lhash[2].lock holds ${sys.L.threads + 1}, outside its domain (ref)`);
    // sk_state 3 is no state the model knows.
    const k2 = new KernelReader(sys.L, sys.socks, sys.ephemeral, r.final.slice());
    k2.s[sys.L.skBase + SK.state] = 3;
    expect(check(k2, sys)).toBe('socket[0].state holds 3, outside its domain (enum)');
  });

  it('type-ok judged from the changed bytes (compared words, or the write log) gives check\'s answer on every byte a transition could spoil', () => {
    if (typeOk.kind !== 'invariant' || !typeOk.checkFrom) throw new Error('type-ok has no checkFrom');
    const from = runSchedule(sys, [{ thread: 0, steps: 2 }], { properties: PROPERTIES }).final;
    const padded = (sys.L.size + 3) & ~3;
    const before = new Uint8Array(padded), after = new Uint8Array(padded);
    before.set(from);
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, after);
    let bad = 0;
    // Every byte, set to every value: the incremental check must agree with the whole one.
    for (let at = 0; at < sys.L.size; at++) {
      for (let v = 0; v < 256; v++) {
        after.set(before);
        after[at] = v;
        const whole = typeOk.check(k, sys);
        const words = { before: new Int32Array(before.buffer), after: new Int32Array(after.buffer) };
        expect(typeOk.checkFrom(k, sys, { ...words, offsets: null, count: 0 })).toBe(whole);
        // The same from the write log, with a repeat and a byte written back unchanged.
        expect(typeOk.checkFrom(k, sys, { ...words, offsets: Int32Array.of(0, at, at), count: 3 })).toBe(whole);
        if (whole !== null) bad++;
      }
    }
    expect(bad).toBeGreaterThan(sys.L.size); // the loop reached values outside the domains
  });

  it('the read-only view has no setter (the compiler says so)', () => {
    const k: ReadonlyKernel = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
    // @ts-expect-error: a property or blocked() cannot write the state
    expect(() => k.setErr(0, 1)).not.toThrow();
    // @ts-expect-error: nor reach the buffer
    expect(k.s).toBeInstanceOf(Uint8Array);
  });
});

describe('jump labels', () => {
  const listen = linux43.programs.listen;
  const first = listen.steps[0].id;

  it('a jump to an unknown label fails loudly when the step runs, naming program, step and label', () => {
    const typo: Variant = { ...linux43, id: 'typo', programs: { ...linux43.programs, listen: patchStep(listen, first, { run: () => 'no-such-step' }) } };
    const sys = compileSystem(listenRace(1), typo);
    expect(() => runSchedule(sys, [], { properties: [] })).toThrow(`program listen: step ${first} jumps to unknown label "no-such-step"`);
  });

  it('a declared jump target that is no label fails when the program is compiled', () => {
    const bad: Program = patchStep(listen, first, { jumps: ['no-such-step', RETURN] });
    expect(() => compileProgram(bad)).toThrow(`program listen: step ${first} jumps to unknown label "no-such-step"`);
    expect(() => compileProgram(patchStep(listen, first, { jumps: [listen.steps[1].id, RETURN] }))).not.toThrow();
  });

  it('a setup that jumps to an unknown label fails when the scenario is compiled', () => {
    const bind = linux43.programs.bind;
    const typo: Variant = { ...linux43, id: 'typo', programs: { ...linux43.programs, bind: patchStep(bind, bind.steps[0].id, { run: () => 'nowhere' }) } };
    expect(() => compileSystem(listenRace(1), typo)).toThrow(/jumps to unknown label "nowhere"/);
  });
});
