/** `pushsim init`: the starter scenario written where asked, never over a file by accident. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../../core/errors.js';
import { starterScenario } from '../../scenarios/starter.js';

export interface InitFlags {
  readonly force?: boolean;
}

/** The shipped schema: schemas/ at the package root, from the sources (cli/commands/) or from dist/cli/commands/. */
function scenarioSchemaFile(): string {
  for (const up of ['../../', '../../../']) {
    const candidate = fileURLToPath(new URL(`${up}schemas/scenario.schema.json`, import.meta.url));
    if (existsSync(candidate)) return candidate;
  }
  return fileURLToPath(new URL('../../../schemas/scenario.schema.json', import.meta.url));
}

/** Writes the starter scenario to `file`; the absolute path written. */
export async function initAction(file: string, flags: InitFlags): Promise<string> {
  const path = resolve(file);
  const schema = relative(dirname(path), scenarioSchemaFile()).split(sep).join('/');
  try {
    // 'wx': fails if the file exists, without a window between a check and the write.
    await writeFile(path, starterScenario(schema), { flag: flags.force === true ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidArgumentError(`${file} already exists; pass --force to overwrite it, or name another file (pushsim init my-scenario.yaml)`);
    throw error;
  }
  return path;
}
