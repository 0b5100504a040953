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
