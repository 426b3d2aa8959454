import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import { loadFaultsFile } from '../../../simulator/faults/spec-file.js';

const dir = fileURLToPath(new URL('../../../simulator/faults/examples/', import.meta.url));

describe('example fault specs', () => {
  it('every example loads and builds an engine', async () => {
    const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const spec = await loadFaultsFile(dir + file);
      const engine = new FaultEngine({ spec, tickMs: 0 });
      expect(engine.list().length).toBe(spec.faults?.length);
      engine.close();
    }
  });
});
