/**
 * Is a payload a JSON object (RFC 8259)? Checked on the raw bytes without building the object:
 * JSON.parse would decode, allocate every key and value and then drop them, which cost the mock
 * ~10 % of its throughput under h2load (the garbage collector was the difference). Bytes ≥ 0x80
 * inside strings are not checked for UTF-8 validity, as JSON.parse of a UTF-8 decode would not
 * reject them either. test/simulator/apns/json-check.test.ts compares it with JSON.parse.
 */

const quote = 0x22;
const backslash = 0x5c;
const hex = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') hex[c.charCodeAt(0)] = 1;
const simpleEscapes = new Uint8Array(256);
for (const c of '"\\/bfnrt') simpleEscapes[c.charCodeAt(0)] = 1;

/** True when `body` is exactly one JSON object, optionally surrounded by JSON whitespace. */
export function isJsonObject(body: Uint8Array): boolean {
  const start = space(body, 0);
  if (body[start] !== 0x7b) return false;
  const end = value(body, start);
  return end >= 0 && space(body, end) === body.length;
}

function space(b: Uint8Array, i: number): number {
  let c = b[i];
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++i];
  return i;
}

/** Index after the value starting at `i`, or -1. */
function value(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === 0x7b) return object(b, i + 1);
  if (c === 0x5b) return array(b, i + 1);
  if (c === quote) return string(b, i + 1);
  if (c === 0x74) return literal(b, i, 'true');
  if (c === 0x66) return literal(b, i, 'false');
  if (c === 0x6e) return literal(b, i, 'null');
  if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return number(b, i);
  return -1;
}

function object(b: Uint8Array, i: number): number {
  i = space(b, i);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    if (b[i] !== quote) return -1;
    i = string(b, i + 1);
    if (i < 0) return -1;
    i = space(b, i);
    if (b[i] !== 0x3a) return -1;
    i = value(b, space(b, i + 1));
    if (i < 0) return -1;
    i = space(b, i);
    if (b[i] === 0x7d) return i + 1;
    if (b[i] !== 0x2c) return -1;
    i = space(b, i + 1);
  }
}

function array(b: Uint8Array, i: number): number {
  i = space(b, i);
  if (b[i] === 0x5d) return i + 1;
  for (;;) {
    i = value(b, i);
    if (i < 0) return -1;
    i = space(b, i);
    if (b[i] === 0x5d) return i + 1;
    if (b[i] !== 0x2c) return -1;
    i = space(b, i + 1);
  }
}

/** `i` is just after the opening quote. */
function string(b: Uint8Array, i: number): number {
  const length = b.length;
  while (i < length) {
    const c = b[i] as number;
    if (c === quote) return i + 1;
    if (c < 0x20) return -1;
    if (c !== backslash) {
      i++;
      continue;
    }
    const escaped = b[i + 1] ?? 0;
    if (simpleEscapes[escaped] === 1) i += 2;
    else if (escaped === 0x75 && hex[b[i + 2] ?? 0] === 1 && hex[b[i + 3] ?? 0] === 1 && hex[b[i + 4] ?? 0] === 1 && hex[b[i + 5] ?? 0] === 1) i += 6;
    else return -1;
  }
  return -1;
}

function number(b: Uint8Array, i: number): number {
  if (b[i] === 0x2d) i++;
  if (b[i] === 0x30) i++;
  else if (isDigit(b[i])) while (isDigit(b[i])) i++;
  else return -1;
  if (b[i] === 0x2e) {
    if (!isDigit(b[++i])) return -1;
    while (isDigit(b[i])) i++;
  }
  if (b[i] === 0x65 || b[i] === 0x45) {
    i++;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (!isDigit(b[i])) return -1;
    while (isDigit(b[i])) i++;
  }
  return i;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function literal(b: Uint8Array, i: number, word: string): number {
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/** After n misses in a row the remembered payload is not compared for the next 2^n − 1 payloads (n ≤ 6). */
const maxBackoff = 6;

/**
 * `isJsonObject` that remembers the last payload it compared and passed (its own copy), and passes
 * the same bytes again after comparing them (memcmp, ~0.1 µs for an APNs-sized payload) rather than
 * scanning them (~0.6 µs): a load test sends one payload over and over, and this scan was the
 * largest cost of the mock's own under h2load. A payload that differs is scanned as before and
 * remembered instead; after misses in a row the comparison backs off (skips 1, 3, 7 … 63 payloads),
 * so traffic whose payloads all differ pays about one comparison and copy in 64, and traffic that
 * moves to another payload is caught again within 64 requests. One check per mock (core.ts),
 * shared by its connections.
 */
export function createJsonObjectCheck(): (body: Buffer) => boolean {
  let remembered: Buffer | undefined;
  let skip = 0;
  let misses = 0;
  return (body) => {
    let compared = false;
    if (skip > 0) skip--;
    else if (remembered !== undefined) {
      if (body.length === remembered.length && body.equals(remembered)) {
        misses = 0;
        return true;
      }
      misses = Math.min(misses + 1, maxBackoff);
      skip = (1 << misses) - 1;
      compared = true;
    }
    if (!isJsonObject(body)) return false;
    if (compared || remembered === undefined) remembered = Buffer.from(body);
    return true;
  };
}
