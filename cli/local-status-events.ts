/**
 * The template's EventBridge rule, played locally: an execution that ends ABORTED, FAILED or TIMED_OUT sends its
 * Step Functions status-change event to on-execution-end, which Lambda retries twice on failure. Separate from
 * local-engine.ts because it is the one part of the local run that stands in for AWS outside the state machine.
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionDescription } from '../functions/core/state.ts';
import type { ExecutionStatusChange } from '../functions/handlers/on-execution-end.ts';
import type { RecoveryResult } from '../functions/lib/recover.ts';
import { fakeContext } from './local-definition.ts';
import type { EngineEvent, LambdaHandler } from './local-engine-options.ts';

export interface StatusEventDeps {
  /** Off: no rule (the options' `deliverStatusEvents`). */
  enabled: boolean;
  onExecutionEnd: LambdaHandler;
  now: () => Date;
  emit: (event: Omit<EngineEvent, 'at'>) => void;
}

/** The template's EventBridge rule: ABORTED, FAILED, TIMED_OUT -> on-execution-end. */
export async function deliverStatusEvent(
  final: ExecutionDescription,
  deps: StatusEventDeps
): Promise<RecoveryResult | null> {
  if (!deps.enabled || !['ABORTED', 'FAILED', 'TIMED_OUT'].includes(final.status)) return null;
  const event: ExecutionStatusChange = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: deps.now().toISOString(),
    region: 'us-east-1',
    resources: [final.executionArn],
    detail: {
      executionArn: final.executionArn,
      stateMachineArn: final.stateMachineArn,
      name: final.name,
      status: final.status,
      startDate: Date.parse(final.startDate),
      stopDate: final.stopDate === null ? null : Date.parse(final.stopDate),
      error: final.error,
      cause: final.cause,
    },
  };
  // Lambda retries a failed asynchronous invocation twice, then drops the event (the reconciler's case);
  // a failing on-execution-end never fails the execution's own end.
  let failure: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const recovery = (await deps.onExecutionEnd(
        event as never,
        fakeContext('traffic-shift-OnExecutionEnd')
      )) as RecoveryResult;
      deps.emit({ type: 'recovery', executionArn: final.executionArn, recovery });
      return recovery;
    } catch (error) {
      failure = error as Error;
    }
  }
  deps.emit({
    type: 'recovery',
    executionArn: final.executionArn,
    error: failure?.name ?? 'Error',
    cause: failure?.message ?? '',
  });
  return null;
}
