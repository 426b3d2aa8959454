/**
 * YAML and JSON documents a user wrote (scenarios, fault specs, mock configs, result files), parsed
 * with bounds: at most `maxAliases` alias expansions (a "billion laughs" alias bomb is refused, not
 * expanded) and `maxDepth` levels of nesting (validators and JSON.stringify recurse). Every problem
 * is an InvalidConfigError naming the source (exit 104).
 */
import { LineCounter, isNode, isScalar, parseAllDocuments, visit } from 'yaml';
import type { Document } from 'yaml';
import { InvalidConfigError } from './errors.js';
import type { Locate } from './locations.js';
import { locator } from './locations.js';
import { checkDepth, maxDepth } from './json-document.js';
import type { ParseOptions } from './json-document.js';

export { maxDepth } from './json-document.js';
export type { ParseOptions } from './json-document.js';

/** Alias nodes (`*name`) a document may resolve; yaml's own default too. */
export const maxAliases = 100;

/** Parse errors listed; a generated file can have tens of thousands. */
const maxListedErrors = 20;

/**
 * Parses one YAML document (YAML 1.2 is a superset of JSON) into plain data; duplicate keys are errors.
 * yaml's own `uniqueKeys` and `prettyErrors` cost time quadratic in the keys and errors of a
 * document (20,000 keys took 17 s here; 50,000 `[` ran out of memory), so duplicates are found here
 * with a Set per mapping and error positions come from a LineCounter, for the first errors only.
 */
export function parseYaml(text: string, options: ParseOptions): unknown {
  return parseYamlDocument(text, options).value;
}

/**
 * parseYaml, keeping where each value was written: `locate(path)` gives the line and column of the
 * deepest key or item of `path` the document has (core/locations.ts), for problems found after parsing.
 */
export function parseYamlLocated(text: string, options: ParseOptions): { value: unknown; locate: Locate } {
  const { value, document, lines } = parseYamlDocument(text, options);
  return { value, locate: document === undefined ? () => undefined : locator(document, lines, options.source) };
}

function parseYamlDocument(text: string, options: ParseOptions): { value: unknown; document: Document | undefined; lines: LineCounter } {
  const { source } = options;
  const prefix = options.syntaxPrefix ?? '';
  const deep = flowNestingProblem(text);
  if (deep !== undefined) throw new InvalidConfigError(source, [deep]);
  const lines = new LineCounter();
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    // logLevel 'error': yaml would print warnings (a list used as a key…) on the user's terminal.
    documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, lineCounter: lines, logLevel: 'error' });
  } catch (error) {
    throw new InvalidConfigError(source, [`${prefix}cannot be parsed: ${(error as Error).message}`]);
  }
  const list = Array.isArray(documents) ? documents : [documents];
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `at line ${line}, column ${col}`;
  };
  const errors = list.flatMap((doc) => doc.errors);
  if (errors.length > 0) {
    const listed = errors.slice(0, maxListedErrors).map((error) => `${prefix}${error.message.split('\n')[0] ?? error.message} ${at(error.pos[0])}`);
    if (errors.length > maxListedErrors) listed.push(`${prefix}… and ${errors.length - maxListedErrors} more syntax errors`);
    throw new InvalidConfigError(source, listed);
  }
  if (list.length > 1) throw new InvalidConfigError(source, [`expected one YAML document, found ${list.length}`]);
  const document = list[0];
  if (document === undefined) return { value: undefined, document, lines };
  const duplicates = duplicateKeys(document, at);
  if (duplicates.length > 0) throw new InvalidConfigError(source, duplicates.map((d) => `${prefix}${d}`));
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: maxAliases });
  } catch (error) {
    // yaml throws a ReferenceError ("Excessive alias count…") past maxAliasCount.
    if (error instanceof ReferenceError || (error as Error).message?.includes('alias')) {
      throw new InvalidConfigError(source, [`too many aliases: expanding its *aliases would exceed ${maxAliases} (an alias bomb?); write the values out instead`]);
    }
    throw new InvalidConfigError(source, [`cannot be read as data: ${(error as Error).message}`]);
  }
  checkDepth(value, source);
  return { value, document, lines };
}

/** "duplicate key …" for every mapping that repeats a key (in linear time), and keys that are not scalars. */
function duplicateKeys(document: Document, at: (offset: number) => string): string[] {
  const found: string[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (pair.key !== null && !isScalar(pair.key)) {
          if (found.length < maxListedErrors) found.push(`a key ${at(isNode(pair.key) ? (pair.key.range?.[0] ?? 0) : 0)} is a list or a mapping; keys are plain words`);
          continue;
        }
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key === undefined) continue;
        if (seen.has(key) && found.length < maxListedErrors) found.push(`duplicate key ${JSON.stringify(key.slice(0, 80))} ${at(isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0)}: keys of a mapping must be unique`);
        seen.add(key);
      }
    },
  });
  return found;
}

/**
 * Flow collections (`[` and `{`) nested deeper than maxDepth, found by a scan of the text before the
 * parser sees it: the parser's cost grows fast with such nesting. Quoted strings and comments are
 * skipped; brackets inside a plain scalar may count, which takes 64 unclosed ones to matter.
 */
function flowNestingProblem(text: string): string | undefined {
  let depth = 0;
  let quote: string | undefined;
  let previous = '\n';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote !== undefined) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '#' && (previous === ' ' || previous === '\t' || previous === '\n')) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end - 1;
    } else if ((c === '"' || c === "'") && ' \t\n:,[{'.includes(previous)) {
      quote = c;
    } else if (c === '[' || c === '{') {
      if (++depth > maxDepth) return `nested more than ${maxDepth} levels deep (flow collections); pushsim's documents need far fewer`;
    } else if ((c === ']' || c === '}') && depth > 0) {
      depth--;
    }
    previous = text[i] as string;
  }
  return undefined;
}

export { checkDepth, nestingDepth, parseJson } from './json-document.js';
