/**
 * OnExecutionEnd: EventBridge "Step Functions Execution Status Change" for ABORTED, FAILED and TIMED_OUT.
 * Stopping an execution runs no Catch, so the rollback after an abort (or an uncatchable failure) happens here.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { EventBridgeNotifier } from '../adapters/eventbridge-notifier.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import type { ExecutionStatus } from '../core/state.ts';
import { systemClock } from '../lib/clock.ts';
import { lambda } from '../lib/middy.ts';
import { endErrorOf, type RecoverDeps, type RecoveryResult, recoverEntry } from '../lib/recover.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

export interface ExecutionStatusChangeDetail {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate: number | null;
  /** Newer events may carry the error (the Fail state's, or the code given to StopExecution). */
  error?: string | null;
  cause?: string | null;
}
export type ExecutionStatusChange = EventBridgeEvent<
  'Step Functions Execution Status Change',
  ExecutionStatusChangeDetail
>;

const ENDED_BADLY: readonly ExecutionStatus[] = ['ABORTED', 'FAILED', 'TIMED_OUT'];

/**
 * Trusts the event's status (DescribeExecution may still read RUNNING right after a stop), reads the end
 * error from the history's end event, and recovers the migration this execution owns in the registry.
 * Idempotent: a second delivery finds the entry finished and skips.
 */
export async function onExecutionEnd(
  event: ExecutionStatusChange,
  deps: RecoverDeps
): Promise<RecoveryResult> {
  const { executionArn, status } = event.detail;
  if (!ENDED_BADLY.includes(status)) {
    return {
      executionArn,
      migrationId: null,
      action: 'skip',
      reason: `status ${status} needs no recovery`,
      restored: false,
    };
  }
  const entry = (await deps.registry.listUnfinished()).find(
    (candidate) => candidate.executionArn === executionArn
  );
  if (entry === undefined) {
    return {
      executionArn,
      migrationId: null,
      action: 'skip',
      reason: 'no unfinished migration is owned by this execution',
      restored: false,
    };
  }
  const error = await endErrorOf(executionArn, deps, event.detail.error ?? null);
  return recoverEntry(entry, executionArn, status, error, deps);
}

export function createOnExecutionEndHandler(deps: RecoverDeps) {
  return lambda((event: ExecutionStatusChange) => onExecutionEnd(event, deps));
}

export const handler = createOnExecutionEndHandler({
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 8 })),
  executions: new StepFunctionsControl(new SFNClient({})),
  notifier: new EventBridgeNotifier(new EventBridgeClient({}), {}),
  clock: systemClock,
  registry: registryFromEnv(),
});
