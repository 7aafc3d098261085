import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './powertools.ts';

/**
 * The middleware stack every handler shares. No logMetrics: handlers emit each metric at once with its own
 * dimensions (publishMetric), so there is nothing stored to flush, and an empty flush only warns.
 * The event is never logged: it carries the whole execution input.
 */
export function lambda<TEvent, TResult>(fn: (event: TEvent, context: Context) => Promise<TResult>) {
  return middy(fn).use(injectLambdaContext(logger, { resetKeys: true }));
}
