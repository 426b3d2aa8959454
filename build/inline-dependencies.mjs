/**
 * Build step after `tsc`: rewrites chosen dist/ modules so that the npm packages they import are
 * inlined, tree-shaken, into the module itself (rolldown). pushsim's own modules stay separate
 * imports, so there is still one copy of each of them (and `instanceof` keeps working).
 *
 * Why: `pushsim report`, `merge` and `compare` validate result.json with zod, whose package loads
 * ~90 modules (64 of them locales) — 140 ms of a 300 ms start on a 2-core machine. Inlined and
 * tree-shaken (zod/mini and its English messages) it is one 59 kB file that loads in ~15 ms
 * (bench/startup.ts measures the commands).
 *
 *   node build/inline-dependencies.mjs    (run by `npm run build`, after tsc)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'rolldown';

/** dist/ modules whose npm imports are inlined, and which packages those are. */
const modules = [{ file: 'dist/reports/result-parse.js', inline: ['zod'] }];

const root = fileURLToPath(new URL('..', import.meta.url));
const builtins = new Set(builtinModules);

for (const { file, inline } of modules) {
  const path = `${root}${file}`;
  const source = await readFile(path, 'utf8');
  if (source.includes('/* pushsim: dependencies inlined */')) continue; // already done (a second build without tsc)
  // Asked before and after resolution: a bare name (`zod`, `zod/v4/core`) or a file in its package.
  const isInlined = (id) => !builtins.has(id) && inline.some((name) => id === name || id.startsWith(`${name}/`) || id.includes(`/node_modules/${name}/`));
  const { output } = await build({
    input: path,
    platform: 'node',
    write: false,
    // Everything but the listed packages stays an import: pushsim's own modules, node's, other packages.
    external: (id, importer) => importer !== undefined && !isInlined(id) && !(id.startsWith('.') && isInlined(importer)),
    output: { format: 'esm', sourcemap: false, comments: { legal: true, annotation: false, jsdoc: false } },
  });
  const [chunk] = output;
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error(`rolldown gave no chunk for ${file}`);
  if (/from\s*["'](?:zod)["'/]/.test(chunk.code)) throw new Error(`${file} still imports an inlined package`);
  await writeFile(path, `/* pushsim: dependencies inlined */\n${chunk.code}`);
  process.stdout.write(`inlined ${inline.join(', ')} into ${file} (${Math.round(chunk.code.length / 1024)} kB)\n`);
}
