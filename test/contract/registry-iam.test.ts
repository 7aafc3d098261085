/**
 * The DynamoDB actions the recovery paths really send (recorded from the SDK commands against moto, a
 * transaction counted as the item actions IAM checks for it) are granted to the function in template.yaml.
 * A hand-written action list in a static test cannot notice a handler that starts calling UpdateItem.
 */
import { DynamoDBClient, type TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import { type MigrationEntry, MigrationPhase } from '../../functions/core/registry.ts';
import { snapshotWeights } from '../../functions/core/weights.ts';
import { onExecutionEnd } from '../../functions/handlers/on-execution-end.ts';
import { reconcile } from '../../functions/handlers/reconcile.ts';
import { parseTemplate } from '../support/cfn-template.ts';
import { FakeClock, FakeExecutions, FakeRouter } from '../support/fake-ports.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { registryEntry, TEST_STATE_MACHINE as SM } from '../support/registry-entry.ts';
import { pairWith } from '../unit/core/fixtures.ts';

const arnOf = (name: string) => `${SM.replace(':stateMachine:', ':execution:')}:${name}`;

let moto: Moto;
let client: DynamoDBClient;
let registry: DynamoDbMigrationRegistry;
const sent = new Set<string>();

/** IAM authorises a TransactWriteItems per item: Put -> PutItem, Delete -> DeleteItem, ... */
function actionsOf(command: string, input: unknown): string[] {
  const name = command.replace(/Command$/, '');
  if (name !== 'TransactWriteItems') return [name];
  return ((input as TransactWriteItemsCommandInput).TransactItems ?? []).map((item) =>
    item.Put
      ? 'PutItem'
      : item.Delete
        ? 'DeleteItem'
        : item.Update
          ? 'UpdateItem'
          : 'ConditionCheckItem'
  );
}

type Statement = { Action?: string | string[] };
function granted(functionName: string): string[] {
  const template = parseTemplate('template.yaml') as {
    Resources: Record<string, { Properties?: { Policies?: { Statement?: Statement[] }[] } }>;
  };
  return (template.Resources[functionName]?.Properties?.Policies ?? [])
    .flatMap((policy) => policy.Statement ?? [])
    .flatMap((statement) => [statement.Action ?? []].flat())
    .filter((action) => action.startsWith('dynamodb:'))
    .map((action) => action.replace('dynamodb:', ''));
}

async function shiftedEntry(migrationId: string, executionArn: string): Promise<MigrationEntry> {
  const zone = `Z${migrationId.toUpperCase()}`;
  const snapshot = [pairWith({ blue: 100, green: 0 }, { hostedZoneId: zone })];
  const acquired = await registry.acquire(registryEntry(migrationId, executionArn, zone));
  return registry.update(migrationId, acquired, {
    phase: MigrationPhase.Running,
    snapshot,
    expected: snapshotWeights(snapshot),
  });
}

function depsFor(entry: MigrationEntry) {
  const executions = new FakeExecutions();
  executions.add({ executionArn: entry.executionArn, status: 'ABORTED' });
  return {
    router: new FakeRouter(entry.snapshot),
    executions,
    registry,
    clock: new FakeClock('2026-01-01T01:00:00.000Z'),
    sleep: async () => undefined,
    includeLocal: false,
  };
}

beforeAll(async () => {
  moto = await startMoto();
  client = new DynamoDBClient(clientConfig(moto.endpoint));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      for (const action of actionsOf(context.commandName ?? '', args.input)) sent.add(action);
      return next(args);
    },
    { step: 'initialize', name: 'recordIamActions' }
  );
  registry = new DynamoDbMigrationRegistry(client, 'migrations');
  await registry.createTableIfMissing();
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

describe('Registry IAM: the actions recovery sends are granted', () => {
  it('OnExecutionEnd restoring an aborted run', async () => {
    // Prepare
    const entry = await shiftedEntry('ended', arnOf('ended'));
    sent.clear();

    // Act
    const result = await onExecutionEnd(
      {
        detail: { executionArn: entry.executionArn, stateMachineArn: SM, status: 'ABORTED' },
      } as never,
      depsFor(entry)
    );

    // Assess
    expect(result).toMatchObject({ action: 'restore', restored: true });
    expect(
      [...sent].filter((action) => !granted('OnExecutionEndFunction').includes(action))
    ).toEqual([]);
  });

  it('Reconcile restoring an aborted run', async () => {
    // Prepare
    const entry = await shiftedEntry('reconciled', arnOf('reconciled'));
    sent.clear();

    // Act
    const summary = await reconcile(depsFor(entry));

    // Assess
    expect(summary).toMatchObject({ restored: 1, failed: [] });
    expect([...sent].filter((action) => !granted('ReconcileFunction').includes(action))).toEqual(
      []
    );
  });
});
