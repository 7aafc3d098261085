/**
 * Issue 5.3, drift: someone else changes a weight in Route 53 (moto) in the middle of a migration, at a random
 * point between the first shift and the last one. The next ShiftTraffic detects it before writing; with
 * onDrift "stop" the execution fails with StoppedOnDrift naming the record and nothing overwrites the manual
 * weight (on-execution-end skips it too); with onDrift "rollback" the snapshot is restored.
 *
 * Metrics come from the in-memory SyntheticMetricSource (healthy): metrics are not what is tested here.
 */
import { describe, expect, it } from 'vitest';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import {
  BatchLog,
  changeWeightsManually,
  countsText,
  currentWeights,
  makeEngine,
  motoClients,
  motoPerFile,
  SyntheticMetricSource,
  seededRandom,
  seedWorld,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();
const SEED = 31_337;
const RUNS_PER_MODE = 8;

/** Task names in the order an undisturbed healthy run calls them. */
async function undisturbedTasks(): Promise<string[]> {
  const world = await seedWorld(moto.endpoint);
  const tasks: string[] = [];
  const { engine } = makeEngine({
    endpoint: moto.endpoint,
    metrics: new SyntheticMetricSource(),
    beforeTask: ({ state }) => {
      tasks.push(state);
    },
  });
  const { executionArn } = engine.start(shortPlanInput(world.zone.records), 'undisturbed');
  const [end] = await engine.endOfChain(executionArn);
  expect(end?.status).toBe('SUCCEEDED');
  return tasks;
}

describe('Drift: a weight changed by someone else mid-run is detected before the next write', () => {
  it(`${RUNS_PER_MODE} runs per onDrift mode, a random record changed at a random point: stop leaves it and says so, rollback restores`, async () => {
    // Prepare: drift points are the Tasks after the first shift up to the last ShiftTraffic (a write follows).
    const tasks = await undisturbedTasks();
    const firstShift = tasks.indexOf('ShiftTraffic');
    const lastShift = tasks.lastIndexOf('ShiftTraffic');
    const random = seededRandom(SEED);
    const failures: string[] = [];
    const driftedAt: Record<string, number> = {};
    const endings: Record<string, number> = {};
    let writesAfterDrift = 0;

    for (const onDrift of ['stop', 'rollback'] as const) {
      for (let i = 0; i < RUNS_PER_MODE; i++) {
        const world = await seedWorld(moto.endpoint);
        const { route53 } = motoClients(moto.endpoint);
        const batches = new BatchLog(world.snapshot);
        batches.attach(route53);
        const at = firstShift + 1 + Math.floor(random() * (lastShift - firstShift));
        const pair = world.snapshot[Math.floor(random() * world.snapshot.length)]!;
        const scale = pair.blue.Weight + pair.green.Weight;
        // 20-40 % green: never one of the plan's steps (10, 50, 100), so never mistaken for the run's own write.
        const green = Math.round(scale * (0.2 + random() * 0.2));
        let seen = 0;
        let manualIndex = -1;
        const { engine } = makeEngine({
          endpoint: moto.endpoint,
          route53,
          metrics: new SyntheticMetricSource(),
          beforeTask: async ({ state }) => {
            if (seen++ !== at) return;
            driftedAt[state] = (driftedAt[state] ?? 0) + 1;
            await changeWeightsManually(world.route53, pair, scale - green, green);
            manualIndex = batches.batches.length;
            batches.manual({
              hostedZoneId: pair.hostedZoneId,
              name: pair.name,
              type: pair.type,
              blueWeight: scale - green,
              greenWeight: green,
            });
          },
        });

        // Act
        const { executionArn } = engine.start(
          shortPlanInput(world.zone.records, { onDrift }),
          `drift-${onDrift}-${i}`
        );
        const [end] = await engine.endOfChain(executionArn);

        // Assess (collected)
        const label = `${onDrift} run ${i}: ${pair.name} set to ${scale - green}/${green} before task ${at} (${tasks[at]})`;
        const after = batches.batches.slice(manualIndex + 1);
        writesAfterDrift += after.length;
        endings[`${onDrift}:${end?.error ?? end?.status}`] =
          (endings[`${onDrift}:${end?.error ?? end?.status}`] ?? 0) + 1;
        const weights = await currentWeights(world.router, world.zone.records);
        if (manualIndex < 0) failures.push(`${label}: the drift point was never reached`);
        if (onDrift === 'stop') {
          const drifted = weights.find((candidate) => candidate.name === pair.name);
          if (end?.status !== 'FAILED' || end.error !== 'StoppedOnDrift')
            failures.push(`${label}: ended ${end?.status} ${end?.error}`);
          if (
            !(end?.cause ?? '').includes(`${pair.name} A`) ||
            !(end?.cause ?? '').includes('expected')
          )
            failures.push(`${label}: cause does not name the record: ${end?.cause}`);
          if (after.length > 0)
            failures.push(
              `${label}: ${after.length} write(s) after the manual change: ${after.map((b) => b.kind).join(',')}`
            );
          if (drifted?.blue !== scale - green || drifted?.green !== green)
            failures.push(`${label}: manual weight overwritten: ${JSON.stringify(drifted)}`);
          // The handler that found the drift finished the registry entry: on-execution-end has nothing to do.
          const phase = (await engine.migrations.get('robustness'))?.phase;
          if (end?.recovery?.action !== 'skip' || phase !== 'stopped-on-drift')
            failures.push(
              `${label}: registry ${phase}, on-execution-end ${JSON.stringify(end?.recovery)}`
            );
        } else {
          const atSnapshot = isAtSnapshot(
            await world.router.readPairs(world.zone.records),
            world.snapshot
          );
          if (end?.status !== 'FAILED' || end.error !== 'RolledBack')
            failures.push(`${label}: ended ${end?.status} ${end?.error}`);
          if (
            !(end?.cause ?? '').includes('DriftDetectedError') ||
            !(end?.cause ?? '').includes(`${pair.name} A`)
          )
            failures.push(`${label}: cause ${end?.cause}`);
          if (!atSnapshot)
            failures.push(`${label}: records not at the snapshot: ${JSON.stringify(weights)}`);
          if (after.some((batch) => batch.kind === 'shift'))
            failures.push(`${label}: a shift landed after the manual change`);
          if (after.at(-1)?.kind !== 'restore')
            failures.push(`${label}: the last write is not a restore`);
        }
      }
    }

    // Assess
    console.log(
      `[drift] runs=${RUNS_PER_MODE * 2} seed=${SEED} driftBefore{${countsText(driftedAt)}} endings{${countsText(endings)}} writesAfterDrift=${writesAfterDrift} failures=${failures.length}`
    );
    for (const failure of failures.slice(0, 10)) console.log(`[drift] FAILURE ${failure}`);
    expect(failures).toEqual([]);
  }, 120_000);

  it('a hand-made change during the final bake ends the run stopped on drift, never "green at 100%"; the weights stay as found', async () => {
    // Prepare: the change lands after the last ShiftTraffic, right before Complete.
    const world = await seedWorld(moto.endpoint);
    const { route53 } = motoClients(moto.endpoint);
    const batches = new BatchLog(world.snapshot);
    batches.attach(route53);
    const pair = world.snapshot[1]!;
    const scale = pair.blue.Weight + pair.green.Weight;
    let changed = false;
    const { engine } = makeEngine({
      endpoint: moto.endpoint,
      route53,
      metrics: new SyntheticMetricSource(),
      beforeTask: async ({ state }) => {
        if (state !== 'Complete' || changed) return;
        changed = true;
        await changeWeightsManually(world.route53, pair, 70, scale - 70);
      },
    });

    // Act
    const { executionArn } = engine.start(shortPlanInput(world.zone.records), 'final-bake-drift');
    const [end] = await engine.endOfChain(executionArn);

    // Assess
    const weights = await currentWeights(world.router, world.zone.records);
    const entry = await engine.migrations.get('robustness');
    console.log(
      `[drift] final-bake status=${end?.status} error=${end?.error} registry=${entry?.phase} weights=${JSON.stringify(weights)} writes=${batches.batches.map((b) => b.kind).join(',')}`
    );
    expect(changed).toBe(true);
    expect(end).toMatchObject({ status: 'FAILED', error: 'StoppedOnDrift' });
    expect(end?.cause).toContain(`${pair.name} A`);
    expect(entry?.phase).toBe('stopped-on-drift');
    expect(weights.find((candidate) => candidate.name === pair.name)).toEqual({
      name: pair.name,
      blue: 70,
      green: scale - 70,
    });
    expect(batches.restores).toEqual([]);
  });
});
