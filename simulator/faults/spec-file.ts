/**
 * Fault spec files, YAML or JSON (YAML 1.2 is a superset of JSON, so one parser reads both), for
 * `pushsim mock … --faults FILE`, `pushsim proxy … --faults FILE` and the library API. Syntax errors
 * and spec problems are all reported at once, in an InvalidConfigError naming the file, each with its
 * line and column. Files are
 * bounded in size, aliases and depth (core/documents.ts, core/limits.ts).
 */
import { parseYamlLocated } from '../../core/documents.js';
import { InvalidConfigError } from '../../core/errors.js';
import { readTextFile } from '../../core/files.js';
import { fileLimits } from '../../core/limits.js';
import { locateProblem } from '../../core/locations.js';
import type { FaultsDocument } from './spec.js';
import { validateFaultsDocument } from './spec.js';

/** Parses and validates spec text; `source` names it in errors (a path, 'control API', …). */
export function parseFaultsDocument(text: string, source = 'fault spec'): FaultsDocument {
  const parsed = parseYamlLocated(text, { source, syntaxPrefix: 'syntax: ' });
  const value: unknown = parsed.value ?? {};
  const problems = validateFaultsDocument(value);
  // Each problem with its line and column in the text (core/locations.ts).
  if (problems.length > 0) throw new InvalidConfigError(source, problems, problems.map((problem) => locateProblem(problem, parsed.locate)));
  return value as FaultsDocument;
}

/** Reads, parses and validates a fault spec file. */
export async function loadFaultsFile(path: string): Promise<FaultsDocument> {
  const { text, problem } = await readTextFile(path, fileLimits.faultSpec);
  if (problem !== undefined) throw new InvalidConfigError(path, [`the file ${problem}`]);
  return parseFaultsDocument(text, path);
}
