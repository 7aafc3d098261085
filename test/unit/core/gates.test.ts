import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import {
  answerCommands,
  GATE_WAIT_EXTRA_EVENTS,
  type GateState,
  isGated,
  openGate,
  resolveGate,
  rollbackAtHeldGate,
  withGate,
} from '../../../functions/core/gates.ts';
import { EVENTS_PER_EVALUATION } from '../../../functions/core/history.ts';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import { GatesSchema } from '../../../functions/core/input-gates.ts';
import { afterEvaluation, newRunState } from '../../../functions/core/run.ts';
import type { RunIdentity, RunState } from '../../../functions/core/state.ts';
import { Action, Verdict } from '../../../functions/core/types.ts';
import { SCHEMA_PATH } from '../../../scripts/export-schema.ts';
import { draft, evaluationWith, inputWith, pairWith } from './fixtures.ts';

const identity: RunIdentity = {
  executionArn: 'arn:aws:states:us-east-1:1:execution:ts:orders',
  executionName: 'orders',
  stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:ts',
  startedAt: '2026-01-01T00:00:00.000Z',
  generation: 1,
  continuedFrom: null,
};
type JsonNode = { description?: string; properties?: Record<string, JsonNode> };
const NOW = new Date('2026-01-01T10:00:00.000Z');
const GATES = { beforeSteps: [50, 100], timeoutSeconds: 3_600, onTimeout: 'rollback' as const };

/** A run at 10 % whose bake is over: the next Pass decides to advance to 50 %. */
function bakedAt10(gates?: { beforeSteps: number[] }): RunState {
  const input = inputWith({ plan: { steps: [10, 50, 100], ...(gates ? { gates } : {}) } });
  const state = newRunState(input, identity, [pairWith({ blue: 100, green: 0 })]);
  return {
    ...state,
    status: { ...state.status, stepIndex: 0, greenPercent: 10, bakedSeconds: 10_000 },
  };
}

function rejection(plan: object): string[] {
  try {
    parseMigrationInput({ ...draft(), plan });
    return [];
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.rule}`);
  }
}

describe('Input: plan.gates', () => {
  it('fills the defaults: one day, rollback', () => {
    const input = parseMigrationInput({
      ...draft(),
      plan: { steps: [10, 50, 100], gates: { beforeSteps: [50] } },
    });
    expect(input.plan.gates).toEqual({
      beforeSteps: [50],
      timeoutSeconds: 86_400,
      onTimeout: 'rollback',
    });
  });

  it.each([
    [
      { steps: [10, 50, 100], gates: { beforeSteps: [30] } },
      'plan.gates.beforeSteps[0]: 30 is not a step of the plan (steps: 10, 50, 100)',
    ],
    [
      { canary: { percent: 5 }, gates: { beforeSteps: [5] } },
      'plan.gates.beforeSteps[0]: 5 is the first step: a gate before the first shift is not supported (start the migration when it is approved)',
    ],
    [
      { steps: [10, 50, 100], gates: { beforeSteps: [50, 50] } },
      'plan.gates.beforeSteps[1]: 50 is named twice',
    ],
    [
      { steps: [10, 50, 100], gates: { beforeSteps: [50], timeoutSeconds: 1_209_601 } },
      'plan.gates.timeoutSeconds: must be <= 1209600 (14 days, as ECS pause hooks)',
    ],
    [
      {
        steps: [10, 50, 100],
        bakeSeconds: 600,
        evaluationIntervalSeconds: 300,
        gates: { beforeSteps: [50], timeoutSeconds: 120 },
      },
      'plan.gates.timeoutSeconds: must be >= evaluationIntervalSeconds (300): a gate waits at least one evaluation interval',
    ],
    [
      { steps: [10, 50, 100], gates: { beforeSteps: [50], onTimeout: 'wait' } },
      'plan.gates.onTimeout: must be rollback or continue',
    ],
  ])('refuses %j naming the field and the rule', (plan, expected) => {
    expect(rejection(plan)).toContain(expected);
  });

  it.each([
    [{ beforeSteps: [] }, 'plan.gates.beforeSteps: must name at least one step'],
    [{ beforeSteps: [50], timeoutSeconds: 90.5 }, 'plan.gates.timeoutSeconds: must be an integer'],
    [{ beforeSteps: [50], timeoutSeconds: 59 }, 'plan.gates.timeoutSeconds: must be >= 60'],
  ])('refuses gates %j: %s', (gates, expected) => {
    expect(rejection({ steps: [10, 50, 100], gates })).toContain(expected);
  });

  it('refuses a gate list longer than any plan with one short message, not one per entry', () => {
    expect(
      rejection({ steps: [10, 50, 100], gates: { beforeSteps: Array(50_000).fill(50) } })
    ).toEqual(['plan.gates.beforeSteps: must name at most 100 steps']);
    expect(
      rejection({ steps: [10, 50, 100], gates: { beforeSteps: Array(100).fill(50) } })
    ).not.toContain('plan.gates.beforeSteps: must name at most 100 steps');
  });

  it('accepts a timeout of exactly one evaluation interval, and reports only the plan kind when there is none', () => {
    expect(
      rejection({
        steps: [10, 50, 100],
        bakeSeconds: 600,
        evaluationIntervalSeconds: 300,
        gates: { beforeSteps: [50], timeoutSeconds: 300 },
      })
    ).toEqual([]);
    expect(rejection({ gates: { beforeSteps: [50] } })).toEqual([
      'plan: exactly one of steps, canary, linear, exponential is required (got none)',
    ]);
  });

  it('describes plan.gates in the committed JSON schema exactly as the code does', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as {
      properties: { plan: { properties: { gates: JsonNode } } };
    };
    const committed = schema.properties.plan.properties.gates;
    const description = (schema: z.ZodMiniType) => z.globalRegistry.get(schema)?.description;
    expect(committed.description).toBe(description(GatesSchema));
    for (const [key, field] of Object.entries(GatesSchema.shape))
      expect(committed.properties?.[key]?.description, key).toBe(description(field));
  });

  it('accepts a gate before 100 % of a linear plan (a step of the expanded plan)', () => {
    expect(rejection({ linear: { stepPercent: 25 }, gates: { beforeSteps: [75, 100] } })).toEqual(
      []
    );
  });
});

describe('Function: withGate (after every evaluation)', () => {
  it('turns an advance to a gated step into a gate decision, keeping the step and the reason', () => {
    const next = afterEvaluation(bakedAt10(GATES), evaluationWith(Verdict.Pass), NOW);
    expect(next.decision).toMatchObject({ action: Action.Gate, nextGreenPercent: 50 });
    expect(next.decision?.reason).toMatch(/^approval gate before 50%: waiting for traffic-shift/);
  });

  it('leaves an advance to an ungated step, and a plan without gates, as decided', () => {
    const ungated = afterEvaluation(
      bakedAt10({ beforeSteps: [100] }),
      evaluationWith(Verdict.Pass),
      NOW
    );
    expect(ungated.decision).toMatchObject({ action: Action.Advance, nextGreenPercent: 50 });
    const none = afterEvaluation(bakedAt10(), evaluationWith(Verdict.Pass), NOW);
    expect(none.decision?.action).toBe(Action.Advance);
  });

  it('lets a regression during a gate roll back: a Fail past the limits is never turned into a gate', () => {
    const state = bakedAt10(GATES);
    const gated = { ...state, decision: { action: Action.Gate, nextGreenPercent: 50, reason: '' } };
    const failing = {
      ...gated,
      status: { ...gated.status, consecutiveFailures: 2, failures: 2 },
    };
    const next = afterEvaluation(failing, evaluationWith(Verdict.Fail), NOW);
    expect(next.decision?.action).toBe(Action.Rollback);
  });

  it('gates only an advance: another decision naming a step, or none, is left as it is', () => {
    const state = afterEvaluation(bakedAt10(GATES), evaluationWith(Verdict.Pass), NOW);
    const observe = { action: Action.Observe, nextGreenPercent: 50, reason: 'baking' };
    expect(withGate(state, { ...state, decision: observe }).decision).toEqual(observe);
    expect(withGate(state, { ...state, decision: null }).decision).toBeNull();
  });

  it('counts the gate wait: a round after a gate decision costs the extra callback-task events', () => {
    const state = bakedAt10(GATES);
    const plain = afterEvaluation(state, evaluationWith(Verdict.Pass), NOW);
    const gated = afterEvaluation(
      { ...state, decision: { action: Action.Gate, nextGreenPercent: 50, reason: '' } },
      evaluationWith(Verdict.Pass),
      NOW
    );
    expect(plain.history.eventsEstimate - state.history.eventsEstimate).toBe(EVENTS_PER_EVALUATION);
    expect(gated.history.eventsEstimate - plain.history.eventsEstimate).toBe(
      GATE_WAIT_EXTRA_EVENTS
    );
    expect(EVENTS_PER_EVALUATION + GATE_WAIT_EXTRA_EVENTS).toBe(13);
  });

  it('flags a continuation when the gate rounds reach the budget', () => {
    const state = bakedAt10(GATES);
    const near = {
      ...state,
      history: {
        eventsEstimate: 19_800 - EVENTS_PER_EVALUATION - GATE_WAIT_EXTRA_EVENTS,
        continueNow: false,
      },
      decision: { action: Action.Gate, nextGreenPercent: 50, reason: '' },
    };
    expect(afterEvaluation(near, evaluationWith(Verdict.Pass), NOW).history.continueNow).toBe(true);
    expect(isGated(undefined, 50)).toBe(false);
    expect(isGated(GATES, undefined)).toBe(false);
  });
});

describe('Functions: openGate, resolveGate', () => {
  const args = { step: 50, now: NOW, gates: GATES, executionArn: 'arn:e1', taskToken: 't1' };

  it('opens a new gate with its deadline, and carries an open one over with the newest token', () => {
    const { gate, opened } = openGate(null, args);
    expect(opened).toBe(true);
    expect(gate).toEqual({
      step: 50,
      openedAt: '2026-01-01T10:00:00.000Z',
      timeoutAt: '2026-01-01T11:00:00.000Z',
      defaultAction: 'rollback',
      taskToken: 't1',
      executionArn: 'arn:e1',
      answer: null,
      closedAt: null,
    });
    const later = new Date(NOW.getTime() + 600_000);
    const again = openGate(gate, {
      ...args,
      now: later,
      executionArn: 'arn:e1-c2',
      taskToken: 't2',
    });
    expect(again.opened).toBe(false);
    expect(again.gate).toEqual({ ...gate, taskToken: 't2', executionArn: 'arn:e1-c2' });
  });

  it('keeps a closed gate of the same step as decided, and opens a new one for another step', () => {
    const closed: GateState = {
      ...openGate(null, args).gate,
      closedAt: NOW.toISOString(),
      taskToken: null,
    };
    expect(openGate(closed, { ...args, taskToken: 't9' })).toEqual({ gate: closed, opened: false });
    expect(openGate(closed, { ...args, step: 100 }).opened).toBe(true);
  });

  it('waits before the deadline; takes the default action at it (rollback or continue)', () => {
    const { gate } = openGate(null, args);
    expect(resolveGate(gate, new Date(Date.parse(gate.timeoutAt) - 1))).toEqual({ kind: 'wait' });
    expect(resolveGate(gate, new Date(gate.timeoutAt))).toEqual({
      kind: 'rollback',
      error: 'GateTimedOutError',
      cause:
        'gate before 50% unanswered since 2026-01-01T10:00:00.000Z (timeout 2026-01-01T11:00:00.000Z): default action rollback',
    });
    expect(resolveGate({ ...gate, defaultAction: 'continue' }, new Date(gate.timeoutAt))).toEqual({
      kind: 'continue',
      result: {
        step: 50,
        action: 'continue',
        by: 'gate-timeout',
        reason:
          'gate before 50% unanswered since 2026-01-01T10:00:00.000Z (timeout 2026-01-01T11:00:00.000Z): default action continue',
      },
    });
  });

  it('takes a stored answer, even past the deadline (it was given before the gate could act on it)', () => {
    const { gate } = openGate(null, args);
    const late = new Date(Date.parse(gate.timeoutAt) + 1);
    const at = NOW.toISOString();
    expect(
      resolveGate({ ...gate, answer: { action: 'reject', by: 'ana', at, reason: 'p99' } }, late)
    ).toEqual({
      kind: 'rollback',
      error: 'GateRejectedError',
      cause: 'gate before 50% rejected by ana: p99',
    });
    expect(resolveGate({ ...gate, answer: { action: 'approve', by: 'ana', at } }, late)).toEqual({
      kind: 'continue',
      result: { step: 50, action: 'approve', by: 'ana', reason: 'gate before 50% approved by ana' },
    });
  });

  it('names the commands that answer, quoting an id a shell would split', () => {
    expect(answerCommands('orders-2026')).toEqual({
      approve: 'traffic-shift approve orders-2026 --reason "…"',
      reject: 'traffic-shift reject orders-2026 --reason "…"',
    });
    expect(answerCommands('my orders').approve).toBe(
      'traffic-shift approve "my orders" --reason "…"'
    );
  });
});

describe('rollbackAtHeldGate: a gate the run holds at (Inconclusive or paused)', () => {
  const open: GateState = {
    step: 50,
    openedAt: '2026-01-01T09:00:00.000Z',
    timeoutAt: '2026-01-01T11:00:00.000Z',
    defaultAction: 'rollback',
    taskToken: 'token',
    executionArn: identity.executionArn,
    answer: null,
    closedAt: null,
  };
  const rejected: GateState = {
    ...open,
    answer: { action: 'reject', by: 'ana', at: '2026-01-01T09:30:00.000Z', reason: 'p99' },
  };
  const approved: GateState = {
    ...open,
    answer: { action: 'approve', by: 'ana', at: '2026-01-01T09:30:00.000Z' },
  };
  const hold = { action: Action.Hold, reason: 'requests (3) < minRequests (50)' };
  const observe = { action: Action.Observe, reason: 'baking' };
  const late = new Date('2026-01-01T11:00:00.000Z');

  it.each([
    ['no gate', undefined, hold, NOW, hold],
    ['a closed gate', { ...rejected, closedAt: '2026-01-01T09:31:00.000Z' }, hold, NOW, hold],
    ['an open gate, no answer, before the deadline', open, hold, NOW, hold],
    ['an approval (needs a clean round)', approved, hold, NOW, hold],
    [
      'a continue default past the deadline',
      { ...open, defaultAction: 'continue' as const },
      hold,
      late,
      hold,
    ],
    [
      'a reject while the run rolls back anyway',
      rejected,
      { action: Action.Rollback, reason: 'Fail' },
      NOW,
      { action: Action.Rollback, reason: 'Fail' },
    ],
    [
      'a reject at a gate decision (WaitForApproval takes it)',
      rejected,
      { action: Action.Gate, nextGreenPercent: 50, reason: '' },
      NOW,
      { action: Action.Gate, nextGreenPercent: 50, reason: '' },
    ],
    [
      'a reject during a hold',
      rejected,
      hold,
      NOW,
      { action: Action.Rollback, reason: 'gate before 50% rejected by ana: p99' },
    ],
    [
      'a reject while observing',
      rejected,
      observe,
      NOW,
      { action: Action.Rollback, reason: 'gate before 50% rejected by ana: p99' },
    ],
    [
      'a rollback deadline passed during a hold',
      open,
      hold,
      late,
      {
        action: Action.Rollback,
        reason:
          'gate before 50% unanswered since 2026-01-01T09:00:00.000Z (timeout 2026-01-01T11:00:00.000Z): default action rollback',
      },
    ],
  ] as const)('%s', (_case, gate, decision, now, expected) => {
    expect(rollbackAtHeldGate(gate, decision, now)).toEqual(expected);
  });
});
