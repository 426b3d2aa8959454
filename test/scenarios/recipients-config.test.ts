/** The `recipients` section and the template fields of a scenario file, checked at load (no file read yet). */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenarios/file.js';
import { configProblems } from '../helpers/config-problems.js';

const problems = (text: string): readonly string[] => configProblems(() => parseScenario(text, 'test.yaml', '/data/scenarios'));

describe('recipients and templates in a scenario file', () => {
  it('reads the section, the file relative to the scenario file', () => {
    const config = parseScenario('name: r\nrecipients: { file: ../users.ndjson }\n', 'r.yaml', '/data/scenarios');
    // `name` is the file as the scenario names it: what result.json records, never the resolved path.
    expect(config.recipients).toEqual({ file: resolve('/data/users.ndjson'), name: '../users.ndjson' });
    expect(parseScenario('name: r\nrecipients: { file: users.txt, format: csv }\n', 'r.yaml', '/d').recipients).toEqual({ file: resolve('/d/users.txt'), format: 'csv', name: 'users.txt' });
  });

  it('makes the APNs payload from title, body and data when the file gives no payload of its own', () => {
    const config = parseScenario("name: t\nrecipients: { file: u.csv }\nnotification: { title: 'Hi {{name}}', body: 'Order {{order}}', data: { order: '{{order}}' } }\n", 't.yaml');
    expect(config.notification.payload).toEqual({ aps: { alert: { title: 'Hi {{name}}', body: 'Order {{order}}' }, badge: 1, sound: 'default' }, order: '{{order}}' });
    const own = parseScenario("name: t\nnotification: { title: 'T', payload: { aps: { alert: 'own' } } }\n", 't.yaml');
    expect(own.notification.payload).toEqual({ aps: { alert: 'own' } });
  });

  it('names a template variable that generated recipients cannot fill, and the field using it', () => {
    expect(problems("name: t\nnotification: { body: 'Hi {{name}}' }\n")).toEqual([expect.stringMatching(/^notification.body uses the variable \{\{name\}\}, but the recipients are generated tokens/)]);
  });

  it('refuses a mix, an unknown format and a file name without a known extension', () => {
    expect(problems('name: t\ntarget: { mock: [apns, fcm] }\nmix: { apns: 1, fcm: 1 }\nrecipients: { file: u.csv }\n')).toEqual([expect.stringMatching(/^mix does not apply with recipients from a file/)]);
    expect(problems('name: t\nrecipients: { file: u.csv, format: xml }\n')).toEqual([expect.stringMatching(/^recipients.format/)]);
    expect(problems('name: t\nrecipients: { file: users.txt }\n')).toEqual([expect.stringMatching(/recipients.format is needed: the file name .*users.txt does not end in .csv/)]);
  });
});
