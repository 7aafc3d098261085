/**
 * pause, resume, promote, status and abort against moto (Step Functions with execution simulation off, so
 * executions stay RUNNING until stopped; DynamoDB for the registry) through the standard endpoint variables,
 * run as a person runs them (`node bin/traffic-shift.mjs`). One handle: the migrationId or an execution ARN.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINITION_PATH } from '../../cli/local-engine.ts';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import type { ControlState } from '../../functions/core/control.ts';
import { MigrationPhase } from '../../functions/core/registry.ts';
import { ownerOf } from '../../functions/lib/ownership.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { registryEntry } from '../support/registry-entry.ts';
import { cleanEnv, runCli } from './run-cli.ts';

const TABLE = 'control-cli';
let moto: Moto;
let sfn: SFNClient;
let registry: DynamoDbMigrationRegistry;
let stateMachineArn: string;
let env: NodeJS.ProcessEnv;
/** moto's STS GetCallerIdentity ARN for the test credentials. */
const MOTO_CALLER = 'arn:aws:sts::123456789012:user/moto';

beforeAll(async () => {
  moto = await startMoto();
  sfn = new SFNClient(clientConfig(moto.endpoint));
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'demo-traffic-shift',
      definition: readFileSync(DEFINITION_PATH, 'utf8'),
      roleArn: 'arn:aws:iam::123456789012:role/x',
    })
  );
  stateMachineArn = created.stateMachineArn ?? '';
  registry = new DynamoDbMigrationRegistry(new DynamoDBClient(clientConfig(moto.endpoint)), TABLE);
  await registry.createTableIfMissing();
  env = cleanEnv({
    AWS_ENDPOINT_URL_SFN: moto.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint,
    // A deployed execution's operator is named by STS (moto answers GetCallerIdentity).
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    // Ignored for a deployed execution: the audit names the IAM principal, not a name anyone can type.
    TRAFFIC_SHIFT_OPERATOR: 'ana@ops',
  });
});
afterAll(async () => {
  await moto.stop();
});

/** A running migration: an execution in moto and its registry entry (phase running), on its own zone. */
async function runningMigration(migrationId: string) {
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: migrationId,
      input: JSON.stringify({ migrationId }),
    })
  );
  const executionArn = started.executionArn ?? '';
  const entry = await registry.acquire(registryEntry(migrationId, executionArn, `Z${migrationId}`));
  await registry.update(migrationId, ownerOf(entry), { phase: MigrationPhase.Running });
  return executionArn;
}

const cli = (...args: string[]) => runCli([...args, '--registry-table', TABLE], env);
const controlOf = async (migrationId: string): Promise<ControlState | undefined> =>
  (await registry.get(migrationId))?.control;

describe('operator control commands against moto (Step Functions + DynamoDB)', () => {
  it('pause stores the request and an audit line; resume ends it; a second resume is refused (exit 4)', async () => {
    // Prepare
    await runningMigration('pause-resume');
    const versionBefore = (await registry.get('pause-resume'))?.version;

    // Act
    const paused = await cli(
      'pause',
      'pause-resume',
      '--timeout',
      '2h',
      '--reason',
      'db',
      '--json'
    );
    const afterPause = await controlOf('pause-resume');
    const resumed = await cli('resume', 'pause-resume');
    const again = await cli('resume', 'pause-resume');

    // Assess
    expect(paused.code, paused.stderr).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({
      migrationId: 'pause-resume',
      by: MOTO_CALLER,
    });
    expect(afterPause?.pause).toMatchObject({
      by: MOTO_CALLER,
      onTimeout: 'rollback',
      reason: 'db',
    });
    const until = Date.parse(afterPause?.pause?.until ?? '');
    const at = Date.parse(afterPause?.pause?.at ?? '');
    expect(until - at).toBe(7_200_000);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain('not paused: nothing to resume');
    const entry = await registry.get('pause-resume');
    expect(entry?.control?.pause).toBeNull();
    expect(entry?.control?.audit.map((line) => `${line.by} ${line.action}`)).toEqual([
      `${MOTO_CALLER} pause`,
      `${MOTO_CALLER} resume`,
    ]);
    // The owner's conditional writes compare version: an operator's request never moves it.
    expect(entry?.version).toBe(versionBefore);
  });

  it('accepts any generation ARN as the handle (the migrationId comes from the execution input)', async () => {
    // Prepare
    const executionArn = await runningMigration('by-arn');

    // Act
    const result = await cli('promote', executionArn, '--reason', 'quiet');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('by-arn');
    expect((await controlOf('by-arn'))?.promote).toMatchObject({ full: false, reason: 'quiet' });
  });

  it("an old run's ARN never steers a later run of the same migrationId (exit 9, nothing stored)", async () => {
    // Prepare: yesterday's run of 'reused' finished; today's run took the migrationId over.
    const oldArn = await runningMigration('reused');
    const old = await registry.get('reused');
    await registry.finish('reused', ownerOf(old!), MigrationPhase.RolledBack, 'regression');
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'reused-today',
        input: JSON.stringify({ migrationId: 'reused' }),
      })
    );
    const today = await registry.acquire(
      registryEntry('reused', started.executionArn ?? '', 'Zreused')
    );
    await registry.update('reused', ownerOf(today), { phase: MigrationPhase.Running });

    // Act
    const stale = await cli('promote', oldArn, '--full', '--reason', 'vendor deadline');
    const current = await cli('pause', started.executionArn ?? '');

    // Assess
    expect(stale.code).toBe(9);
    expect(stale.stderr).toContain('is not a generation of the current run of migration reused');
    expect(current.code, current.stderr).toBe(0);
    expect((await controlOf('reused'))?.audit.map((line) => line.action)).toEqual(['pause']);
  });

  it('promote --full without --reason is refused (exit 4) and stores nothing', async () => {
    // Prepare
    await runningMigration('full-no-reason');

    // Act
    const result = await cli('promote', 'full-no-reason', '--full');

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('--reason: required with --full');
    expect(await controlOf('full-no-reason')).toBeUndefined();
  });

  it('an unknown migration exits 8; a finished one exits 9; neither writes anything', async () => {
    // Prepare
    const arn = await runningMigration('finished');
    const entry = await registry.get('finished');
    await registry.finish('finished', ownerOf(entry!), MigrationPhase.Completed, 'done');

    // Act
    const unknown = await cli('pause', 'never-started');
    const finished = await cli('pause', 'finished');
    const unknownArn = await cli('status', `${arn}-missing`);

    // Assess
    expect(unknown.code).toBe(8);
    expect(unknown.stderr).toContain('no migration never-started');
    expect(finished.code).toBe(9);
    expect(finished.stderr).toContain('migration finished is completed (done): nothing to pause');
    expect(unknownArn.code).toBe(8);
    expect(unknownArn.stderr).toContain('ExecutionDoesNotExist');
    expect(await controlOf('finished')).toBeUndefined();
  });

  it('status and abort take the migrationId: the registry names the current generation, abort stops it', async () => {
    // Prepare
    const executionArn = await runningMigration('by-id');

    await cli('pause', 'by-id', '--reason', 'look');

    // Act
    const status = await cli('status', 'by-id', '--json');
    const text = await cli('status', 'by-id');
    const aborted = await cli('abort', 'by-id', '--json');
    const again = await cli('abort', 'by-id');

    // Assess
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      executionArn,
      status: 'RUNNING',
      control: { pause: { by: MOTO_CALLER, reason: 'look' } },
    });
    expect(text.stdout).toContain(`paused by ${MOTO_CALLER} (look) until `);
    expect(text.stdout).toContain(`${MOTO_CALLER} pause (look)`);
    expect(aborted.code, aborted.stderr).toBe(0);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('ABORTED');
    expect(again.code).toBe(9);
    expect(again.stderr).toContain('is ABORTED: nothing to stop');
  });

  it('each command is in --help', async () => {
    // Act
    const help = await runCli(['--help'], env);

    // Assess
    for (const command of ['pause', 'resume', 'promote', 'status', 'abort', 'rollback']) {
      expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));
    }
    expect(help.stdout).toContain('8  unknown migration or execution');
  });
});
