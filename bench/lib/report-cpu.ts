/**
 * Loaded with `node --import` into a process a benchmark measures from outside (bench/workers.ts
 * runs `pushsim run` so): at exit, writes the process's CPU (every thread, µs; process.cpuUsage)
 * as JSON to the file named by PUSHSIM_BENCH_CPU_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.PUSHSIM_BENCH_CPU_FILE;
if (file !== undefined) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(file, JSON.stringify({ cpuMicros: user + system }));
  });
}
