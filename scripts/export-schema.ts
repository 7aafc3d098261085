/**
 * Writes schema/migration-input.schema.json from the zod schema, so editors and other tools can validate
 * an execution input. Run: `node scripts/export-schema.ts`. A unit test fails when the committed file
 * differs from a fresh export.
 *
 * The JSON Schema is the *input* shape (defaults optional). Cross-field rules (exactly one plan kind,
 * increasing steps, evaluationIntervalSeconds <= bakeSeconds, no duplicate records, ...) live in zod
 * refinements that JSON Schema cannot express: parseMigrationInput stays the authority.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { MigrationInputSchema } from '../functions/core/input.ts';

export const SCHEMA_PATH = fileURLToPath(
  new URL('../schema/migration-input.schema.json', import.meta.url)
);

/** The JSON Schema (draft 2020-12) of the execution input. */
export function migrationInputJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(MigrationInputSchema, { io: 'input' });
  const { $schema, properties, ...rest } = generated;
  return {
    $schema,
    title: 'traffic-shift migration input',
    description:
      'Execution input of the traffic-shift state machine: shifts Route 53 weighted records from an App Mesh (blue) ' +
      'to an ECS Service Connect (green) environment, judged by Service Connect CloudWatch metrics. ' +
      'Generated from functions/core/input.ts by scripts/export-schema.ts; cross-field rules (exactly one plan kind, ' +
      'increasing steps ending at 100, evaluationIntervalSeconds <= bakeSeconds, windowSeconds a multiple of ' +
      'periodSeconds, distinct set identifiers, no duplicate records) are checked by the Preflight step, not by this schema.',
    ...rest,
    properties: {
      $schema: {
        type: 'string',
        description:
          'This schema, for editors (for example "./schema/migration-input.schema.json"); ignored by traffic-shift.',
      },
      ...properties,
    },
  };
}

/** The file's exact content: two-space JSON and a final newline. */
export function renderMigrationInputSchema(): string {
  return `${JSON.stringify(migrationInputJsonSchema(), null, 2)}\n`;
}

if (import.meta.main) {
  writeFileSync(SCHEMA_PATH, renderMigrationInputSchema());
  console.log(`wrote ${SCHEMA_PATH}`);
}
