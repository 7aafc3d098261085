/**
 * Fault injection for AWS SDK v3 clients, as middleware, driven by a seeded RNG so that a failing run can be
 * replayed. Every decision is counted (calls, faults by kind, by operation) so a test can print and assert the
 * fault ratio.
 *
 * Two placements, chosen per test:
 * - `below-retry` (step `deserialize`, priority high: inside the SDK's retry loop, one decision per HTTP
 *   attempt). This is where a real throttle or 5xx appears: the SDK's retry strategy classifies it (throttling
 *   by name or `$retryable`, transient by HTTP status) and retries it up to `maxAttempts`; only what survives
 *   every attempt reaches the adapter. Use {@link zeroDelayRetryStrategy} on the client so the SDK's backoff
 *   costs no wall time (the number of attempts and the classification stay the SDK's).
 * - `above-retry` (step `initialize`: outside the SDK's retry loop, one decision per operation). Every injected
 *   fault reaches the adapter, as if the SDK had exhausted its attempts: this exercises our own error
 *   translation, the state machine's retriers and its Catch -> Rollback path.
 *
 * A fault is service-shaped: an instance of the client's ServiceException class with `name`, `$fault`,
 * `$metadata.httpStatusCode` and, for throttling, `$retryable: { throttling: true }`, exactly as the SDK's
 * deserializer builds them. Faults other than `*-after-apply` are raised BEFORE the request is sent: the service
 * never saw it (a throttled or refused request is not applied). `InternalFailure-after-apply` sends the request,
 * lets the service apply it, then loses the response (an ambiguous 500).
 */
import { type CloudWatchClient, CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { type Route53Client, Route53ServiceException } from '@aws-sdk/client-route-53';

export type Route53FaultKind =
  | 'Throttling'
  | 'PriorRequestNotComplete'
  | 'ServiceUnavailable'
  | 'InternalFailure-after-apply';
export type CloudWatchFaultKind = 'Throttling' | 'LimitExceededException' | 'EmptyResult';
export type FaultKind = Route53FaultKind | CloudWatchFaultKind;
export type FaultPlacement = 'below-retry' | 'above-retry';

/** What was injected: one counter object can be shared by several clients. */
export class FaultStats {
  calls = 0;
  faults = 0;
  readonly byKind: Record<string, number> = {};
  readonly callsByOperation: Record<string, number> = {};
  readonly faultsByOperation: Record<string, number> = {};

  get ratio(): number {
    return this.calls === 0 ? 0 : this.faults / this.calls;
  }

  count(operation: string, kind: string | null): void {
    this.calls += 1;
    this.callsByOperation[operation] = (this.callsByOperation[operation] ?? 0) + 1;
    if (kind === null) return;
    this.faults += 1;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    this.faultsByOperation[operation] = (this.faultsByOperation[operation] ?? 0) + 1;
  }

  /** `kind=n kind=n` sorted by kind, for a greppable log line. */
  kindsText(): string {
    return Object.entries(this.byKind)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, n]) => `${kind}=${n}`)
      .join(' ');
  }
}

export interface FaultOptions<K extends FaultKind> {
  /** Seeded uniform [0, 1) source (cli/traffic-model.ts seededRandom). */
  random: () => number;
  /** Probability that a call (an attempt below the retry, an operation above it) is faulted. */
  probability: number;
  placement: FaultPlacement;
  /** Kinds to draw from; each operation only draws the kinds that apply to it. */
  kinds: readonly K[];
  stats: FaultStats;
  /** Only these operations (command names without `Command`) are faulted; others still count as calls. */
  operations?: readonly string[];
}

type AnyClient = Route53Client | CloudWatchClient;
type ErrorFactory = (kind: string, operation: string) => Error;

/** Which kinds can happen on which operation (PriorRequestNotComplete is a change-batch error). */
function applies(kind: FaultKind, operation: string): boolean {
  if (kind === 'PriorRequestNotComplete' || kind === 'InternalFailure-after-apply') {
    return operation === 'ChangeResourceRecordSets';
  }
  if (kind === 'EmptyResult') return operation === 'GetMetricData';
  return true;
}

function serviceError(
  Base: typeof Route53ServiceException | typeof CloudWatchServiceException,
  kind: string,
  operation: string
): Error {
  const shape = {
    Throttling: {
      status: 400,
      fault: 'client' as const,
      message: 'Rate exceeded',
      throttling: true,
    },
    PriorRequestNotComplete: {
      status: 400,
      fault: 'client' as const,
      message: 'The request was rejected because Route 53 was still processing a prior request.',
      throttling: true,
    },
    LimitExceededException: {
      status: 400,
      fault: 'client' as const,
      message: 'Rate exceeded',
      throttling: true,
    },
    ServiceUnavailable: {
      status: 503,
      fault: 'server' as const,
      message: 'Service Unavailable',
      throttling: false,
    },
    'InternalFailure-after-apply': {
      status: 500,
      fault: 'server' as const,
      message: 'We encountered an internal error. Please try again.',
      throttling: false,
    },
  }[kind];
  if (shape === undefined) throw new Error(`faults: no error shape for ${kind}`);
  const error = new Base({
    name: kind === 'InternalFailure-after-apply' ? 'InternalFailure' : kind,
    $fault: shape.fault,
    $metadata: { httpStatusCode: shape.status, requestId: `injected-${operation}`, attempts: 1 },
    message: `${shape.message} (injected on ${operation})`,
  });
  if (shape.throttling) Object.assign(error, { $retryable: { throttling: true } });
  return error;
}

/** GetMetricData answered successfully but without a single datapoint (every query Complete, empty Values). */
function emptied(output: unknown): unknown {
  const out = output as { MetricDataResults?: { Timestamps?: Date[]; Values?: number[] }[] };
  return {
    ...out,
    MetricDataResults: (out.MetricDataResults ?? []).map((result) => ({
      ...result,
      Timestamps: [],
      Values: [],
    })),
  };
}

function install<K extends FaultKind>(
  client: AnyClient,
  options: FaultOptions<K>,
  makeError: ErrorFactory,
  name: string
) {
  const middleware =
    (
      next: (args: unknown) => Promise<{ output: unknown; response: unknown }>,
      context: { commandName?: string }
    ) =>
    async (args: unknown) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const eligible =
        options.operations === undefined || options.operations.includes(operation)
          ? options.kinds.filter((kind) => applies(kind, operation))
          : [];
      // One draw per call, always, so the sequence does not depend on which kinds apply.
      const roll = options.random();
      const pick = options.random();
      const kind =
        eligible.length > 0 && roll < options.probability
          ? (eligible[Math.floor(pick * eligible.length)] as K)
          : null;
      options.stats.count(operation, kind);
      if (kind === null) return next(args);
      if (kind === 'EmptyResult') {
        const result = await next(args);
        return { ...result, output: emptied(result.output) };
      }
      if (kind === 'InternalFailure-after-apply') {
        await next(args);
        throw makeError(kind, operation);
      }
      throw makeError(kind, operation);
    };
  const placement =
    options.placement === 'below-retry'
      ? ({ step: 'deserialize', priority: 'high', name } as const)
      : ({ step: 'initialize', priority: 'high', name } as const);
  (client.middlewareStack as { add: (m: unknown, o: unknown) => void }).add(middleware, placement);
}

/**
 * Makes a share of the Route 53 client's calls fail like Route 53 does.
 *
 * @example
 * const stats = new FaultStats();
 * injectRoute53Faults(route53, { random: seededRandom(1), probability: 0.35, placement: 'above-retry',
 *   kinds: ['Throttling', 'PriorRequestNotComplete', 'ServiceUnavailable'], stats });
 */
export function injectRoute53Faults(
  client: Route53Client,
  options: FaultOptions<Route53FaultKind>
): void {
  install(
    client,
    options,
    (kind, operation) => serviceError(Route53ServiceException, kind, operation),
    'injectRoute53Faults'
  );
}

/** Makes a share of the CloudWatch client's calls throttle, or return no datapoints. */
export function injectCloudWatchFaults(
  client: CloudWatchClient,
  options: FaultOptions<CloudWatchFaultKind>
): void {
  install(
    client,
    options,
    (kind, operation) => serviceError(CloudWatchServiceException, kind, operation),
    'injectCloudWatchFaults'
  );
}

/**
 * The SDK's retry loop with no backoff: the retry middleware still classifies every error (throttling,
 * transient, server, client) and this strategy retries all but client errors up to `maxAttempts`, at once.
 * Only the waiting is removed, so a test with hundreds of injected throttles runs in seconds.
 */
export function zeroDelayRetryStrategy(maxAttempts: number) {
  type Token = { getRetryCount: () => number; getRetryDelay: () => number };
  const token = (count: number): Token => ({ getRetryCount: () => count, getRetryDelay: () => 0 });
  return {
    mode: 'standard',
    acquireInitialRetryToken: async (_scope: string): Promise<Token> => token(0),
    refreshRetryTokenForRetry: async (
      previous: Token,
      info: { errorType: string }
    ): Promise<Token> => {
      const next = previous.getRetryCount() + 1;
      if (info.errorType === 'CLIENT_ERROR' || next >= maxAttempts) throw new Error('no retry');
      return token(next);
    },
    recordSuccess: (_token: Token): void => {},
  };
}
