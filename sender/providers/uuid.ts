/**
 * Random (version 4) UUIDs for `apns-id`, one per notification. node:crypto's randomUUID() builds
 * each one from 20 string pieces (a tree V8 flattens again when the header is written); here 128
 * are written at a time as bytes into one buffer, read out as one string, and each UUID is a slice
 * of it: one small string per notification. Same randomness (the CSPRNG, 122 random bits, RFC 9562
 * §5.4 version and variant bits), canonical lower-case form.
 */
import { randomFillSync } from 'node:crypto';

const batch = 128;
/** 36 characters and a newline per UUID. */
const stride = 37;
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');
const random = Buffer.alloc(16 * batch);
const text = Buffer.alloc(stride * batch);
let texts = '';
let next = batch;

function refill(): void {
  randomFillSync(random);
  let out = 0;
  for (let u = 0; u < batch; u++) {
    for (let b = 0; b < 16; b++) {
      let byte = random[u * 16 + b] as number;
      if (b === 6) byte = (byte & 0x0f) | 0x40; // version 4
      else if (b === 8) byte = (byte & 0x3f) | 0x80; // variant 10
      if (b === 4 || b === 6 || b === 8 || b === 10) text[out++] = 0x2d; // '-'
      text[out++] = hexDigits[byte >> 4] as number;
      text[out++] = hexDigits[byte & 0x0f] as number;
    }
    text[out++] = 0x0a;
  }
  texts = text.toString('latin1');
  next = 0;
}

/** A new random UUID, `xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx`. */
export function randomUuid(): string {
  if (next === batch) refill();
  const start = next++ * stride;
  return texts.slice(start, start + 36);
}
