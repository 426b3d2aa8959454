/**
 * Benchmarks run servers in child processes so that the process being measured (a sender, or the
 * server under h2load) has its CPU to itself and process.cpuUsage() counts only its own work.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  readonly url: string;
  readonly stdout: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Children still running: never left behind when the benchmark itself dies (one listener for all). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Runs a built script (path relative to dist/; this file is dist/bench/lib/children.js) and waits
 * for it to print `listening on <url>`. `nodeOptions` go before the script (e.g. `--cpu-prof`).
 */
export function startChild(script: string, args: readonly string[] = [], readyPattern = /listening on (\S+)/, nodeOptions: readonly string[] = []): Promise<Child> {
  const path = fileURLToPath(new URL(`../../${script}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeOptions, path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 20 s: ${stdout}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${stdout}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = readyPattern.exec(stdout);
      if (match?.[1] && (!stdout.includes('credentials') || stdout.includes('credentials.json'))) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          get stdout() {
            return stdout;
          },
          process: child,
          stop: () =>
            new Promise<void>((done) => {
              child.removeAllListeners('exit');
              child.on('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

/** CPU microseconds a child process used, from /proc (Linux); undefined elsewhere. */
export async function childCpuMicros(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { readFile } = await import('node:fs/promises');
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ');
    if (!stat) return undefined;
    // Fields 14 and 15 (utime, stime) in clock ticks; after the ") " split they are at 11 and 12.
    const ticks = Number(stat[11]) + Number(stat[12]);
    return (ticks / 100) * 1e6;
  } catch {
    return undefined;
  }
}

/**
 * CPU microseconds of a process and every process it started that still runs (a mock's node:cluster
 * workers), from /proc/PID/task/TID/children (Linux); undefined when the process itself is unreadable.
 */
export async function processTreeCpuMicros(pid: number | undefined): Promise<number | undefined> {
  const own = await childCpuMicros(pid);
  if (pid === undefined || own === undefined) return own;
  const { readdir, readFile } = await import('node:fs/promises');
  let total = own;
  try {
    for (const task of await readdir(`/proc/${pid}/task`)) {
      const children = (await readFile(`/proc/${pid}/task/${task}/children`, 'utf8')).trim();
      for (const child of children === '' ? [] : children.split(' ')) total += (await processTreeCpuMicros(Number(child))) ?? 0;
    }
  } catch {
    // No children file (older kernels): the process's own CPU only.
  }
  return total;
}

