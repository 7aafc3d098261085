/**
 * Approval gates end to end in the local engine (real ASL, real handlers, task tokens played by the engine),
 * moto's Route 53 and DynamoDB (the registry, where the gate and its answer live), synthetic healthy metrics
 * (SyntheticMetricSource): what is tested is the gate's control flow, its history cost and its hand-over to a
 * continuation, not the judge. The CLI's approve/reject run as a separate process against the same moto, as
 * from another terminal.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { storeControlRequest } from '../../cli/commands/control.ts';
import { answerGate } from '../../cli/gate-answer.ts';
import { type GateWaitContext, LocalEngine, VirtualClock } from '../../cli/local-engine.ts';
import { DynamoDbControlStore } from '../../functions/adapters/dynamodb-control-store.ts';
import { DynamoDbMigrationRegistry } from '../../functions/adapters/dynamodb-migration-registry.ts';
import { HISTORY_RESERVE } from '../../functions/core/history.ts';
import type { MigrationInputDraft } from '../../functions/core/input.ts';
import { isAtSnapshot } from '../../functions/core/weights.ts';
import { cleanEnv, runCli } from '../cli/run-cli.ts';
import { clientConfig } from '../support/moto.ts';
import {
  currentWeights,
  greenPercentReader,
  motoClients,
  motoPerFile,
  SyntheticMetricSource,
  seedWorld,
  shortPlanInput,
  VIRTUAL_START,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();
const TABLE = 'gates-test';

interface Setup {
  gates: { beforeSteps: number[]; timeoutSeconds?: number; onTimeout?: 'rollback' | 'continue' };
  /** Green regresses (5 % 5xx) while this holds. */
  failingWhen?: () => boolean;
  onGateWaiting?: (
    context: GateWaitContext,
    clock: VirtualClock,
    engine: LocalEngine
  ) => Promise<void> | void;
  migrationId?: string;
  /** Real ms slept per virtual second (0: none). */
  pace?: number;
  plan?: Partial<MigrationInputDraft['plan']>;
}

async function gatedRun(setup: Setup) {
  const world = await seedWorld(moto.endpoint);
  const { route53, cloudwatch } = motoClients(moto.endpoint);
  const dynamodb = new DynamoDBClient(clientConfig(moto.endpoint));
  const failing = setup.failingWhen;
  const metrics = new SyntheticMetricSource(
    failing === undefined
      ? { greenPercent: greenPercentReader(world.router, world.zone.records) }
      : { greenPercent: async () => (failing() ? 100 : 0), failFromPercent: 100 }
  );
  const clock = new VirtualClock(VIRTUAL_START);
  const engine: LocalEngine = new LocalEngine({
    route53,
    cloudwatch,
    dynamodb,
    registryTable: TABLE,
    clock,
    metrics,
    deliverStatusEvents: true,
    realMsPerVirtualSecond: setup.pace ?? 0,
    ...(setup.onGateWaiting
      ? { onGateWaiting: (context) => setup.onGateWaiting?.(context, clock, engine) }
      : {}),
  });
  const migrationId = setup.migrationId ?? 'gated';
  const input = shortPlanInput(world.zone.records, {
    migrationId,
    plan: {
      steps: [10, 50, 100],
      bakeSeconds: 120,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 120,
      gates: setup.gates,
      ...setup.plan,
    } as MigrationInputDraft['plan'],
  });
  const started = engine.start(input, migrationId);
  const ends = await engine.endOfChain(started.executionArn);
  const registry = new DynamoDbMigrationRegistry(dynamodb, TABLE);
  const entry = await registry.get(migrationId);
  const weights = await currentWeights(world.router, world.zone.records);
  return { world, ends, entry, weights, clock, engine };
}

const motoEnv = () =>
  cleanEnv({
    USER: 'ana',
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });

describe('Approval gates in the local engine', () => {
  it('rolls back on a regression while waiting at a gate: judging goes on, the gated step is never shifted to', async () => {
    // Act: green turns bad once the gate before 50 % waits (1 day, never answered).
    let gateOpen = false;
    const { ends, entry, weights, world } = await gatedRun({
      gates: { beforeSteps: [50] },
      onGateWaiting: () => {
        gateOpen = true;
      },
      failingWhen: () => gateOpen,
    });

    // Assess
    const last = ends.at(-1)!;
    expect(gateOpen).toBe(true);
    expect(last.status).toBe('FAILED');
    expect(last.error).toBe('RolledBack');
    expect(last.cause).toMatch(/consecutive failures|failures \(\d+\) > maxFailures/);
    expect(entry?.phase).toBe('rolled-back');
    expect(entry?.gate).toMatchObject({ step: 50, answer: null, closedAt: null });
    expect(entry?.control?.audit ?? []).toEqual([]);
    expect(isAtSnapshot(await world.router.readPairs(world.zone.records), world.snapshot)).toBe(
      true
    );
    expect(weights.map((pair) => pair.green)).toEqual([0, 0]);
    expect(last.output?.status.greenPercent).toBe(10);
  }, 60_000);

  it('an approval given while the run is paused waits for the resume: the gated step is never shifted to while paused', async () => {
    // Act: at the first wait, an operator pauses (10 min, then rollback) and another approves.
    let answered = '';
    const { ends, entry, world } = await gatedRun({
      migrationId: 'gated-paused',
      gates: { beforeSteps: [50] },
      failingWhen: () => false,
      onGateWaiting: async (context, clock, engine) => {
        if (answered !== '') return;
        const store = new DynamoDbControlStore(
          new DynamoDBClient(clientConfig(moto.endpoint)),
          TABLE
        );
        await storeControlRequest(
          engine.migrations,
          store,
          context.migrationId,
          { action: 'pause', timeoutSeconds: 600, onTimeout: 'rollback' },
          { by: 'bob@ops', now: () => clock.now(), where: TABLE }
        );
        const outcome = await answerGate({
          registry: engine.migrations,
          tokens: engine.taskTokens,
          migrationId: context.migrationId,
          action: 'approve',
          by: 'ana@laptop',
          now: clock.now(),
        });
        answered = outcome.delivery;
      },
    });

    // Assess: held at 10 % until the pause timed out, then rolled back; the approval is on record.
    const last = ends.at(-1)!;
    expect(answered).toBe('stored');
    expect(last.output?.status.greenPercent).toBe(10);
    expect(last.status).toBe('FAILED');
    expect(last.cause).toContain('not resumed by');
    expect(entry?.gate?.answer).toMatchObject({ action: 'approve', by: 'ana@laptop' });
    expect(isAtSnapshot(await world.router.readPairs(world.zone.records), world.snapshot)).toBe(
      true
    );
  }, 60_000);

  it('measures the history cost of a gate: 13 events per evaluation interval waited (780 per gate-hour at 1-minute evaluations), never undercounted', async () => {
    // Act: two runs that differ only in how long the unanswered gate before 50 % waits (then continue).
    const run = (hours: number) =>
      gatedRun({
        gates: { beforeSteps: [50], timeoutSeconds: hours * 3_600, onTimeout: 'continue' },
        migrationId: `gated-${hours}h`,
      });
    const short = await run(1);
    const long = await run(4);

    // Assess
    const [shortEnd, longEnd] = [short.ends.at(-1)!, long.ends.at(-1)!];
    const perGateHour = (longEnd.historyEvents - shortEnd.historyEvents) / 3;
    const transitionsPerGateHour = (longEnd.stateTransitions - shortEnd.stateTransitions) / 3;
    console.log(
      `[gate-cost] 1h gate: ${shortEnd.historyEvents} events, 4h gate: ${longEnd.historyEvents} events -> ${perGateHour} events and ${transitionsPerGateHour} state transitions per gate-hour (1-minute evaluations); estimate ${longEnd.output?.history.eventsEstimate}`
    );
    expect([shortEnd.status, longEnd.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(perGateHour).toBe(60 * 13);
    expect(transitionsPerGateHour).toBe(60 * 3);
    expect(long.entry?.control?.audit).toEqual([
      expect.objectContaining({ by: 'traffic-shift', action: 'gate-timeout', step: 50 }),
    ]);
    // The estimate counts the gate exactly; the end of the run (Complete, Completed) is in the reserve.
    const estimate = (end: typeof shortEnd) => end.output?.history.eventsEstimate ?? 0;
    expect((estimate(longEnd) - estimate(shortEnd)) / 3).toBe(perGateHour);
    for (const end of [shortEnd, longEnd])
      expect(estimate(end) + HISTORY_RESERVE).toBeGreaterThanOrEqual(end.historyEvents);
  }, 120_000);

  it('carries an open gate over to the continuation: same deadline, the answer given in the next generation is taken', async () => {
    // Act: a 30-hour gate before 50 % (1-minute evaluations: the history budget forces a continuation after
    // about 25 gate-hours), approved 27 hours after it opened.
    const approvals: string[] = [];
    const { ends, entry } = await gatedRun({
      gates: { beforeSteps: [50], timeoutSeconds: 30 * 3_600 },
      migrationId: 'gated-long',
      // Healthy throughout, without reading Route 53 at each of the ~1,600 evaluations.
      failingWhen: () => false,
      onGateWaiting: async (context, clock, engine) => {
        const gate = (await engine.migrations.get(context.migrationId))?.gate;
        if (clock.now().getTime() - Date.parse(gate?.openedAt ?? '') < 27 * 3_600_000) return;
        approvals.push(context.executionArn);
        await answerGate({
          registry: engine.migrations,
          tokens: engine.taskTokens,
          migrationId: context.migrationId,
          action: 'approve',
          by: 'ana@laptop',
          reason: 'dashboards look fine',
          now: clock.now(),
        });
      },
    });

    // Assess
    expect(ends.map((end) => end.name)).toEqual(['gated-long', 'gated-long-c2']);
    expect(ends[0]?.output?.outcome?.result).toBe('continued');
    expect(ends.at(-1)?.status).toBe('SUCCEEDED');
    expect(Math.max(...ends.map((end) => end.historyEvents))).toBeLessThan(20_000);
    expect(approvals).toEqual([ends[1]?.executionArn]);
    expect(entry?.gate).toMatchObject({
      step: 50,
      executionArn: ends[1]?.executionArn,
      answer: { action: 'approve', by: 'ana@laptop', reason: 'dashboards look fine' },
    });
    // Opened in the first generation, 30 hours before its deadline: the continuation kept both.
    const gate = entry?.gate;
    expect(Date.parse(gate?.timeoutAt ?? '') - Date.parse(gate?.openedAt ?? '')).toBe(
      30 * 3_600_000
    );
    expect(Date.parse(gate?.openedAt ?? '')).toBeLessThan(VIRTUAL_START.getTime() + 3_600_000);
    expect(entry?.control?.audit).toEqual([
      expect.objectContaining({ action: 'approve', by: 'ana@laptop', step: 50 }),
    ]);
  }, 240_000);

  it.each([
    ['approve', 'SUCCEEDED', 'completed'],
    ['reject', 'FAILED', 'rolled-back'],
  ] as const)(
    '%s from another terminal (the CLI as its own process, same registry) is taken by the local run at its next gate check',
    async (action, status, phase) => {
      // Act: at the first wait, the operator runs the command in another process.
      const answers: { code: number | null; stdout: string; stderr: string }[] = [];
      const { ends, entry, world } = await gatedRun({
        gates: { beforeSteps: [50] },
        migrationId: `cli-${action}`,
        failingWhen: () => false,
        onGateWaiting: async (context) => {
          if (answers.length > 0) return;
          answers.push(
            await runCli(
              [
                action,
                context.migrationId,
                '--reason',
                'from the other terminal',
                '--registry-table',
                TABLE,
              ],
              motoEnv()
            )
          );
        },
      });

      // Assess
      expect(answers).toHaveLength(1);
      expect(answers[0]?.code).toBe(0);
      expect(answers[0]?.stdout).toMatch(
        new RegExp(
          `gate before 50% ${action === 'approve' ? 'approved' : 'rejected'} by ana@\\S+ \\(recorded in the registry\\)`
        )
      );
      const last = ends.at(-1)!;
      expect(last.status).toBe(status);
      expect(entry?.phase).toBe(phase);
      expect(entry?.control?.audit).toEqual([
        expect.objectContaining({ action, step: 50, reason: 'from the other terminal' }),
      ]);
      if (action === 'reject') {
        expect(last.cause).toMatch(
          /^GateRejectedError: gate before 50% rejected by ana@\S+: from the other terminal$/
        );
        expect(isAtSnapshot(await world.router.readPairs(world.zone.records), world.snapshot)).toBe(
          true
        );
      }
    },
    60_000
  );

  it('keeps virtual time with a pace: the paced gate closes exactly at its deadline and the run goes on', async () => {
    // Act: 1 real ms per virtual second; the 10-minute gate times out into continue.
    const began = Date.now();
    const { ends, entry } = await gatedRun({
      gates: { beforeSteps: [50], timeoutSeconds: 600, onTimeout: 'continue' },
      migrationId: 'paced',
      failingWhen: () => false,
      pace: 1,
    });

    // Assess
    const realMs = Date.now() - began;
    expect(ends.at(-1)?.status).toBe('SUCCEEDED');
    const gate = entry?.gate;
    expect(Date.parse(gate?.closedAt ?? '') - Date.parse(gate?.openedAt ?? '')).toBe(600_000);
    // About 40 virtual minutes at 1 ms each: seconds, not the 10 real minutes a real-time gate would take.
    expect(realMs).toBeLessThan(30_000);
  }, 60_000);
});
