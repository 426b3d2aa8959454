/**
 * JSON documents a user gave (result files, mock configs, control API bodies), parsed with the
 * nesting bound of core/documents.ts, without loading the YAML parser: `pushsim report` and
 * `compare` read only JSON and start faster for it.
 */
import { InvalidConfigError } from './errors.js';

/** Levels of nested mappings and lists; pushsim's own documents need fewer than ten. */
export const maxDepth = 64;

export interface ParseOptions {
  /** Names the document in errors (a path, 'control API', …). */
  readonly source: string;
  /** Prefix for syntax problems, e.g. 'syntax: '. @default '' */
  readonly syntaxPrefix?: string;
}

/** Parses JSON text with the same depth bound. */
export function parseJson(text: string, options: ParseOptions): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(options.source, [`not valid JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  checkDepth(value, options.source);
  return value;
}

/** Throws InvalidConfigError when `value` nests deeper than `maxDepth` (checked without recursion). */
export function checkDepth(value: unknown, source: string, limit = maxDepth): void {
  const depth = nestingDepth(value, limit + 1);
  if (depth > limit) throw new InvalidConfigError(source, [`nested more than ${limit} levels deep; pushsim's documents need far fewer`]);
}

/** Depth of nested objects and arrays (a scalar is 0), counted up to `stopAt`. */
export function nestingDepth(value: unknown, stopAt = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (typeof current !== 'object' || current === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest >= stopAt) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, level]);
    }
  }
  return deepest;
}
