/**
 * Step hooks for `run-local`: the local engine's InvokeStepHook calls the real function through the Lambda API
 * (endpoint and credentials from the SDK chain, AWS_ENDPOINT_URL_LAMBDA included), as Step Functions' optimized
 * integration would: the parsed Payload is the answer, a FunctionError fails the task (never a pass).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

export function lambdaInvoker(region: string) {
  const client = new LambdaClient({ region, maxAttempts: 3 });
  return async (functionName: string, payload: unknown): Promise<unknown> => {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      })
    );
    const text = out.Payload === undefined ? 'null' : new TextDecoder().decode(out.Payload);
    if (out.FunctionError !== undefined) {
      const error = new Error(`${functionName} failed (${out.FunctionError}): ${text}`);
      error.name = `Lambda.${out.FunctionError === 'Unhandled' ? 'Unknown' : out.FunctionError}`;
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
}
