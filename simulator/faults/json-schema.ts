/**
 * The JSON Schema of a fault spec (draft 2020-12), for editors (`# yaml-language-server: $schema=…`)
 * and other tools. Built from what validateFaultsDocument checks against — the registry's kinds and
 * their `fields`, the common fields, match fields, phase and ramp fields — so a kind or field added
 * there is in the schema too (a field without a schema entry here fails the build's test). The
 * validator stays the authority on ranges between fields (phases named, ramps over finite windows).
 */
import { faultProviders } from './types.js';
import { commonFaultFields, matchFields, topLevelFields } from './spec.js';
import { faultKind, faultKindNames } from './registry.js';
import { phaseFields, rampFields } from './timeline.js';

/** A JSON Schema object (draft 2020-12). */
export type JsonSchema = { readonly [keyword: string]: unknown };

const oneOrList = (item: JsonSchema, description: string): JsonSchema => ({ description, anyOf: [item, { type: 'array', items: item, minItems: 1 }] });

const matchSchemas: Readonly<Record<string, JsonSchema>> = {
  provider: oneOrList({ enum: [...faultProviders] }, 'only requests to this provider (or these)'),
  token: { type: 'string', description: 'a regular expression the device token must match' },
  tokens: { type: 'array', items: { type: 'string' }, description: 'exact device tokens' },
  topic: oneOrList({ type: 'string' }, 'APNs topic(s)'),
  pushType: oneOrList({ type: 'string' }, 'APNs push type(s)'),
  priority: oneOrList({ type: ['string', 'number'] }, 'APNs priority (or priorities)'),
  connection: oneOrList({ type: 'integer', minimum: 1 }, 'connection id(s): 1 is the first connection the engine saw'),
};

const rampSchemas: Readonly<Record<string, JsonSchema>> = {
  from: { type: 'number', minimum: 0, maximum: 1, description: 'probability at the start of the window' },
  to: { type: 'number', minimum: 0, maximum: 1, description: 'probability at its end' },
  overMs: { type: 'number', minimum: 1, description: 'ramp length; required when the window is open-ended' },
};

const commonSchemas: Readonly<Record<string, JsonSchema>> = {
  kind: { type: 'string' },
  id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'unique id, in the ledger and metrics (default <kind>-<index>)' },
  enabled: { type: 'boolean', description: 'false keeps the fault in the spec but off (default true)' },
  match: { $ref: '#/$defs/faultMatch' },
  probability: { $ref: '#/$defs/faultProbability' },
  phase: { type: 'string', description: 'active during this phase of `phases` (or give startMs / durationMs)' },
  startMs: { type: 'number', minimum: 0, description: 'active from this offset after the start, in ms' },
  durationMs: { type: 'number', minimum: 1, description: 'active for this long, in ms (default: until the end)' },
  everyNth: { type: 'integer', minimum: 1, description: 'only every Nth matching request' },
  firstNPerToken: { type: 'integer', minimum: 1, description: "only each token's first N attempts (fails them, lets the retry through)" },
  limit: { type: 'integer', minimum: 0, description: 'at most this many injections' },
};

const phaseSchemas: Readonly<Record<string, JsonSchema>> = {
  name: { type: 'string', minLength: 1, description: 'unique; "run" and "after" are reserved' },
  durationMs: { type: 'number', minimum: 1, description: 'how long it lasts, in ms; only the last phase may leave it out (open-ended)' },
};

/** Each field's schema; a field the validator knows but this file does not is a bug found by the schema test. */
function fieldsOf(fields: readonly string[], schemas: Readonly<Record<string, JsonSchema>>, what: string): Record<string, JsonSchema> {
  return Object.fromEntries(
    fields.map((field) => {
      const schema = schemas[field];
      if (schema === undefined) throw new Error(`the ${what} field ${field} has no JSON Schema in simulator/faults/json-schema.ts`);
      return [field, schema];
    }),
  );
}

/** One fault of one kind: its `kind`, the common fields and its own (their values checked by the kind's validate). */
function kindSchema(name: string): JsonSchema {
  const kind = faultKind(name);
  if (kind === undefined) throw new Error(`fault kind ${name} is not registered`);
  const own = Object.fromEntries(kind.fields.filter((field) => !commonFaultFields.includes(field)).map((field) => [field, { description: `a field of fault kind ${name} (docs/mocks.md)` }]));
  return {
    type: 'object',
    description: `${name}: ${kind.description}`,
    required: ['kind'],
    additionalProperties: false,
    properties: { ...fieldsOf(commonFaultFields, commonSchemas, 'common fault'), kind: { const: name, description: kind.description }, ...own },
  };
}

/** Built when asked, so kinds registered by then (registerFaultKind) are in it. */
const topLevelSchemas = (): Readonly<Record<string, JsonSchema>> => ({
  seed: { type: 'integer', minimum: 0, description: 'seed of the fault dice: same seed and traffic, same faults' },
  phases: {
    type: 'array',
    description: 'named phases back to back from the start (healthy → brownout → down → recovering)',
    items: { type: 'object', additionalProperties: false, required: ['name'], properties: fieldsOf(phaseFields, phaseSchemas, 'phase') },
  },
  faults: { type: 'array', description: 'the faults, each with a kind', items: { anyOf: faultKindNames().map(kindSchema) } },
});

/**
 * Parts every kind shares, referenced as `#/$defs/<name>` (a scenario's schema holds them too, so
 * the references resolve in both documents).
 */
export function faultsSchemaDefs(): Record<string, JsonSchema> {
  return {
    faultMatch: { type: 'object', additionalProperties: false, properties: fieldsOf(matchFields, matchSchemas, 'match'), description: 'which requests the fault may select; an absent field matches any' },
    faultProbability: {
      description: 'share of matching requests selected: a number, or a ramp across the window (default 1)',
      anyOf: [
        { type: 'number', minimum: 0, maximum: 1 },
        { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: fieldsOf(rampFields, rampSchemas, 'ramp') },
      ],
    },
  };
}

/** The fault spec's JSON Schema without `$schema` and `$defs` (for embedding in the scenario's). */
export function faultsSchemaBody(): JsonSchema {
  return {
    title: 'pushsim fault spec',
    description: 'Faults the pushsim mocks and fault proxy inject: kinds, phases and a seed (pushsim mock … --faults FILE, pushsim proxy --faults FILE, a scenario\'s faults).',
    type: 'object',
    additionalProperties: false,
    properties: fieldsOf(topLevelFields, topLevelSchemas(), 'top-level'),
  };
}

export function faultsJsonSchema(): JsonSchema {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...faultsSchemaBody(), $defs: faultsSchemaDefs() };
}
