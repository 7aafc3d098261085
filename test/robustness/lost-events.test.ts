/**
 * Issue 5.5, lost events: EventBridge delivers "Execution Status Change" best effort. Here it never arrives
 * (the engine's status-change delivery is off): executions stopped mid-migration leave their records shifted
 * until the scheduled reconciler (functions/handlers/reconcile.ts) finds them in the migration registry (their
 * entries are unfinished, their executions ended) and restores each snapshot; run again, it changes nothing.
 * Meanwhile a new migration of the same records is refused naming the aborted one; once the reconciler
 * restored it, the new one proceeds, and the reconciler never touches it after it completed.
 *
 * Metrics come from the in-memory SyntheticMetricSource (healthy): metrics are not what is tested here.
 */
import { describe, expect, it } from 'vitest';
import { Route53TrafficRouter } from '../../functions/adapters/route53-traffic-router.ts';
import type { RunState } from '../../functions/core/state.ts';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import { reconcile } from '../../functions/handlers/reconcile.ts';
import {
  BatchLog,
  currentWeights,
  makeEngine,
  motoClients,
  motoPerFile,
  SyntheticMetricSource,
  seededRandom,
  seedWorld,
  shortPlanInput,
  type World,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();
const ABORTED_RUNS = 5;

describe('Lost status-change events: the reconciler restores what on-execution-end never saw', () => {
  it(`${ABORTED_RUNS} executions stopped mid-shift without an event are restored by one reconcile; a second reconcile is a no-op`, async () => {
    // Prepare: one record set per execution (a hosted zone each), each stopped during a random step's bake.
    const random = seededRandom(5_005);
    const worlds: World[] = [];
    for (let i = 0; i < ABORTED_RUNS; i++)
      worlds.push(
        await seedWorld(moto.endpoint, { domain: `lost${i}.example.com`, reset: i === 0 })
      );
    const { route53 } = motoClients(moto.endpoint);
    const writes = new BatchLog(worlds.flatMap((world) => world.snapshot));
    writes.attach(route53);
    const stopAtStep = new Map<string, number>();
    const { engine, clock } = makeEngine({
      endpoint: moto.endpoint,
      route53,
      metrics: new SyntheticMetricSource(),
      deliverStatusEvents: false,
      beforeTask: ({ state, executionArn, payload }) => {
        const run = payload as Partial<RunState>;
        if (state === 'EvaluateMetrics' && run.status?.stepIndex === stopAtStep.get(executionArn))
          void engine.stop(executionArn, 'OperatorAbort', 'lost-event test');
      },
    });
    const arns: string[] = [];
    for (const [i, world] of worlds.entries()) {
      const { executionArn, end } = engine.start(
        shortPlanInput(world.zone.records, { migrationId: `lost-${i}` }),
        `lost-${i}`
      );
      stopAtStep.set(executionArn, Math.floor(random() * 3));
      arns.push(executionArn);
      await end;
    }
    const shiftedBefore = await Promise.all(
      worlds.map(
        async (world) =>
          !isAtSnapshot(await world.router.readPairs(world.zone.records), world.snapshot)
      )
    );
    // The reconciler writes through the recorded client too.
    const deps = {
      router: new Route53TrafficRouter(route53),
      executions: engine.registry,
      registry: engine.migrations,
      clock,
      includeLocal: true,
    };

    // Act
    const first = await reconcile(deps);
    const second = await reconcile(deps);

    // Assess
    const restoredAfter = await Promise.all(
      worlds.map(async (world) =>
        isAtSnapshot(await world.router.readPairs(world.zone.records), world.snapshot)
      )
    );
    const statuses = await Promise.all(
      arns.map(async (arn) => (await engine.registry.describe(arn)).status)
    );
    console.log(
      `[lost-events] aborted=${ABORTED_RUNS} shiftedBeforeReconcile=${shiftedBefore.filter(Boolean).length} firstReconcile{checked=${first.checked} restored=${first.restored} skipped=${first.skipped} failed=${first.failed.length}} secondReconcile{checked=${second.checked} restored=${second.restored} skipped=${second.skipped} failed=${second.failed.length}} atSnapshotAfter=${restoredAfter.filter(Boolean).length}`
    );
    expect(statuses.every((status) => status === 'ABORTED')).toBe(true);
    expect(shiftedBefore).toEqual(worlds.map(() => true));
    expect(first).toMatchObject({
      checked: ABORTED_RUNS,
      restored: ABORTED_RUNS,
      skipped: 0,
      failed: [],
    });
    expect(restoredAfter).toEqual(worlds.map(() => true));
    // Restored entries are finished: the second pass has nothing left to look at.
    expect(second).toMatchObject({ checked: 0, restored: 0, skipped: 0, failed: [] });
    const restoresByReconciler = writes.batches.slice(-ABORTED_RUNS);
    expect(restoresByReconciler.map((batch) => batch.kind)).toEqual(worlds.map(() => 'restore'));
    expect(new Set(restoresByReconciler.map((batch) => batch.hostedZoneId)).size).toBe(
      ABORTED_RUNS
    );
  });

  it('a new run on records an aborted run still holds is refused naming it; after the reconciler restored them it proceeds, and a completed run is never touched', async () => {
    // Prepare: run A is stopped at its second step and its event is lost.
    const world = await seedWorld(moto.endpoint);
    const { engine, clock } = makeEngine({
      endpoint: moto.endpoint,
      metrics: new SyntheticMetricSource(),
      deliverStatusEvents: false,
      beforeTask: ({ state, executionArn, payload }) => {
        if (
          executionArn.endsWith(':older') &&
          state === 'EvaluateMetrics' &&
          (payload as Partial<RunState>).status?.stepIndex === 1
        ) {
          void engine.stop(executionArn, 'OperatorAbort', 'lost-event test');
        }
      },
    });
    const deps = {
      router: world.router,
      executions: engine.registry,
      registry: engine.migrations,
      clock,
      includeLocal: true,
    };
    const older = engine.start(
      shortPlanInput(world.zone.records, { migrationId: 'older' }),
      'older'
    );
    const [olderEnd] = await engine.endOfChain(older.executionArn);

    // Act
    const refused = engine.start(
      shortPlanInput(world.zone.records, { migrationId: 'newer' }),
      'newer-refused'
    );
    const [refusedEnd] = await engine.endOfChain(refused.executionArn);
    const recovery = await reconcile(deps);
    const newer = engine.start(
      shortPlanInput(world.zone.records, { migrationId: 'newer' }),
      'newer'
    );
    const [newerEnd] = await engine.endOfChain(newer.executionArn);
    const afterCompletion = await reconcile(deps);

    // Assess
    const weights = await currentWeights(world.router, world.zone.records);
    console.log(
      `[lost-events] held-by-aborted refused=${refusedEnd?.error} reconcile{checked=${recovery.checked} restored=${recovery.restored}} newer=${newerEnd?.status} afterCompletion{checked=${afterCompletion.checked} restored=${afterCompletion.restored}}`
    );
    expect(olderEnd?.status).toBe('ABORTED');
    expect(refusedEnd).toMatchObject({ status: 'FAILED', error: 'RunLockedError' });
    expect(refusedEnd?.cause).toContain('traffic-shift rollback older');
    expect(recovery).toMatchObject({ checked: 1, restored: 1, failed: [] });
    expect(newerEnd?.status).toBe('SUCCEEDED');
    expect(afterCompletion).toMatchObject({ checked: 0, restored: 0, failed: [] });
    expect(weights).toEqual([
      { name: 'api.example.com', blue: 0, green: 255 },
      { name: 'www.example.com', blue: 0, green: 100 },
    ]);
  });
});
