import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines, Exchange } from '../../../sender/http2/exchange.js';
import type { TransportRequest } from '../../../sender/transport.js';

const request: TransportRequest = { method: 'POST', path: '/3/device/abc', headers: {} };
const exchange = (): Exchange => new Exchange(request, undefined, () => {});

describe('Deadlines (one timer for a pool\'s request timeouts)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('expires each exchange once its timeout has passed, in start order, and never one removed in time', () => {
    const expired: Exchange[] = [];
    const deadlines = new Deadlines(100, (x) => expired.push(x));
    const [a, b, c] = [exchange(), exchange(), exchange()];
    deadlines.add(a);
    vi.advanceTimersByTime(30);
    deadlines.add(b);
    vi.advanceTimersByTime(30);
    deadlines.add(c);
    deadlines.remove(b);
    vi.advanceTimersByTime(40); // a is due (100 ms)
    expect(expired).toEqual([a]);
    vi.advanceTimersByTime(59); // c is due at 160 ms, b would have been at 130 ms
    expect(expired).toEqual([a]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual([a, c]);
  });

  it('keeps one timer however many requests are running', () => {
    const deadlines = new Deadlines(1000, () => {});
    const all = Array.from({ length: 50 }, exchange);
    for (const x of all) {
      deadlines.add(x);
      vi.advanceTimersByTime(1);
    }
    expect(vi.getTimerCount()).toBe(1);
    // The head answered early: its timer fires (at 1000 ms) for nothing and re-arms for the new head.
    deadlines.remove(all[0] as Exchange);
    vi.advanceTimersByTime(950);
    expect(vi.getTimerCount()).toBe(1);
    for (const x of all) deadlines.remove(x);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores removing an exchange that is not on the list', () => {
    const deadlines = new Deadlines(10, () => {});
    const [a, b] = [exchange(), exchange()];
    deadlines.add(a);
    deadlines.remove(b);
    deadlines.remove(a);
    deadlines.remove(a);
    const expired: Exchange[] = [];
    const next = new Deadlines(10, (x) => expired.push(x));
    next.add(a);
    vi.advanceTimersByTime(10);
    expect(expired).toEqual([a]);
  });
});
