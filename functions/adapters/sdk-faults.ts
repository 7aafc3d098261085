/**
 * The one question every adapter asks of an AWS SDK error before translating it: is the service busy? A
 * throttling error, or a 5xx from the service or its front end, is transient: the state machine retries it
 * as our *BusyError, after the SDK's own retries.
 */

/** A 5xx from the service (or its front end), modelled (`$fault: 'server'`) or not (an HTML 502/503 page). */
export function isServerFault(error: unknown): boolean {
  const shaped = error as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return shaped?.$fault === 'server' || (shaped?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** Throttled (one of the service's own throttling error names) or a server fault. */
export function isBusy(error: unknown, throttlingNames: ReadonlySet<string>): boolean {
  return (
    throttlingNames.has((error as { name?: string } | undefined)?.name ?? '') ||
    isServerFault(error)
  );
}
