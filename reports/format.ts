/**
 * Small formatting pieces the text-based reports share (text.ts, compare.ts, html.ts): numbers as
 * the reports print them, control characters neutralised, and aligned tables.
 */

/**
 * Strings in a result.json may come from someone else's file: control characters are replaced so a
 * crafted reason or scenario name cannot move the cursor or rewrite the terminal.
 */
// eslint-disable-next-line no-control-regex
export const safe = (text: string): string => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/** Milliseconds: 3 decimals below 1 ms (µs resolution matters there), 2 above. */
export const ms = (value: number): string => value.toFixed(value < 1 ? 3 : 2);
export const perSecond = (value: number): string => `${value.toFixed(1)}/s`;
export const percent = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : '—');
export const duration = (durationMs: number): string => (durationMs < 1000 ? `${ms(durationMs)} ms` : `${(durationMs / 1000).toFixed(2)} s`);

// eslint-disable-next-line no-control-regex
const visibleWidth = (cell: string): number => cell.replace(/\x1b\[\d+m/g, '').length;

/**
 * Rows padded so every column lines up (widths ignore ANSI colour codes). Columns are right-aligned
 * (numbers) except those `leftAligned` says: by default the first.
 */
export function table(rows: readonly (readonly string[])[], leftAligned: (column: number, columns: number) => boolean = (column) => column === 0): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleWidth(cell)));
        return leftAligned(i, row.length) ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd(),
  );
}
