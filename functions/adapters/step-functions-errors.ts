/**
 * Step Functions SDK errors of the control plane (describe, list, start, stop, history) turned into the
 * orchestrator's errors. Apart from the calls so that the execution control and the history reads map
 * failures alike; the task-token answers map theirs differently (step-functions-task-tokens.ts).
 */
import { StepFunctionsBusyError, StepFunctionsRejectedError } from '../core/errors.ts';

const BUSY_ERRORS = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'ServiceQuotaExceeded',
]);
const REJECTED_ERRORS = new Set([
  'ExecutionDoesNotExist',
  'InvalidArn',
  'StateMachineDoesNotExist',
  'AccessDenied',
  'AccessDeniedException',
  'ValidationException',
  'InvalidName',
  'InvalidExecutionInput',
  'ExecutionAlreadyExists',
]);

/** Translates Step Functions errors; anything unknown is returned unchanged. */
export function translate(error: unknown, context: string): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (BUSY_ERRORS.has(error.name) || (status !== undefined && status >= 500)) {
    return new StepFunctionsBusyError(
      `${context}: Step Functions is busy (${error.name}); retry later`,
      {
        cause: error,
      }
    );
  }
  if (REJECTED_ERRORS.has(error.name)) {
    return new StepFunctionsRejectedError(`${context}: ${error.name}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}
