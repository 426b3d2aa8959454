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
