// The errors a user can cause, below every layer that throws them: the library throws them, the
// CLI prints their message on one line and exits 2 (never a stack trace).

/** Bad input: a flag, a file, a name. */
export class UsageError extends Error {}

/**
 * A scenario that cannot run: malformed, naming a socket it does not create, more ports than the
 * model's tables hold, a setup the statechart refuses, or one the real-kernel harness cannot
 * execute. Bad input too, so a UsageError.
 */
export class ScenarioError extends UsageError {
  override name = 'ScenarioError';
}

/**
 * A setup the variant cannot run (the statechart refuses one of its moves, or it cannot finish):
 * bad input when the variant's own kernel cannot run it either, a finding about the variant when
 * it can (src/engine/setup.ts tells which).
 */
export class SetupRefused extends ScenarioError {
  override name = 'SetupRefused';
  /** The scenario and the variant that could not run it (typed by their users: errors sit below the model). */
  constructor(message: string, readonly scenario: unknown, readonly variant: unknown) {
    super(message);
  }
}
