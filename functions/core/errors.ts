/**
 * Error classes. `name` is a string literal: it is what ASL `Retry`/`Catch` `ErrorEquals` match,
 * and a literal survives minification where a class name would not.
 * Messages follow `<what failed>: <context>`. A regression is a decision, never one of these.
 */

export class TrafficShiftError extends Error {
  override name: string = 'TrafficShiftError';
}

/** The execution input breaks the schema; the message names the field path and the rule. No retry. */
export class InvalidInputError extends TrafficShiftError {
  override name = 'InvalidInputError' as const;
  readonly issues: readonly { path: string; rule: string }[];
  constructor(issues: readonly { path: string; rule: string }[], options?: ErrorOptions) {
    super(
      `invalid input: ${issues.map((issue) => `${issue.path || '(root)'}: ${issue.rule}`).join('; ')}`,
      options
    );
    this.issues = issues;
  }
}

/** Records missing or not a weighted pair, TTL too high, green metrics missing, protection present. No retry. */
export class PreflightFailedError extends TrafficShiftError {
  override name = 'PreflightFailedError' as const;
}

/** Another running execution owns one of the records. No retry. */
export class RunLockedError extends TrafficShiftError {
  override name = 'RunLockedError' as const;
  readonly ownerExecutionArn: string;
  constructor(message: string, ownerExecutionArn: string, options?: ErrorOptions) {
    super(message, options);
    this.ownerExecutionArn = ownerExecutionArn;
  }
}

/** The records are not at the weights this run last wrote: someone else changed them. */
export class DriftDetectedError extends TrafficShiftError {
  override name = 'DriftDetectedError' as const;
}

/** This execution is no longer RUNNING (stopped while the Lambda was in flight) or is a redrive. */
export class ExecutionNotRunningError extends TrafficShiftError {
  override name = 'ExecutionNotRunningError' as const;
}

/** Route 53 is busy (PriorRequestNotComplete) or throttling after the SDK's retries. Retry with backoff. */
export class Route53BusyError extends TrafficShiftError {
  override name = 'Route53BusyError' as const;
}

/** Route 53 rejected the change (InvalidChangeBatch, InvalidInput, protected record). No retry. */
export class Route53ChangeRejectedError extends TrafficShiftError {
  override name = 'Route53ChangeRejectedError' as const;
}

/** The hosted zone or change does not exist. No retry. */
export class Route53NotFoundError extends TrafficShiftError {
  override name = 'Route53NotFoundError' as const;
}

/** CloudWatch throttled or failed transiently where a reading cannot degrade to an Error verdict (preflight). */
export class CloudWatchBusyError extends TrafficShiftError {
  override name = 'CloudWatchBusyError' as const;
}

/** Elastic Load Balancing throttled or failed transiently (DescribeLoadBalancers in Preflight). Retry with backoff. */
export class LoadBalancerBusyError extends TrafficShiftError {
  override name = 'LoadBalancerBusyError' as const;
}

/** Step Functions control plane throttled or failed transiently. Retry with backoff. */
export class StepFunctionsBusyError extends TrafficShiftError {
  override name = 'StepFunctionsBusyError' as const;
}

/** A Step Functions call was refused (no such execution, invalid ARN, access denied). No retry. */
export class StepFunctionsRejectedError extends TrafficShiftError {
  override name = 'StepFunctionsRejectedError' as const;
}

/** A Route 53 change did not reach INSYNC within dns.maxSyncWaitSeconds. Catch -> Rollback. */
export class DnsSyncTimeoutError extends TrafficShiftError {
  override name = 'DnsSyncTimeoutError' as const;
}

/** The restore batch failed. Long retry, then Fail with an alert; the reconciler tries again later. */
export class RollbackFailedError extends TrafficShiftError {
  override name = 'RollbackFailedError' as const;
}

/** The migration registry (DynamoDB) throttled or failed transiently. Retry with backoff. */
export class RegistryBusyError extends TrafficShiftError {
  override name = 'RegistryBusyError' as const;
}

/**
 * A conditional registry write found the entry moved on (another execution owns it now, or its version
 * changed): this run no longer owns the records and must not write. No retry.
 */
export class RegistryConflictError extends TrafficShiftError {
  override name = 'RegistryConflictError' as const;
}

/**
 * The handler ran out of time (middy's early timeout, just before Lambda's own): nothing it did is trusted,
 * and every write handler is idempotent, so it is retried like a busy service.
 */
export class HandlerTimeoutError extends TrafficShiftError {
  override name = 'HandlerTimeoutError' as const;
}

/** Every error name the state machine may match, for the ASL consistency test. */
export const ERROR_NAMES = [
  'InvalidInputError',
  'PreflightFailedError',
  'RunLockedError',
  'DriftDetectedError',
  'ExecutionNotRunningError',
  'Route53BusyError',
  'Route53ChangeRejectedError',
  'Route53NotFoundError',
  'CloudWatchBusyError',
  'LoadBalancerBusyError',
  'StepFunctionsBusyError',
  'StepFunctionsRejectedError',
  'DnsSyncTimeoutError',
  'RollbackFailedError',
  'RegistryBusyError',
  'RegistryConflictError',
  'HandlerTimeoutError',
  'GateRejectedError',
  'GateTimedOutError',
] as const;
export type ErrorName = (typeof ERROR_NAMES)[number];

/** SendTaskFailure's error when an operator rejects an approval gate (traffic-shift reject). Catch -> Rollback. */
export class GateRejectedError extends TrafficShiftError {
  override name = 'GateRejectedError' as const;
}

/** SendTaskFailure's error when an unanswered gate reaches its timeout with onTimeout rollback. Catch -> Rollback. */
export class GateTimedOutError extends TrafficShiftError {
  override name = 'GateTimedOutError' as const;
}
