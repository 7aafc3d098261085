/**
 * Issue 5.4 / 9.1, concurrency: two (or more) migrations of the same record set started at the same moment,
 * their zone ids written as `/hostedzone/Z…` or `Z…`; exactly one proceeds, every other one fails fast naming
 * the owning migration, its execution and `traffic-shift rollback <id>`. The lock is the registry's conditional
 * transaction in moto's DynamoDB. Shown in the local engine (the real ASL: the loser ends in the
 * PreflightFailed Fail state) and with the preflight handler called directly against moto's Step Functions.
 * A redrive of an execution that already rolled back cannot shift traffic again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { type ExecutionEnd, serialisedWrites } from '../../cli/local-engine.ts';
import { clientConfig } from '../../cli/moto.ts';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import {
  ExecutionNotRunningError,
  RegistryConflictError,
  RunLockedError,
} from '../../functions/core/errors.ts';
import type { RecordRef } from '../../functions/core/input.ts';
import type { ExecutionControl, RunState } from '../../functions/core/state.ts';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import { preflight } from '../../functions/handlers/preflight.ts';
import { shiftTraffic } from '../../functions/handlers/shift-traffic.ts';
import {
  BatchLog,
  greenPercentReader,
  makeEngine,
  motoClients,
  motoPerFile,
  SyntheticMetricSource,
  seededRandom,
  seedWorld,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();
const SEED = 4_242;

/** The same records, every second contender writing the zone id as the API sometimes returns it. */
function contenderInput(records: RecordRef[], migrationId: string, index: number) {
  return {
    ...shortPlanInput(records),
    migrationId,
    records: records.map((ref) =>
      index % 2 === 1 ? { ...ref, hostedZoneId: `/hostedzone/${ref.hostedZoneId}` } : ref
    ),
  };
}

/** A promise the test resolves when every contender is registered: no preflight runs before that. */
function barrier() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('Concurrency: one migration per record set', () => {
  it('contenders started at the same virtual instant: exactly one proceeds, the others fail fast naming it (local engine, seeded trials)', async () => {
    // Prepare
    const random = seededRandom(SEED);
    const trials = 8;
    let contendersTotal = 0;
    let losersTotal = 0;
    let proceededTotal = 0;
    const failures: string[] = [];

    for (let trial = 0; trial < trials; trial++) {
      const world = await seedWorld(moto.endpoint);
      const { route53 } = motoClients(moto.endpoint);
      const batches = new BatchLog(world.snapshot);
      batches.attach(route53);
      const gate = barrier();
      const { engine } = makeEngine({
        endpoint: moto.endpoint,
        route53,
        metrics: new SyntheticMetricSource(),
        beforeTask: async ({ state }) => {
          if (state === 'Preflight') await gate.opened;
        },
      });
      const count = 2 + Math.floor(random() * 3);
      const names = Array.from(
        { length: count },
        (_, i) => `mig-${Math.floor(random() * 1e6).toString(36)}-${i}`
      );
      contendersTotal += count;

      // Act: every StartExecution before any Preflight runs, all at the same virtual start time.
      const started = names.map((name, i) =>
        engine.start(contenderInput(world.zone.records, name, i), name)
      );
      gate.open();
      const ends: ExecutionEnd[] = [];
      for (const { executionArn } of started) ends.push(...(await engine.endOfChain(executionArn)));

      // Assess
      const winners = ends.filter((end) => end.status === 'SUCCEEDED');
      const losers = ends.filter((end) => end.status !== 'SUCCEEDED');
      losersTotal += losers.length;
      proceededTotal += winners.length;
      const label = `trial ${trial} (${names.join(', ')})`;
      if (winners.length !== 1) {
        failures.push(
          `${label}: ${winners.length} proceeded: ${ends.map((end) => `${end.name} ${end.status} ${end.error ?? ''} ${end.cause ?? ''}`).join(' / ')}`
        );
        continue;
      }
      const winner = winners[0]!;
      for (const loser of losers) {
        if (
          loser.status !== 'FAILED' ||
          loser.error !== 'RunLockedError' ||
          !(loser.cause ?? '').includes(winner.executionArn) ||
          !(loser.cause ?? '').includes(`traffic-shift rollback ${winner.name}`)
        ) {
          failures.push(
            `${label}: loser ${loser.name} ended ${loser.status} ${loser.error}: ${loser.cause}`
          );
        }
      }
      const greenWrites = batches.shifts.length;
      if (greenWrites !== 3)
        failures.push(
          `${label}: ${greenWrites} shift batches landed (one run of 3 steps expected)`
        );
    }
    console.log(
      `[concurrency] engine trials=${trials} contenders=${contendersTotal} proceeded=${proceededTotal} failedFast=${losersTotal} failures=${failures.length}`
    );
    for (const failure of failures.slice(0, 5)) console.log(`[concurrency] FAILURE ${failure}`);
    expect(failures).toEqual([]);
  });

  it('two executions started against moto Step Functions: exactly one preflight passes, the other names the winner', async () => {
    // Prepare
    const world = await seedWorld(moto.endpoint);
    const sfn = new SFNClient(clientConfig(moto.endpoint));
    const control = new StepFunctionsControl(sfn);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'traffic-shift',
        roleArn: 'arn:aws:iam::123456789012:role/traffic-shift',
        definition: JSON.stringify({
          StartAt: 'Hold',
          States: { Hold: { Type: 'Wait', Seconds: 3_600, End: true } },
        }),
      })
    );
    const first = await control.start(
      stateMachineArn!,
      'orders-b',
      contenderInput(world.zone.records, 'orders-b', 0)
    );
    const second = await control.start(
      stateMachineArn!,
      'orders-a',
      contenderInput(world.zone.records, 'orders-a', 1)
    );
    const dynamodb = new DynamoDBClient(clientConfig(moto.endpoint));
    const adapter = new DynamoDbMigrationRegistry(dynamodb, 'traffic-shift-migrations');
    await adapter.createTableIfMissing();
    const registry = serialisedWrites(adapter);
    const deps = {
      router: world.router,
      metrics: new SyntheticMetricSource(),
      executions: control,
      clock: { now: () => new Date() },
      registry,
    };
    const eventFor = async (executionArn: string) => {
      const self = await control.describe(executionArn);
      return {
        input: self.input,
        executionArn,
        executionName: self.name,
        stateMachineArn: stateMachineArn!,
        startTime: self.startDate,
      };
    };

    // Act: both preflights at once, as two Lambdas would run them.
    const results = await Promise.allSettled([
      preflight(await eventFor(first.executionArn), deps),
      preflight(await eventFor(second.executionArn), deps),
    ]);

    // Assess
    const passed = results.filter((result) => result.status === 'fulfilled');
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as Error] : []
    );
    const starts = [first, second].map((execution) => execution.startDate);
    console.log(
      `[concurrency] moto contenders=2 passed=${passed.length} refused=${refused.length} startDates=${starts.join(',')}`
    );
    expect(passed).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const winnerArn = (passed[0] as PromiseFulfilledResult<RunState>).value.run.executionArn;
    expect(refused[0]).toBeInstanceOf(RunLockedError);
    expect(refused[0]!.message).toContain(winnerArn);
    expect((refused[0] as RunLockedError).ownerExecutionArn).toBe(winnerArn);
    const winnerId = winnerArn.split(':').at(-1);
    expect(refused[0]!.message).toContain(`traffic-shift rollback ${winnerId}`);
    sfn.destroy();
    dynamodb.destroy();
  });

  it('a redrive of an execution that already rolled back cannot shift traffic again, and writes nothing', async () => {
    // Prepare: a run that rolls back at 50 % (green fails there).
    const world = await seedWorld(moto.endpoint);
    const { route53 } = motoClients(moto.endpoint);
    const metrics = new SyntheticMetricSource({
      greenPercent: greenPercentReader(world.router, world.zone.records),
      failFromPercent: 50,
    });
    const { engine, clock } = makeEngine({ endpoint: moto.endpoint, route53, metrics });
    const { executionArn } = engine.start(shortPlanInput(world.zone.records), 'rolls-back');
    const [end] = await engine.endOfChain(executionArn);
    expect(end?.error).toBe('RolledBack');
    expect(isAtSnapshot(await world.router.readPairs(world.zone.records), world.snapshot)).toBe(
      true
    );
    const last = (await engine.registry.latestRunState(executionArn))!;
    // ShiftTraffic's input on a redrive: the state before a shift (the Rollback output carries the run's last weights).
    const { outcome: _outcome, ...beforeShift } = last;
    const writes = new BatchLog(world.snapshot);
    const redriveRoute53 = motoClients(moto.endpoint).route53;
    writes.attach(redriveRoute53);
    const router = new Route53TrafficRouter(redriveRoute53);

    // Act 1: the redriven execution (RUNNING again, redriveCount 1) re-enters ShiftTraffic.
    engine.registry.markRedriven(executionArn);
    const redriven = shiftTraffic(
      { ...beforeShift, outcome: null },
      { router, executions: engine.registry, clock, registry: engine.migrations }
    );

    // Assess 1
    await expect(redriven).rejects.toBeInstanceOf(ExecutionNotRunningError);
    await expect(redriven).rejects.toThrow(/redriven \(1\)/);

    // Act 2: even if the control plane did not say so, the registry says the migration is finished
    // (rolled back): the run no longer owns the records and writes nothing.
    const blind: ExecutionControl = {
      ...engine.registry,
      describe: async (arn) => ({
        ...(await engine.registry.describe(arn)),
        status: 'RUNNING',
        redriveCount: 0,
      }),
      list: engine.registry.list.bind(engine.registry),
      start: engine.registry.start.bind(engine.registry),
      stop: engine.registry.stop.bind(engine.registry),
      latestRunState: engine.registry.latestRunState.bind(engine.registry),
      endError: engine.registry.endError.bind(engine.registry),
    };
    const blindRedrive = shiftTraffic(
      { ...beforeShift, outcome: null },
      { router, executions: blind, clock, registry: engine.migrations }
    );

    // Assess 2
    await expect(blindRedrive).rejects.toBeInstanceOf(RegistryConflictError);
    console.log(`[concurrency] redrive attempts=2 refused=2 writes=${writes.batches.length}`);
    expect(writes.batches).toEqual([]);
    expect(isAtSnapshot(await world.router.readPairs(world.zone.records), world.snapshot)).toBe(
      true
    );
  });
});
