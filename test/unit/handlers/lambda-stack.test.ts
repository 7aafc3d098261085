/**
 * The middleware stack every handler shares (functions/lib/middy.ts): each log line of an invocation names its
 * migration and execution, and the next invocation of the same warm function does not inherit them. There is no
 * Tracer any more (Lambda records each invocation's segment itself, Tracing: Active); that no bundle carries the
 * X-Ray SDK is checked in test/unit/tooling/bundles.test.ts.
 */
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logKeysOf } from '../../../functions/lib/log-keys.ts';
import { lambda } from '../../../functions/lib/middy.ts';
import { logger } from '../../../functions/lib/powertools.ts';

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:ts:orders-1';
const context = {
  functionName: 'traffic-shift-ShiftTraffic',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:traffic-shift-ShiftTraffic',
  memoryLimitInMB: '256',
  awsRequestId: 'request-1',
  logGroupName: '/aws/lambda/traffic-shift-ShiftTraffic',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

let printed: string[];

beforeEach(() => {
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  logger.setLogLevel('SILENT');
});

describe('logKeysOf', () => {
  it.each([
    {
      name: 'a RunState',
      event: { input: { migrationId: 'orders' }, run: { executionArn: ARN } },
      keys: { migrationId: 'orders', executionArn: ARN },
    },
    {
      name: "Preflight's event",
      event: { input: { migrationId: 'orders' }, executionArn: ARN },
      keys: { migrationId: 'orders', executionArn: ARN },
    },
    {
      name: 'an execution status change',
      event: { detail: { executionArn: ARN, input: '{"migrationId":"orders"}' } },
      keys: { executionArn: ARN },
    },
    { name: 'input that is not an object', event: { input: 'orders' }, keys: {} },
    { name: 'a non-string id', event: { input: { migrationId: 7 } }, keys: {} },
    { name: 'an empty id', event: { input: { migrationId: '' } }, keys: {} },
    { name: 'no event', event: undefined, keys: {} },
    { name: 'a scheduled event', event: { source: 'aws.events' }, keys: {} },
  ])('reads $name', ({ event, keys }) => {
    expect(logKeysOf(event)).toEqual(keys);
  });
});

describe('the handler stack', () => {
  it("puts the migration's keys on every log line of the invocation, and only of that invocation", async () => {
    // Prepare
    const handler = lambda(async (event: unknown) => {
      // The suite logs at SILENT, and the middleware restores that level on every invocation but the first.
      logger.setLogLevel('INFO');
      logger.info('inside');
      return event;
    });

    // Act
    await handler({ input: { migrationId: 'orders' }, run: { executionArn: ARN } }, context);
    await handler({ source: 'aws.events' }, context);

    // Assess
    const lines = printed.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);
    expect(
      lines.map((line) => [line['message'], line['migrationId'], line['executionArn']])
    ).toEqual([
      ['inside', 'orders', ARN],
      ['inside', undefined, undefined],
    ]);
    expect(lines[0]?.['function_request_id']).toBe('request-1');
  });

  it('logs neither the event nor the response: both carry the whole execution input', async () => {
    // Prepare: the logger's level is reset per invocation (suite: SILENT), so watch what is asked of it.
    const info = vi.spyOn(logger, 'info');
    const handler = lambda(async () => 'done');

    // Act
    const result = await handler({ input: { migrationId: 'orders' } }, context);

    // Assess
    expect(result).toBe('done');
    expect(info).not.toHaveBeenCalled();
    expect(printed).toEqual([]);
  });
});
