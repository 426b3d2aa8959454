/**
 * JUnit XML of a Result, for the test reporters of CI systems (Jenkins, GitLab, GitHub actions that
 * read JUnit). A pure function of the Result: no clock, no environment, no I/O.
 *
 *   <testsuites>
 *     <testsuite name=scenario tests failures timestamp=startedAt time=durationMs/1000>
 *       <properties/>                          target, rates, pushsim version
 *       <testcase name="run summary">          always passes; the counts in its <system-out>
 *       <testcase name=threshold expression>   one per threshold; <failure> when it failed
 *       <testcase name="every notification ended exactly once">   checkInvariant
 *       <testcase name="the run completed">       fails when a signal interrupted it (result.interrupted) or its recipients file was lost (result.recipientsLost)
 *       <testcase name="the target was reachable">   fails when it could not be reached (result.unreachable)
 *       <testcase name="a valid measurement of the target">   fails when pushsim fell behind (result.validity)
 *       <system-out>                           formatText(result)
 *
 * Test case names never contain measured numbers: CI systems follow a test across builds by its
 * name, so "p(99)<250" must be the same test in every run.
 *
 * Built with a small escaper rather than an XML builder library: the document has a fixed shape of
 * a dozen element kinds, and what a builder would add (namespaces, a DOM) is not needed; what is
 * needed — escaping and dropping characters XML 1.0 cannot carry — is a few lines, tested against a
 * real parser in test/reports/junit.test.ts.
 */
import { outcomeStatuses } from '../sender/outcome.js';
import { checkInvariant } from './result.js';
import type { Result } from './result.js';
import { formatText } from './text.js';
import { pushAll } from '../core/arrays.js';

/** The name of the always-present test case that states the outcome invariant. */
export const INVARIANT_TEST_NAME = 'every notification ended exactly once';
/** The name of the informational test case, present so a run without thresholds still reports something. */
export const SUMMARY_TEST_NAME = 'run summary';
/** Cases of the run's own health; results written before these fields existed (no `validity`) show them only when failing. */
export const COMPLETED_TEST_NAME = 'the run completed';
export const REACHABLE_TEST_NAME = 'the target was reachable';
export const VALID_TEST_NAME = 'a valid measurement of the target';

/**
 * Characters XML 1.0 forbids (§2.2 Char: C0 controls but tab/LF/CR, unpaired surrogates,
 * U+FFFE/U+FFFF), plus the C1 controls it discourages (a crafted reason must not reach a terminal
 * that `cat`s the report). Removed, since no escape can represent them in XML 1.0.
 */
// eslint-disable-next-line no-control-regex
const illegal = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text content: `&`, `<`, `>` escaped (`>` for `]]>`), illegal characters removed. */
export function xmlText(value: string): string {
  return value.replace(illegal, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An attribute value for `"…"`: as text, plus quotes, and tab/LF/CR as character references so
 * attribute-value normalization (XML 1.0 §3.3.3) does not turn them into spaces.
 */
export function xmlAttribute(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

function element(name: string, attributes: Readonly<Record<string, string | number>>, children?: string): string {
  const attrs = Object.entries(attributes)
    .map(([key, value]) => ` ${key}="${xmlAttribute(String(value))}"`)
    .join('');
  return children === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);
const measured = (actual: number | null): string => (actual === null ? 'no data' : String(Math.round(actual * 1000) / 1000));

interface TestCase {
  readonly name: string;
  readonly classname: string;
  readonly timeMs: number;
  readonly failure?: { readonly message: string; readonly type: string; readonly details: string };
  readonly systemOut?: string;
}

function testCases(result: Result, suite: string): TestCase[] {
  const { counts } = result;
  const cases: TestCase[] = [];

  const summary = [
    `scheduled ${counts.scheduled}`,
    ...outcomeStatuses.map((status) => `${status} ${counts[status]}`),
    `attempts ${counts.attempts}`,
    ...(counts.retries !== undefined ? [`retries ${counts.retries}`] : []),
    ...(counts.fallbacks !== undefined ? [`fallbacks ${counts.fallbacks}`] : []),
    ...(counts.duplicates !== undefined ? [`duplicate deliveries ${counts.duplicates}`] : []),
    `achieved ${result.rate.achieved}/s` + (result.rate.target === null ? '' : ` (target ${result.rate.target}/s)`),
  ].join('\n');
  cases.push({ name: SUMMARY_TEST_NAME, classname: suite, timeMs: result.durationMs, systemOut: summary });

  for (const threshold of result.thresholds ?? []) {
    const value = measured(threshold.actual);
    cases.push({
      name: threshold.expression,
      classname: `${suite}.thresholds`,
      timeMs: 0,
      ...(!threshold.passed && {
        failure: {
          type: 'threshold',
          message: `threshold ${threshold.expression} failed: measured ${value}`,
          details: `expression: ${threshold.expression}\nmeasured: ${value}`,
        },
      }),
    });
  }

  const broken = checkInvariant(result);
  cases.push({
    name: INVARIANT_TEST_NAME,
    classname: suite,
    timeMs: 0,
    ...(broken !== undefined && { failure: { type: 'invariant', message: broken, details: broken } }),
  });
  pushAll(cases, healthCases(result, suite));
  return cases;
}

/** Interrupted, unreachable, not a valid measurement: each a failing case, so CI shows the run for what it was. */
function healthCases(result: Result, suite: string): TestCase[] {
  const current = result.validity !== undefined;
  const cases: TestCase[] = [];
  const { interrupted, unreachable, validity, recipientsLost: lost } = result;
  if (current || interrupted !== undefined || lost !== undefined) {
    const failure =
      interrupted !== undefined
        ? { type: 'interrupted', message: `interrupted by ${interrupted.signal}${interrupted.duringWarmup === true ? ' during the warm-up: nothing was measured' : ` at ${seconds(interrupted.atMs)} s: the result is partial`}` }
        : lost !== undefined
          ? { type: 'recipients-lost', message: `stopped at ${seconds(lost.atMs)} s: the recipients file ${lost.file} ${lost.problem}; the result is partial` }
          : undefined;
    cases.push({ name: COMPLETED_TEST_NAME, classname: suite, timeMs: 0, ...(failure !== undefined && { failure: { ...failure, details: failure.message } }) });
  }
  if (current || unreachable !== undefined) {
    const message = unreachable === undefined ? undefined : `${unreachable.origin}: ${unreachable.cause}: ${unreachable.message}`;
    cases.push({ name: REACHABLE_TEST_NAME, classname: suite, timeMs: 0, ...(message !== undefined && { failure: { type: 'unreachable', message, details: message } }) });
  }
  if (validity !== undefined) {
    const details = [...validity.reasons, ...(validity.bottleneck === undefined ? [] : [`bottleneck: ${validity.bottleneck.summary}`])].join('\n');
    const failing = !validity.valid && validity.failOnOverload;
    cases.push({
      name: VALID_TEST_NAME,
      classname: suite,
      timeMs: 0,
      ...(failing && { failure: { type: 'overload', message: `not a valid measurement of the target: ${validity.reasons.join('; ')}`, details } }),
      ...(!failing && details !== '' && { systemOut: validity.valid ? details : `not valid, but the scenario opted out (validity.failOnOverload: false):\n${details}` }),
    });
  }
  return cases;
}

/** The JUnit XML document of a result: one `<testsuite>` named after the scenario ("pushsim" without one). */
export function formatJUnit(result: Result): string {
  const suite = result.scenario ?? 'pushsim';
  const cases = testCases(result, `pushsim.${suite}`);
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const time = seconds(result.durationMs);
  const counts = { tests: cases.length, failures, errors: 0, skipped: 0 };

  const properties = [
    ...(result.target !== undefined ? [['target', result.target]] : []),
    ...(result.pushsim !== undefined ? [['pushsim', result.pushsim]] : []),
    ['rate.target', result.rate.target === null ? 'none' : String(result.rate.target)],
    ['rate.achieved', String(result.rate.achieved)],
  ].map(([name = '', value = '']) => `      ${element('property', { name, value })}`);

  const body = cases.map((c) => {
    const attributes = { name: c.name, classname: c.classname, time: seconds(c.timeMs) };
    const children = [
      ...(c.failure !== undefined ? [element('failure', { message: c.failure.message, type: c.failure.type }, xmlText(c.failure.details))] : []),
      ...(c.systemOut !== undefined ? [element('system-out', {}, xmlText(c.systemOut))] : []),
    ];
    return `    ${element('testcase', attributes, children.length === 0 ? undefined : `\n      ${children.join('\n      ')}\n    `)}`;
  });

  const testsuite = element(
    'testsuite',
    { name: suite, ...counts, timestamp: result.startedAt, time },
    [
      '',
      `    <properties>\n${properties.join('\n')}\n    </properties>`,
      ...body,
      `    ${element('system-out', {}, xmlText(formatText(result)))}`,
      '  ',
    ].join('\n'),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${element('testsuites', { name: 'pushsim', ...counts, time }, `\n  ${testsuite}\n`)}\n`;
}
