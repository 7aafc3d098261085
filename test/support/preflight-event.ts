/** The Preflight Task's event for handler tests: the execution input plus the context fields. */
import type { PreflightEvent } from '../../functions/handlers/preflight.ts';
import { draft } from '../unit/core/fixtures.ts';

export const TEST_STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ts';
export const TEST_EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:ts:self';

export const preflightEvent = (input: unknown = draft()): PreflightEvent => ({
  input,
  executionArn: TEST_EXECUTION_ARN,
  executionName: 'self',
  stateMachineArn: TEST_STATE_MACHINE_ARN,
  startTime: '2026-01-01T00:00:00.000Z',
});
