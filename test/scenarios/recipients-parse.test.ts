/** One record of a recipients file → a recipient or a sentence saying what to fix. */
import { describe, expect, it } from 'vitest';
import { createRowParser, splitCsvLine } from '../../scenarios/recipients-parse.js';
import type { Parsed, RowParser } from '../../scenarios/recipients-parse.js';
import type { RecipientsFormat } from '../../scenarios/recipients-read.js';

const token = 'ab'.repeat(32);
const p256dh = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
const auth = Buffer.alloc(16, 9).toString('base64url');
const subscription = { endpoint: 'https://push.example.net/send/abc', keys: { p256dh, auth } };

function parser(format: RecipientsFormat, header?: string): RowParser {
  const made = createRowParser(format, header === undefined ? undefined : { line: 1, text: header });
  if ('problem' in made) throw new Error(made.problem);
  return made;
}
const parse = (p: RowParser, text: string, line = 2): Parsed => p.parse({ line, text });
const problemOf = (parsed: Parsed): string => ('problem' in parsed ? parsed.problem : 'no problem');

describe('CSV lines', () => {
  it('splits RFC 4180 fields: quotes around commas, doubled quotes inside', () => {
    expect(splitCsvLine('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvLine('"a,1","say ""hi""",x,')).toEqual(['a,1', 'say "hi"', 'x', '']);
    expect(splitCsvLine('"open')).toMatch(/quoted field is not closed on its line/);
    expect(splitCsvLine('ab"c,d')).toMatch(/quote inside an unquoted field at character 1/);
    expect(splitCsvLine('"a"b')).toMatch(/text after a closing quote at character 4/);
  });
});

describe('CSV recipients', () => {
  it('reads channels and keeps every other column as a variable', () => {
    const p = parser('csv', 'apnsToken,fcmToken,name,city');
    expect(parse(p, `${token},abc:APA91bxyz,Ada,"Lyon, FR"`)).toEqual({ line: 2, apns: token, fcm: 'abc:APA91bxyz', variables: { name: 'Ada', city: 'Lyon, FR' } });
    expect(parse(p, `,abc:APA91bxyz,Bo,`)).toEqual({ line: 2, fcm: 'abc:APA91bxyz', variables: { name: 'Bo', city: '' } });
  });

  it('takes a Web Push subscription as JSON in one column or as endpoint, p256dh, auth', () => {
    const json = JSON.stringify(subscription).replaceAll('"', '""');
    expect(parse(parser('csv', 'webpush'), `"${json}"`)).toEqual({ line: 2, webpush: subscription });
    expect(parse(parser('csv', 'endpoint,p256dh,auth'), `${subscription.endpoint},${p256dh},${auth}`)).toEqual({ line: 2, webpush: subscription });
  });

  it('says what is wrong with a row and how to fix it', () => {
    const p = parser('csv', 'apnsToken,name');
    expect(problemOf(parse(p, 'zz,Ada'))).toMatch(/apnsToken "zz" is not a device token: hex digits only/);
    expect(problemOf(parse(p, 'abcd,Ada'))).toMatch(/apnsToken has 4 hex digits; a device token has 64/);
    expect(problemOf(parse(p, token))).toMatch(/1 field\(s\), the header has 2 \(apnsToken,name\): a column is missing/);
    expect(problemOf(parse(p, `${token},a,b`))).toMatch(/3 field\(s\).*extra fields \(quote a value that holds a comma\)/);
    expect(problemOf(parse(parser('csv', 'fcmToken'), 'has space'))).toMatch(/fcmToken "has space" has characters a registration token never has/);
    expect(problemOf(parse(parser('csv', 'webpush'), '{not json}'))).toMatch(/column webpush is not JSON/);
    expect(problemOf(parse(parser('csv', 'endpoint,p256dh,auth'), `${subscription.endpoint},short,${auth}`))).toMatch(/p256dh must be the 65-byte P-256 public key/);
    expect(problemOf(parse(parser('csv', 'endpoint,p256dh,auth'), `ftp://x/y,${p256dh},${auth}`))).toMatch(/must be an https URL/);
  });

  it('refuses a header without a channel column, with a duplicate, or with part of a subscription', () => {
    const problem = (header: string): string => {
      const made = createRowParser('csv', { line: 1, text: header });
      return 'problem' in made ? made.problem : 'no problem';
    };
    expect(problem('name,city')).toMatch(/no channel column: name one apnsToken/);
    expect(problem('apnsToken,name,name')).toMatch(/column name appears twice/);
    // A header of 30,000 copies of one name is one problem, said once (not a 700 KB message).
    const repeated = problem(`apnsToken,${Array.from({ length: 30_000 }, () => 'c').join(',')}`);
    expect(repeated).toMatch(/column c appears 30000 times/);
    expect(repeated.length).toBeLessThan(500);
    const nameless = problem(`apnsToken,a,b${','.repeat(1000)}`);
    expect(nameless).toMatch(/1000 columns have no name \(the first is column 4\)/);
    expect(nameless.length).toBeLessThan(500);
    expect(problem('endpoint,p256dh')).toMatch(/needs the three columns endpoint, p256dh and auth; the header has only endpoint, p256dh/);
    const empty = createRowParser('csv', undefined);
    expect('problem' in empty && empty.problem).toMatch(/the file is empty/);
  });
});

describe('NDJSON / JSON recipients', () => {
  it('reads channel keys and keeps the other scalar keys as text variables', () => {
    const p = parser('ndjson');
    expect(parse(p, JSON.stringify({ apnsToken: token, webpush: subscription, name: 'Ada', age: 36, vip: true, nick: null }))).toEqual({
      line: 2,
      apns: token,
      webpush: subscription,
      variables: { name: 'Ada', age: '36', vip: 'true', nick: '' },
    });
  });

  it('says what is wrong with a record', () => {
    const p = parser('json');
    expect(problemOf(parse(p, '{"apnsToken": '))).toMatch(/^not JSON/);
    expect(problemOf(parse(p, '[1]'))).toMatch(/must be an object.*got a list/);
    expect(problemOf(parse(p, JSON.stringify({ apnsToken: 5 })))).toMatch(/apnsToken must be a string, got 5/);
    expect(problemOf(parse(p, JSON.stringify({ apnsToken: token, tags: ['a'] })))).toMatch(/variable tags is a list/);
    expect(problemOf(parse(p, JSON.stringify({ endpoint: 'https://x/y' })))).toMatch(/endpoint belongs inside webpush/);
    expect(problemOf(parse(p, JSON.stringify({ webpush: { endpoint: 'https://x/y', keys: { p256dh, auth: 'x' } } })))).toMatch(/keys.auth must be the 16-byte secret/);
  });
});
