/**
 * `traffic-shift rollback` of a deployed migration that dies half-way (its restore fails) leaves the entry
 * unfinished under its rollback marker; the deployed reconciler must still restore it after its grace period
 * (the command's own help says so). Against moto over HTTP (DynamoDB, Route 53, Step Functions), in-process.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollback } from '../../cli/commands/rollback.ts';
import {
  DEFAULT_REGISTRY_TABLE,
  DynamoDbMigrationRegistry,
} from '../../functions/adapters/dynamodb-migration-registry.ts';
import { recordSetKey } from '../../functions/core/names.ts';
import { MigrationPhase } from '../../functions/core/registry.ts';
import { snapshotWeights } from '../../functions/core/weights.ts';
import { reconcile } from '../../functions/handlers/reconcile.ts';
import { FakeClock, FakeExecutions, FakeRouter } from '../support/fake-ports.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { pairWith } from '../unit/core/fixtures.ts';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift';
const EXECUTION = `${SM.replace(':stateMachine:', ':execution:')}:deployed-run`;
const ENV = [
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

let moto: Moto;
let client: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
  client = new DynamoDBClient(clientConfig(moto.endpoint));
});

afterAll(async () => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  client?.destroy();
  await moto?.stop();
});

describe('traffic-shift rollback that dies half-way on a deployed migration', () => {
  it('leaves the entry to the deployed reconciler, which restores it after its grace period', async () => {
    // Prepare: a deployed run that shifted; its execution no longer exists (moto never saw it), and its
    // zone is unknown to moto's Route 53, so the command's restore fails after it took the entry over.
    const registry = new DynamoDbMigrationRegistry(client, DEFAULT_REGISTRY_TABLE);
    await registry.createTableIfMissing();
    const snapshot = [pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'ZMISSING' })];
    const ref = {
      hostedZoneId: 'ZMISSING',
      name: 'api.example.com',
      type: 'A' as const,
      blueSetIdentifier: 'blue',
      greenSetIdentifier: 'green',
    };
    const acquired = await registry.acquire({
      migrationId: 'deployed',
      phase: MigrationPhase.Preflight,
      executionArn: EXECUTION,
      stateMachineArn: SM,
      runner: { kind: 'step-functions' },
      generation: 1,
      recordSetKeys: [recordSetKey(ref)],
      records: [ref],
      mode: 'shift',
      onDrift: 'stop',
      snapshot: [],
      expected: [],
      pending: null,
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      reason: null,
      version: 0,
    });
    await registry.update('deployed', acquired, {
      phase: MigrationPhase.Running,
      snapshot,
      expected: [{ ...snapshotWeights(snapshot)[0]!, blueWeight: 50, greenWeight: 50 }],
    });
    await expect(
      rollback({ migrationId: 'deployed', waitSeconds: 1, json: true })
    ).rejects.toThrow();
    const stranded = await registry.get('deployed');
    expect(stranded?.phase).toBe(MigrationPhase.Running);

    // Act: the deployed reconciler (local runs excluded) after its grace period.
    const clock = new FakeClock(new Date(Date.now() + 1_000_000).toISOString());
    const summary = await reconcile({
      router: new FakeRouter([pairWith({ blue: 50, green: 50 }, { hostedZoneId: 'ZMISSING' })]),
      executions: new FakeExecutions(),
      registry,
      clock,
      sleep: async () => undefined,
    });

    // Assess
    expect(summary).toMatchObject({ checked: 1, restored: 1, failed: [] });
    expect((await registry.get('deployed'))?.phase).toBe(MigrationPhase.Restored);
  });
});
