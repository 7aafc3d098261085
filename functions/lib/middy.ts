import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { HandlerTimeoutError } from '../core/errors.ts';
import { logger, metrics } from './powertools.ts';

/**
 * The middleware stack every handler shares: Logger, then Metrics (middy's recommended order), the latter only
 * for handlers that publish metrics (Powertools warns on every empty flush otherwise).
 * The event is never logged: it carries the whole execution input.
 */
export function lambda<TEvent, TResult>(
  fn: (event: TEvent, context: Context) => Promise<TResult>,
  options: { publishesMetrics?: boolean } = {}
) {
  const handler = middy(fn, {
    // middy's own early-timeout error is named TimeoutError, which no retrier matches.
    timeoutEarlyResponse: () => {
      throw new HandlerTimeoutError('handler timed out: Lambda was about to end the invocation');
    },
  }).use(injectLambdaContext(logger, { resetKeys: true }));
  return options.publishesMetrics ? handler.use(logMetrics(metrics)) : handler;
}
