/**
 * `target.push(...items)` passes every item as an argument, on the stack: with a few hundred
 * thousand items (a generated config's problems, a hostile result file's rows) it throws
 * "RangeError: Maximum call stack size exceeded". This appends in a loop, whatever the length.
 */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The smallest of many numbers without spreading them onto the stack (see `pushAll`); +Infinity if none. */
export function minOf(values: Iterable<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (const value of values) if (value < min) min = value;
  return min;
}

/** The largest of many numbers without spreading them onto the stack (see `pushAll`); -Infinity if none. */
export function maxOf(values: Iterable<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) if (value > max) max = value;
  return max;
}
