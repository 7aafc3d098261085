/**
 * StepFunctionsTaskTokens: request shapes and error mapping with aws-sdk-client-mock. moto 5 accepts any token
 * and answers nothing else (its SendTaskSuccess/SendTaskFailure are no-ops), so it cannot produce TaskTimedOut,
 * TaskDoesNotExist or InvalidToken, nor show what was sent; test/cli/gate-command.test.ts sends to moto.
 */
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  GateTokenClosedError,
  StepFunctionsTaskTokens,
} from '../../../functions/adapters/step-functions-task-tokens.ts';
import {
  StepFunctionsBusyError,
  StepFunctionsRejectedError,
} from '../../../functions/core/errors.ts';

const sfn = mockClient(SFNClient);
const tokens = () => new StepFunctionsTaskTokens(new SFNClient({ region: 'us-east-1' }));
const RESULT = {
  step: 50,
  action: 'approve' as const,
  by: 'ana',
  reason: 'gate before 50% approved by ana',
};

beforeEach(() => {
  sfn.reset();
});

describe('Class: StepFunctionsTaskTokens', () => {
  it('sends the gate result as the task output (JSON), and the error and cause of a failure', async () => {
    // Prepare
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});

    // Act
    await tokens().succeed('tok-1', RESULT);
    await tokens().fail('tok-2', 'GateRejectedError', 'x'.repeat(40_000));

    // Assess
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
      taskToken: 'tok-1',
      output: JSON.stringify(RESULT),
    });
    const failure = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(failure?.taskToken).toBe('tok-2');
    expect(failure?.error).toBe('GateRejectedError');
    // SendTaskFailure takes at most 32,768 characters of cause.
    expect(failure?.cause).toHaveLength(32_768);
  });

  it.each([
    ['TaskTimedOut', GateTokenClosedError],
    ['TaskDoesNotExist', GateTokenClosedError],
    ['InvalidToken', GateTokenClosedError],
    ['ThrottlingException', StepFunctionsBusyError],
    ['AccessDeniedException', StepFunctionsRejectedError],
  ])('maps %s to %s', async (name, ErrorClass) => {
    // Prepare
    const error =
      name === 'TaskTimedOut'
        ? new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })
        : Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
    sfn.on(SendTaskSuccessCommand).rejects(error);

    // Act + Assess
    await expect(tokens().succeed('tok', RESULT)).rejects.toBeInstanceOf(ErrorClass);
  });
});
