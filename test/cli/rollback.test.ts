/**
 * `traffic-shift rollback <migrationId>` after `kill -9` of run-local, against moto (Route 53, CloudWatch,
 * DynamoDB for the migration registry) through the standard AWS_ENDPOINT_URL_* variables: the killed run
 * leaves its records shifted and its migration unfinished in the registry; a second run on the same records
 * is refused before any write, naming the migration and the command; rollback restores the exact snapshot.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Route53Client } from '@aws-sdk/client-route-53';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFINITION_PATH } from '../../cli/local-engine.ts';
import { BLUE_DISCOVERY_NAMES, GREEN_DISCOVERY_NAMES } from '../../cli/scenarios.ts';
import { seedRehearsalZone } from '../../cli/seed.ts';
import { TrafficModel } from '../../cli/traffic-model.ts';
import {
  DEFAULT_REGISTRY_TABLE,
  DynamoDbMigrationRegistry,
} from '../../functions/adapters/dynamodb-migration-registry.ts';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import { type MigrationInputDraft, parseMigrationInput } from '../../functions/core/input.ts';
import { ownerOf, preflightEntry } from '../../functions/lib/ownership.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';
import { cleanEnv, MAIN, type RunningCli, runCli, startCommand } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'traffic-shift-rollback-'));
let moto: Moto;

beforeAll(async () => {
  moto = await startMoto();
});
/** run-locals a failed test left running are killed with the file. */
const started: RunningCli[] = [];
const track = (run: RunningCli) => {
  started.push(run);
  return run;
};

afterAll(async () => {
  for (const { child } of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await moto.stop();
  rmSync(dir, { recursive: true, force: true });
});

const motoEnv = () =>
  cleanEnv({
    AWS_ENDPOINT_URL_ROUTE_53: moto.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: moto.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });

/** A seeded zone with healthy metrics for both environments, and the input file of a 3-step plan. */
async function seeded(domain: string) {
  const config = clientConfig(moto.endpoint);
  const route53 = new Route53Client(config);
  const router = new Route53TrafficRouter(route53);
  const zone = await seedRehearsalZone(route53, domain);
  const now = Date.now();
  const model = new TrafficModel({
    cloudwatch: new CloudWatchClient(config),
    router,
    clock: { now: () => new Date(now + 2 * 3_600_000) },
    records: zone.records,
    greenDiscoveryNames: GREEN_DISCOVERY_NAMES,
    blueDiscoveryNames: BLUE_DISCOVERY_NAMES,
    profile: {
      requestsPerMinute: 3_000,
      blue: () => ({ errorRatePercent: 0.2, latencyAvgMs: 80 }),
      green: () => ({ errorRatePercent: 0.15, latencyAvgMs: 72 }),
    },
    from: new Date(now - 10 * 60_000),
  });
  model.greenSyntheticRequestsPerMinute = 1_500;
  await model.publishUntilNow();
  const migrationId = domain.replace(/\W/g, '-');
  const input: MigrationInputDraft = {
    migrationId,
    records: zone.records,
    plan: {
      steps: [25, 50, 100],
      bakeSeconds: 120,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 120,
    },
    metrics: {
      greenDiscoveryNames: GREEN_DISCOVERY_NAMES,
      blueDiscoveryNames: BLUE_DISCOVERY_NAMES,
      windowSeconds: 120,
    },
  };
  const file = join(dir, `${domain}.json`);
  writeFileSync(file, JSON.stringify(input));
  const before = await router.readPairs(zone.records);
  return { file, migrationId, router, records: zone.records, before };
}

/** run-local (the CLI process itself, no wrapper), slow enough to be killed mid-shift. */
function runLocal(file: string, timeScale: string) {
  return track(
    startCommand(
      process.execPath,
      [
        MAIN,
        'run-local',
        '--input',
        file,
        '--time-scale',
        timeScale,
        '--json',
        '--report',
        `${file}.html`,
      ],
      motoEnv()
    )
  );
}

const greenOf = (pairs: { green: { Weight: number }; blue: { Weight: number } }[]) =>
  pairs.map((pair) => pair.green.Weight);

/** The real definition as a state machine in moto's Step Functions (its executions stay RUNNING). */
async function deployedMachine() {
  const sfn = new SFNClient(clientConfig(moto.endpoint));
  const machine = await sfn.send(
    new CreateStateMachineCommand({
      name: `m-${Date.now()}`,
      definition: readFileSync(DEFINITION_PATH, 'utf8'),
      roleArn: 'arn:aws:iam::123456789012:role/x',
    })
  );
  return { sfn, machine };
}

describe('traffic-shift rollback', () => {
  it.each([
    { point: 'right after the first shift', after: /shift +25% green/ },
    { point: 'after an evaluation at 50 %', after: /Pass +50%/ },
    { point: 'after the shift to 100 %', after: /shift +100% green/ },
  ])(
    'killed $point: records left shifted; rollback restores the exact snapshot, exit 0',
    async ({ point, after }) => {
      // Prepare
      const { file, migrationId, router, records, before } = await seeded(
        `k${point.length}-${Date.now() % 1_000_000}.example`
      );
      const run = runLocal(file, '60');
      await run.waitFor(after, 60_000);

      // Act 1: kill -9, nothing can clean up.
      run.child.kill('SIGKILL');
      const killed = await run.done;
      const shifted = await router.readPairs(records);

      // Assess 1: the kill left the records off the snapshot.
      expect(killed.signal).toBe('SIGKILL');
      expect(
        greenOf(shifted).some((weight) => weight > 0),
        killed.stderr
      ).toBe(true);

      // Act 2
      const result = await runCli(['rollback', migrationId, '--json'], motoEnv());

      // Assess 2
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        migrationId,
        phaseBefore: 'running',
        phase: 'restored',
        action: 'restored',
        owner: 'gone',
        atSnapshot: true,
      });
      expect(await router.readPairs(records)).toEqual(before);
    },
    120_000
  );

  it('a second run-local on the records before the rollback is refused naming the migration and the command; after it, rollback reports restored', async () => {
    // Prepare
    const { file, migrationId, router, records, before } = await seeded(
      `second-${Date.now() % 1_000_000}.example`
    );
    const first = runLocal(file, '60');
    await first.waitFor(/shift +25% green/, 60_000);
    first.child.kill('SIGKILL');
    await first.done;
    const shifted = await router.readPairs(records);
    const other = join(dir, 'other.json');
    writeFileSync(
      other,
      JSON.stringify({
        ...JSON.parse(readFileSync(file, 'utf8')),
        migrationId: `${migrationId}-again`,
      })
    );

    // Act 1: another migration on the same records.
    const second = await runCli(
      ['run-local', '--input', other, '--time-scale', 'max', '--json', '--report', `${other}.html`],
      motoEnv()
    );

    // Assess 1: refused before any write, the records untouched.
    // Refused by preflight (RunLockedError): its own exit code, no report, never "failed".
    expect(second.code).toBe(7);
    expect(JSON.parse(second.stdout)).toMatchObject({ outcome: 'refused', report: null });
    expect(existsSync(`${other}.html`)).toBe(false);
    expect(second.stdout + second.stderr).toContain(`by migration ${migrationId}`);
    expect(second.stdout + second.stderr).toContain(`traffic-shift rollback ${migrationId}`);
    expect(await router.readPairs(records)).toEqual(shifted);

    // Act 2
    const rolledBack = await runCli(['rollback', migrationId], motoEnv());
    const again = await runCli(['rollback', migrationId, '--json'], motoEnv());

    // Assess 2
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain(`its local run (pid ${first.child.pid}) is gone`);
    expect(await router.readPairs(records)).toEqual(before);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      action: 'already-finished',
      phase: 'restored',
      atSnapshot: true,
    });
  }, 120_000);

  it('run-local still running: rollback sends SIGTERM, the run aborts and restores itself (exit 3), rollback exits 0', async () => {
    // Prepare
    const { file, migrationId, router, records, before } = await seeded(
      `live-${Date.now() % 1_000_000}.example`
    );
    const run = runLocal(file, '60');
    await run.waitFor(/shift +25% green/, 60_000);

    // Act
    const result = await runCli(['rollback', migrationId, '--json'], motoEnv());
    const stopped = await run.done;

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `its local run (pid ${run.child.pid}) is still running: SIGTERM`
    );
    const body = JSON.parse(result.stdout) as { action: string };
    expect(body).toMatchObject({ owner: 'stopped', phase: 'restored', atSnapshot: true });
    // Its own on-execution-end restores; with a write in flight it leaves the finishing to a later pass,
    // which this command then does.
    expect(['restored-by-owner', 'restored']).toContain(body.action);
    expect(stopped.code, stopped.stderr).toBe(3);
    expect(await router.readPairs(records)).toEqual(before);
  }, 120_000);

  it('a deployed execution still running: StopExecution, then the snapshot restored, exit 0', async () => {
    // Prepare: an execution in moto's Step Functions (it stays RUNNING) owning the records in the registry.
    const { migrationId, router, records, before, file } = await seeded(
      `deployed-${Date.now() % 1_000_000}.example`
    );
    const { sfn, machine } = await deployedMachine();
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{}' })
    );
    const executionArn = started.executionArn ?? '';
    const input = parseMigrationInput(JSON.parse(readFileSync(file, 'utf8')));
    const registry = new DynamoDbMigrationRegistry(
      new DynamoDBClient(clientConfig(moto.endpoint)),
      DEFAULT_REGISTRY_TABLE
    );
    await registry.createTableIfMissing();
    const entry = await registry.acquire(
      preflightEntry(
        input,
        {
          executionArn,
          stateMachineArn: machine.stateMachineArn ?? '',
          startedAt: new Date().toISOString(),
        },
        { kind: 'step-functions' }
      )
    );
    await registry.update(migrationId, ownerOf(entry), { phase: 'running', snapshot: before });
    await router.applyWeights(
      before,
      before.map((pair) => ({
        hostedZoneId: pair.hostedZoneId,
        name: pair.name,
        type: pair.type,
        blueWeight: 1,
        greenWeight: 1,
      }))
    );

    // Act
    const result = await runCli(['rollback', migrationId, '--json'], {
      ...motoEnv(),
      AWS_ENDPOINT_URL_SFN: moto.endpoint,
    });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`stopping its execution ${executionArn}`);
    expect(JSON.parse(result.stdout)).toMatchObject({ action: 'restored', owner: 'stopped' });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('ABORTED');
    expect(await router.readPairs(records)).toEqual(before);
  }, 60_000);

  it("an earlier run's ARN never stops or restores a later run of the same migrationId (exit 9)", async () => {
    // Prepare: yesterday's execution of the migration finished; today's execution of the same id runs at 1/1.
    const { migrationId, router, records, before, file } = await seeded(
      `reused-${Date.now() % 1_000_000}.example`
    );
    const { sfn, machine } = await deployedMachine();
    const start = async () =>
      (
        await sfn.send(
          new StartExecutionCommand({
            stateMachineArn: machine.stateMachineArn,
            input: JSON.stringify({ migrationId }),
          })
        )
      ).executionArn ?? '';
    const input = parseMigrationInput(JSON.parse(readFileSync(file, 'utf8')));
    const registry = new DynamoDbMigrationRegistry(
      new DynamoDBClient(clientConfig(moto.endpoint)),
      DEFAULT_REGISTRY_TABLE
    );
    await registry.createTableIfMissing();
    const acquire = (executionArn: string) =>
      registry.acquire(
        preflightEntry(
          input,
          {
            executionArn,
            stateMachineArn: machine.stateMachineArn ?? '',
            startedAt: new Date().toISOString(),
          },
          { kind: 'step-functions' }
        )
      );
    const yesterday = await start();
    const old = await acquire(yesterday);
    await registry.finish(migrationId, ownerOf(old), 'rolled-back', 'regression');
    const today = await start();
    const entry = await acquire(today);
    await registry.update(migrationId, ownerOf(entry), { phase: 'running', snapshot: before });
    const shifted = before.map((pair) => ({ ...pair, blueWeight: 1, greenWeight: 1 }));
    await router.applyWeights(before, shifted);
    const during = await router.readPairs(records);

    // Act
    const result = await runCli(['rollback', yesterday, '--json'], {
      ...motoEnv(),
      AWS_ENDPOINT_URL_SFN: moto.endpoint,
    });

    // Assess
    expect(result.code, result.stderr).toBe(9);
    expect(result.stderr).toContain(
      `is not a generation of the current run of migration ${migrationId}`
    );
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: today }));
    expect(described.status).toBe('RUNNING');
    expect(await router.readPairs(records)).toEqual(during);
    expect((await registry.get(migrationId))?.phase).toBe('running');
  }, 60_000);

  it.each([
    {
      when: 'killed during Preflight (locks taken, nothing written)',
      runner: { kind: 'local', pid: 2 ** 22 + 7, host: hostname() },
      running: false,
      owner: 'gone',
      action: 'released',
    },
    {
      when: 'run from another host',
      runner: { kind: 'local', pid: process.pid, host: 'elsewhere.example' },
      running: true,
      owner: 'remote',
      action: 'restored',
    },
  ] as const)(
    'a local run $when: taken over, $action, exit 0',
    async ({ runner, running, owner, action }) => {
      // Prepare: the registry entry such a run leaves behind.
      const { migrationId, router, records, before, file } = await seeded(
        `${owner}-${Date.now() % 1_000_000}.example`
      );
      const registry = new DynamoDbMigrationRegistry(
        new DynamoDBClient(clientConfig(moto.endpoint)),
        DEFAULT_REGISTRY_TABLE
      );
      await registry.createTableIfMissing();
      const entry = await registry.acquire(
        preflightEntry(
          parseMigrationInput(JSON.parse(readFileSync(file, 'utf8'))),
          {
            executionArn: `arn:aws:states:us-east-1:123456789012:execution:traffic-shift:${migrationId}-x`,
            stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift',
            startedAt: new Date().toISOString(),
          },
          runner
        )
      );
      if (running) {
        await registry.update(migrationId, ownerOf(entry), { phase: 'running', snapshot: before });
        await router.applyWeights(
          before,
          before.map((pair) => ({ ...pair, blueWeight: 1, greenWeight: 1 }))
        );
      }

      // Act
      const result = await runCli(['rollback', migrationId, '--json'], motoEnv());

      // Assess
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ owner, action, phase: action });
      expect(await router.readPairs(records)).toEqual(before);
      expect((await registry.get(migrationId))?.phase).toBe(action);
    },
    60_000
  );

  it('a completed migration: nothing written, says so, exit 6 (records not at the snapshot)', async () => {
    // Prepare
    const { file, migrationId, router, records } = await seeded(
      `done-${Date.now() % 1_000_000}.example`
    );
    const run = await runLocal(file, 'max').done;
    expect(run.code, run.stderr).toBe(0);
    const completed = await router.readPairs(records);

    // Act
    const result = await runCli(['rollback', migrationId], motoEnv());

    // Assess
    expect(result.code).toBe(6);
    expect(result.stdout).toContain(`${migrationId} is completed`);
    expect(result.stdout).toContain('NOT at its snapshot');
    expect(await router.readPairs(records)).toEqual(completed);
  }, 60_000);

  it('an unknown migration id: exit 4, a clear message', async () => {
    // Act
    const result = await runCli(['rollback', 'no-such-migration'], motoEnv());

    // Assess
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('no migration no-such-migration');
    expect(result.stderr).toContain('traffic-shift-migrations');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);
});
