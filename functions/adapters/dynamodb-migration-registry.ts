/**
 * DynamoDB implementation of the `MigrationRegistry` port. One table, partition key `pk` (S), two kinds of item:
 * - `migration#<migrationId>`: the entry (scalars as attributes, lists as JSON strings), with `version`;
 * - `lock#<recordSetKey>`: the lock of one weighted group, naming the migration and execution that hold it.
 * This file reads entries and makes the single-item entry writes (`update`); taking and releasing the locks
 * (`acquire`, `finish`: one transaction with the entry's write, so exactly one of two rivals wins) is
 * dynamodb-registry-locks.ts, the table plumbing dynamodb-registry-table.ts, the item format
 * dynamodb-registry-codec.ts.
 */
import { type DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type EntryChanges,
  type MigrationEntry,
  type MigrationRegistry,
  UNFINISHED_PHASES,
} from '../core/registry.ts';
import {
  CONTROL_REVISION_ATTRIBUTE,
  entryKey,
  errorName,
  fromItem,
  type Item,
  isJsonField,
  lockKey,
  mapped,
  REGISTRY_KEY_ATTRIBUTE,
} from './dynamodb-registry-codec.ts';
import { RegistryLocks } from './dynamodb-registry-locks.ts';
import {
  RegistryTable,
  UNFINISHED_CONDITION,
  UNFINISHED_VALUES,
} from './dynamodb-registry-table.ts';

export { DEFAULT_REGISTRY_TABLE, REGISTRY_KEY_ATTRIBUTE } from './dynamodb-registry-codec.ts';

export interface DynamoDbMigrationRegistryOptions {
  /** The clock for `updatedAt` (tests and the rehearsal pass a virtual one). */
  now?: () => Date;
}

export class DynamoDbMigrationRegistry implements MigrationRegistry {
  readonly #client: DynamoDBClient;
  readonly #table: RegistryTable;
  readonly #locks: RegistryLocks;
  readonly #now: () => Date;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    options: DynamoDbMigrationRegistryOptions = {}
  ) {
    this.#client = client;
    this.#table = new RegistryTable(client, tableName);
    this.#now = options.now ?? (() => new Date());
    this.#locks = new RegistryLocks(this.#table, this.#now);
  }

  get tableName(): string {
    return this.#table.name;
  }

  /**
   * Creates the table (PAY_PER_REQUEST, key schema as in template.yaml) when it does not exist, for the local
   * engine and the tests. Returns whether it created it.
   */
  async createTableIfMissing(): Promise<boolean> {
    return this.#table.createIfMissing();
  }

  async get(migrationId: string): Promise<MigrationEntry | null> {
    return this.#table.getEntry(migrationId);
  }

  async ownerOf(recordSetKey: string): Promise<string | null> {
    const item = await this.#table.getItem(lockKey(recordSetKey));
    return item?.['migrationId']?.S ?? null;
  }

  async acquire(entry: MigrationEntry): Promise<MigrationEntry> {
    return this.#locks.acquire(entry);
  }

  async update(
    migrationId: string,
    expected: { version: number; executionArn: string },
    changes: EntryChanges
  ): Promise<MigrationEntry> {
    const names: Record<string, string> = {};
    const values: Item = {
      ...UNFINISHED_VALUES,
      ':version': { N: String(expected.version) },
      ':arn': { S: expected.executionArn },
      ':one': { N: '1' },
      ':now': { S: this.#now().toISOString() },
    };
    const sets = ['version = version + :one', 'updatedAt = :now'];
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = isJsonField(field)
        ? { S: JSON.stringify(value) }
        : typeof value === 'number'
          ? { N: String(value) }
          : { S: String(value) };
    }
    // An operator's control write (adapters/dynamodb-control-store.ts) does not bump `version`: a write of
    // `control` here must also compare its revision (one more than the caller read), or it would drop a pause
    // or promote stored between the caller's read and this write.
    const conditions = [`version = :version AND executionArn = :arn AND ${UNFINISHED_CONDITION}`];
    if (changes.control !== undefined) {
      names['#controlRevision'] = CONTROL_REVISION_ATTRIBUTE;
      sets.push('#controlRevision = :controlRevision');
      values[':controlRevision'] = { N: String(changes.control.revision) };
      const previous = changes.control.revision - 1;
      if (previous <= 0) {
        conditions.push('attribute_not_exists(#controlRevision)');
      } else {
        conditions.push('#controlRevision = :previousControlRevision');
        values[':previousControlRevision'] = { N: String(previous) };
      }
    }
    try {
      const out = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table.name,
          Key: { [REGISTRY_KEY_ATTRIBUTE]: { S: entryKey(migrationId) } },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        })
      );
      return fromItem(out.Attributes ?? {});
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        // The SDK re-sends a request whose reply was lost: the first one may have applied this very change.
        const own = await this.#ownAppliedUpdate(migrationId, expected, changes);
        if (own !== null) return own;
        throw await this.#table.conflict(migrationId, expected, 'update');
      }
      throw mapped(error, 'UpdateItem');
    }
  }

  /** The finished entry's Put and its locks' release, in one transaction (dynamodb-registry-locks.ts). */
  async finish(...args: Parameters<MigrationRegistry['finish']>): Promise<MigrationEntry> {
    return this.#locks.finish(...args);
  }

  async listUnfinished(): Promise<MigrationEntry[]> {
    const entries: MigrationEntry[] = [];
    let start: Item | undefined;
    try {
      do {
        const out = await this.#client.send(
          new ScanCommand({
            TableName: this.#table.name,
            ConsistentRead: true,
            FilterExpression: `begins_with(pk, :prefix) AND ${UNFINISHED_CONDITION}`,
            ExpressionAttributeValues: { ...UNFINISHED_VALUES, ':prefix': { S: 'migration#' } },
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          })
        );
        entries.push(...(out.Items ?? []).map(fromItem));
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (error) {
      throw mapped(error, 'Scan');
    }
    return entries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The entry when it is exactly one version past `expected` with `changes` applied (by this writer), or null. */
  async #ownAppliedUpdate(
    migrationId: string,
    expected: { version: number; executionArn: string },
    changes: Partial<MigrationEntry>
  ): Promise<MigrationEntry | null> {
    const now = await this.get(migrationId);
    if (
      now === null ||
      now.version !== expected.version + 1 ||
      !UNFINISHED_PHASES.includes(now.phase) ||
      now.executionArn !== (changes.executionArn ?? expected.executionArn)
    )
      return null;
    const applied = Object.entries(changes).every(
      ([field, value]) =>
        value === undefined ||
        JSON.stringify(now[field as keyof MigrationEntry]) === JSON.stringify(value)
    );
    return applied ? now : null;
  }
}
