/**
 * The mock's device configuration, as a file (JSON or YAML) or as the `config` option:
 *
 *   devices:                       # topic (bundle id) → device tokens registered for it
 *     com.example.app: [ '<64 hex>', … ]
 *   strictDevices: false           # true: tokens registered for no topic → DeviceTokenNotForTopic
 *   unregistered:                  # → 410 Unregistered; token → timestamp (ms), or a list (now)
 *     '<64 hex>': 1458114061260
 *   expired: [ '<64 hex>' ]        # → 410 ExpiredToken
 *   topics:
 *     disallowed: [ com.example.old ]   # → 400 TopicDisallowed
 *     forbidden: [ com.example.other ]  # → 403 Forbidden
 *   script:                        # token → a reason for every push, or a list played in order
 *     '<64 hex>': ServiceUnavailable
 *     '<64 hex>': [ InternalServerError, accept ]
 *
 * Every problem is reported at once, with its path (InvalidConfigError, CLI exit code 104).
 */
import { extname } from 'node:path';
import { parseJson, parseYaml } from '../../core/documents.js';
import { InvalidConfigError } from '../../core/errors.js';
import { readTextFile } from '../../core/files.js';
import { fileLimits } from '../../core/limits.js';
import { isApnsReason } from '../../core/reasons.js';
import type { ScriptStep } from './rules.js';

export interface MockApnsConfig {
  readonly devices?: Readonly<Record<string, readonly string[]>>;
  readonly strictDevices?: boolean;
  readonly unregistered?: Readonly<Record<string, number>> | readonly string[];
  readonly expired?: readonly string[];
  readonly topics?: { readonly disallowed?: readonly string[]; readonly forbidden?: readonly string[] };
  readonly script?: Readonly<Record<string, ScriptStep | readonly ScriptStep[]>>;
}

const fields = ['devices', 'strictDevices', 'unregistered', 'expired', 'topics', 'script'];

/** Reads a JSON (`.json`) or YAML (anything else; YAML is a superset of JSON) config file. */
export async function loadMockApnsConfig(file: string): Promise<MockApnsConfig> {
  const { text, problem } = await readTextFile(file, fileLimits.mockConfig);
  if (problem !== undefined) throw new InvalidConfigError(file, [`the file ${problem}`]);
  const value = extname(file).toLowerCase() === '.json' ? parseJson(text, { source: file }) : parseYaml(text, { source: file, syntaxPrefix: 'is not valid YAML: ' });
  return parseMockApnsConfig(value ?? {}, file);
}

/** Checks a config object; throws InvalidConfigError listing every problem. */
export function parseMockApnsConfig(value: unknown, source = 'mock APNs config'): MockApnsConfig {
  const problems: string[] = [];
  if (!isRecord(value)) throw new InvalidConfigError(source, [`must be an object with any of ${fields.join(', ')}, got ${describe(value)}`]);
  for (const key of Object.keys(value)) if (!fields.includes(key)) problems.push(`${key}: unknown field; known fields: ${fields.join(', ')}`);

  const { devices, strictDevices, unregistered, expired, topics, script } = value;
  if (devices !== undefined) {
    if (!isRecord(devices)) problems.push('devices: must map a topic to a list of device tokens');
    else for (const [topic, tokens] of Object.entries(devices)) checkTokenList(`devices.${topic}`, tokens, problems);
  }
  if (strictDevices !== undefined && typeof strictDevices !== 'boolean') problems.push(`strictDevices: must be true or false, got ${describe(strictDevices)}`);
  if (unregistered !== undefined) {
    if (Array.isArray(unregistered)) checkTokenList('unregistered', unregistered, problems);
    else if (!isRecord(unregistered)) problems.push('unregistered: must be a list of tokens or map tokens to timestamps (ms since epoch)');
    else {
      for (const [token, at] of Object.entries(unregistered)) {
        if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) problems.push(`unregistered.${token}: timestamp must be whole ms since epoch, got ${describe(at)}`);
      }
    }
  }
  if (expired !== undefined) checkTokenList('expired', expired, problems);
  if (topics !== undefined) {
    if (!isRecord(topics)) problems.push('topics: must be { disallowed?: [...], forbidden?: [...] }');
    else {
      for (const key of Object.keys(topics)) if (key !== 'disallowed' && key !== 'forbidden') problems.push(`topics.${key}: unknown field; use disallowed or forbidden`);
      if (topics['disallowed'] !== undefined) checkTokenList('topics.disallowed', topics['disallowed'], problems, 'topics');
      if (topics['forbidden'] !== undefined) checkTokenList('topics.forbidden', topics['forbidden'], problems, 'topics');
    }
  }
  if (script !== undefined) {
    if (!isRecord(script)) problems.push('script: must map a device token to a reason or a list of reasons');
    else {
      for (const [token, steps] of Object.entries(script)) {
        const list: unknown[] = Array.isArray(steps) ? steps : [steps];
        if (list.length === 0) problems.push(`script.${token}: the list is empty`);
        list.forEach((step, i) => {
          if (step !== 'accept' && !(typeof step === 'string' && isApnsReason(step))) {
            problems.push(`script.${token}${Array.isArray(steps) ? `[${i}]` : ''}: ${describe(step)} is neither 'accept' nor an APNs reason (e.g. ServiceUnavailable, see core/reasons.ts)`);
          }
        });
      }
    }
  }
  if (problems.length > 0) throw new InvalidConfigError(source, problems);
  return value as MockApnsConfig;
}

function checkTokenList(where: string, list: unknown, problems: string[], what = 'device tokens'): void {
  if (!Array.isArray(list)) {
    problems.push(`${where}: must be a list of ${what}, got ${describe(list)}`);
    return;
  }
  list.forEach((item, i) => {
    if (typeof item !== 'string' || item === '') {
      // YAML reads an unquoted all-digit token as a number.
      const hint = typeof item === 'number' ? ' (quote device tokens in YAML)' : '';
      problems.push(`${where}[${i}]: must be a non-empty string, got ${describe(item)}${hint}`);
    }
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
