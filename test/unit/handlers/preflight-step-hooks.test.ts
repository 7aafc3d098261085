/**
 * Preflight refuses a step hook the stack may not invoke (ALLOWED_STEP_HOOKS, from StepHookFunctionArns) before
 * it takes the records or reads them: found at the first hook instead, it would roll the run back mid-way.
 */
import { describe, expect, it } from 'vitest';
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
