import { describe, expect, it } from 'vitest';
import { VirtualScheduler } from '../../../core/scheduler.js';
import { DeadlineList, type DeadlineEntry } from '../../../sender/http2/deadlines.js';

class Attempt implements DeadlineEntry<Attempt> {
  deadline = 0;
  previous: Attempt | undefined = undefined;
  next: Attempt | undefined = undefined;
  constructor(readonly name: string) {}
}

function onScheduler(scheduler: VirtualScheduler) {
  return { now: () => scheduler.monotonic(), after: (ms: number, run: () => void) => scheduler.after(ms, run) };
}

describe('DeadlineList (request timeouts on one timer, shared by the pool and the simulated transport)', () => {
  it('expires attempts in start order at start + timeout, one timer at a time', async () => {
    const scheduler = new VirtualScheduler();
    const expired: string[] = [];
    const list = new DeadlineList<Attempt>(onScheduler(scheduler), 100, (attempt) => expired.push(`${attempt.name}@${scheduler.monotonic()}`));
    list.add(new Attempt('a'));
    scheduler.after(30, () => list.add(new Attempt('b')));
    const c = new Attempt('c');
    scheduler.after(40, () => list.add(c));
    scheduler.after(60, () => list.remove(c));
    expect(scheduler.pending).toBe(4);
    await scheduler.run();
    expect(expired).toEqual(['a@100', 'b@130']);
  });

  it('cancelWhenEmpty: removing the last attempt cancels the timer, so a virtual clock can run out', async () => {
    const scheduler = new VirtualScheduler();
    const kept = new DeadlineList<Attempt>(onScheduler(scheduler), 1000, () => {});
    const attempt = new Attempt('a');
    kept.add(attempt);
    kept.remove(attempt);
    expect(scheduler.pending).toBe(1); // the pool's way: the timer stays, and re-arms for nothing when it fires
    await scheduler.run();
    const cancelled = new DeadlineList<Attempt>(onScheduler(scheduler), 1000, () => {}, { cancelWhenEmpty: true });
    const other = new Attempt('b');
    cancelled.add(other);
    cancelled.remove(other);
    expect(scheduler.pending).toBe(0);
  });
});
