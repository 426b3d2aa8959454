import { describe, expect, it } from 'vitest';
import { VirtualScheduler, systemScheduler } from '../../core/scheduler.js';

describe('VirtualScheduler', () => {
  it('runs timers in time order and moves the clock to each', async () => {
    const s = new VirtualScheduler({ epochMs: 1_000 });
    const seen: Array<[string, number, number]> = [];
    s.after(30, () => seen.push(['c', s.monotonic(), s.now()]));
    s.after(10, () => seen.push(['a', s.monotonic(), s.now()]));
    s.after(20, () => seen.push(['b', s.monotonic(), s.now()]));
    expect(await s.run()).toBe(3);
    expect(seen).toEqual([
      ['a', 10, 1_010],
      ['b', 20, 1_020],
      ['c', 30, 1_030],
    ]);
  });

  it('runs timers due at the same instant in the order they were set', async () => {
    const s = new VirtualScheduler();
    const order: number[] = [];
    for (let i = 0; i < 20; i++) s.after(5, () => order.push(i));
    await s.run();
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('lets promise chains started by a timer settle before the next timer runs', async () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    const chain = async (): Promise<void> => {
      await s.sleep(10);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      log.push(`chain done at ${s.monotonic()}`);
      s.after(1, () => log.push(`follow-up at ${s.monotonic()}`));
    };
    void chain();
    s.after(10.5, () => log.push(`other at ${s.monotonic()}`));
    await s.run();
    expect(log).toEqual(['chain done at 10', 'other at 10.5', 'follow-up at 11']);
  });

  it('skips cancelled timers and stops at untilMs with the clock there', async () => {
    const s = new VirtualScheduler();
    const ran: number[] = [];
    const cancel = s.after(5, () => ran.push(5));
    s.after(7, () => ran.push(7));
    s.after(50, () => ran.push(50));
    cancel();
    expect(await s.run(20)).toBe(1);
    expect(ran).toEqual([7]);
    expect(s.monotonic()).toBe(20);
    expect(await s.run()).toBe(1);
    expect(ran).toEqual([7, 50]);
  });

  it('treats a negative delay as now', async () => {
    const s = new VirtualScheduler();
    s.after(10, () => s.after(-5, () => expect(s.monotonic()).toBe(10)));
    expect(await s.run()).toBe(2);
  });
});

describe('systemScheduler', () => {
  it('is real time, sleeps and cancels', async () => {
    expect(systemScheduler.virtual).toBe(false);
    expect(Math.abs(systemScheduler.now() - Date.now())).toBeLessThan(1_000);
    let fired = false;
    const cancel = systemScheduler.after(1, () => (fired = true), true);
    cancel();
    await systemScheduler.sleep(5);
    expect(fired).toBe(false);
  });
});

describe('VirtualScheduler rounds (one settle per instant)', () => {
  it('runs every timer of an instant, then their continuations, in a fixed order', async () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    for (const name of ['a', 'b']) {
      void s.sleep(5).then(() => log.push(`${name} continued at ${s.monotonic()}`));
      s.after(5, () => log.push(`${name} ran at ${s.monotonic()}`));
    }
    await s.run();
    expect(log).toEqual(['a ran at 5', 'b ran at 5', 'a continued at 5', 'b continued at 5']);
  });

  it('runs a timer a continuation sets for now after that continuation, at the same instant', async () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    void s.sleep(3).then(() => {
      log.push('continuation');
      s.after(0, () => log.push(`zero-delay at ${s.monotonic()}`));
    });
    s.after(3, () => s.after(0, () => log.push(`set by a callback at ${s.monotonic()}`)));
    s.after(4, () => log.push('later'));
    await s.run();
    expect(log).toEqual(['continuation', 'set by a callback at 3', 'zero-delay at 3', 'later']);
  });

  it('gives the same sequence of events on every run of the same program', async () => {
    const trace = async (): Promise<string[]> => {
      const s = new VirtualScheduler();
      const log: string[] = [];
      let seed = 7;
      const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      const worker = async (id: number): Promise<void> => {
        for (let i = 0; i < 20; i++) {
          await s.sleep(Math.floor(random() * 4));
          log.push(`${id}:${i}@${s.monotonic()}`);
        }
      };
      for (let id = 0; id < 5; id++) void worker(id);
      await s.run();
      return log;
    };
    const first = await trace();
    expect(first).toHaveLength(100);
    expect(await trace()).toEqual(first);
  });

  it('rejects run() when a timer throws', async () => {
    const s = new VirtualScheduler();
    s.after(1, () => {
      throw new Error('boom');
    });
    await expect(s.run()).rejects.toThrow('boom');
  });
});

describe('VirtualScheduler.hold', () => {
  it('keeps the clock still while real work runs, so what follows it happens at the same instant', async () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    s.after(5, () => {
      // Real asynchronous work (a timer of the real clock standing for a thread-pool job).
      void s.hold(new Promise<void>((resolve) => setTimeout(resolve, 20))).then(() => {
        log.push(`real work done at ${s.monotonic()}`);
        s.after(1, () => log.push(`its follow-up at ${s.monotonic()}`));
      });
    });
    s.after(6, () => log.push(`next timer at ${s.monotonic()}`));
    await s.run();
    expect(log).toEqual(['real work done at 5', 'next timer at 6', 'its follow-up at 6']);
  });

  it('is the work itself on real time', async () => {
    const work = Promise.resolve(3);
    expect(systemScheduler.hold(work)).toBe(work);
  });
});

describe('VirtualScheduler heap', () => {
  it('keeps time order through many random sets and cancels, holding only live timers', async () => {
    const s = new VirtualScheduler();
    let seed = 3;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const expected: [number, number][] = [];
    const seen: [number, number][] = [];
    const cancels: (() => void)[] = [];
    for (let i = 0; i < 2000; i++) {
      const at = Math.floor(random() * 500);
      const cancel = s.after(at, () => seen.push([s.monotonic(), i]));
      if (random() < 0.4) cancels.push(cancel);
      else expected.push([at, i]);
    }
    for (const cancel of cancels) cancel();
    cancels[0]?.(); // twice: still a no-op
    expect(s.pending).toBe(expected.length);
    await s.run();
    expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(seen).toEqual(expected);
    expect(s.pending).toBe(0);
  });
});
