/**
 * formatJUnit, read back with a real XML parser (fast-xml-parser): the document must be well-formed
 * whatever strings a result file carries, and say what a CI test reporter needs.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPLETED_TEST_NAME, INVARIANT_TEST_NAME, REACHABLE_TEST_NAME, SUMMARY_TEST_NAME, VALID_TEST_NAME, formatJUnit, xmlAttribute, xmlText } from '../../reports/junit.js';
import type { Result } from '../../reports/result.js';
import { invalid, useSampleRun } from './fixtures.js';

interface Failure {
  '@_message': string;
  '@_type': string;
  '#text'?: string;
}
interface TestCase {
  '@_name': string;
  '@_classname': string;
  '@_time': string;
  failure?: Failure;
  'system-out'?: string;
}
interface Suite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_timestamp': string;
  '@_time': string;
  properties: { property: { '@_name': string; '@_value': string }[] };
  testcase: TestCase[];
  'system-out': string;
}

/** Validates with the parser's validator (throws its error message otherwise), then parses. */
function parse(xml: string): { testsuites: { '@_tests': string; '@_failures': string; testsuite: Suite } } {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`invalid XML: ${JSON.stringify(valid.err)}\n${xml}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    // Decodes numeric character references (&#10;) too, as every conforming XML parser does.
    htmlEntities: true,
    isArray: (name) => name === 'testcase' || name === 'property',
  });
  return parser.parse(xml);
}

const caseNamed = (suite: Suite, name: string): TestCase => {
  const found = suite.testcase.find((c) => c['@_name'] === name);
  if (found === undefined) throw new Error(`no test case "${name}" in ${suite.testcase.map((c) => c['@_name']).join(', ')}`);
  return found;
};

const sample = useSampleRun();
let result: Result;
beforeAll(() => {
  result = sample.result;
});

describe('formatJUnit', () => {
  it('is well-formed XML with one suite named after the scenario, its start and its duration in seconds', () => {
    const xml = formatJUnit(result);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    const suite = parse(xml).testsuites.testsuite;
    expect(suite['@_name']).toBe('smoke');
    expect(suite['@_timestamp']).toBe('2026-01-02T03:04:05.678Z');
    expect(suite['@_time']).toBe('2.000');
    expect(suite['@_errors']).toBe('0');
  });

  it('without thresholds: a passing summary case carrying the counts, and the invariant case', () => {
    const doc = parse(formatJUnit(result));
    const suite = doc.testsuites.testsuite;
    expect(suite.testcase.map((c) => c['@_name'])).toEqual([SUMMARY_TEST_NAME, INVARIANT_TEST_NAME]);
    expect(suite['@_tests']).toBe('2');
    expect(suite['@_failures']).toBe('0');
    expect(doc.testsuites['@_tests']).toBe('2');
    const summary = caseNamed(suite, SUMMARY_TEST_NAME);
    expect(summary.failure).toBeUndefined();
    expect(summary['system-out']).toContain('scheduled 10');
    expect(summary['system-out']).toContain('accepted 4');
    expect(summary['system-out']).toContain('rejected 3');
    expect(summary['system-out']).toContain('achieved 4.5/s (target 5/s)');
    expect(caseNamed(suite, INVARIANT_TEST_NAME).failure).toBeUndefined();
    // The whole text summary rides along for people reading the CI log.
    expect(suite['system-out']).toContain('scheduled 10 = accepted 4 + rejected 3 + failed 1 + expired 1 + dropped 1 ✓');
    expect(suite.properties.property).toContainEqual({ '@_name': 'rate.target', '@_value': '5' });
  });

  it('one case per threshold; a failed one has a <failure> with the expression and the measured value, or "no data"', () => {
    const suite = parse(
      formatJUnit({
        ...result,
        thresholds: [
          { expression: 'p(99)<1000', actual: 40.123456, passed: true },
          { expression: 'rate(accepted)>=0.95', actual: 0.4, passed: false },
          { expression: 'p(99, expired)<10', actual: null, passed: false },
        ],
      }),
    ).testsuites.testsuite;
    expect(suite['@_tests']).toBe('5');
    expect(suite['@_failures']).toBe('2');
    expect(caseNamed(suite, 'p(99)<1000').failure).toBeUndefined();
    expect(caseNamed(suite, 'p(99)<1000')['@_classname']).toBe('pushsim.smoke.thresholds');

    const rate = caseNamed(suite, 'rate(accepted)>=0.95').failure;
    expect(rate?.['@_type']).toBe('threshold');
    expect(rate?.['@_message']).toBe('threshold rate(accepted)>=0.95 failed: measured 0.4');
    expect(rate?.['#text']).toBe('expression: rate(accepted)>=0.95\nmeasured: 0.4');

    expect(caseNamed(suite, 'p(99, expired)<10').failure?.['@_message']).toContain('measured no data');
  });

  it('fails the invariant case when the counts do not add up', () => {
    const suite = parse(formatJUnit({ ...result, counts: { ...result.counts, scheduled: 12 } })).testsuites.testsuite;
    expect(suite['@_failures']).toBe('1');
    const failure = caseNamed(suite, INVARIANT_TEST_NAME).failure;
    expect(failure?.['@_type']).toBe('invariant');
    expect(failure?.['@_message']).toContain('2 notification(s) have no outcome');
  });

  it('names the suite "pushsim" without a scenario', () => {
    const { scenario: _scenario, ...anonymous } = result;
    expect(parse(formatJUnit(anonymous)).testsuites.testsuite['@_name']).toBe('pushsim');
  });

  it('keeps hostile strings as data: markup, quotes, CDATA ends and characters XML cannot carry', () => {
    const scenario = '</testcase><x a="1">&amp;\'"]]><!--\u0001\u001b[2J\ufffe';
    const expression = 'p(99)<1000"/><failure message="x';
    const xml = formatJUnit({
      ...result,
      scenario,
      target: 'https://evil.example:1/<x>',
      byReason: { 'apns:</system-out><x>': 1, ...result.byReason },
      thresholds: [{ expression, actual: 1, passed: false }],
    });
    expect(xml).not.toContain('<x');
    expect(xml).not.toContain('\u0001');
    expect(xml).not.toContain('\u001b');
    const suite = parse(xml).testsuites.testsuite;
    // Illegal characters are dropped; everything else reads back exactly.
    expect(suite['@_name']).toBe('</testcase><x a="1">&amp;\'"]]><!--[2J');
    expect(suite.testcase).toHaveLength(3);
    expect(caseNamed(suite, expression).failure?.['@_message']).toContain(expression);
    expect(suite['system-out']).toContain('apns:</system-out><x>');
    expect(suite.properties.property).toContainEqual({ '@_name': 'target', '@_value': 'https://evil.example:1/<x>' });
  });

  it('drops unpaired surrogates but keeps characters outside the BMP', () => {
    expect(xmlText('a\ud800b\udc00c😀')).toBe('abc😀');
  });

  it('writes tab, newline and carriage return in attributes as references, so they survive normalisation', () => {
    expect(xmlAttribute('a\tb\nc\rd')).toBe('a&#9;b&#10;c&#13;d');
    const suite = parse(formatJUnit({ ...result, thresholds: [{ expression: 'count(failed)\n==0', actual: 1, passed: false }] })).testsuites
      .testsuite;
    expect(suite.testcase[1]?.['@_name']).toBe('count(failed)\n==0');
  });

  it("adds the run's health cases to a current result: each fails for what it says, and a valid run passes them", () => {
    const valid = { ...invalid, valid: true, reasons: [] };
    const { bottleneck: _b, ...validWithout } = valid;
    const healthy = parse(formatJUnit({ ...result, validity: validWithout })).testsuites.testsuite;
    expect(healthy.testcase.map((c) => c['@_name'])).toEqual([SUMMARY_TEST_NAME, INVARIANT_TEST_NAME, COMPLETED_TEST_NAME, REACHABLE_TEST_NAME, VALID_TEST_NAME]);
    expect(healthy['@_failures']).toBe('0');

    const broken = parse(
      formatJUnit({
        ...result,
        validity: invalid,
        interrupted: { signal: 'SIGTERM', atMs: 1500 },
        unreachable: { origin: 'https://127.0.0.1:1', cause: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1', atMs: 0, duringWarmup: true },
      }),
    ).testsuites.testsuite;
    expect(broken['@_failures']).toBe('3');
    expect(caseNamed(broken, COMPLETED_TEST_NAME).failure?.['@_message']).toBe('interrupted by SIGTERM at 1.500 s: the result is partial');
    expect(caseNamed(broken, REACHABLE_TEST_NAME).failure).toMatchObject({ '@_type': 'unreachable', '@_message': 'https://127.0.0.1:1: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1' });
    const overload = caseNamed(broken, VALID_TEST_NAME).failure;
    expect(overload?.['@_type']).toBe('overload');
    expect(overload?.['#text']).toContain(`bottleneck: ${invalid.bottleneck?.summary}`);
  });

  it('fails the run-completed case when the recipients file was lost mid-run, naming the file and what is wrong with it', () => {
    const suite = parse(formatJUnit({ ...result, recipientsLost: { file: 'users.csv', problem: 'does not exist any more: it was deleted or moved during the run (ENOENT)', atMs: 2500 } })).testsuites.testsuite;
    expect(caseNamed(suite, COMPLETED_TEST_NAME).failure).toMatchObject({
      '@_type': 'recipients-lost',
      '@_message': 'stopped at 2.500 s: the recipients file users.csv does not exist any more: it was deleted or moved during the run (ENOENT); the result is partial',
    });
  });

  it('passes the validity case when the scenario opted out of failing, saying why in its output', () => {
    const suite = parse(formatJUnit({ ...result, validity: { ...invalid, failOnOverload: false } })).testsuites.testsuite;
    const valid = caseNamed(suite, VALID_TEST_NAME);
    expect(valid.failure).toBeUndefined();
    expect(valid['system-out']).toContain('not valid, but the scenario opted out (validity.failOnOverload: false)');
  });

  it('shows the health cases of an older result (no validity) only when they fail', () => {
    const suite = parse(formatJUnit({ ...result, unreachable: { origin: 'https://x', cause: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND x', atMs: 5 } })).testsuites.testsuite;
    expect(suite.testcase.map((c) => c['@_name'])).toEqual([SUMMARY_TEST_NAME, INVARIANT_TEST_NAME, REACHABLE_TEST_NAME]);
    expect(suite['@_failures']).toBe('1');
  });
});
