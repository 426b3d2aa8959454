/**
 * deploy/grafana/pushsim-run.json checked offline: it parses, every panel queries the dashboard's
 * Prometheus data source, and every metric name in its PromQL is one `pushsim run --metrics-port`
 * exports (a renamed metric would otherwise leave a panel silently empty); the panels the README
 * promises are there.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runMetricNames } from '../../cli/run-metrics-registry.js';

const file = join(import.meta.dirname, '../../deploy/grafana/pushsim-run.json');

const datasource = z.object({ type: z.literal('prometheus'), uid: z.literal('${datasource}') });
const dashboard = z.object({
  title: z.string(),
  uid: z.string(),
  schemaVersion: z.number(),
  templating: z.object({ list: z.array(z.object({ name: z.string(), type: z.string() })) }),
  panels: z.array(
    z.object({
      id: z.number(),
      type: z.string(),
      title: z.string(),
      datasource,
      gridPos: z.object({ x: z.number(), y: z.number(), w: z.number(), h: z.number() }),
      targets: z.array(z.object({ refId: z.string(), expr: z.string().min(1), datasource })).min(1),
    }),
  ),
});

/** PromQL's own words, which look like metric names but are not. */
const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset']);

/** The metric names a PromQL expression reads: identifiers outside label matchers, ranges and groupings that are not functions. */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)(\s*\()?/g)].filter((m) => m[2] === undefined && !keywords.has(m[1] as string)).map((m) => m[1] as string);
}

/** What the registry exports, histograms with their _bucket, _sum and _count series. */
const exported = new Set(runMetricNames.flatMap((name) => (name.endsWith('_seconds') && name.includes('latency') ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])));

describe('deploy/grafana/pushsim-run.json', () => {
  it('reads only metrics the runner exports, through the dashboard\'s Prometheus data source', async () => {
    const parsed = dashboard.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(parsed.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance']);
    const ids = parsed.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const used = new Set<string>();
    for (const panel of parsed.panels) {
      for (const { expr } of panel.targets) {
        const names = metricNamesOf(expr);
        expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of names) {
          expect(exported.has(name), `${panel.title}: ${name} in ${expr}`).toBe(true);
          used.add(name);
        }
      }
    }
    // What the README promises: achieved against target, outcomes by reason, latency quantiles, phase, breaker, in flight.
    for (const name of ['pushsim_run_target_rate_per_second', 'pushsim_run_achieved_rate_per_second', 'pushsim_run_reasons_total', 'pushsim_run_latency_seconds_bucket', 'pushsim_run_fault_phase', 'pushsim_run_breaker_state', 'pushsim_run_in_flight', 'pushsim_run_dropped_by_pushsim_total']) {
      expect(used, name).toContain(name);
    }
  });

  it('the name reader finds metric names and skips functions, labels, ranges and groupings (so the check above can fail)', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (le) (rate(pushsim_run_latency_seconds_bucket{state="accepted",x=~"a|b"}[$__rate_interval])))')).toEqual(['pushsim_run_latency_seconds_bucket']);
    expect(metricNamesOf('max by (phase) (pushsim_run_fault_phase{instance=~"$instance"}) == 1')).toEqual(['pushsim_run_fault_phase']);
    expect(metricNamesOf('sum(rate(pushsim_run_typo_total[1m])) / sum(up)')).toEqual(['pushsim_run_typo_total', 'up']);
    expect(exported.has('pushsim_run_typo_total')).toBe(false);
  });
});
