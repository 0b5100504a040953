// The one verdict type: what `check` and `explore` say of a property, and what the report shows.

import { match } from 'ts-pattern';

export type Verdict =
  | 'holds'
  | 'violated'
  | 'violated as expected'
  | 'expected violation not found'
  /** explore stopped at a bound before visiting every state. */
  | 'not proven'
  | 'not applicable';

/**
 * Whether the verdict is a finding: something other than documented behaviour, which makes the
 * command exit 1. A bound reached is not a finding ("not proven" is not "proven wrong").
 */
export function isFinding(v: Verdict): boolean {
  return match(v)
    .with('violated', 'expected violation not found', () => true)
    .with('holds', 'violated as expected', 'not proven', 'not applicable', () => false)
    .exhaustive();
}
