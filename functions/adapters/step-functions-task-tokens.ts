/**
 * Step Functions implementation of the `TaskTokens` port: SendTaskSuccess / SendTaskFailure for the
 * WaitForApproval task (`.waitForTaskToken`). IAM: these actions take no resource-level permissions (`*`).
 */
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import {
  StepFunctionsBusyError,
  StepFunctionsRejectedError,
  TrafficShiftError,
} from '../core/errors.ts';
import type { GateResult, TaskTokens } from '../core/gates.ts';

/**
 * SendTaskSuccess/SendTaskFailure refused the token (TaskTimedOut, TaskDoesNotExist, InvalidToken): that wait
 * is over. Not an error for an answer: it is in the registry, and the gate's next wait takes it. The state
 * machine never sees it (callers swallow it), so it is not one of core/errors.ts's names.
 */
export class GateTokenClosedError extends TrafficShiftError {
  override name = 'GateTokenClosedError' as const;
}

/** The token's wait is over (it timed out, was answered, or never existed): the answer stays in the registry. */
const CLOSED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
const BUSY_ERRORS = new Set(['ThrottlingException', 'ServiceQuotaExceededException']);
/** SendTaskFailure limits: error 256 characters, cause 32,768 (API reference). */
const MAX_ERROR = 256;
const MAX_CAUSE = 32_768;

function translate(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (CLOSED_TOKEN_ERRORS.has(error.name))
    return new GateTokenClosedError(`${what}: ${error.name}: the wait for this token is over`, {
      cause: error,
    });
  if (BUSY_ERRORS.has(error.name) || (status !== undefined && status >= 500))
    return new StepFunctionsBusyError(`${what}: Step Functions is busy (${error.name})`, {
      cause: error,
    });
  return new StepFunctionsRejectedError(`${what}: ${error.name}: ${error.message}`, {
    cause: error,
  });
}

export class StepFunctionsTaskTokens implements TaskTokens {
  readonly #client: SFNClient;

  constructor(client: SFNClient) {
    this.#client = client;
  }

  /** @throws GateTokenClosedError when the token's wait is over; StepFunctionsBusyError / RejectedError. */
  async succeed(taskToken: string, output: GateResult): Promise<void> {
    try {
      await this.#client.send(
        new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })
      );
    } catch (error) {
      throw translate(error, 'SendTaskSuccess');
    }
  }

  /** @throws GateTokenClosedError when the token's wait is over; StepFunctionsBusyError / RejectedError. */
  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    try {
      await this.#client.send(
        new SendTaskFailureCommand({
          taskToken,
          error: error.slice(0, MAX_ERROR),
          cause: cause.slice(0, MAX_CAUSE),
        })
      );
    } catch (thrown) {
      throw translate(thrown, 'SendTaskFailure');
    }
  }
}
