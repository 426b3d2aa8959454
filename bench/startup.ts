/**
 * Start-up of the CLI and of the sender's import, as whole processes (bench/lib/startup.ts);
 * `npm run bench` puts the same table in docs/benchmarks.md.
 *
 *   node dist/bench/startup.js [rounds=5]
 */
import { measureStartup, startupTable } from './lib/startup.js';

const rounds = Number(process.argv[2] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) throw new Error(`rounds must be a whole number from 1 to 100, got ${process.argv[2]}`);
console.log(startupTable(await measureStartup(rounds)).join('\n'));
