// UsageError lives in src/errors.ts (the library throws it too); the CLI's modules import it from here.
export { UsageError } from '../errors.ts';
