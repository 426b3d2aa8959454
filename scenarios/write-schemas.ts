/**
 * The build step that writes schemas/<name>.schema.json at the package root from the code
 * (`npm run schemas`; `npm pack` and `npm publish` run it first). A test fails when the committed
 * files differ from what the code generates.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaText, shippedSchemas } from './json-schema.js';
import type { SchemaName } from './json-schema.js';

/** dist/scenarios/ → the package root. */
const directory = fileURLToPath(new URL('../../schemas/', import.meta.url));
mkdirSync(directory, { recursive: true });
for (const name of Object.keys(shippedSchemas) as SchemaName[]) {
  writeFileSync(`${directory}${name}.schema.json`, schemaText(name));
  process.stdout.write(`wrote schemas/${name}.schema.json\n`);
}
