/**
 * Issue 5.6, history limit: a 7-day migration judged every minute needs ~10,000 evaluations, ~90,000 history
 * events, far beyond Step Functions' 25,000-event limit for one execution. The run continues in successor
 * executions (ContinueAsNew -> `<name>-c<n>` resumes with a bake); shown here end to end in the local engine
 * with the real ASL and handlers against moto's Route 53, counting each execution's AWS-equivalent events.
 *
 * Metrics: an in-memory source synthesising healthy Service Connect readings (SyntheticMetricSource).
 * Publishing 10,000 minutes through the traffic model into moto's CloudWatch and reading them back would
 * take minutes of wall time for nothing this test is about.
 */
import { describe, expect, it } from 'vitest';
import { HISTORY_EVENT_LIMIT } from '../../functions/core/history.ts';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import {
  BatchLog,
  changeWeightsManually,
  currentWeights,
  makeEngine,
  motoClients,
  motoPerFile,
  SyntheticMetricSource,
  seedWorld,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();

const STEPS = [1, 2, 5, 10, 20, 35, 50, 75, 100];
const BAKE_SECONDS = 64_800; // 18 h at each of the 8 steps below 100 %
const FINAL_BAKE_SECONDS = 86_400; // 24 h at 100 %: 8 x 18 h + 24 h = 7 days
const SEVEN_DAYS_SECONDS = 7 * 86_400;

describe('History limit: a 7-day migration with 1-minute evaluations stays under 25,000 events per execution', () => {
  it('continues in successor executions, each under the limit, and completes at 100 % green (synthetic in-memory metrics)', async () => {
    // Prepare
    const world = await seedWorld(moto.endpoint);
    const { route53 } = motoClients(moto.endpoint);
    const batches = new BatchLog(world.snapshot);
    batches.attach(route53);
    const metrics = new SyntheticMetricSource();
    // 10,080 evaluations: without the per-evaluation operator-control read (a moto GetItem each, ~3 min).
    const { engine, clock } = makeEngine({
      endpoint: moto.endpoint,
      route53,
      metrics,
      operatorControl: false,
    });
    const input = shortPlanInput(world.zone.records, {
      migrationId: 'seven-days',
      plan: {
        steps: STEPS,
        bakeSeconds: BAKE_SECONDS,
        evaluationIntervalSeconds: 60,
        finalBakeSeconds: FINAL_BAKE_SECONDS,
      },
    });
    const startedAt = clock.now().getTime();
    const wallStart = Date.now();

    // Act
    const { executionArn } = engine.start(input, 'seven-days');
    const ends = await engine.endOfChain(executionArn);

    // Assess
    const wallSeconds = (Date.now() - wallStart) / 1000;
    const virtualDays = (clock.now().getTime() - startedAt) / 86_400_000;
    const last = ends.at(-1)!;
    const events = ends.map((end) => end.historyEvents);
    const totalEvents = events.reduce((sum, n) => sum + n, 0);
    const evaluations = last.output?.status.evaluations ?? 0;
    console.log(
      `[history] generations=${ends.length} totalEvaluations=${evaluations} metricReads=${metrics.reads} eventsPerExecution=${events.join(',')} maxEvents=${Math.max(...events)} totalEvents=${totalEvents} limit=${HISTORY_EVENT_LIMIT} transitions=${ends.reduce((sum, end) => sum + end.stateTransitions, 0)} virtualDays=${virtualDays.toFixed(2)} wallSeconds=${wallSeconds.toFixed(1)} shiftBatches=${batches.shifts.length}`
    );
    expect(last.status).toBe('SUCCEEDED');
    expect(last.output?.outcome?.result).toBe('completed');
    expect(
      ends
        .slice(0, -1)
        .every((end) => end.status === 'SUCCEEDED' && end.output?.outcome?.result === 'continued')
    ).toBe(true);
    expect(ends.map((end) => end.name)).toEqual(
      ends.map((_, i) => (i === 0 ? 'seven-days' : `seven-days-c${i + 1}`))
    );
    expect(totalEvents).toBeGreaterThan(HISTORY_EVENT_LIMIT);
    expect(Math.max(...events)).toBeLessThan(HISTORY_EVENT_LIMIT);
    expect(virtualDays).toBeGreaterThanOrEqual(SEVEN_DAYS_SECONDS / 86_400);
    expect(evaluations).toBeGreaterThanOrEqual(SEVEN_DAYS_SECONDS / 60);
    // Each step was written exactly once across all generations; a continuation only bakes.
    expect(
      batches.shifts.map((batch) => Math.round(batch.greenPercents['www.example.com'] ?? -1))
    ).toEqual(STEPS);
    expect(batches.restores).toEqual([]);
    expect(await currentWeights(world.router, world.zone.records)).toEqual([
      { name: 'api.example.com', blue: 0, green: 255 },
      { name: 'www.example.com', blue: 0, green: 100 },
    ]);
  }, 180_000);

  it('a ContinueAsNew whose result is lost and retried starts the successor once (idempotent StartExecution)', async () => {
    // Prepare: a 2-day bake needs one continuation; the first result of every ContinueAsNew is lost.
    const world = await seedWorld(moto.endpoint);
    const { route53 } = motoClients(moto.endpoint);
    const batches = new BatchLog(world.snapshot);
    batches.attach(route53);
    const lostOnce = new Set<string>();
    let preflights = 0;
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      route53,
      metrics: new SyntheticMetricSource(),
      beforeTask: ({ state }) => {
        if (state === 'Preflight') preflights += 1;
      },
      onEvent: (event) => {
        if (
          event.type === 'task-succeeded' &&
          event.state === 'ContinueAsNew' &&
          !lostOnce.has(event.executionArn)
        ) {
          lostOnce.add(event.executionArn);
          const error = new Error('injected: the result of ContinueAsNew was lost');
          error.name = 'Lambda.ServiceException';
          throw error;
        }
      },
    });
    const input = shortPlanInput(world.zone.records, {
      migrationId: 'two-days',
      plan: {
        steps: [50, 100],
        bakeSeconds: 2 * 86_400,
        evaluationIntervalSeconds: 60,
        finalBakeSeconds: 600,
      },
    });

    // Act
    const { executionArn } = engine.start(input, 'two-days');
    const ends = await engine.endOfChain(executionArn);

    // Assess
    console.log(
      `[history] lost-continue generations=${ends.length} lostResults=${lostOnce.size} preflights=${preflights} executions=${engine.registry.all().length} shiftBatches=${batches.shifts.length}`
    );
    expect(lostOnce.size).toBeGreaterThan(0);
    expect(ends.map((end) => end.status)).toEqual(ends.map(() => 'SUCCEEDED'));
    expect(engine.registry.all()).toHaveLength(ends.length);
    expect(preflights).toBe(ends.length);
    expect(batches.shifts.map((batch) => batch.greenPercents['www.example.com'])).toEqual([
      50, 100,
    ]);
  }, 60_000);

  it('a continuation that fails its Preflight still has an owner: its end restores the snapshot (the predecessor SUCCEEDED)', async () => {
    // Prepare: someone changes a weight while the run is handed over (onDrift rollback): the successor's
    // Preflight refuses to resume, and the predecessor has already ended SUCCEEDED ("continued").
    const world = await seedWorld(moto.endpoint);
    const { route53 } = motoClients(moto.endpoint);
    const batches = new BatchLog(world.snapshot);
    batches.attach(route53);
    const pair = world.snapshot[1]!;
    let preflights = 0;
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      route53,
      metrics: new SyntheticMetricSource(),
      beforeTask: async ({ state }) => {
        if (state !== 'Preflight' || ++preflights !== 2) return;
        await changeWeightsManually(world.route53, pair, 40, 60);
        batches.manual({ ...pair, blueWeight: 40, greenWeight: 60 });
      },
    });
    const input = shortPlanInput(world.zone.records, {
      migrationId: 'failed-continuation',
      onDrift: 'rollback',
      plan: {
        steps: [50, 100],
        bakeSeconds: 2 * 86_400,
        evaluationIntervalSeconds: 60,
        finalBakeSeconds: 600,
      },
    });

    // Act
    const { executionArn } = engine.start(input, 'failed-continuation');
    const ends = await engine.endOfChain(executionArn);

    // Assess
    const successor = ends.at(-1)!;
    const entry = await engine.migrations.get('failed-continuation');
    const atSnapshot = isAtSnapshot(
      await world.router.readPairs(world.zone.records),
      world.snapshot
    );
    console.log(
      `[history] failed-continuation generations=${ends.length} statuses=${ends.map((end) => `${end.status}:${end.error ?? ''}`).join(',')} recovery=${successor.recovery?.action} registry=${entry?.phase} atSnapshot=${atSnapshot}`
    );
    expect(ends.map((end) => end.status)).toEqual(['SUCCEEDED', 'FAILED']);
    expect(successor.recovery).toMatchObject({ action: 'restore', restored: true });
    expect(entry).toMatchObject({ phase: 'restored', executionArn: successor.executionArn });
    expect(atSnapshot).toBe(true);
    expect(batches.batches.at(-1)?.kind).toBe('restore');
  }, 60_000);
});
