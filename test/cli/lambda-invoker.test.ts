/**
 * run-local's step hooks through the Lambda API. aws-sdk-client-mock: moto runs Lambda functions only in Docker,
 * which the offline test run does not have, so the answer shapes (Payload, FunctionError) are mocked.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { lambdaInvoker } from '../../cli/lambda-invoker.ts';

const lambda = mockClient(LambdaClient);
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:smoke';
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

afterEach(() => {
  lambda.reset();
});

describe('lambdaInvoker (run-local step hooks)', () => {
  it('sends the request as the payload and returns the parsed answer', async () => {
    // Prepare
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: encode({ status: 'Pass', reason: 'ok' }) as never });

    // Act
    const answer = await lambdaInvoker('eu-west-1')(ARN, { kind: 'afterBake' } as never);

    // Assess
    expect(answer).toEqual({ status: 'Pass', reason: 'ok' });
    const sent = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(sent?.FunctionName).toBe(ARN);
    expect(JSON.parse(new TextDecoder().decode(sent?.Payload as Uint8Array))).toEqual({
      kind: 'afterBake',
    });
  });

  it('a function error fails the task (never a pass)', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({ errorMessage: 'boom' }) as never,
    });

    // Act + Assess
    await expect(lambdaInvoker('eu-west-1')(ARN, {} as never)).rejects.toMatchObject({
      name: 'Lambda.Unknown',
      message: expect.stringContaining('boom'),
    });
  });
});
