import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMockApnsConfig, parseMockApnsConfig } from '../../../simulator/apns/config.js';

const t = (n: number): string => n.toString(16).padStart(64, 'a');

async function file(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'pushsim-config-')), name);
  await writeFile(path, text);
  return path;
}

describe('mock APNs config', () => {
  it('reads YAML and JSON files into the same config', async () => {
    const yaml = await file('devices.yaml', [
      'devices:',
      `  com.example.app: ['${t(1)}']`,
      'unregistered:',
      `  '${t(2)}': 1458114061260`,
      `expired: ['${t(3)}']`,
      'topics:',
      '  disallowed: [com.example.old]',
      'script:',
      `  '${t(4)}': [ServiceUnavailable, accept]`,
      'strictDevices: true',
    ].join('\n'));
    const expected = {
      devices: { 'com.example.app': [t(1)] },
      unregistered: { [t(2)]: 1_458_114_061_260 },
      expired: [t(3)],
      topics: { disallowed: ['com.example.old'] },
      script: { [t(4)]: ['ServiceUnavailable', 'accept'] },
      strictDevices: true,
    };
    expect(await loadMockApnsConfig(yaml)).toEqual(expected);
    expect(await loadMockApnsConfig(await file('devices.json', JSON.stringify(expected)))).toEqual(expected);
    expect(await loadMockApnsConfig(await file('empty.yaml', ''))).toEqual({});
  });

  it('lists every problem with its path, as InvalidConfigError', () => {
    let error: unknown;
    try {
      parseMockApnsConfig({
        devices: { 'com.example.app': [123, ''] },
        unregistered: { abc: 'yesterday' },
        expired: 'abc',
        topics: { blocked: [] },
        script: { abc: ['Nope'], def: [] },
        strictDevices: 'yes',
        extra: 1,
      }, 'devices.yaml');
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'PUSHSIM_ERR_INVALID_CONFIG', name: 'InvalidConfigError' });
    expect((error as { problems: string[] }).problems).toEqual([
      'extra: unknown field; known fields: devices, strictDevices, unregistered, expired, topics, script',
      'devices.com.example.app[0]: must be a non-empty string, got 123 (quote device tokens in YAML)',
      'devices.com.example.app[1]: must be a non-empty string, got ""',
      'strictDevices: must be true or false, got "yes"',
      'unregistered.abc: timestamp must be whole ms since epoch, got "yesterday"',
      'expired: must be a list of device tokens, got "abc"',
      'topics.blocked: unknown field; use disallowed or forbidden',
      `script.abc[0]: "Nope" is neither 'accept' nor an APNs reason (e.g. ServiceUnavailable, see core/reasons.ts)`,
      'script.def: the list is empty',
    ]);
    expect((error as Error).message).toMatch(/^devices.yaml has 9 problem\(s\):/);
  });

  it('says when a file cannot be read or parsed', async () => {
    await expect(loadMockApnsConfig('/no/such/file.yaml')).rejects.toThrow(/the file does not exist \(check the path.*\(ENOENT\)/);
    await expect(loadMockApnsConfig(await file('bad.json', '{'))).rejects.toThrow(/not valid JSON/);
    await expect(loadMockApnsConfig(await file('bad.yaml', 'a: [1'))).rejects.toThrow(/is not valid YAML/);
    await expect(loadMockApnsConfig(await file('list.yaml', '- 1'))).rejects.toThrow(/must be an object/);
  });
});
