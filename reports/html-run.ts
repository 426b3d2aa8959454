/**
 * Two sections of the HTML report (html.ts places them): the run's configuration (result.config,
 * reports/run-config.ts) as a definition list, and, for a run to several providers, one row per
 * provider with its outcomes and accepted latency (result.providers). Pure functions of the Result.
 */
import { outcomeStatuses } from '../sender/outcome.js';
import type { Result } from './result.js';
import { configRows } from './run-config.js';
import { ms, percent } from './format.js';
import { escapeHtml, paragraph, section, table } from './html-page.js';

/** The run's configuration, or '' for a result that does not record it (files from before `config`). */
export function configSection(result: Result): string {
  if (result.config === undefined) return '';
  const rows = configRows(result.config, {
    ...(result.pushsim !== undefined && { pushsim: result.pushsim }),
    ...(result.workers !== undefined && { workers: result.workers }),
    ...(result.shards !== undefined && { shards: `${result.shards.count}, merged` }),
    ...(result.shard !== undefined && { shards: `this is shard ${result.shard.index}/${result.shard.count}` }),
    virtual: result.virtual !== undefined,
  });
  const list = rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('\n');
  return section('Configuration', `${paragraph('What the run was made with, command-line flags applied (result.json "config"; no keys or credentials are recorded).')}\n<dl class="config">\n${list}\n</dl>`);
}

/** Per provider: notifications by outcome and the accepted latency, or '' unless the run sent to several. */
export function providersSection(result: Result): string {
  const providers = Object.entries(result.providers ?? {});
  if (providers.length === 0) return '';
  const rows = providers.map(([name, p]) => {
    const total = outcomeStatuses.reduce((sum, status) => sum + p[status], 0);
    const latency = p.acceptedLatencyMs;
    const accepted = latency.count > 0;
    return [name, String(total), ...outcomeStatuses.map((status) => String(p[status])), percent(p.accepted, total), accepted ? ms(latency.p50) : '—', accepted ? ms(latency.p99) : '—', accepted ? ms(latency.max) : '—'];
  });
  return section(
    'Per provider',
    [
      paragraph('Each provider of the mix: how its notifications ended, and the end-to-end latency (ms) of those it accepted, from its own HDR histogram.'),
      table(['provider', 'notifications', ...outcomeStatuses, 'accepted %', 'accepted p50', 'accepted p99', 'accepted max'], rows),
    ].join('\n'),
  );
}

/** The definition list's layout: labels in a narrow column beside their values. */
export const runSectionsStyle = `
dl.config { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .5rem 0; }
dl.config dt { color: #566573; } dl.config dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
`;
