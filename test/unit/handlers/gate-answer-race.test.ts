/**
 * An operator's gate answer (cli/gate-answer.ts) is a registry write from outside the run: it bumps the entry's
 * version while the run is between its own read and its conditional write. While the gate is open and
 * unanswered the run may be anywhere but ShiftTraffic: rolling back after a regression, or continuing as new.
 * That race must not fail the run: Rollback would end RollbackFailed (RegistryConflictError is not retried) and
 * ContinueAsNew would roll a healthy migration back. The writer re-reads and writes again while this execution
 * still owns the entry; another owner or a finished entry still fails.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { answerGate } from '../../../cli/gate-answer.ts';
import type { GateState } from '../../../functions/core/gates.ts';
import type { MigrationEntry, MigrationRegistry } from '../../../functions/core/registry.ts';
import { newRunState } from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import type { WeightedPair } from '../../../functions/core/types.ts';
import { weightsFor } from '../../../functions/core/weights.ts';
import { continueAsNew } from '../../../functions/handlers/continue-as-new.ts';
import { rollback } from '../../../functions/handlers/rollback.ts';
import { preflightEntry } from '../../../functions/lib/ownership.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeNotifier,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { TEST_EXECUTION_ARN, TEST_STATE_MACHINE_ARN } from '../../support/preflight-event.ts';
import { draft, inputWith, pairWith } from '../core/fixtures.ts';

const ZONE = 'Z0123456789ABC';
const SELF = TEST_EXECUTION_ARN;
const blueOnly = (): WeightedPair => pairWith({ blue: 100, green: 0 }, { hostedZoneId: ZONE });

/** A FakeRegistry where an operator's answer lands just before the run's next write. */
class RacingRegistry extends FakeRegistry {
  race: (() => Promise<void>) | null = null;
  private async raced() {
    const race = this.race;
    this.race = null;
    if (race) await race();
  }
  override async update(...args: Parameters<MigrationRegistry['update']>) {
    await this.raced();
    return super.update(...args);
  }
  override async finish(...args: Parameters<MigrationRegistry['finish']>) {
    await this.raced();
    return super.finish(...args);
  }
}

let router: FakeRouter;
let executions: FakeExecutions;
let registry: RacingRegistry;
const deps = () => ({
  router,
  metrics: new FakeMetrics(),
  executions,
  clock: new FakeClock(),
  notifier: new FakeNotifier(),
  registry,
  sleep: async () => undefined,
});

function gatedState(): RunState {
  const input = inputWith({ plan: { steps: [10, 50, 100], gates: { beforeSteps: [50] } } });
  const { next: _next, ...state } = newRunState(
    input,
    {
      executionArn: SELF,
      executionName: 'self',
      stateMachineArn: TEST_STATE_MACHINE_ARN,
      startedAt: '2026-01-01T00:00:00.000Z',
      generation: 1,
      continuedFrom: null,
    },
    [blueOnly()]
  );
  return {
    ...state,
    status: { ...state.status, greenPercent: 10, stepIndex: 0 },
    decision: { action: 'gate', nextGreenPercent: 50, reason: 'approval gate before 50%' },
  };
}

beforeEach(() => {
  const at10 = weightsFor(blueOnly(), 10);
  router = new FakeRouter([
    pairWith({ blue: at10.blueWeight, green: at10.greenWeight }, { hostedZoneId: ZONE }),
  ]);
  executions = new FakeExecutions();
  executions.add({ executionArn: SELF, input: draft(), startDate: '2026-01-01T00:00:00.000Z' });
  registry = new RacingRegistry();
  const state = gatedState();
  const gate: GateState = {
    step: 50,
    openedAt: '2026-01-01T01:00:00.000Z',
    timeoutAt: '2026-01-02T01:00:00.000Z',
    defaultAction: 'rollback',
    taskToken: null,
    executionArn: SELF,
    answer: null,
    closedAt: null,
  };
  const entry: MigrationEntry = {
    ...preflightEntry(state.input, state.run, { kind: 'step-functions' }),
    phase: 'running',
    snapshot: [blueOnly()],
    expected: [at10],
    version: 4,
    gate,
  };
  registry.entries.set('orders', entry);
  for (const key of entry.recordSetKeys) registry.locks.set(key, 'orders');
});

const operatorAnswers = (action: 'approve' | 'reject') => async () => {
  await answerGate({
    registry,
    tokens: null,
    migrationId: 'orders',
    action,
    by: 'ana',
    now: new Date('2026-01-01T02:00:00.000Z'),
  });
};

describe('a gate answer racing the run', () => {
  it('rollback (a regression at the gate) still restores and finishes when a reject lands mid-way', async () => {
    registry.race = operatorAnswers('reject');
    const state = {
      ...gatedState(),
      decision: { action: 'rollback' as const, reason: 'failures (3) > 2' },
    };

    const done = await rollback(state, deps());

    expect(done.outcome?.result).toBe('rolled-back');
    expect(router.pairs).toEqual([blueOnly()]);
    const entry = registry.entries.get('orders');
    expect(entry?.phase).toBe('rolled-back');
    expect(entry?.gate?.answer).toMatchObject({ action: 'reject', by: 'ana' });
    expect(entry?.expected).toEqual([weightsFor(blueOnly(), 10)]);
  });

  it('continue-as-new at the gate hands over when an approve lands mid-way (the successor takes the answer)', async () => {
    registry.race = operatorAnswers('approve');

    const continued = await continueAsNew(gatedState(), deps());

    expect(continued.outcome?.result).toBe('continued');
    expect(registry.entries.get('orders')).toMatchObject({
      executionArn: `${SELF}-c2`,
      generation: 2,
      phase: 'running',
      gate: { answer: { action: 'approve', by: 'ana' } },
    });
  });

  it('still refuses when the entry went to another owner meanwhile', async () => {
    registry.race = async () => {
      const entry = registry.entries.get('orders') as MigrationEntry;
      registry.entries.set('orders', { ...entry, executionArn: 'arn:other', version: 9 });
    };

    await expect(
      rollback({ ...gatedState(), decision: { action: 'rollback', reason: 'x' } }, deps())
    ).rejects.toMatchObject({ name: 'RegistryConflictError' });
    expect(router.writes).toEqual([]);
  });
});
