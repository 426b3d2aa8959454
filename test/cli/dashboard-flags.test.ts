/** `--dashboard[=PORT]` and `--dashboard-linger` (cli/dashboard-flags.ts): which port, and what a wrong value says. */
import { describe, expect, it } from 'vitest';
import { dashboardPort, dashboardPortOf, defaultDashboardPort } from '../../cli/dashboard-flags.js';

describe('--dashboard', () => {
  it('alone is the default port (k6\'s 5665); =0 a free one; =PORT that port; absent none, unless --dashboard-linger asks', () => {
    expect(defaultDashboardPort).toBe(5665);
    expect(dashboardPortOf({ dashboard: true })).toBe(5665);
    expect(dashboardPortOf({ dashboard: 0 })).toBe(0);
    expect(dashboardPortOf({ dashboard: 8080 })).toBe(8080);
    expect(dashboardPortOf({})).toBeUndefined();
    expect(dashboardPortOf({ dashboardLinger: true })).toBe(5665);
  });

  it('a port out of range, or a word that is not one (the scenario taken as the value), says how to write it', () => {
    expect(dashboardPort('0')).toBe(0);
    expect(dashboardPort('65535')).toBe(65535);
    for (const bad of ['65536', '-1', '0x50', 'brownout.yaml', '']) {
      expect(() => dashboardPort(bad), bad).toThrow(`expected a port from 0 to 65535 (0 picks a free one), got "${bad}"; write --dashboard=PORT, or put --dashboard after the scenario`);
    }
  });
});
