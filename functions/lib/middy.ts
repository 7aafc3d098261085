import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HandlerTimeoutError } from '../core/errors.ts';
import { logKeysOf } from './log-keys.ts';
import { logger } from './powertools.ts';

/**
 * The middleware stack every handler shares: Powertools Logger (with the migration's keys). No Tracer (see
 * powertools.ts). No Powertools Metrics: the dashboard reads log fields (dashboard-fields.ts).
 * Neither the event nor the response is logged: both carry the whole execution input.
 */
export function lambda<TEvent, TResult>(fn: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(fn, {
    // middy's own early-timeout error is named TimeoutError, which no retrier matches.
    timeoutEarlyResponse: () => {
      throw new HandlerTimeoutError('handler timed out: Lambda was about to end the invocation');
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(migrationLogKeys());
}

/**
 * Adds migrationId and executionArn to every log line of the invocation; injectLambdaContext's resetKeys
 * removes them after it, so a warm Lambda never carries the previous event's keys.
 */
function migrationLogKeys(): MiddlewareObj {
  return {
    before: (request) => {
      logger.appendKeys({ ...logKeysOf(request.event) });
    },
  };
}
