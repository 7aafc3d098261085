/**
 * `traffic-shift approve/reject` as a separate process against moto: the registry in moto's DynamoDB, the
 * caller's identity from moto's STS (GetCallerIdentity, SigV4-signed by cli/caller-identity.ts), and for a
 * deployed run SendTaskSuccess/SendTaskFailure to moto's Step Functions. moto 5 implements those two as no-ops
 * that accept any token (moto/stepfunctions/models.py), so here they only prove the request is accepted; the
 * request shapes and the closed-token errors are tested with aws-sdk-client-mock in
 * test/unit/adapters/step-functions-task-tokens.test.ts. The local-runner path (answer taken by the run's next
 * wait) is tested end to end in test/robustness/gates.test.ts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import type { GateState } from '../../functions/core/gates.ts';
import { MigrationPhase, type MigrationRunner } from '../../functions/core/registry.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { registryEntry } from '../support/registry-entry.ts';
import { cleanEnv, runCli } from './run-cli.ts';

const TABLE = 'gate-command-test';
let moto: Moto;
let registry: DynamoDbMigrationRegistry;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  moto = await startMoto();
  registry = new DynamoDbMigrationRegistry(new DynamoDBClient(clientConfig(moto.endpoint)), TABLE);
  await registry.createTableIfMissing();
  env = cleanEnv({
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    USER: 'ana',
  });
});
afterAll(async () => {
  await moto.stop();
});

const openGate = (executionArn: string): GateState => ({
  step: 50,
  openedAt: '2026-01-01T00:00:00.000Z',
  timeoutAt: '2099-01-01T00:00:00.000Z',
  defaultAction: 'rollback',
  taskToken: 'token-of-the-newest-wait',
  executionArn,
  answer: null,
  closedAt: null,
});

/** A running migration in moto's registry, waiting at a gate unless `gate` is null. */
async function running(
  migrationId: string,
  options: { gate?: GateState | null; runner?: MigrationRunner } = {}
) {
  const arn = `arn:aws:states:us-east-1:123456789012:execution:traffic-shift:${migrationId}`;
  const entry = await registry.acquire(
    registryEntry(migrationId, arn, 'Z1', {}, `${migrationId}.example.com`)
  );
  const gate = options.gate === undefined ? openGate(arn) : options.gate;
  return registry.update(
    migrationId,
    { version: entry.version, executionArn: arn },
    {
      phase: MigrationPhase.Running,
      ...(gate === null ? {} : { gate }),
      ...(options.runner ? { runner: options.runner } : {}),
    }
  );
}

const cli = (...args: string[]) => runCli([...args, '--registry-table', TABLE], env);

describe('traffic-shift approve / reject (separate process, moto)', () => {
  it('approve: records the answer and the STS caller in the registry, then answers the task token', async () => {
    // Prepare
    await running('orders');

    // Act
    const result = await cli('approve', 'orders', '--reason', 'dashboards look fine');

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'gate before 50% approved by arn:aws:sts::123456789012:user/moto: the run shifts to 50%'
    );
    const entry = await registry.get('orders');
    expect(entry?.gate?.answer).toMatchObject({
      action: 'approve',
      by: 'arn:aws:sts::123456789012:user/moto',
      reason: 'dashboards look fine',
    });
    expect(entry?.control?.audit).toEqual([
      {
        at: entry?.gate?.answer?.at,
        by: 'arn:aws:sts::123456789012:user/moto',
        action: 'approve',
        step: 50,
        reason: 'dashboards look fine',
      },
    ]);
  }, 60_000);

  it('reject --json: a local run is answered through the registry, audited as $USER@host', async () => {
    // Prepare
    await running('payments', { runner: { kind: 'local', pid: 1, host: 'elsewhere' } });

    // Act
    const result = await cli('reject', 'payments', '--reason', 'p99 is off', '--json');

    // Assess
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      outcome: 'reject',
      action: 'reject',
      step: 50,
      delivery: 'stored',
    });
    expect(String(printed['by'])).toMatch(/^ana@/);
    const entry = await registry.get('payments');
    expect(entry?.gate?.answer).toMatchObject({ action: 'reject', reason: 'p99 is off' });
    expect(entry?.control?.audit?.map((line) => line.action)).toEqual(['reject']);
  }, 60_000);

  it('refuses with a distinct exit code: unknown migration 8, finished 9, no open gate 10, already answered 10', async () => {
    // Prepare
    const finished = await running('finished-run');
    await registry.finish('finished-run', finished, MigrationPhase.Completed, 'done');
    await running('no-gate', { gate: null });

    // Act
    const unknown = await cli('approve', 'nobody');
    const done = await cli('approve', 'finished-run');
    const none = await cli('reject', 'no-gate');
    const again = await cli('reject', 'orders');

    // Assess
    expect([unknown.code, done.code, none.code, again.code]).toEqual([8, 9, 10, 10]);
    expect(unknown.stderr).toContain('no migration nobody in the registry');
    expect(done.stderr).toContain('migration finished-run is completed (done): there is no gate');
    expect(none.stderr).toContain('migration no-gate is not waiting at an approval gate');
    expect(again.stderr).toContain('the gate before 50% of orders is already answered: approve by');
  }, 60_000);

  it('is in --help with both commands', async () => {
    const help = await runCli(['--help'], env);
    expect(help.stdout).toMatch(/approve \[options\] <migrationId>/);
    expect(help.stdout).toMatch(/reject \[options\] <migrationId>/);
    expect(help.stdout).toContain('10 approve/reject: no open approval gate');
  }, 30_000);
});
