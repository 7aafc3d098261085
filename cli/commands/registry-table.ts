/**
 * The migration registry as the CLI reaches it: the DynamoDB table `--registry-table` names (default
 * `traffic-shift-migrations`), at the endpoint the standard variables name (AWS_ENDPOINT_URL_DYNAMODB, else
 * AWS_ENDPOINT_URL; the SDK reads them itself), else the account's DynamoDB in the region. Every local run
 * and `rollback` on one machine, and every operator pointing at the same table, see the same locks.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DEFAULT_REGISTRY_TABLE,
  DynamoDbMigrationRegistry,
} from '../../functions/adapters/dynamodb-migration-registry.ts';
import { CliError } from './common.ts';

export { DEFAULT_REGISTRY_TABLE };

export interface RegistryTable {
  registry: DynamoDbMigrationRegistry;
  dynamodb: DynamoDBClient;
  table: string;
  /** Where the table lives, for messages. */
  where: string;
}

export function registryTable(options: { registryTable?: string; region: string }): RegistryTable {
  const table = options.registryTable ?? DEFAULT_REGISTRY_TABLE;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new CliError(
      `--registry-table must be 3-255 characters of A-Z a-z 0-9 _ . - (got ${table})`,
      4
    );
  }
  const dynamodb = new DynamoDBClient({ region: options.region, maxAttempts: 8 });
  const endpoint =
    process.env['AWS_ENDPOINT_URL_DYNAMODB'] ?? process.env['AWS_ENDPOINT_URL'] ?? undefined;
  return {
    registry: new DynamoDbMigrationRegistry(dynamodb, table),
    dynamodb,
    table,
    where: endpoint === undefined ? `DynamoDB in ${options.region}` : `DynamoDB at ${endpoint}`,
  };
}

/**
 * Creates the table when it is missing (local runs) and says so through `note`.
 *
 * @throws CliError naming the table and the endpoint when DynamoDB cannot be reached or refuses.
 */
export async function ensureRegistryTable(
  target: RegistryTable,
  note: (text: string) => void
): Promise<void> {
  let created: boolean;
  try {
    created = await target.registry.createTableIfMissing();
  } catch (error) {
    throw new CliError(
      `cannot use the migration registry table ${target.table} (${target.where}): ${(error as Error).message}`
    );
  }
  if (created) {
    note(
      `migration registry table ${target.table} did not exist: created it (${target.where}, on demand)`
    );
  }
}
