/**
 * Issue 5.1, abort chaos: the real state machine in the local engine with the real handlers against moto's
 * Route 53, stopped at a random point of each run (before or after a random Task, during a random Wait, or
 * while a shift's change batch is in flight), each stop followed by on-execution-end exactly as the
 * EventBridge rule delivers it: concurrently with the Lambda that may still be running.
 *
 * The random stops rarely, if ever, let a shift batch land after on-execution-end's restore (the batch is usually
 * at moto before the stop's recovery starts). The held-shift runs force that interleaving: ShiftTraffic's batch is
 * held before it is sent, the run is stopped, and the batch is sent only once on-execution-end has finished, so
 * only ShiftTraffic's own undo (the describe after applyWeights) brings the records back to the snapshot.
 *
 * Metrics come from an in-memory source (SyntheticMetricSource) that reads green's share from Route 53:
 * CloudWatch is not what is tested here, and publishing into moto would cost a second per run.
 */
import { describe, expect, it } from 'vitest';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import {
  BatchLog,
  countsText,
  GREEN_NAMES,
  greenPercentReader,
  makeEngine,
  motoClients,
  motoPerFile,
  type ShiftPhase,
  SyntheticMetricSource,
  seededRandom,
  seedWorld,
  settle,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();

const RUNS = 100;
const SEED = 20_260_914;
const WAIT_STATES = new Set(['WaitForDnsSync', 'Bake']);

type Profile = 'healthy' | 'regression';
type AbortPoint =
  | { kind: 'before-task'; index: number }
  | { kind: 'after-task'; index: number }
  | { kind: 'during-wait'; index: number }
  | { kind: 'mid-shift'; index: number; phase: ShiftPhase }
  /** The `index`th ShiftTraffic's batch is held, the run stopped, and the batch sent after on-execution-end. */
  | { kind: 'held-shift'; index: number };

interface Shape {
  tasks: number;
  waits: number;
  shifts: number;
  outcome: string;
}

interface RunResult {
  status: string;
  stopped: boolean;
  stoppedIn: string | null;
  batches: BatchLog;
  atSnapshot: boolean;
  weights: { name: string; blue: number; green: number }[];
  lateBatches: number;
  recovery: string | null;
  selfRestores: number;
  /** Batches landed when on-execution-end finished, or null if it never did. */
  landedAtRecovery: number | null;
}

/** Runs one migration, stopping it at `abort` (or never), and reports what landed in Route 53. */
async function run(
  profile: Profile,
  abort: AbortPoint | null
): Promise<RunResult & { shape: Shape }> {
  const world = await seedWorld(moto.endpoint);
  const { route53 } = motoClients(moto.endpoint);
  const batches = new BatchLog(world.snapshot);
  const metrics = new SyntheticMetricSource({
    greenPercent: greenPercentReader(world.router, world.zone.records),
    ...(profile === 'regression' ? { failFromPercent: 50 } : {}),
  });
  const shape: Shape = { tasks: 0, waits: 0, shifts: 0, outcome: '' };
  let stopped = false;
  let stoppedIn: string | null = null;
  let selfRestores = 0;
  let executionArn = '';
  let currentTask: string | null = null;
  let shiftTasks = 0;
  let holdNextBatch = false;
  let landedAtRecovery: number | null = null;
  let recoveryDone: () => void = () => undefined;
  const recovered = new Promise<void>((resolve) => {
    recoveryDone = resolve;
  });
  const setup = makeEngine({
    endpoint: moto.endpoint,
    route53,
    metrics,
    // One real timer tick per Wait: a stop issued when a Wait state is entered lands inside that Wait.
    realMsPerVirtualSecond: 1e-9,
    beforeTask: ({ state, executionArn: arn }) => {
      currentTask = state;
      if (state === 'ShiftTraffic') {
        if (abort?.kind === 'held-shift' && abort.index === shiftTasks) holdNextBatch = true;
        shiftTasks += 1;
      }
      if (abort?.kind === 'before-task' && abort.index === shape.tasks)
        stop(`before ${state}`, arn);
      shape.tasks += 1;
    },
    onEvent: (event) => {
      if (event.type === 'recovery') {
        landedAtRecovery = batches.batches.length;
        recoveryDone();
      }
      if (
        event.type === 'task-succeeded' &&
        abort?.kind === 'after-task' &&
        abort.index === shape.tasks - 1
      ) {
        stop(`after ${event.state}`, event.executionArn);
      }
      if (
        event.type === 'task-failed' &&
        event.error === 'ExecutionNotRunningError' &&
        event.cause?.includes('restored the snapshot')
      ) {
        selfRestores += 1;
      }
      if (event.type === 'state-entered' && WAIT_STATES.has(event.state ?? '')) {
        if (abort?.kind === 'during-wait' && abort.index === shape.waits)
          stop(`during ${event.state}`, event.executionArn);
        shape.waits += 1;
      }
    },
  });
  const { engine } = setup;
  function stop(where: string, arn = executionArn) {
    if (stopped) return;
    stopped = true;
    stoppedIn = where;
    void engine.stop(arn, 'OperatorAbort', `chaos: ${where}`);
  }
  batches.attach(route53, (phase, shiftIndex) => {
    if (phase === 'before-send') shape.shifts = Math.max(shape.shifts, shiftIndex + 1);
    if (abort?.kind === 'mid-shift' && abort.index === shiftIndex && abort.phase === phase)
      stop(`${phase} of shift ${shiftIndex} (${currentTask})`);
  });
  // Holds ShiftTraffic's change batch before it is sent (the first middleware step, ahead of the BatchLog).
  route53.middlewareStack.add(
    (next, context) => async (args) => {
      if (!holdNextBatch || context.commandName !== 'ChangeResourceRecordSetsCommand')
        return next(args);
      holdNextBatch = false;
      stop(`held batch of ShiftTraffic ${abort?.index}`);
      await recovered;
      return next(args);
    },
    { step: 'initialize', name: 'chaosHoldShiftBatch' }
  );
  const started = engine.start(shortPlanInput(world.zone.records), 'chaos-run');
  executionArn = started.executionArn;
  const ends = await engine.endOfChain(executionArn);
  const end = ends.at(-1)!;
  shape.outcome = end.error ?? end.status;
  const landedAtEnd = batches.batches.length;
  // A Lambda still running after the stop would write now: give it the chance.
  await settle();
  const pairs = await world.router.readPairs(world.zone.records);
  const weights = pairs.map((pair) => ({
    name: pair.name,
    blue: pair.blue.Weight,
    green: pair.green.Weight,
  }));
  return {
    shape,
    status: end.status,
    stopped,
    stoppedIn,
    batches,
    atSnapshot: isAtSnapshot(pairs, world.snapshot),
    weights,
    lateBatches: batches.batches.length - landedAtEnd,
    recovery: end.recovery
      ? `${end.recovery.action}${end.recovery.restored ? ' (restored)' : ''}: ${end.recovery.reason}`
      : null,
    selfRestores,
    landedAtRecovery,
  };
}

function pickAbort(random: () => number, shape: Shape): AbortPoint {
  const kinds = ['before-task', 'after-task', 'during-wait', 'mid-shift'] as const;
  const kind = kinds[Math.floor(random() * kinds.length)]!;
  const index = (n: number) => Math.floor(random() * n);
  if (kind === 'before-task' || kind === 'after-task') return { kind, index: index(shape.tasks) };
  if (kind === 'during-wait') return { kind, index: index(shape.waits) };
  const phases = ['before-send', 'in-flight', 'before-return'] as const;
  return { kind, index: index(shape.shifts), phase: phases[index(phases.length)]! };
}

/** What is wrong with a stopped run's end state: every rule the random and the held-shift runs must satisfy. */
function failuresOf(label: string, result: RunResult): string[] {
  const failures: string[] = [];
  const kindsInOrder = result.batches.batches.map((batch) => batch.kind);
  const lastRestore = result.batches.lastRestoreIndex();
  if (!result.stopped || result.status !== 'ABORTED')
    failures.push(`${label}: status ${result.status}`);
  if (!result.atSnapshot)
    failures.push(`${label}: records not at the snapshot: ${JSON.stringify(result.weights)}`);
  if (kindsInOrder.slice(lastRestore + 1).includes('shift'))
    failures.push(`${label}: a shift landed after the last restore: ${kindsInOrder.join(',')}`);
  if (result.batches.shifts.length > 0 && kindsInOrder.at(-1) !== 'restore')
    failures.push(`${label}: last write is not a restore`);
  if (result.recovery === null) failures.push(`${label}: on-execution-end was never delivered`);
  if (result.lateBatches > 0)
    failures.push(`${label}: ${result.lateBatches} batch(es) landed after the execution ended`);
  if (result.batches.batches.some((batch) => !batch.whole))
    failures.push(`${label}: a partial batch landed`);
  return failures;
}

describe('Abort chaos: every stopped run ends at its snapshot, and no weight write lands after the restore', () => {
  it(`${RUNS} runs stopped at random points (before/after a Task, during a Wait, mid-shift), each followed by on-execution-end`, async () => {
    // Prepare: one undisturbed run per profile gives the shape (how many Tasks, Waits, shifts) to aim into.
    const shapes: Record<Profile, Shape> = {
      healthy: (await run('healthy', null)).shape,
      regression: (await run('regression', null)).shape,
    };
    expect(shapes.healthy.outcome).toBe('SUCCEEDED');
    expect(shapes.regression.outcome).toBe('RolledBack');
    const random = seededRandom(SEED);
    const started = Date.now();
    const kinds: Record<string, number> = {};
    const phases: Record<string, number> = {};
    const recoveries: Record<string, number> = {};
    const failures: string[] = [];
    let restores = 0;
    let shiftsLanded = 0;
    let selfRestores = 0;

    // Act
    for (let i = 0; i < RUNS; i++) {
      const profile: Profile = random() < 0.7 ? 'healthy' : 'regression';
      const abort = pickAbort(random, shapes[profile]);
      const result = await run(profile, abort);
      kinds[abort.kind] = (kinds[abort.kind] ?? 0) + 1;
      if (abort.kind === 'mid-shift') phases[abort.phase] = (phases[abort.phase] ?? 0) + 1;
      const recoveryKey = result.recovery === null ? 'none' : result.recovery.replace(/:.*/, '');
      recoveries[recoveryKey] = (recoveries[recoveryKey] ?? 0) + 1;
      restores += result.batches.restores.length;
      shiftsLanded += result.batches.shifts.length;
      selfRestores += result.selfRestores;

      // Assess (collected, so every figure is printed before the verdict)
      const label = `run ${i} ${profile} ${JSON.stringify(abort)} stopped ${result.stoppedIn ?? 'never'}`;
      failures.push(...failuresOf(label, result));
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    // Assess
    console.log(
      `[chaos] runs=${RUNS} seed=${SEED} ${countsText(kinds)} midShiftPhases{${countsText(phases)}} shiftsLanded=${shiftsLanded} restores=${restores} selfRestoresByShift=${selfRestores} onExecutionEnd{${countsText(recoveries)}} failures=${failures.length} wallSeconds=${seconds}`
    );
    console.log(
      `[chaos] shape healthy{tasks=${shapes.healthy.tasks} waits=${shapes.healthy.waits} shifts=${shapes.healthy.shifts}} regression{tasks=${shapes.regression.tasks} waits=${shapes.regression.waits} shifts=${shapes.regression.shifts}} greenNames=${GREEN_NAMES.length}`
    );
    for (const failure of failures.slice(0, 10)) console.log(`[chaos] FAILURE ${failure}`);
    expect(failures).toEqual([]);
    expect(Object.keys(kinds).sort()).toEqual([
      'after-task',
      'before-task',
      'during-wait',
      'mid-shift',
    ]);
    expect(restores).toBeGreaterThan(0);
  }, 240_000);

  it('a ShiftTraffic batch held until on-execution-end has finished lands after its restore, and ShiftTraffic undoes it', async () => {
    // Prepare
    const shapes: Record<Profile, Shape> = {
      healthy: (await run('healthy', null)).shape,
      regression: (await run('regression', null)).shape,
    };
    const failures: string[] = [];
    let runs = 0;

    // Act: every shift of both profiles, held once
    for (const profile of ['healthy', 'regression'] as const) {
      for (let index = 0; index < shapes[profile].shifts; index++) {
        runs += 1;
        const result = await run(profile, { kind: 'held-shift', index });
        const label = `${profile} held shift ${index}`;
        failures.push(...failuresOf(label, result));
        // The interleaving under test happened: on-execution-end ended first, the shift landed after it.
        const afterRecovery = result.batches.batches.slice(result.landedAtRecovery ?? Infinity);
        if (!afterRecovery.some((batch) => batch.kind === 'shift'))
          failures.push(`${label}: no shift landed after on-execution-end`);
        if (result.selfRestores !== 1)
          failures.push(
            `${label}: ShiftTraffic restored ${result.selfRestores} time(s), expected once`
          );
      }
    }

    // Assess
    console.log(`[chaos] heldShiftRuns=${runs} failures=${failures.length}`);
    for (const failure of failures.slice(0, 10)) console.log(`[chaos] FAILURE ${failure}`);
    expect(runs).toBe(shapes.healthy.shifts + shapes.regression.shifts);
    expect(failures).toEqual([]);
  }, 60_000);
});
