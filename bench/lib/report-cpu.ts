/**
 * Loaded with `node --import` into a process a benchmark measures from outside (bench/workers.ts
 * runs `pushsim run` so): samples the process's CPU (every thread, µs; process.cpuUsage) against
 * the wall clock every 50 ms, and at exit writes the samples and the total as JSON to the file
 * named by PUSHSIM_BENCH_CPU_FILE, so the CPU of the measured run alone (result.json's startedAt +
 * durationMs) can be read off between two samples.
 */
import { writeFileSync } from 'node:fs';

export interface CpuSamples {
  /** [epoch ms, CPU µs since the process started]. */
  readonly samples: readonly (readonly [number, number])[];
  readonly cpuMicros: number;
}

const file = process.env.PUSHSIM_BENCH_CPU_FILE;
if (file !== undefined) {
  const samples: [number, number][] = [];
  const sample = (): void => {
    const { user, system } = process.cpuUsage();
    samples.push([Date.now(), user + system]);
  };
  setInterval(sample, 50).unref();
  process.on('exit', () => {
    sample();
    const report: CpuSamples = { samples, cpuMicros: samples.at(-1)?.[1] ?? 0 };
    writeFileSync(file, JSON.stringify(report));
  });
}

/** The CPU (µs) at epoch ms `at`, interpolated between the samples around it. */
export function cpuAt({ samples }: CpuSamples, at: number): number {
  const after = samples.findIndex(([t]) => t >= at);
  if (after <= 0) return after === 0 ? (samples[0]?.[1] ?? 0) : (samples.at(-1)?.[1] ?? 0);
  const [t0, c0] = samples[after - 1] as readonly [number, number];
  const [t1, c1] = samples[after] as readonly [number, number];
  return t1 === t0 ? c1 : c0 + ((c1 - c0) * (at - t0)) / (t1 - t0);
}
