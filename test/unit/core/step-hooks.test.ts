import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/core/errors.ts';
import { EVENTS_PER_SHIFT, HISTORY_EVENT_BUDGET } from '../../../functions/core/history.ts';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import {
  afterEvaluation,
  afterShift,
  newRunState,
  shiftTarget,
} from '../../../functions/core/run.ts';
import type { RunState } from '../../../functions/core/state.ts';
import {
  EVENTS_PER_HOOK_RETRY,
  EVENTS_PER_HOOK_ROUND,
  hookEventsPerShift,
  stepHookProblems,
} from '../../../functions/core/step-hooks.ts';
import { Action, Verdict } from '../../../functions/core/types.ts';
import { draft, evaluationWith, inputWith, pairWith } from './fixtures.ts';

const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:smoke';
const NOW = new Date('2026-01-01T00:10:00.000Z');
const identity = {
  executionArn: 'arn:aws:states:us-east-1:1:execution:ts:orders',
  executionName: 'orders',
  stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:ts',
  startedAt: '2026-01-01T00:00:00.000Z',
  generation: 1,
  continuedFrom: null,
};

function issues(hooks: unknown): string[] {
  try {
    parseMigrationInput({ ...(draft() as object), hooks });
    return [];
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    return error.issues.map((issue) => `${issue.path}: ${issue.rule}`);
  }
}

function stateWith(hooks: object | undefined): RunState {
  const input = parseMigrationInput({ ...(draft() as object), ...(hooks ? { hooks } : {}) });
  return newRunState(input, identity, [pairWith({ blue: 100, green: 0 })]);
}

describe('Step hooks: input', () => {
  it('fills the defaults', () => {
    expect(
      parseMigrationInput({ ...(draft() as object), hooks: { afterBake: ARN } }).hooks
    ).toEqual({
      afterBake: ARN,
      retryLaterSeconds: 60,
      maxAttempts: 10,
    });
  });

  it('accepts a qualified ARN (version or alias) and other partitions', () => {
    expect(
      issues({
        beforeShift: `${ARN}:live`,
        afterBake: 'arn:aws-cn:lambda:cn-north-1:123456789012:function:x:7',
      })
    ).toEqual([]);
  });

  it.each([
    {
      hooks: {},
      issue: 'hooks: names no hook: give beforeShift, afterBake or both (or leave hooks out)',
    },
    { hooks: { beforeShift: 'smoke' }, issue: 'hooks.beforeShift: must be a Lambda function ARN' },
    { hooks: { afterBake: ARN, maxAttempts: 0 }, issue: 'hooks.maxAttempts: must be >= 1' },
    {
      hooks: { afterBake: ARN, retryLaterSeconds: 5 },
      issue: 'hooks.retryLaterSeconds: must be >= 10',
    },
    { hooks: { afterBake: ARN, timeoutSeconds: 5 }, issue: 'hooks' },
  ])('refuses $issue', ({ hooks, issue }) => {
    expect(issues(hooks).join('\n')).toContain(issue);
  });
});

describe('Step hooks: history events', () => {
  it.each([
    { hooks: undefined, expected: 0 },
    { hooks: { beforeShift: ARN, maxAttempts: 1 }, expected: EVENTS_PER_HOOK_ROUND },
    { hooks: { beforeShift: ARN, afterBake: ARN, maxAttempts: 3 }, expected: 2 * (11 + 2 * 13) },
  ])('worst case around one shift: $expected', ({ hooks, expected }) => {
    const parsed = hooks === undefined ? undefined : { retryLaterSeconds: 60, ...hooks };
    expect(hookEventsPerShift(parsed)).toBe(expected);
  });

  it('counts one round and each retry from the per-state event counts', () => {
    // Pass 2 + Task 5 + Choice 2 + Choice 2; Choice 2 + Wait 2 + Pass 2 + Task 5 + Choice 2.
    expect([EVENTS_PER_HOOK_ROUND, EVENTS_PER_HOOK_RETRY]).toEqual([11, 13]);
  });

  it('a shift counts its hook rounds and drops the finished round from the state', () => {
    // Prepare
    const state = {
      ...stateWith({ beforeShift: ARN, maxAttempts: 2 }),
      hook: { kind: 'beforeShift' as const, functionName: ARN, attempt: 2 },
      hookCall: { answer: { status: 'Pass', reason: 'ok' } },
    };

    // Act
    const shifted = afterShift(state, 10, [], [], NOW);

    // Assess
    expect(shifted.history.eventsEstimate).toBe(
      state.history.eventsEstimate + EVENTS_PER_SHIFT + 24
    );
    expect('hook' in shifted || 'hookCall' in shifted).toBe(false);
  });

  it('an evaluation keeps room for the next shift hook rounds before the budget', () => {
    // Prepare: the estimate where a run without hooks still goes on, but not one with a 100-attempt hook.
    const at = HISTORY_EVENT_BUDGET - 200 - 9 - 1;
    const plain = { ...stateWith(undefined), history: { eventsEstimate: at, continueNow: false } };
    const hooked = {
      ...stateWith({ afterBake: ARN, maxAttempts: 100 }),
      history: { eventsEstimate: at, continueNow: false },
    };

    // Act
    const pass = evaluationWith(Verdict.Pass);

    // Assess
    expect(afterEvaluation(plain, pass, NOW).history.continueNow).toBe(false);
    expect(afterEvaluation(hooked, pass, NOW).history.continueNow).toBe(true);
  });
});

describe('shiftTarget with a promote', () => {
  const state = newRunState(inputWith({ plan: { steps: [10, 50, 100] } }), identity, [
    pairWith({ blue: 100, green: 0 }),
  ]);
  const at10 = { ...state, status: { ...state.status, greenPercent: 10, stepIndex: 0 } };

  it.each([
    { decision: null, expected: 10, from: state },
    {
      decision: { action: Action.Advance, nextGreenPercent: 50, reason: '' },
      expected: 50,
      from: at10,
    },
    {
      decision: { action: Action.Advance, nextGreenPercent: 100, reason: '' },
      expected: 100,
      from: at10,
    },
    {
      decision: { action: Action.Advance, nextGreenPercent: 75, reason: 'not a step' },
      expected: 50,
      from: at10,
    },
    {
      decision: { action: Action.Advance, nextGreenPercent: 5, reason: 'backwards' },
      expected: 50,
      from: at10,
    },
  ])('decision $decision.nextGreenPercent -> $expected', ({ decision, expected, from }) => {
    expect(shiftTarget({ ...from, decision })).toBe(expected);
  });
});

const SMOKE = 'arn:aws:lambda:eu-west-1:123456789012:function:smoke';
const OTHER = 'arn:aws:lambda:eu-west-1:123456789012:function:other';
const hooks = { retryLaterSeconds: 60, maxAttempts: 10 };

describe('stepHookProblems', () => {
  it.each([
    {
      what: 'not checked without a list (local engine)',
      given: { beforeShift: OTHER },
      allowed: undefined,
      problems: 0,
    },
    { what: 'a listed function', given: { beforeShift: SMOKE }, allowed: [SMOKE], problems: 0 },
    {
      what: 'a version or alias of a listed function',
      given: { afterBake: `${SMOKE}:live` },
      allowed: [SMOKE],
      problems: 0,
    },
    { what: 'a function not listed', given: { beforeShift: OTHER }, allowed: [SMOKE], problems: 1 },
    {
      what: 'both hooks against an empty parameter',
      given: { beforeShift: SMOKE, afterBake: SMOKE },
      allowed: [''],
      problems: 2,
    },
  ])('$what: $problems problem(s)', ({ given, allowed, problems }) => {
    expect(stepHookProblems({ ...hooks, ...given }, allowed)).toHaveLength(problems);
  });

  it('names the field, the function and the parameter (trimmed; none when empty)', () => {
    expect(stepHookProblems({ ...hooks, beforeShift: OTHER }, [` ${SMOKE} `])).toEqual([
      `hooks.beforeShift: ${OTHER} is not among the stack's StepHookFunctionArns (${SMOKE}): the state machine may not invoke it`,
    ]);
    expect(stepHookProblems({ ...hooks, afterBake: `${SMOKE}:7` }, [' ', ''])).toEqual([
      `hooks.afterBake: ${SMOKE}:7 is not among the stack's StepHookFunctionArns (none): the state machine may not invoke it`,
    ]);
  });

  it('a trimmed entry still allows its function; an unlisted function with a listed prefix is refused', () => {
    expect(stepHookProblems({ ...hooks, beforeShift: SMOKE }, [` ${SMOKE}`])).toEqual([]);
    expect(stepHookProblems({ ...hooks, beforeShift: `${SMOKE}x` }, [SMOKE])).toHaveLength(1);
  });
});
