/**
 * Fault spec files, YAML or JSON (YAML 1.2 is a superset of JSON, so one parser reads both), for
 * `pushsim mock … --faults FILE`, `pushsim proxy … --faults FILE` and the library API. Syntax errors
 * and spec problems are all reported at once, in an InvalidConfigError naming the file.
 */
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { InvalidConfigError } from '../../core/errors.js';
import type { FaultsDocument } from './spec.js';
import { validateFaultsDocument } from './spec.js';

/** Parses and validates spec text; `source` names it in errors (a path, 'control API', …). */
export function parseFaultsDocument(text: string, source = 'fault spec'): FaultsDocument {
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const syntax = list.flatMap((doc) => doc.errors.map((error) => `syntax: ${error.message.split('\n')[0] ?? error.message}`));
  if (syntax.length > 0) throw new InvalidConfigError(source, syntax);
  if (list.length !== 1) throw new InvalidConfigError(source, [`expected one YAML document, found ${list.length}`]);
  const value: unknown = list[0]?.toJS() ?? {};
  const problems = validateFaultsDocument(value);
  if (problems.length > 0) throw new InvalidConfigError(source, problems);
  return value as FaultsDocument;
}

/** Reads, parses and validates a fault spec file. */
export async function loadFaultsFile(path: string): Promise<FaultsDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(path, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseFaultsDocument(text, path);
}
