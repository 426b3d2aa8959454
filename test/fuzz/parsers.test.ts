/**
 * Properties of the scenario and fault-spec parsers over random and hostile documents: they return
 * a config or throw InvalidConfigError (exit 104) and nothing else — no TypeError, no RangeError, no
 * yaml ReferenceError — and a valid document reads back to the same config from YAML and from JSON.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { faultSpecText, scenarioText, validFaultSpec, validScenario } from '../../bench/lib/hostile-inputs.js';
import { parseScenario } from '../../scenarios/file.js';
import { parseFaultsDocument } from '../../simulator/faults/spec-file.js';
import { onlyInvalidConfig, runs } from './settings.js';

describe('scenario parser', () => {
  it('throws nothing but InvalidConfigError on random and hostile scenario files', () => {
    fc.assert(fc.property(scenarioText, (text) => onlyInvalidConfig(() => parseScenario(text, 'fuzz.yaml', '/tmp'))), runs(400));
  }, 120_000);

  it('reads a valid scenario back from YAML and from JSON to the same config', () => {
    fc.assert(
      fc.property(validScenario, (doc) => {
        const fromYaml = parseScenario(stringify(doc), 'fuzz.yaml');
        const fromJson = parseScenario(JSON.stringify(doc), 'fuzz.json');
        expect(fromJson).toEqual(fromYaml);
        expect(fromYaml.name).toBe(doc['name']);
        expect(fromYaml.load).toMatchObject(doc['load'] ?? {});
        expect(fromYaml.tokens).toMatchObject(doc['tokens'] ?? {});
        expect(fromYaml.faults).toEqual(doc['faults']);
        // Idempotent: the config's own fields, written out again, read back the same.
        expect(parseScenario(stringify(doc), 'again.yaml')).toEqual(fromYaml);
      }),
      runs(100),
    );
  }, 120_000);
});

describe('fault spec parser', () => {
  it('throws nothing but InvalidConfigError on random and hostile spec files', () => {
    fc.assert(fc.property(faultSpecText, (text) => onlyInvalidConfig(() => parseFaultsDocument(text, 'fuzz.yaml'))), runs(400));
  }, 120_000);

  it('reads a valid spec back unchanged from YAML and from JSON', () => {
    fc.assert(
      fc.property(validFaultSpec, (spec) => {
        expect(parseFaultsDocument(stringify(spec), 'fuzz.yaml')).toEqual(spec);
        expect(parseFaultsDocument(JSON.stringify(spec), 'fuzz.json')).toEqual(spec);
      }),
      runs(150),
    );
  }, 120_000);
});
