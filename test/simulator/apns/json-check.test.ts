import { describe, expect, it } from 'vitest';
import { createJsonObjectCheck, isJsonObject } from '../../../simulator/apns/json-check.js';
import { createRandom } from '../../../simulator/random.js';

/** The reference: JSON.parse of the UTF-8 decode, top level an object (what the mock used to do). */
function reference(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

const check = (text: string): boolean => isJsonObject(Buffer.from(text, 'utf8'));

describe('isJsonObject', () => {
  it.each([
    '{}', ' {} ', '\n\t{ }\r\n', '{"aps":{"alert":"hi","badge":1,"sound":"default"}}', '{"a":[1,-2.5e+10,0,0.1,1E3,true,false,null,"x"]}',
    '{"esc":"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00"}', '{"ü":"€"}', '{"a":{"b":{"c":[[[]]]}}}', '{"":""}', '{"a":-0}',
  ])('accepts %s', (text) => {
    expect(check(text)).toBe(true);
    expect(reference(text)).toBe(true);
  });

  it.each([
    '', ' ', '[]', '[1]', 'null', '"x"', '1', '{', '}', '{"a"}', '{"a":}', '{"a":1,}', '{,}', '{"a":1 "b":2}', "{'a':1}", '{a:1}',
    '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":1e}', '{"a":+1}', '{"a":tru}', '{"a":nul}', '{"a":"\\x"}', '{"a":"\\u12"}', '{"a":"tab\there"}',
    '{} {}', '{}x', '\ufeff{}', '{"a":[1,]}', '{"a":[,1]}', '{"a":NaN}', '{"a":Infinity}',
  ])('rejects %j', (text) => {
    expect(check(text)).toBe(false);
    expect(reference(text)).toBe(false);
  });

  it('agrees with JSON.parse on 20 000 seeded random mutations of APNs payloads', () => {
    const random = createRandom(42);
    const seeds = ['{"aps":{"alert":{"title":"t","body":"b"},"badge":1,"sound":"default"},"data":[1,2.5e-3,true,null,"\\u00e9"]}', '{"a":{"b":[{}]}}'];
    const alphabet = ['{', '}', '[', ']', '"', ':', ',', '\\', 'u', '0', '1', 'e', '-', '+', '.', ' ', 't', 'n', 'x', '\n', '\u0001', 'é'];
    let disagreements = 0;
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      const chars = [...(seeds[i % seeds.length] as string)];
      const edits = 1 + Math.floor(random.next() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random.next() * (chars.length + 1));
        const kind = random.next();
        const char = alphabet[Math.floor(random.next() * alphabet.length)] as string;
        if (kind < 0.4) chars.splice(at, 1);
        else if (kind < 0.7) chars.splice(at, 0, char);
        else chars.splice(at, 1, char);
      }
      const text = chars.join('');
      const expected = reference(text);
      if (expected) valid++;
      if (check(text) !== expected) disagreements++;
    }
    expect(disagreements).toBe(0);
    // The mutations produced both outcomes, so the comparison means something.
    expect(valid).toBeGreaterThan(500);
    expect(valid).toBeLessThan(19_500);
  });
});

describe('createJsonObjectCheck', () => {
  it('answers as isJsonObject over a seeded stream of repeated, changed and broken payloads', () => {
    const random = createRandom(7);
    const payloads = ['{"aps":{"alert":"a"}}', '{"aps":{"alert":"b"}}', '{"aps":{"alert":"a"}', '[1]', '{"aps":{"alert":"c","badge":1}}', '{"aps":{"alert":"\\x"}}'];
    const memo = createJsonObjectCheck();
    let current = payloads[0] as string;
    const answers = new Set<boolean>();
    for (let i = 0; i < 5_000; i++) {
      // Runs of one payload (what a load test sends), broken by changes.
      if (random.next() < 0.05) current = payloads[Math.floor(random.next() * payloads.length)] as string;
      const body = Buffer.from(current);
      const got = memo(body);
      expect(got).toBe(isJsonObject(body));
      answers.add(got);
    }
    expect([...answers].sort()).toEqual([false, true]);
  });

  it('keeps its own copy: a passed payload changed afterwards in place is scanned again', () => {
    const memo = createJsonObjectCheck();
    const body = Buffer.from('{"a":"1"}');
    expect(memo(body)).toBe(true);
    body.write('{"a":"1"]', 'utf8');
    expect(memo(body)).toBe(false);
    expect(memo(Buffer.from('{"a":"1"}'))).toBe(true);
  });

  it('passes a payload that differs from the remembered one only after scanning it, also while backing off', () => {
    const memo = createJsonObjectCheck();
    for (let i = 0; i < 200; i++) {
      // Every payload differs (ids of one width): the comparison misses and backs off.
      expect(memo(Buffer.from(`{"id":"${String(1000 + i)}"}`))).toBe(true);
      expect(memo(Buffer.from(`{"id":"${String(1000 + i)}"]`))).toBe(false);
    }
  });
});

