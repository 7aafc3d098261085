/**
 * Writes a migration's operator control (core/control.ts) into its registry entry: one conditional UpdateItem
 * on the `migration#<id>` item that sets `control` and `controlRevision` only.
 *
 * Conditions: the entry is unfinished, still at the `version` and owned by the `executionArn` the caller read,
 * and its control still at the revision the caller read (two operators cannot overwrite each other's line
 * of the audit trail). `version` and `updatedAt` are not changed: the owner's own conditional writes (shift,
 * continuation, finish) compare `version`, and an operator's pause must never make them conflict (a conflict
 * there rolls the migration back). A caller whose write is refused reads again and retries.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandOutput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ControlState, ControlStore } from '../core/control.ts';
import { RegistryConflictError } from '../core/errors.ts';
import { MigrationPhase } from '../core/registry.ts';
import {
  CONTROL_ATTRIBUTE,
  CONTROL_REVISION_ATTRIBUTE,
  entryKey,
  errorName,
  fromItem,
  mapped,
  REGISTRY_KEY_ATTRIBUTE,
} from './dynamodb-registry-codec.ts';

export class DynamoDbControlStore implements ControlStore {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async writeControl(
    migrationId: string,
    expected: { version: number; executionArn: string },
    previousRevision: number,
    control: ControlState
  ): Promise<void> {
    const key = { [REGISTRY_KEY_ATTRIBUTE]: { S: entryKey(migrationId) } };
    const revisionCondition =
      previousRevision === 0 ? 'attribute_not_exists(#revision)' : '#revision = :previousRevision';
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET #control = :control, #revision = :revision',
          ConditionExpression: `version = :version AND executionArn = :arn AND phase IN (:preflight, :running) AND ${revisionCondition}`,
          ExpressionAttributeNames: {
            '#control': CONTROL_ATTRIBUTE,
            '#revision': CONTROL_REVISION_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':control': { S: JSON.stringify(control) },
            ':revision': { N: String(control.revision) },
            ':version': { N: String(expected.version) },
            ':arn': { S: expected.executionArn },
            ':preflight': { S: MigrationPhase.Preflight },
            ':running': { S: MigrationPhase.Running },
            ...(previousRevision === 0
              ? {}
              : { ':previousRevision': { N: String(previousRevision) } }),
          },
        })
      );
    } catch (error) {
      if (errorName(error) !== 'ConditionalCheckFailedException') throw mapped(error, 'control');
      // The SDK re-sends a request whose reply was lost: the first one may have written this very control.
      if (await this.#holds(key, control)) return;
      throw new RegistryConflictError(
        `migration registry control of ${migrationId} refused: the entry changed since it was read (expected version ${expected.version}, control revision ${previousRevision}), or the migration finished`,
        { cause: error }
      );
    }
  }

  async #holds(key: Record<string, { S: string }>, control: ControlState): Promise<boolean> {
    let out: GetItemCommandOutput;
    try {
      out = await this.#client.send(
        new GetItemCommand({ TableName: this.#table, Key: key, ConsistentRead: true })
      );
    } catch (error) {
      // Throttling here must reach the caller as RegistryBusyError (retried), like the write's own errors.
      throw mapped(error, 'control read-back');
    }
    if (out.Item === undefined) return false;
    return JSON.stringify(fromItem(out.Item).control) === JSON.stringify(control);
  }
}
