/**
 * Where a problem is in the file a user wrote: problems name a path (`load.stages[1].target must …`,
 * k6 style) and the parsed YAML document (its nodes keep their offsets; a LineCounter turns an offset
 * into line and column) says where that path was written.
 */
import { isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Pair, YAMLMap } from 'yaml';
import type { ProblemLocation } from './errors.js';

export type PathSegment = string | number;

/** The line and column of the deepest key or list item of `path` the document has; undefined when it has none of it. */
export type Locate = (path: readonly PathSegment[]) => ProblemLocation | undefined;

export function locator(document: Document, lines: LineCounter, file: string): Locate {
  const at = (offset: number): ProblemLocation => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col };
  };
  // Keys of each mapping by name, built on first use: a file with thousands of problems stays linear.
  const keyed = new WeakMap<object, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let byName = keyed.get(map);
    if (byName === undefined) {
      byName = new Map();
      for (const item of map.items) if (isScalar(item.key) && !byName.has(String(item.key.value))) byName.set(String(item.key.value), item);
      keyed.set(map, byName);
    }
    return byName.get(key);
  };
  return (path) => {
    let node: unknown = document.contents;
    let found: number | undefined = isNode(node) ? node.range?.[0] : undefined;
    if (path.length > 0) found = undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = pairOf(node, String(segment));
        if (pair === undefined) break;
        // The key, not the value: the line a person looks for, and it exists when the value is empty.
        found = isScalar(pair.key) ? pair.key.range?.[0] : found;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (!isNode(item)) break;
        found = item.range?.[0] ?? found;
        node = item;
      } else {
        break;
      }
    }
    return found === undefined ? undefined : at(found);
  };
}

/** `load.stages[1].target`: the notation problems use. */
export function formatPath(path: readonly PathSegment[]): string {
  return path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
}

const leading = /^([A-Za-z_$][\w$-]*)((?:\.[A-Za-z_$][\w$-]*|\[\d+\])*)/;

/** The path a problem message starts with (`faults[2].probability must …` → faults, 2, probability); empty when it starts with none. */
export function leadingPath(problem: string): PathSegment[] {
  const match = leading.exec(problem);
  if (match === null) return [];
  const path: PathSegment[] = [match[1] as string];
  for (const part of (match[2] ?? '').matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]/g)) path.push(part[1] ?? Number(part[2]));
  return path;
}

/**
 * Where a problem message points: its leading path, one key further when the message goes on to
 * name a field of it (`policies.retry: retry maxAttempts must …` is about policies.retry.maxAttempts).
 */
export function locateProblem(problem: string, locate: Locate, prefix: readonly PathSegment[] = []): ProblemLocation | undefined {
  const own = leadingPath(problem);
  if (own.length === 0) return undefined;
  const path = [...prefix, ...own];
  const rest = problem.slice(formatPath(own).length);
  if (rest.startsWith(':')) {
    for (const word of (rest.match(/[A-Za-z_$][\w$]*/g) ?? []).slice(0, 3)) {
      const child = deeper(locate, path, word);
      if (child !== undefined) return child;
    }
  }
  return locate(path);
}

function deeper(locate: Locate, path: readonly PathSegment[], field: string): ProblemLocation | undefined {
  const parent = locate(path);
  const child = locate([...path, field]);
  // Only when the field itself is written there, not when locate stopped at the parent.
  return child !== undefined && (parent === undefined || child.line !== parent.line || child.column !== parent.column) ? child : undefined;
}
