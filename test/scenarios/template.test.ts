/** Payload templates: compiled once into parts and slots; values JSON-escaped inside JSON text. */
import { describe, expect, it } from 'vitest';
import { compileJsonTemplate, compileTextTemplate, variablesIn } from '../../scenarios/template.js';
import { compileNotification, notificationVariables } from '../../scenarios/notification-template.js';

describe('templates', () => {
  it('fills {{name}} and {{ name }} placeholders, each use of a variable', () => {
    const template = compileTextTemplate('Hi {{name}}, {{ name }} from {{city}}');
    expect(template.variables).toEqual(['name', 'city']);
    expect(template.render({ name: 'Ada', city: 'Lyon' })).toBe('Hi Ada, Ada from Lyon');
  });

  it('escapes values into JSON strings so the rendered text is always valid JSON', () => {
    const template = compileJsonTemplate({ aps: { alert: { title: 'Hi {{name}}' } }, badge: 1 });
    const hostile = 'Quote " backslash \\ newline \n tab \t and }} {{x}}';
    const text = template.render({ name: hostile });
    expect(JSON.parse(text)).toEqual({ aps: { alert: { title: `Hi ${hostile}` } }, badge: 1 });
  });

  it('renders a template without placeholders to the very same string every time (nothing per notification)', () => {
    const template = compileJsonTemplate({ aps: { alert: 'fixed' } });
    expect(template.variables).toEqual([]);
    expect(template.render(undefined)).toBe(template.render({ name: 'x' }));
    expect(template.render(undefined)).toBe('{"aps":{"alert":"fixed"}}');
  });

  it('leaves text that only looks like a placeholder alone', () => {
    expect(variablesIn('{{1abc}} {name} {{ }} {{a-b}}')).toEqual([]);
    expect(compileTextTemplate('{name}').render({ name: 'x' })).toBe('{name}');
  });
});

describe('one notification for every provider', () => {
  it('takes FCM and Web Push text from the APNs alert unless title and body are given', () => {
    const fromAlert = compileNotification({ payload: { aps: { alert: { title: 'T {{a}}', body: 'B {{b}}' } } } });
    expect(fromAlert.title.render({ a: '1' })).toBe('T 1');
    expect(fromAlert.body.render({ b: '2' })).toBe('B 2');
    expect(JSON.parse(fromAlert.webPushPayload.render({ a: '1', b: '"2"' }))).toEqual({ title: 'T 1', body: 'B "2"' });
    const given = compileNotification({ payload: { aps: { alert: 'plain' } }, title: 'Hello {{name}}', data: { order: '{{order}}' } });
    expect(given.title.render({ name: 'Ada' })).toBe('Hello Ada');
    expect(given.body.render(undefined)).toBe('plain');
    expect(given.variables).toEqual(['name', 'order']);
    expect(JSON.parse(given.webPushPayload.render({ name: 'Ada', order: '42' }))).toEqual({ title: 'Hello Ada', body: 'plain', data: { order: '42' } });
  });

  it('names where each variable is first used', () => {
    expect([...notificationVariables({ payload: { a: '{{x}} {{w}}' }, title: '{{y}} {{x}}', data: { k: '{{z}}' } })]).toEqual([
      ['y', 'notification.title'],
      ['x', 'notification.title'],
      ['z', 'notification.data.k'],
      ['w', 'notification.payload'],
    ]);
  });
});
