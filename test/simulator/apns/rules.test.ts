import { describe, expect, it } from 'vitest';
import { createPushRules } from '../../../simulator/apns/rules.js';

describe('push rules', () => {
  it('forbids and disallows topics, including the bundle’s push-type topics, until allowed again', () => {
    const rules = createPushRules();
    expect(rules.topicRule('com.example.app')).toBeUndefined();
    rules.forbidTopic('com.example.app');
    rules.disallowTopic('com.example.old');
    expect(rules.topicRule('com.example.app')).toBe('Forbidden');
    expect(rules.topicRule('com.example.app.voip')).toBe('Forbidden');
    expect(rules.topicRule('com.example.old.complication')).toBe('TopicDisallowed');
    expect(rules.topicRule('com.example.other')).toBeUndefined();
    rules.allowTopic('com.example.app');
    expect(rules.topicRule('com.example.app')).toBeUndefined();
  });

  it('answers a single scripted reason forever, and plays a list one push at a time', () => {
    const rules = createPushRules();
    rules.script('a', 'ServiceUnavailable');
    rules.script('b', ['InternalServerError', 'accept', 'Shutdown']);
    expect([1, 2, 3].map(() => rules.nextStep('a'))).toEqual(['ServiceUnavailable', 'ServiceUnavailable', 'ServiceUnavailable']);
    expect([1, 2, 3, 4].map(() => rules.nextStep('b'))).toEqual(['InternalServerError', 'accept', 'Shutdown', undefined]);
    expect(rules.nextStep('c')).toBeUndefined();
    rules.script('a', ['accept']);
    expect([rules.nextStep('a'), rules.nextStep('a')]).toEqual(['accept', undefined]);
    rules.script('d', 'Shutdown');
    rules.clearScript();
    expect(rules.nextStep('d')).toBeUndefined();
  });

  it('refuses steps that are not APNs reasons, saying what is allowed', () => {
    const rules = createPushRules();
    expect(() => rules.script('a', ['accept', 'Nope' as never])).toThrow(/script\[1\]: "Nope" is neither 'accept' nor an APNs reason/);
    expect(() => rules.script('', 'Shutdown')).toThrow(/token must be a non-empty string/);
    expect(() => rules.forbidTopic('')).toThrow(/topic must be a non-empty string/);
  });
});
