/**
 * DynamoDB implementation of the `MigrationRegistry` port. One table, partition key `pk` (S), two kinds of item:
 * - `migration#<migrationId>`: the entry (scalars as attributes, lists as JSON strings), with `version`;
 * - `lock#<recordSetKey>`: the lock of one weighted group, naming the migration and execution that hold it.
 * Taking and releasing the locks is one transaction with the entry's write, so exactly one of two rivals wins.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { RegistryBusyError, RegistryConflictError, RunLockedError } from '../core/errors.ts';
import {
  type EntryChanges,
  type MigrationEntry,
  MigrationPhase,
  type MigrationRegistry,
  UNFINISHED_PHASES,
} from '../core/registry.ts';
import {
  CONTROL_REVISION_ATTRIBUTE,
  cancellationCodes,
  entryKey,
  errorName,
  fromItem,
  type Item,
  isJsonField,
  lockKey,
  mapped,
  REGISTRY_KEY_ATTRIBUTE,
  toItem,
} from './dynamodb-registry-codec.ts';

export { DEFAULT_REGISTRY_TABLE, REGISTRY_KEY_ATTRIBUTE } from './dynamodb-registry-codec.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Transactions that collide with another transaction on the same item are cancelled for both: retry them. */
const TRANSACTION_CONFLICT_ATTEMPTS = 6;
/** A finish refused only because an operator's control write came between its read and its Put reads again. */
const FINISH_CONTROL_ATTEMPTS = 5;

const UNFINISHED_VALUES = {
  ':preflight': { S: MigrationPhase.Preflight },
  ':running': { S: MigrationPhase.Running },
} as const;
const UNFINISHED_CONDITION = 'phase IN (:preflight, :running)';

export interface DynamoDbMigrationRegistryOptions {
  /** The clock for `updatedAt` (tests and the rehearsal pass a virtual one). */
  now?: () => Date;
}

export class DynamoDbMigrationRegistry implements MigrationRegistry {
  readonly #client: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(
    client: DynamoDBClient,
    tableName: string,
    options: DynamoDbMigrationRegistryOptions = {}
  ) {
    this.#client = client;
    this.#table = tableName;
    this.#now = options.now ?? (() => new Date());
  }

  get tableName(): string {
    return this.#table;
  }

  /**
   * Creates the table (PAY_PER_REQUEST, key schema as in template.yaml) when it does not exist, for the local
   * engine and the tests. Returns whether it created it.
   */
  async createTableIfMissing(): Promise<boolean> {
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

  async get(migrationId: string): Promise<MigrationEntry | null> {
    const item = await this.#getItem(entryKey(migrationId));
    return item === null ? null : fromItem(item);
  }

  async ownerOf(recordSetKey: string): Promise<string | null> {
    const item = await this.#getItem(lockKey(recordSetKey));
    return item?.['migrationId']?.S ?? null;
  }

  async acquire(entry: MigrationEntry): Promise<MigrationEntry> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.get(entry.migrationId);
      if (existing !== null && UNFINISHED_PHASES.includes(existing.phase)) {
        // A retried Preflight of the same execution: the locks are already its own.
        if (existing.executionArn === entry.executionArn) return existing;
        throw this.#locked(existing, `migration id ${entry.migrationId} is in use`);
      }
      const now = this.#now().toISOString();
      const fresh: MigrationEntry = {
        ...entry,
        version: (existing?.version ?? 0) + 1,
        updatedAt: now,
      };
      const request: TransactWriteItemsCommandInput = {
        TransactItems: [
          {
            Put: {
              TableName: this.#table,
              Item: toItem(fresh),
              // Replaces only what this read saw: nothing, or the same finished version.
              ConditionExpression:
                existing === null ? 'attribute_not_exists(pk)' : 'version = :version',
              ...(existing === null
                ? {}
                : { ExpressionAttributeValues: { ':version': { N: String(existing.version) } } }),
            },
          },
          ...entry.recordSetKeys.map((key) => ({
            Put: {
              TableName: this.#table,
              Item: {
                [REGISTRY_KEY_ATTRIBUTE]: { S: lockKey(key) },
                migrationId: { S: entry.migrationId },
                executionArn: { S: entry.executionArn },
                since: { S: now },
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
        ],
      };
      try {
        await this.#transact(request, 'acquire');
        // Read back: DynamoDB serialises transactions, an emulator may not (moto under parallel requests).
        if (await this.#holds(fresh)) return fresh;
        const mine = await this.get(fresh.migrationId);
        if (
          mine !== null &&
          mine.executionArn === fresh.executionArn &&
          UNFINISHED_PHASES.includes(mine.phase)
        )
          await this.finish(fresh.migrationId, mine, MigrationPhase.Released, 'lost the lock race');
        const owner = await this.#lockOwner(fresh);
        if (owner !== null) throw owner;
      } catch (error) {
        if (!(error instanceof RegistryConflictError)) throw error;
        const owner = await this.#lockOwner(entry);
        if (owner !== null) throw owner;
      }
      // The rival finished between our transaction and the read (or our own entry moved): look again.
      if (attempt >= 3) {
        throw new RegistryBusyError(
          `migration registry acquire for ${entry.migrationId}: the records' locks kept changing; retry`
        );
      }
    }
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
          TableName: this.#table,
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
        throw await this.#conflict(migrationId, expected, 'update');
      }
      throw mapped(error, 'UpdateItem');
    }
  }

  async finish(
    migrationId: string,
    expected: { version: number; executionArn: string },
    phase: Exclude<MigrationPhase, 'preflight' | 'running'>,
    reason: string
  ): Promise<MigrationEntry> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#finishOnce(migrationId, expected, phase, reason);
      if (outcome !== 'control-moved') return outcome;
      // Only an operator's control write (it leaves `version` alone) came between the read and the Put.
      if (attempt >= FINISH_CONTROL_ATTEMPTS)
        throw await this.#conflict(migrationId, expected, 'finish');
    }
  }

  async #finishOnce(
    migrationId: string,
    expected: { version: number; executionArn: string },
    phase: Exclude<MigrationPhase, 'preflight' | 'running'>,
    reason: string
  ): Promise<MigrationEntry | 'control-moved'> {
    const current = await this.get(migrationId);
    if (current !== null && !UNFINISHED_PHASES.includes(current.phase)) return current;
    if (
      current === null ||
      current.version !== expected.version ||
      current.executionArn !== expected.executionArn
    ) {
      throw await this.#conflict(migrationId, expected, 'finish');
    }
    const finished: MigrationEntry = {
      ...current,
      phase,
      reason,
      pending: null,
      version: current.version + 1,
      updatedAt: this.#now().toISOString(),
    };
    try {
      await this.#transact(
        {
          TransactItems: [
            {
              Put: {
                TableName: this.#table,
                Item: toItem(finished),
                // A whole-item Put: the control it carries must still be the stored one, or it would drop a
                // pause or an audit line written after the read (control writes leave `version` alone).
                ConditionExpression: `version = :version AND executionArn = :arn AND ${UNFINISHED_CONDITION} AND ${
                  current.control === undefined
                    ? 'attribute_not_exists(#controlRevision)'
                    : '#controlRevision = :controlRevision'
                }`,
                ExpressionAttributeNames: { '#controlRevision': CONTROL_REVISION_ATTRIBUTE },
                ExpressionAttributeValues: {
                  ...UNFINISHED_VALUES,
                  ':version': { N: String(expected.version) },
                  ':arn': { S: expected.executionArn },
                  ...(current.control === undefined
                    ? {}
                    : { ':controlRevision': { N: String(current.control.revision) } }),
                },
              },
            },
            ...current.recordSetKeys.map((key) => ({
              Delete: {
                TableName: this.#table,
                Key: { [REGISTRY_KEY_ATTRIBUTE]: { S: lockKey(key) } },
                // Never release a lock some other migration holds.
                ConditionExpression: 'attribute_not_exists(pk) OR migrationId = :migrationId',
                ExpressionAttributeValues: { ':migrationId': { S: migrationId } },
              },
            })),
          ],
        },
        'finish'
      );
      return finished;
    } catch (error) {
      if (!(error instanceof RegistryConflictError)) throw error;
      const now = await this.get(migrationId);
      // A duplicate finisher got there first: finishing is idempotent.
      if (now !== null && !UNFINISHED_PHASES.includes(now.phase)) return now;
      if (
        now !== null &&
        now.version === expected.version &&
        now.executionArn === expected.executionArn &&
        now.control?.revision !== current.control?.revision
      )
        return 'control-moved';
      throw await this.#conflict(migrationId, expected, 'finish');
    }
  }

  async listUnfinished(): Promise<MigrationEntry[]> {
    const entries: MigrationEntry[] = [];
    let start: Item | undefined;
    try {
      do {
        const out = await this.#client.send(
          new ScanCommand({
            TableName: this.#table,
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

  async #getItem(pk: string): Promise<Item | null> {
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
  async #transact(request: TransactWriteItemsCommandInput, what: string): Promise<void> {
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

  /** Whether the entry and every lock it asked for name this migration and execution now. */
  async #holds(entry: MigrationEntry): Promise<boolean> {
    const stored = await this.get(entry.migrationId);
    if (stored?.executionArn !== entry.executionArn || stored.version !== entry.version)
      return false;
    for (const key of entry.recordSetKeys) {
      const lock = await this.#getItem(lockKey(key));
      if (
        lock?.['migrationId']?.S !== entry.migrationId ||
        lock['executionArn']?.S !== entry.executionArn
      )
        return false;
    }
    return true;
  }

  /** The RunLockedError for the first of `entry`'s record sets another migration holds, or null. */
  async #lockOwner(entry: MigrationEntry): Promise<RunLockedError | null> {
    for (const key of entry.recordSetKeys) {
      const lock = await this.#getItem(lockKey(key));
      const owner = lock?.['migrationId']?.S;
      if (owner === undefined) continue;
      if (owner === entry.migrationId && lock?.['executionArn']?.S === entry.executionArn) continue;
      const ownerEntry = await this.get(owner);
      if (ownerEntry === null) continue;
      return this.#locked(ownerEntry, `${key} is locked`);
    }
    const mine = await this.get(entry.migrationId);
    if (
      mine !== null &&
      UNFINISHED_PHASES.includes(mine.phase) &&
      mine.executionArn !== entry.executionArn
    )
      return this.#locked(mine, `migration id ${entry.migrationId} is in use`);
    return null;
  }

  #locked(owner: MigrationEntry, what: string): RunLockedError {
    return new RunLockedError(
      `records locked: ${what} by migration ${owner.migrationId} (execution ${owner.executionArn}, ${owner.phase} since ${owner.startedAt}); wait for it to end or run \`traffic-shift rollback ${owner.migrationId}\``,
      owner.executionArn
    );
  }

  async #conflict(
    migrationId: string,
    expected: { version: number; executionArn: string },
    what: string
  ): Promise<RegistryConflictError> {
    const now = await this.get(migrationId);
    const found =
      now === null
        ? 'no entry'
        : `version ${now.version}, execution ${now.executionArn}, phase ${now.phase}`;
    return new RegistryConflictError(
      `migration registry ${what} of ${migrationId} refused: expected version ${expected.version} owned by ${expected.executionArn}, found ${found}`
    );
  }
}
