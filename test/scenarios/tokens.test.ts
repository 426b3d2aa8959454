import { describe, expect, it } from 'vitest';
import { deadIndices, makeFcmTokens, makeTokens } from '../../scenarios/tokens.js';

describe('makeTokens', () => {
  it('makes 64-hex tokens, the same for the same seed, different for another', () => {
    const a = makeTokens(100, 0.1, 7);
    const b = makeTokens(100, 0.1, 7);
    const c = makeTokens(100, 0.1, 8);
    expect(a).toEqual(b);
    expect(a.tokens[0]).not.toBe(c.tokens[0]);
    expect(a.tokens.every((t) => /^[0-9a-f]{64}$/.test(t))).toBe(true);
    expect(new Set(a.tokens).size).toBe(100);
  });

  it('marks about the requested share as unregistered', () => {
    const { unregistered, tokens } = makeTokens(10_000, 0.02, 1);
    expect(unregistered.length).toBeGreaterThan(150);
    expect(unregistered.length).toBeLessThan(250);
    expect(unregistered.every((t) => tokens.includes(t))).toBe(true);
    expect(makeTokens(1000, 0, 1).unregistered).toEqual([]);
  });

  it('hands the same frozen population to every run that asks for it again, and a new one for another count, seed or ratio', () => {
    const first = makeTokens(500, 0.1, 4);
    const again = makeTokens(500, 0.1, 4);
    expect(again.tokens).toBe(first.tokens);
    expect(again.unregistered).toBe(first.unregistered);
    expect(Object.isFrozen(first.tokens) && Object.isFrozen(first.unregistered)).toBe(true);
    // Another ratio over the same tokens: the dead ones are those under it, a subset of the larger ratio's.
    const fewer = makeTokens(500, 0.05, 4);
    expect(fewer.tokens).toBe(first.tokens);
    expect(fewer.unregistered.length).toBeLessThan(first.unregistered.length);
    expect(fewer.unregistered.every((t) => first.unregistered.includes(t))).toBe(true);
    expect(makeTokens(500, 0.1, 5).tokens[0]).not.toBe(first.tokens[0]);
    expect(makeTokens(501, 0.1, 4).tokens.slice(0, 500)).toEqual(first.tokens);
  });
});

describe('makeFcmTokens and deadIndices', () => {
  it('makes FCM-shaped registration tokens, reproducibly, and marks about the requested share unregistered', () => {
    const a = makeFcmTokens(2000, 0.05, 7);
    expect(a).toEqual(makeFcmTokens(2000, 0.05, 7));
    expect(a.tokens.every((t) => /^[\w-]{11}:APA91b[\w-]{134}$/.test(t))).toBe(true);
    expect(new Set(a.tokens).size).toBe(2000);
    expect(a.unregistered.length).toBeGreaterThan(60);
    expect(a.unregistered.length).toBeLessThan(140);
    expect(makeFcmTokens(5, 0.5, 7).tokens[0]).not.toBe(makeFcmTokens(5, 0.5, 8).tokens[0]);
  });

  it('keeps the last FCM population, beside the APNs one: a tune of a mixed scenario does not make either again per variant', () => {
    const fcm = makeFcmTokens(300, 0.1, 9);
    const apns = makeTokens(300, 0.1, 9);
    expect(makeFcmTokens(300, 0.1, 9).tokens).toBe(fcm.tokens);
    expect(makeFcmTokens(300, 0.1, 9).unregistered).toBe(fcm.unregistered);
    expect(makeTokens(300, 0.1, 9).tokens).toBe(apns.tokens);
    expect(Object.isFrozen(fcm.tokens)).toBe(true);
    expect(makeFcmTokens(300, 0.1, 10).tokens[0]).not.toBe(fcm.tokens[0]);
  });

  it('picks dead indices in order, reproducibly', () => {
    const dead = deadIndices(1000, 0.1, 3);
    expect(dead).toEqual(deadIndices(1000, 0.1, 3));
    expect(dead).toEqual([...dead].sort((x, y) => x - y));
    expect(dead.length).toBeGreaterThan(60);
    expect(dead.length).toBeLessThan(140);
    expect(deadIndices(100, 0, 3)).toEqual([]);
  });
});
