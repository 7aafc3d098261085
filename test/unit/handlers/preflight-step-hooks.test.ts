/**
 * Preflight refuses a step hook the stack may not invoke (ALLOWED_STEP_HOOKS, from StepHookFunctionArns) before
 * it takes the records or reads them: found at the first hook instead, it would roll the run back mid-way.
 */
import { describe, expect, it } from 'vitest';
import { stepHookProblems } from '../../../functions/core/step-hooks.ts';
import { preflight } from '../../../functions/handlers/preflight.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { preflightEvent, TEST_EXECUTION_ARN } from '../../support/preflight-event.ts';
import { draft, pairWith } from '../core/fixtures.ts';

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

  it('names the field, the function and the parameter', () => {
    expect(stepHookProblems({ ...hooks, beforeShift: OTHER }, [SMOKE])).toEqual([
      `hooks.beforeShift: ${OTHER} is not among the stack's StepHookFunctionArns (${SMOKE}): the state machine may not invoke it`,
    ]);
  });
});

describe('Handler: preflight (step hooks)', () => {
  it('refuses a hook outside ALLOWED_STEP_HOOKS before taking or reading the records', async () => {
    // Prepare
    const executions = new FakeExecutions();
    const input = { ...draft(), hooks: { beforeShift: OTHER } };
    executions.add({
      executionArn: TEST_EXECUTION_ARN,
      input,
      startDate: '2026-01-01T00:00:00.000Z',
    });
    const router = new FakeRouter([pairWith({ blue: 100, green: 0 })]);
    const registry = new FakeRegistry();

    // Act + Assess
    await expect(
      preflight(preflightEvent(input), {
        router,
        metrics: new FakeMetrics(),
        executions,
        clock: new FakeClock(),
        registry,
        allowedStepHooks: [SMOKE],
      })
    ).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringContaining(`hooks.beforeShift: ${OTHER} is not among`),
    });
    expect(router.calls).toEqual([]);
    expect(await registry.get(draft().migrationId)).toBeNull();
  });
});
