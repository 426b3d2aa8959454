/**
 * What every pushsim HTML page shares (the run report, html.ts; the tuning report, tune-html.ts):
 * escaping, script-safe JSON, uPlot inlined once, tables and sections, one stylesheet, and a
 * document that fetches nothing (its Content-Security-Policy forbids it), so a page opened from CI
 * artifacts works offline.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// ─── escaping ────────────────────────────────────────────────────────────────────────────────────

// C0/C1 controls (but tab and newline) are parse errors in HTML and can reach a terminal that `cat`s
// the file; replaced with "?" as formatText does.
// eslint-disable-next-line no-control-regex
const controls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Text for element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replace(controls, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON that is safe inside `<script>`: no `<` (so neither `</script>` nor `<!--` can appear), `>`
 * and `&` escaped as well, and U+2028/U+2029 escaped (line terminators in pre-ES2019 JavaScript).
 * Still valid JSON, and parses to the same value.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// ─── uPlot ───────────────────────────────────────────────────────────────────────────────────────

let uplot: { readonly js: string; readonly css: string } | undefined;

/**
 * uPlot's IIFE bundle and stylesheet, resolved from this module (works from the TS sources and from
 * dist/). A `</script` or `</style` inside them would end the element early; neither occurs in
 * uPlot 1.6, and this makes sure of it.
 */
function uplotAssets(): { readonly js: string; readonly css: string } {
  if (uplot === undefined) {
    const require = createRequire(import.meta.url);
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8').replace(/<\/(script)/gi, '<\\/$1');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8').replace(/<\/(style)/gi, '<\\/$1');
    uplot = { js, css };
  }
  return uplot;
}

/** A table with escaped cells; columns after the first are numeric (right-aligned) unless `textColumns`. */
export function table(head: readonly string[], rows: readonly (readonly string[])[], options: { readonly textColumns?: number; readonly rowClass?: (row: number) => string } = {}): string {
  const textColumns = options.textColumns ?? 1;
  const cell = (tag: 'th' | 'td', text: string, i: number): string => `<${tag}${i >= textColumns ? ' class="num"' : ''}>${escapeHtml(text)}</${tag}>`;
  const body = rows.map((row, r) => {
    const rowClass = options.rowClass?.(r);
    return `<tr${rowClass ? ` class="${escapeHtml(rowClass)}"` : ''}>${row.map((text, i) => cell('td', text, i)).join('')}</tr>`;
  });
  return `<table>\n<thead><tr>${head.map((text, i) => cell('th', text, i)).join('')}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}

export const section = (title: string, content: string): string => `<section>\n<h2>${escapeHtml(title)}</h2>\n${content}\n</section>`;
export const paragraph = (text: string, className?: string): string => `<p${className ? ` class="${className}"` : ''}>${escapeHtml(text)}</p>`;

const style = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1c2833; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; } h2 { font-size: 1.1rem; margin-top: 2rem; border-bottom: 1px solid #d5d8dc; padding-bottom: .2rem; }
.meta { color: #566573; margin-top: 0; }
table { border-collapse: collapse; margin: .5rem 0; } th, td { padding: .2rem .8rem; border-bottom: 1px solid #eaeded; text-align: left; }
th { background: #f4f6f6; } .num { text-align: right; font-variant-numeric: tabular-nums; }
.pass td:last-child, .ok { color: #1b7f3b; font-weight: 600; } .fail td:last-child, .broken { color: #c0392b; font-weight: 600; }
#latency-chart { width: 100%; min-height: 360px; } #timeline-chart { width: 100%; min-height: 300px; } #timeline-events-chart { width: 100%; min-height: 180px; margin-top: .5rem; }
`;

/** The whole document: `body` is trusted markup (built from escaped parts); uPlot is inlined when a chart needs it. */
export function htmlPage(title: string, body: string, extraStyle = ''): string {
  // uPlot once, before any chart's script, only when a chart is drawn.
  const charts = body.includes('<script>') ? uplotAssets() : undefined;
  const assets = charts === undefined ? '' : `<style>${charts.css}</style>\n<script>${charts.js}</script>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${style}${extraStyle}</style>
${assets}</head>
<body>
${body}
</body>
</html>
`;
}
