/**
 * The JSON Schema of a scenario file (draft 2020-12), generated from the zod schema that checks
 * files (file-schema.ts), so the two cannot drift; its `faults` is the fault spec's schema
 * (simulator/faults/json-schema.ts). Loaded by `pushsim schema`, the build step that writes
 * schemas/*.schema.json, and tests only: a run does not need it.
 */
import { z } from 'zod';
import type { JsonSchema } from '../simulator/faults/json-schema.js';
import { faultsJsonSchema, faultsSchemaBody, faultsSchemaDefs } from '../simulator/faults/json-schema.js';
import { alternatives, fileSchema } from './file-schema.js';

const draft = 'https://json-schema.org/draft/2020-12/schema';

/** What a file may say (io: 'input'): every key optional that has a default. */
function fromZod(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    // A shape chosen from the value (eitherOf) is a transform to zod; to JSON Schema it is either shape.
    override(ctx) {
      const either = alternatives.get(ctx.zodSchema as unknown as z.ZodType);
      if (either !== undefined) ctx.jsonSchema.anyOf = either.map((alternative) => withoutDialect(fromZod(alternative)));
      // z.int()'s safe-integer bounds say nothing a reader needs; validateScenario holds the real ranges.
      if (ctx.jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete ctx.jsonSchema.minimum;
      if (ctx.jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete ctx.jsonSchema.maximum;
    },
  }) as Record<string, unknown>;
}

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

export function scenarioJsonSchema(): JsonSchema {
  const generated = withoutDialect(fromZod(fileSchema));
  const properties = generated['properties'] as Record<string, Record<string, unknown>>;
  const faults = properties['faults'] ?? {};
  return {
    $schema: draft,
    title: 'pushsim scenario',
    description: 'A pushsim scenario file: what it changes from the default scenario (pushsim run FILE). Reference: docs/scenarios.md.',
    ...generated,
    properties: {
      ...properties,
      faults: { description: faults['description'], anyOf: [{ type: 'string', minLength: 1, description: 'path of a fault spec file, relative to this file' }, { $ref: '#/$defs/faultSpec' }] },
    },
    $defs: { faultSpec: faultsSchemaBody(), ...faultsSchemaDefs() },
  };
}

/** The schemas pushsim ships (schemas/<name>.schema.json) and prints (`pushsim schema <name>`). */
export const shippedSchemas = {
  scenario: scenarioJsonSchema,
  faults: faultsJsonSchema,
} as const satisfies Record<string, () => JsonSchema>;

export type SchemaName = keyof typeof shippedSchemas;

/** The text of a schema file: stable key order (the code's), two-space indent, a final newline. */
export function schemaText(name: SchemaName): string {
  return `${JSON.stringify(shippedSchemas[name](), null, 2)}\n`;
}
