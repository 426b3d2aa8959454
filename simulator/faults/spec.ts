/**
 * The fault spec as data (YAML/JSON files, the control API, the library API) and its validation:
 * every problem at once, each with its path (`faults[2].probability: …`).
 *
 *   seed: 42
 *   phases: [{ name: healthy, durationMs: 10000 }, { name: down, durationMs: 5000 }, { name: recovering }]
 *   faults:
 *     - kind: outage                       # any kind from registry.ts
 *       id: down                           # default `<kind>-<index>`
 *       phase: down                        # or startMs / durationMs; default: always
 *       match: { provider: apns, token: '^ab', topic: com.example.app, pushType: alert, priority: 10, connection: [1] }
 *       probability: { from: 0, to: 0.2 }  # or a number; default 1
 *       everyNth: 3                        # every 3rd matching request
 *       firstNPerToken: 2                  # only each token's first 2 attempts
 *       limit: 100                         # at most 100 injections
 *       enabled: true
 *       # … the kind's own fields
 */
import type { Problems, Spec } from './check.js';
import { describe, isRecord, optionalNumber } from './check.js';
import { faultKind, faultKindNames } from './registry.js';
import type { PhaseSpec, ProbabilitySpec } from './timeline.js';
import { validatePhases, validateSchedule } from './timeline.js';
import { faultProviders } from './types.js';
import type { FaultProvider, FaultRequestInfo } from './types.js';
import { pushAll } from '../../core/arrays.js';
import { didYouMean } from '../../core/did-you-mean.js';

export interface FaultMatch {
  readonly provider?: FaultProvider | readonly FaultProvider[];
  /** Regular expression (string) the token must match. */
  readonly token?: string;
  /** Exact tokens. */
  readonly tokens?: readonly string[];
  readonly topic?: string | readonly string[];
  readonly pushType?: string | readonly string[];
  readonly priority?: string | number | readonly (string | number)[];
  /** Connection ids (1 = the first connection the engine saw). */
  readonly connection?: number | readonly number[];
}

export interface FaultSpec {
  readonly kind: string;
  readonly id?: string;
  readonly enabled?: boolean;
  readonly match?: FaultMatch;
  readonly probability?: ProbabilitySpec;
  readonly phase?: string;
  readonly startMs?: number;
  readonly durationMs?: number;
  readonly everyNth?: number;
  readonly firstNPerToken?: number;
  readonly limit?: number;
  /** The kind's own fields. */
  readonly [field: string]: unknown;
}

export interface FaultsDocument {
  /** Seed of the fault dice; same seed and traffic → same faults. */
  readonly seed?: number;
  readonly phases?: readonly PhaseSpec[];
  readonly faults?: readonly FaultSpec[];
}

export const commonFaultFields: readonly string[] = [
  'kind', 'id', 'enabled', 'match', 'probability', 'phase', 'startMs', 'durationMs', 'everyNth', 'firstNPerToken', 'limit',
];
export const matchFields: readonly string[] = ['provider', 'token', 'tokens', 'topic', 'pushType', 'priority', 'connection'];
export const topLevelFields: readonly string[] = ['seed', 'phases', 'faults'];

/** Every problem with a whole document (empty when valid). */
export function validateFaultsDocument(doc: unknown): Problems {
  if (!isRecord(doc)) return [`the fault spec must be an object with faults (and optionally seed, phases), got ${describe(doc)}`];
  const problems: Problems = [];
  for (const key of Object.keys(doc)) if (!topLevelFields.includes(key)) problems.push(`${key} is not a top-level field${didYouMean(key, topLevelFields)} (${topLevelFields.join(', ')})`);
  if (doc['seed'] !== undefined && (typeof doc['seed'] !== 'number' || !Number.isSafeInteger(doc['seed']) || doc['seed'] < 0)) {
    problems.push(`seed must be an integer >= 0, got ${describe(doc['seed'])}`);
  }
  pushAll(problems, validatePhases(doc['phases'], 'phases'));
  const phases = phaseMap(doc['phases']);
  const faults = doc['faults'];
  if (faults !== undefined && !Array.isArray(faults)) problems.push(`faults must be a list, got ${describe(faults)}`);
  const ids = new Set<string>();
  (Array.isArray(faults) ? faults : []).forEach((fault: unknown, index) => {
    pushAll(problems, validateFault(fault, `faults[${index}]`, phases));
    const id = isRecord(fault) && typeof fault['id'] === 'string' ? fault['id'] : undefined;
    if (id !== undefined && ids.has(id)) problems.push(`faults[${index}].id '${id}' is used twice; ids must be unique`);
    if (id !== undefined) ids.add(id);
  });
  return problems;
}

/** Phase name → whether it has a finite duration (for ramp checks). */
export function phaseMap(phases: unknown): Map<string, boolean> {
  const map = new Map<string, boolean>();
  if (!Array.isArray(phases)) return map;
  for (const phase of phases as unknown[]) {
    if (isRecord(phase) && typeof phase['name'] === 'string') map.set(phase['name'], typeof phase['durationMs'] === 'number');
  }
  return map;
}

/** Every problem with one fault, paths prefixed with `at`. */
export function validateFault(fault: unknown, at: string, phases: ReadonlyMap<string, boolean>): Problems {
  if (!isRecord(fault)) return [`${at} must be an object with a kind, got ${describe(fault)}`];
  const kindName = fault['kind'];
  const kind = typeof kindName === 'string' ? faultKind(kindName) : undefined;
  if (kind === undefined) {
    const suggestion = typeof kindName === 'string' ? didYouMean(kindName, faultKindNames()) : '';
    return [`${at}.kind must be one of ${faultKindNames().join(', ')}, got ${describe(kindName)}${suggestion}`];
  }
  const problems: Problems = [];
  for (const key of Object.keys(fault)) {
    if (!commonFaultFields.includes(key) && !kind.fields.includes(key)) {
      const suggestion = didYouMean(key, [...commonFaultFields, ...kind.fields]);
      problems.push(`${at}.${key} is not a field of fault kind '${kind.kind}'${suggestion} (its fields: ${kind.fields.join(', ') || 'none'}; common: ${commonFaultFields.join(', ')})`);
    }
  }
  const id = fault['id'];
  if (id !== undefined && (typeof id !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(id))) {
    problems.push(`${at}.id must be 1-64 letters, digits, '.', '_' or '-', got ${describe(id)}`);
  }
  if (fault['enabled'] !== undefined && typeof fault['enabled'] !== 'boolean') problems.push(`${at}.enabled must be true or false`);
  pushAll(problems, validateSchedule(fault, at, phases));
  optionalNumber(problems, fault, 'everyNth', at, 1, Number.MAX_SAFE_INTEGER, true);
  optionalNumber(problems, fault, 'firstNPerToken', at, 1, Number.MAX_SAFE_INTEGER, true);
  optionalNumber(problems, fault, 'limit', at, 0, Number.MAX_SAFE_INTEGER, true);
  pushAll(problems, validateMatch(fault['match'], `${at}.match`));
  pushAll(problems, kind.validate(fault, at));
  return problems;
}

function validateMatch(match: unknown, at: string): Problems {
  if (match === undefined) return [];
  if (!isRecord(match)) return [`${at} must be an object (${matchFields.join(', ')}), got ${describe(match)}`];
  const problems: Problems = [];
  for (const key of Object.keys(match)) if (!matchFields.includes(key)) problems.push(`${at}.${key} is not a match field${didYouMean(key, matchFields)} (${matchFields.join(', ')})`);
  const list = (field: string, ok: (item: unknown) => boolean, what: string): void => {
    const value = match[field];
    if (value === undefined) return;
    const items = Array.isArray(value) ? value : [value];
    if (items.length === 0 || !items.every(ok)) problems.push(`${at}.${field} must be ${what} or a non-empty list of them, got ${describe(value)}`);
  };
  list('provider', (p) => faultProviders.includes(p as FaultProvider), `one of ${faultProviders.join(', ')}`);
  list('topic', (t) => typeof t === 'string', 'a string');
  list('pushType', (t) => typeof t === 'string', 'a string');
  list('priority', (p) => typeof p === 'string' || typeof p === 'number', 'a string or number');
  list('connection', (c) => typeof c === 'number' && Number.isInteger(c) && c >= 1, 'a connection id (integer >= 1)');
  const tokens = match['tokens'];
  if (tokens !== undefined && (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string'))) problems.push(`${at}.tokens must be a list of tokens`);
  const token = match['token'];
  if (token !== undefined) {
    if (typeof token !== 'string') problems.push(`${at}.token must be a regular expression (string), got ${describe(token)}`);
    else {
      try {
        new RegExp(token);
      } catch (error) {
        problems.push(`${at}.token is not a valid regular expression: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

/** A compiled `match`: undefined fields match anything. */
export type Matcher = (request: FaultRequestInfo) => boolean;

export function compileMatch(match: FaultMatch | undefined): Matcher | undefined {
  if (match === undefined) return undefined;
  const set = <T>(value: T | readonly T[] | undefined): Set<string> | undefined =>
    value === undefined ? undefined : new Set((Array.isArray(value) ? value : [value]).map(String));
  const providers = set(match.provider);
  const tokens = match.tokens === undefined ? undefined : new Set(match.tokens);
  const tokenPattern = match.token === undefined ? undefined : new RegExp(match.token);
  const topics = set(match.topic);
  const pushTypes = set(match.pushType);
  const priorities = set(match.priority);
  const connections = set(match.connection);
  const has = (values: Set<string> | undefined, value: unknown): boolean => values === undefined || (value !== undefined && values.has(String(value)));
  return (request) =>
    has(providers, request.provider) &&
    (tokens === undefined || (request.token !== undefined && tokens.has(request.token))) &&
    (tokenPattern === undefined || (request.token !== undefined && tokenPattern.test(request.token))) &&
    has(topics, request.topic) &&
    has(pushTypes, request.pushType) &&
    has(priorities, request.priority) &&
    has(connections, request.connectionId);
}

/** Copies a validated spec and fills its id (`<kind>-<index>` keeps ids, and so the dice, stable across runs). */
export function withId(fault: FaultSpec, index: number, taken: ReadonlySet<string>): FaultSpec {
  if (fault.id !== undefined) return { ...fault };
  let n = index;
  while (taken.has(`${fault.kind}-${n}`)) n++;
  return { ...fault, id: `${fault.kind}-${n}` };
}

export type { Spec };
