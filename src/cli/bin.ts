// The executable: dist/cli.js, bundled from here by scripts/build.mjs.
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
