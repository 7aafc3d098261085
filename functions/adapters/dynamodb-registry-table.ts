/**
 * The registry table's plumbing, shared by the entry writes (dynamodb-migration-registry.ts) and the lock
 * transactions (dynamodb-registry-locks.ts): create the table, read one item consistently, send a
 * TransactWriteItems (a condition failure becomes RegistryConflictError, a collision is retried) and word the
 * conflict a refused write reports. Kept apart so both writers send and fail the same way.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { RegistryBusyError, RegistryConflictError } from '../core/errors.ts';
import { type MigrationEntry, MigrationPhase } from '../core/registry.ts';
import {
  cancellationCodes,
  entryKey,
  errorName,
  fromItem,
  type Item,
  mapped,
  REGISTRY_KEY_ATTRIBUTE,
} from './dynamodb-registry-codec.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Transactions that collide with another transaction on the same item are cancelled for both: retry them. */
const TRANSACTION_CONFLICT_ATTEMPTS = 6;

/** The condition (and its values) that an entry is unfinished: only such an entry is written. */
export const UNFINISHED_VALUES = {
  ':preflight': { S: MigrationPhase.Preflight },
  ':running': { S: MigrationPhase.Running },
} as const;
export const UNFINISHED_CONDITION = 'phase IN (:preflight, :running)';

/**
 * One registry table: its creation, consistent single-item reads and TransactWriteItems with retries.
 *
 * @example
 * const table = new RegistryTable(dynamodb, 'migrations');
 * const entry = await table.getEntry('orders'); // null when the registry never saw it
 */
export class RegistryTable {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  get name(): string {
    return this.#table;
  }

  /**
   * Creates the table (PAY_PER_REQUEST, key schema as in template.yaml) when it does not exist, for the local
   * engine and the tests. Returns whether it created it.
   */
  async createIfMissing(): Promise<boolean> {
    try {
      await this.#client.send(new DescribeTableCommand({ TableName: this.#table }));
      return false;
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw mapped(error, 'DescribeTable');
    }
    try {
      await this.#client.send(
        new CreateTableCommand({
          TableName: this.#table,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: REGISTRY_KEY_ATTRIBUTE, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: REGISTRY_KEY_ATTRIBUTE, KeyType: 'HASH' }],
        })
      );
    } catch (error) {
      // Another process created it in between.
      if (errorName(error) === 'ResourceInUseException') return false;
      throw mapped(error, 'CreateTable');
    }
    await waitUntilTableExists(
      { client: this.#client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
      { TableName: this.#table }
    );
    return true;
  }

  /** The entry, or null (a consistent read). */
  async getEntry(migrationId: string): Promise<MigrationEntry | null> {
    const item = await this.getItem(entryKey(migrationId));
    return item === null ? null : fromItem(item);
  }

  /** One item by its key, read consistently, or null. */
  async getItem(pk: string): Promise<Item | null> {
    try {
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { [REGISTRY_KEY_ATTRIBUTE]: { S: pk } },
          ConsistentRead: true,
        })
      );
      return out.Item ?? null;
    } catch (error) {
      throw mapped(error, 'GetItem');
    }
  }

  /** Sends a transaction; a condition failure becomes RegistryConflictError, a collision is retried. */
  async transact(request: TransactWriteItemsCommandInput, what: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#client.send(new TransactWriteItemsCommand(request));
        return;
      } catch (error) {
        if (errorName(error) !== 'TransactionCanceledException') throw mapped(error, what);
        const codes = cancellationCodes(error);
        if (codes.includes('ConditionalCheckFailed')) {
          throw new RegistryConflictError(
            `migration registry ${what}: a condition failed (${codes.join(', ')})`,
            { cause: error }
          );
        }
        const retryable = codes.some((code) =>
          ['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded'].includes(code)
        );
        if (!retryable || attempt >= TRANSACTION_CONFLICT_ATTEMPTS)
          throw new RegistryBusyError(
            `migration registry ${what} cancelled: ${codes.join(', ') || (error as Error).message}`,
            { cause: error }
          );
        await sleep(20 * 2 ** attempt * Math.random());
      }
    }
  }

  /** The RegistryConflictError of a refused write, naming what the entry holds now. */
  async conflict(
    migrationId: string,
    expected: { version: number; executionArn: string },
    what: string
  ): Promise<RegistryConflictError> {
    const now = await this.getEntry(migrationId);
    const found =
      now === null
        ? 'no entry'
        : `version ${now.version}, execution ${now.executionArn}, phase ${now.phase}`;
    return new RegistryConflictError(
      `migration registry ${what} of ${migrationId} refused: expected version ${expected.version} owned by ${expected.executionArn}, found ${found}`
    );
  }
}
