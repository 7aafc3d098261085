import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbMigrationRegistry } from '../adapters/dynamodb-migration-registry.ts';
import type { MigrationRegistry } from '../core/registry.ts';
import { requiredEnv } from './env.ts';

/**
 * The deployed registry: table from `REGISTRY_TABLE` (template.yaml). Read on first use rather than at import,
 * so tests and the local engine can import a handler module without the variable; a deployed function
 * without it fails its first invocation naming the variable.
 */
export function registryFromEnv(): MigrationRegistry {
  let registry: DynamoDbMigrationRegistry | undefined;
  const resolve = () => {
    registry ??= new DynamoDbMigrationRegistry(
      new DynamoDBClient({ maxAttempts: 5 }),
      requiredEnv('REGISTRY_TABLE')
    );
    return registry;
  };
  return {
    acquire: (entry) => resolve().acquire(entry),
    get: (migrationId) => resolve().get(migrationId),
    ownerOf: (key) => resolve().ownerOf(key),
    update: (migrationId, expected, changes) => resolve().update(migrationId, expected, changes),
    finish: (migrationId, expected, phase, reason) =>
      resolve().finish(migrationId, expected, phase, reason),
    listUnfinished: () => resolve().listUnfinished(),
  };
}
