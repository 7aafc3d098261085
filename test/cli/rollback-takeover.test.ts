/**
 * `traffic-shift rollback`, whose run it stops or takes over: one that dies half-way on a deployed migration
 * (its restore fails) leaves the entry to the deployed reconciler (the command's help says so); the pid of a
 * killed run-local reused by a later process is not signalled. Against moto over HTTP (DynamoDB, Route 53,
 * Step Functions), in-process.
 */
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollback } from '../../cli/commands/rollback.ts';
import {
  DEFAULT_REGISTRY_TABLE,
  DynamoDbMigrationRegistry,
} from '../../functions/adapters/dynamodb-migration-registry.ts';
import { MigrationPhase } from '../../functions/core/registry.ts';
import { snapshotWeights } from '../../functions/core/weights.ts';
import { reconcile } from '../../functions/handlers/reconcile.ts';
import { FakeClock, FakeExecutions, FakeRouter } from '../support/fake-ports.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { registryEntry, TEST_STATE_MACHINE as SM } from '../support/registry-entry.ts';
import { pairWith } from '../unit/core/fixtures.ts';

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

describe('traffic-shift rollback: whose run it stops or takes over', () => {
  it('leaves the entry to the deployed reconciler, which restores it after its grace period', async () => {
    // Prepare: a deployed run that shifted; its execution no longer exists (moto never saw it), and its
    // zone is unknown to moto's Route 53, so the command's restore fails after it took the entry over.
    const registry = new DynamoDbMigrationRegistry(client, DEFAULT_REGISTRY_TABLE);
    await registry.createTableIfMissing();
    const snapshot = [pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'ZMISSING' })];
    const now = new Date().toISOString();
    const acquired = await registry.acquire(
      registryEntry('deployed', EXECUTION, 'ZMISSING', { startedAt: now, updatedAt: now })
    );
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

  it('a killed run-local whose pid a later Node process reuses: that process is not signalled', async () => {
    // Prepare: the run-local died with kill -9 a minute ago; an unrelated Node process now has its pid.
    const registry = new DynamoDbMigrationRegistry(client, DEFAULT_REGISTRY_TABLE);
    await registry.createTableIfMissing();
    const innocent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
      stdio: 'ignore',
    });
    await new Promise((resolve) => innocent.once('spawn', resolve));
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    await registry.acquire(
      registryEntry('reused-pid', `${EXECUTION}-local`, 'ZREUSED', {
        runner: { kind: 'local', pid: innocent.pid ?? 0, host: hostname() },
        startedAt: minuteAgo,
        updatedAt: minuteAgo,
      })
    );

    try {
      // Act
      const exitCode = await rollback({ migrationId: 'reused-pid', waitSeconds: 2, json: true });

      // Assess
      expect(exitCode).toBe(0);
      expect((await registry.get('reused-pid'))?.phase).toBe(MigrationPhase.Released);
      expect({ exitCode: innocent.exitCode, signal: innocent.signalCode }).toEqual({
        exitCode: null,
        signal: null,
      });
    } finally {
      innocent.kill('SIGKILL');
    }
  });

  it('a run-local on another host with a write in flight: waits until it can no longer land before restoring', async () => {
    // Prepare: the remote run announced a shift 298 s ago (the in-flight window is 300 s) and may still be
    // running (only its next write is refused after the takeover); its zone is unknown to moto.
    const registry = new DynamoDbMigrationRegistry(client, DEFAULT_REGISTRY_TABLE, {
      now: () => new Date(Date.now() - 298_000),
    });
    await registry.createTableIfMissing();
    const announced = new Date(Date.now() - 298_000).toISOString();
    const snapshot = [pairWith({ blue: 100, green: 0 }, { hostedZoneId: 'ZREMOTE' })];
    const acquired = await registry.acquire(
      registryEntry('remote-run', `${EXECUTION}-remote`, 'ZREMOTE', {
        runner: { kind: 'local', pid: 4242, host: 'another-host.example' },
        startedAt: announced,
        updatedAt: announced,
      })
    );
    await registry.update('remote-run', acquired, {
      phase: MigrationPhase.Running,
      snapshot,
      expected: snapshotWeights(snapshot),
      pending: [{ ...snapshotWeights(snapshot)[0]!, blueWeight: 50, greenWeight: 50 }],
    });
    const said: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((text: string) => said.push(String(text)) > 0) as never;

    // Act
    try {
      await rollback({ migrationId: 'remote-run', waitSeconds: 1, json: true }).catch(() => null);
    } finally {
      process.stderr.write = write;
    }

    // Assess
    expect(said.join('')).toMatch(/may still land until .*: waiting \d+ s before restoring/);
  });
});
