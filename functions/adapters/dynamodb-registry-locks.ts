/**
 * Taking and releasing a migration's record-set locks, each in one TransactWriteItems with the entry's own
 * write: `acquire` puts the entry and every `lock#<recordSetKey>` item (of two rivals exactly one wins),
 * `finish` puts the finished entry and deletes its locks. Apart from the single-item entry writes
 * (dynamodb-migration-registry.ts) because these are the only multi-item transactions, with their own
 * read-backs (an emulator may not serialise transactions) and lock-owner look-ups.
 */
import type { TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { RegistryBusyError, RegistryConflictError, RunLockedError } from '../core/errors.ts';
import { type MigrationEntry, MigrationPhase, UNFINISHED_PHASES } from '../core/registry.ts';
import {
  CONTROL_REVISION_ATTRIBUTE,
  lockKey,
  REGISTRY_KEY_ATTRIBUTE,
  toItem,
} from './dynamodb-registry-codec.ts';
import {
  type RegistryTable,
  UNFINISHED_CONDITION,
  UNFINISHED_VALUES,
} from './dynamodb-registry-table.ts';

/** A finish refused only because an operator's control write came between its read and its Put reads again. */
const FINISH_CONTROL_ATTEMPTS = 5;

/**
 * The lock transactions of one registry table; the registry delegates `acquire` and `finish` here.
 *
 * @example
 * const locks = new RegistryLocks(new RegistryTable(dynamodb, 'migrations'), () => new Date());
 * const entry = await locks.acquire(freshEntry); // RunLockedError when another migration holds a record set
 */
export class RegistryLocks {
  readonly #table: RegistryTable;
  readonly #now: () => Date;

  constructor(table: RegistryTable, now: () => Date) {
    this.#table = table;
    this.#now = now;
  }

  async acquire(entry: MigrationEntry): Promise<MigrationEntry> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.#table.getEntry(entry.migrationId);
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
              TableName: this.#table.name,
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
              TableName: this.#table.name,
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
        await this.#table.transact(request, 'acquire');
        // Read back: DynamoDB serialises transactions, an emulator may not (moto under parallel requests).
        if (await this.#holds(fresh)) return fresh;
        const mine = await this.#table.getEntry(fresh.migrationId);
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
        throw await this.#table.conflict(migrationId, expected, 'finish');
    }
  }

  async #finishOnce(
    migrationId: string,
    expected: { version: number; executionArn: string },
    phase: Exclude<MigrationPhase, 'preflight' | 'running'>,
    reason: string
  ): Promise<MigrationEntry | 'control-moved'> {
    const current = await this.#table.getEntry(migrationId);
    if (current !== null && !UNFINISHED_PHASES.includes(current.phase)) return current;
    if (
      current === null ||
      current.version !== expected.version ||
      current.executionArn !== expected.executionArn
    ) {
      throw await this.#table.conflict(migrationId, expected, 'finish');
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
      await this.#table.transact(
        {
          TransactItems: [
            {
              Put: {
                TableName: this.#table.name,
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
                TableName: this.#table.name,
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
      const now = await this.#table.getEntry(migrationId);
      // A duplicate finisher got there first: finishing is idempotent.
      if (now !== null && !UNFINISHED_PHASES.includes(now.phase)) return now;
      if (
        now !== null &&
        now.version === expected.version &&
        now.executionArn === expected.executionArn &&
        now.control?.revision !== current.control?.revision
      )
        return 'control-moved';
      throw await this.#table.conflict(migrationId, expected, 'finish');
    }
  }

  /** Whether the entry and every lock it asked for name this migration and execution now. */
  async #holds(entry: MigrationEntry): Promise<boolean> {
    const stored = await this.#table.getEntry(entry.migrationId);
    if (stored?.executionArn !== entry.executionArn || stored.version !== entry.version)
      return false;
    for (const key of entry.recordSetKeys) {
      const lock = await this.#table.getItem(lockKey(key));
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
      const lock = await this.#table.getItem(lockKey(key));
      const owner = lock?.['migrationId']?.S;
      if (owner === undefined) continue;
      if (owner === entry.migrationId && lock?.['executionArn']?.S === entry.executionArn) continue;
      const ownerEntry = await this.#table.getEntry(owner);
      if (ownerEntry === null) continue;
      return this.#locked(ownerEntry, `${key} is locked`);
    }
    const mine = await this.#table.getEntry(entry.migrationId);
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
}
