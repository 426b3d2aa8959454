/**
 * Loaded with `node --import` into a process a benchmark measures from outside (bench/recipients-rss.ts
 * runs `pushsim run` so): at exit writes the process's peak resident set (ru_maxrss, every thread,
 * KiB: what `/usr/bin/time -v` prints as "Maximum resident set size"), its memoryUsage() at the
 * sampled peak and at exit,
 * as JSON, to the file named by PUSHSIM_BENCH_RSS_FILE.
 */
import { writeFileSync } from 'node:fs';

const file = process.env['PUSHSIM_BENCH_RSS_FILE'];
if (file !== undefined) {
  // Where the peak was: memoryUsage() sampled every 100 ms, the sample with the largest RSS kept.
  let atPeak = process.memoryUsage();
  setInterval(() => {
    const now = process.memoryUsage();
    if (now.rss > atPeak.rss) atPeak = now;
  }, 100).unref();
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, atPeak, atExit: process.memoryUsage() }));
  });
}
