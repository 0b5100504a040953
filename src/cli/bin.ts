// The executable: dist/cli.js, bundled from here by scripts/build.mjs.
import { fileURLToPath } from 'node:url';
import { main } from './main.ts';
import { setCliEntry } from './interrupt.ts';

// explore, outcomes and witness run themselves again in a worker that Ctrl-C can stop.
setCliEntry(fileURLToPath(import.meta.url));
process.exitCode = await main(process.argv.slice(2));
