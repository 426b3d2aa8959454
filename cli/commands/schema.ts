/**
 * `pushsim schema [scenario|faults]`: prints the JSON Schema of scenario files or fault spec files,
 * the same one the package ships in schemas/ (for editors, CI linters, other tools).
 */
import { InvalidArgumentError as UsageError } from 'commander';
import type { Command } from 'commander';

/** Kept here, not imported from the generator, so registering the command loads nothing. */
export const schemaNames = ['scenario', 'faults'] as const;
export type SchemaChoice = (typeof schemaNames)[number];

function schemaName(value: string): SchemaChoice {
  if (!(schemaNames as readonly string[]).includes(value)) throw new UsageError(`expected one of ${schemaNames.join(', ')}, got "${value}"`);
  return value as SchemaChoice;
}

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of scenario files or fault spec files (shipped as node_modules/pushsim/schemas/*.schema.json)')
    .argument('[name]', `which schema: ${schemaNames.join(' or ')}`, schemaName, 'scenario')
    .action(async (name: SchemaChoice) => {
      // Loaded when the command runs (start-up): the generator and zod's JSON Schema output.
      const { schemaText } = await import('../../scenarios/json-schema.js');
      process.stdout.write(schemaText(name));
    });
}
