/**
 * `target.push(...items)` passes every item as an argument, on the stack: with a few hundred
 * thousand items (a generated config's problems, a hostile result file's rows) it throws
 * "RangeError: Maximum call stack size exceeded". This appends in a loop, whatever the length.
 */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
