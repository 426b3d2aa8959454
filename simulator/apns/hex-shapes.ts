/**
 * The two shapes every APNs request is checked for, written out instead of as RegExps: a device
 * token of 64 hex digits (the default `deviceTokenPattern`, validate.ts) and an `apns-id` UUID
 * (8-4-4-4-12 hex, either case). Under h2load the RegExp test of the token was the mock's second
 * largest cost of its own after the JSON check (~0.17 µs a request); a table lookup per character
 * is ~5× cheaper. test/simulator/apns/hex-shapes.test.ts compares both with the RegExps.
 */

const hex = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF') hex[c.charCodeAt(0)] = 1;

/** True when `text` is exactly `length` hex digits (either case): /^[0-9a-fA-F]{length}$/. */
export function isHexOfLength(text: string, length: number): boolean {
  if (text.length !== length) return false;
  for (let i = 0; i < length; i++) if (hex[text.charCodeAt(i)] !== 1) return false;
  return true;
}

/** True when `text` is a UUID in 8-4-4-4-12 hex digits, either case (no braces, no urn:). */
export function isHexUuid(text: string): boolean {
  if (text.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const c = text.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 0x2d) return false;
    } else if (hex[c] !== 1) return false;
  }
  return true;
}
