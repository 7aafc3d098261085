/**
 * Issue 12, operator control end to end: the real ASL and handlers in the local engine against moto (Route 53,
 * DynamoDB registry). Requests are stored the way the CLI stores them (storeControlRequest + the DynamoDB
 * control store) at a chosen evaluation; EvaluateMetrics reads them at the next one.
 *
 * Metrics: the in-memory SyntheticMetricSource (healthy, or failing once `regress` is set): what is tested is
 * what the run does with the operator's requests, not the verdicts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { storeControlRequest } from '../../cli/commands/control.ts';
import { clientConfig } from '../../cli/moto.ts';
import { DynamoDbControlStore } from '../../functions/adapters/dynamodb-control-store.ts';
import { DEFAULT_REGISTRY_TABLE } from '../../functions/adapters/dynamodb-migration-registry.ts';
import type { ControlRequest } from '../../functions/core/control.ts';
import type { Gates } from '../../functions/core/input-gates.ts';
import type { Step } from '../../functions/core/input-plan.ts';
import type { RunState } from '../../functions/core/state.ts';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import {
  makeEngine,
  motoPerFile,
  SyntheticMetricSource,
  seedWorld,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();

interface Seen {
  greenPercent: number;
  action: string | undefined;
  reason: string | undefined;
}

/**
 * Runs a short migration (steps 10, 50, 100; bake 120 s) and calls `act(evaluationsAt, request)` before every
 * EvaluateMetrics, with how many evaluations the run has had at the current percent.
 */
async function runWithControl(
  act: (context: {
    greenPercent: number;
    evaluationsHere: number;
    request: (request: ControlRequest) => Promise<void>;
    regress: () => void;
  }) => Promise<void> | void,
  options: { steps?: Step[]; bakeSeconds?: number; gates?: Gates } = {}
) {
  const world = await seedWorld(moto.endpoint);
  let regressing = false;
  const metrics = new SyntheticMetricSource({
    greenPercent: async () => (regressing ? 100 : 0),
    failFromPercent: 50,
  });
  const evaluations: Seen[] = [];
  const shifts: number[] = [];
  const readsAt100: number[] = [];
  const store = new DynamoDbControlStore(
    new DynamoDBClient(clientConfig(moto.endpoint)),
    DEFAULT_REGISTRY_TABLE
  );
  const here = new Map<number, number>();
  const { engine, clock } = makeEngine({
    endpoint: moto.endpoint,
    metrics,
    onEvent: (event) => {
      if (event.type !== 'task-succeeded' || event.output === undefined) return;
      if (event.state === 'ShiftTraffic') shifts.push(event.output.status.greenPercent);
      if (event.state === 'EvaluateMetrics') {
        evaluations.push({
          greenPercent: event.output.status.greenPercent,
          action: event.output.decision?.action,
          reason: event.output.decision?.reason,
        });
      }
    },
    beforeTask: async ({ state, payload }) => {
      if (state !== 'EvaluateMetrics') return;
      const { greenPercent } = (payload as RunState).status;
      if (greenPercent === 100) readsAt100.push(metrics.reads);
      const evaluationsHere = here.get(greenPercent) ?? 0;
      here.set(greenPercent, evaluationsHere + 1);
      await act({
        greenPercent,
        evaluationsHere,
        regress: () => {
          regressing = true;
        },
        request: async (request) => {
          await storeControlRequest(engine.migrations, store, 'operator', request, {
            by: 'ana@host',
            now: () => clock.now(),
            where: 'moto',
          });
        },
      });
    },
  });
  const input = shortPlanInput(world.zone.records, {
    migrationId: 'operator',
    plan: {
      steps: options.steps ?? [10, 50, 100],
      bakeSeconds: options.bakeSeconds ?? 120,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 120,
      ...(options.gates === undefined ? {} : { gates: options.gates }),
    },
  });
  const { executionArn } = engine.start(input, 'operator');
  const ends = await engine.endOfChain(executionArn);
  const end = ends.at(-1)!;
  const entry = await engine.migrations.get('operator');
  const pairs = await world.router.readPairs(world.zone.records);
  return {
    end,
    entry,
    evaluations,
    shifts,
    readsAt100,
    metrics,
    atSnapshot: isAtSnapshot(pairs, world.snapshot),
  };
}

const PAUSE = { action: 'pause', timeoutSeconds: 3_600, onTimeout: 'rollback' } as const;

describe('Operator control in the local engine (real ASL and handlers, moto)', () => {
  it('pause holds at 10 % well past the bake; resume advances and the run completes', async () => {
    // Act
    const run = await runWithControl(async ({ greenPercent, evaluationsHere, request }) => {
      if (greenPercent !== 10) return;
      if (evaluationsHere === 0) await request({ ...PAUSE, reason: 'db migration' });
      if (evaluationsHere === 12) await request({ action: 'resume' });
    });

    // Assess
    const at10 = run.evaluations.filter((evaluation) => evaluation.greenPercent === 10);
    // Bake 120 s at one evaluation a minute: unpaused the run would leave 10 % after about 3 evaluations.
    expect(at10.length).toBeGreaterThanOrEqual(13);
    expect(at10.slice(0, 12).every((evaluation) => evaluation.action === 'hold')).toBe(true);
    expect(at10[0]?.reason).toMatch(
      /^paused by ana@host at .* \(db migration\) until .* \(then rollback\): /
    );
    expect(run.shifts).toEqual([10, 50, 100]);
    expect(run.end.status).toBe('SUCCEEDED');
    expect(run.entry?.control?.audit.map((line) => line.action)).toEqual(['pause', 'resume']);
  });

  it('a regression while paused still rolls back to the snapshot', async () => {
    // Act
    const run = await runWithControl(
      async ({ greenPercent, evaluationsHere, request, regress }) => {
        if (greenPercent !== 10) return;
        if (evaluationsHere === 0) await request(PAUSE);
        if (evaluationsHere === 4) regress();
      }
    );

    // Assess
    expect(run.shifts).toEqual([10]);
    expect(run.end.status).toBe('FAILED');
    expect(run.end.error).toBe('RolledBack');
    // The judge's rollback, not the pause's timeout an hour later.
    expect(run.end.cause).toMatch(/^consecutive failures \(1\) > maxConsecutiveFailures \(0\)/);
    expect(run.evaluations.filter((evaluation) => evaluation.greenPercent === 10)).toHaveLength(5);
    expect(run.atSnapshot).toBe(true);
    expect(run.entry?.phase).toBe('rolled-back');
  });

  it('a pause nobody resumes rolls back at its timeout (onTimeout rollback)', async () => {
    // Act
    const run = await runWithControl(async ({ greenPercent, evaluationsHere, request }) => {
      if (greenPercent === 10 && evaluationsHere === 0)
        await request({ action: 'pause', timeoutSeconds: 300, onTimeout: 'rollback' });
    });

    // Assess
    expect(run.end.error).toBe('RolledBack');
    expect(run.end.cause).toMatch(
      /^pause by ana@host at .* not resumed by .* \(on timeout: rollback\)$/
    );
    expect(run.atSnapshot).toBe(true);
  });

  it('promote skips the remaining bakes: 10 % -> 100 %, then the final bake is judged', async () => {
    // Act
    const run = await runWithControl(
      async ({ greenPercent, evaluationsHere, request }) => {
        if (greenPercent === 10 && evaluationsHere === 0)
          await request({ action: 'promote', full: false });
      },
      { steps: [10, 25, 50, 75, 100], bakeSeconds: 1_800 }
    );

    // Assess
    expect(run.shifts).toEqual([10, 100]);
    expect(run.end.status).toBe('SUCCEEDED');
    const at100 = run.evaluations.filter((evaluation) => evaluation.greenPercent === 100);
    expect(at100.length).toBeGreaterThanOrEqual(2);
    expect(at100.at(-1)?.action).toBe('complete');
    expect(run.readsAt100.at(-1)).toBeLessThan(run.metrics.reads);
  });

  it('a plain promote never skips an approval gate: it stops before the gated 50 %, which times out into rollback', async () => {
    // Act
    const run = await runWithControl(
      async ({ greenPercent, evaluationsHere, request }) => {
        if (greenPercent === 10 && evaluationsHere === 0)
          await request({ action: 'promote', full: false });
      },
      {
        steps: [10, 25, 50, 100],
        bakeSeconds: 1_800,
        gates: { beforeSteps: [50], timeoutSeconds: 300, onTimeout: 'rollback' },
      }
    );

    // Assess
    expect(run.shifts).toEqual([10]);
    expect(run.evaluations.map((evaluation) => evaluation.action)).toContain('gate');
    expect(run.atSnapshot).toBe(true);
    expect(run.entry?.control?.audit.map((line) => line.action)).toContain('gate-timeout');
  });

  it('promote --full: 100 % now, completes without analysis, the reason in the outcome and the audit trail', async () => {
    // Act
    const run = await runWithControl(async ({ greenPercent, evaluationsHere, request }) => {
      if (greenPercent === 10 && evaluationsHere === 0)
        await request({ action: 'promote', full: true, reason: 'vendor deadline' });
    });

    // Assess
    expect(run.shifts).toEqual([10, 100]);
    expect(run.end.status).toBe('SUCCEEDED');
    const at100 = run.evaluations.filter((evaluation) => evaluation.greenPercent === 100);
    expect(at100.map((evaluation) => evaluation.action)).toEqual(['complete']);
    // No metric was read at 100 %.
    expect(run.readsAt100[0]).toBe(run.metrics.reads);
    expect(run.end.output?.outcome?.reason).toContain('promoted with --full by ana@host at');
    expect(run.end.output?.outcome?.reason).toContain('(vendor deadline)');
    expect(run.entry?.phase).toBe('completed');
    expect(run.entry?.reason).toContain('vendor deadline');
    expect(run.entry?.control?.audit).toEqual([
      expect.objectContaining({
        by: 'ana@host',
        action: 'promote-full',
        reason: 'vendor deadline',
      }),
    ]);
  });

  it('per-step bakes change the waits: 10 % bakes its own 600 s, 50 % the plan 120 s', async () => {
    // Act
    const run = await runWithControl(() => undefined, {
      steps: [{ percent: 10, bakeSeconds: 600 }, 50, 100],
      bakeSeconds: 120,
    });

    // Assess
    const count = (percent: number) =>
      run.evaluations.filter((evaluation) => evaluation.greenPercent === percent).length;
    expect(run.end.status).toBe('SUCCEEDED');
    // One evaluation a minute, each judging one minute of data: 10 bakes 600 s, 50 only 120 s.
    expect(count(10)).toBeGreaterThanOrEqual(10);
    expect(count(50)).toBeLessThanOrEqual(4);
  });
});
