/**
 * The metric sources beyond Service Connect as data: which CloudWatch series the edge load balancers and the
 * custom queries need (`SeriesQuery`, read by the adapter in the same GetMetricData call as Service Connect's),
 * and the shapes the adapters return for them and for alarms.
 */
import type { CustomQuery, QueryDefinition } from './input-sources.ts';
import type { TimeWindow } from './types.ts';

export type Side = 'green' | 'blue';

/** One environment's load balancer, found by Preflight (alias DNS name or explicit name). */
export interface EdgeLoadBalancer {
  side: Side;
  kind: 'application' | 'network';
  name: string;
  /** The CloudWatch `LoadBalancer` dimension: the ARN suffix `app/<name>/<id>` (`net/…` for an NLB). */
  dimension: string;
  dnsName: string;
}

/** One MetricDataQuery, as data. Ids start with `x` so they never meet the adapter's Service Connect ids. */
export interface SeriesQuery {
  id: string;
  /** For a person: what the series is (`RequestCount Sum of app/green/1`). */
  label: string;
  period: number;
  metricStat?: {
    namespace: string;
    metricName: string;
    dimensions: { name: string; value: string }[];
    stat: string;
  };
  expression?: string;
  /** False for a math expression's inputs. */
  returnData: boolean;
  /** A failure of this query only nulls its series (p99 where a source may have none). */
  optional: boolean;
}

/** Datapoints of one series, oldest first or not: only sums, extremes and presence are read. */
export interface Series {
  timestamps: number[];
  values: number[];
}

/** What one batched read returned: the series by id, and the ids of optional queries that failed. */
export type SeriesReading =
  | { kind: 'ok'; series: Record<string, Series>; failed: Record<string, string> }
  | { kind: 'unavailable'; reason: string };

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One alarm as DescribeAlarms reports it; `state` null when no alarm has the name. */
export interface AlarmReport {
  name: string;
  state: AlarmState | null;
  /** AWS's StateReason, for the assessment's reason. */
  reason?: string;
}

export const ALB_NAMESPACE = 'AWS/ApplicationELB';
export const NLB_NAMESPACE = 'AWS/NetworkELB';

/** The edge series an evaluation reads; `p99` etc. only when a check reads them (GetMetricData bills each). */
export interface EdgeStatistics {
  latencyAvg: boolean;
  latencyMax: boolean;
  p99: boolean;
}

const lbStat = (
  lb: EdgeLoadBalancer,
  metricName: string,
  stat: string
): NonNullable<SeriesQuery['metricStat']> => ({
  namespace: lb.kind === 'application' ? ALB_NAMESPACE : NLB_NAMESPACE,
  metricName,
  dimensions: [{ name: 'LoadBalancer', value: lb.dimension }],
  stat,
});

/** The id prefix of load balancer `index`'s series. */
export const edgeId = (index: number, field: string): string => `xe${index}_${field}`;

/**
 * The series of every edge load balancer: an ALB's RequestCount, target and ELB 5xx (period-sized sums),
 * TargetResponseTime Average/SampleCount/Maximum as asked, and p99 over the whole window (CloudWatch computes
 * it from raw data; per-period p99s cannot be combined). An NLB publishes no HTTP metrics: only its
 * NewFlowCount (traffic presence) is read.
 */
export function edgeQueries(
  lbs: readonly EdgeLoadBalancer[],
  statistics: (side: Side) => EdgeStatistics,
  periodSeconds: number,
  window: TimeWindow
): SeriesQuery[] {
  const windowSeconds = (Date.parse(window.end) - Date.parse(window.start)) / 1_000;
  return lbs.flatMap((lb, index) => {
    const query = (
      field: string,
      metricName: string,
      stat: string,
      period = periodSeconds,
      optional = false
    ): SeriesQuery => ({
      id: edgeId(index, field),
      label: `${metricName} ${stat} of ${lb.dimension} (${lb.side})`,
      period,
      metricStat: lbStat(lb, metricName, stat),
      returnData: true,
      optional,
    });
    if (lb.kind === 'network') return [query('flows', 'NewFlowCount', 'Sum')];
    const wanted = statistics(lb.side);
    return [
      query('req', 'RequestCount', 'Sum'),
      query('t5', 'HTTPCode_Target_5XX_Count', 'Sum'),
      query('e5', 'HTTPCode_ELB_5XX_Count', 'Sum'),
      ...(wanted.latencyAvg || wanted.latencyMax || wanted.p99
        ? [query('cnt', 'TargetResponseTime', 'SampleCount')]
        : []),
      ...(wanted.latencyAvg ? [query('avg', 'TargetResponseTime', 'Average')] : []),
      ...(wanted.latencyMax ? [query('max', 'TargetResponseTime', 'Maximum')] : []),
      ...(wanted.p99 && windowSeconds >= 60
        ? [query('p99', 'TargetResponseTime', 'p99', windowSeconds, true)]
        : []),
    ];
  });
}

/** The id of custom query `index`'s value for `side`. */
export const customId = (index: number, side: Side): string => `xc${index}${side[0]}`;

/**
 * Replaces the user's ids in a math expression by ours (`e` -> `xc0g_e`), token by token: ids are unique
 * only within one query, and ours must not meet another query's. CloudWatch functions are upper case and
 * never match a user id (which starts with a-z).
 */
export function rewriteExpression(expression: string, ids: readonly string[], prefix: string) {
  const known = new Set(ids);
  return expression.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (token) =>
    known.has(token) ? `${prefix}_${token}` : token
  );
}

function definitionQueries(
  definition: QueryDefinition,
  id: string,
  label: string,
  period: number
): SeriesQuery[] {
  if (definition.metricStat !== undefined) {
    return [
      { id, label, period, metricStat: definition.metricStat, returnData: true, optional: true },
    ];
  }
  const inputs = definition.metrics ?? [];
  return [
    ...inputs.map((input) => ({
      id: `${id}_${input.id}`,
      label: `${label} input ${input.id}`,
      period,
      metricStat: input.metricStat,
      returnData: false,
      // A team's query failing is its own Error, never Service Connect's or the edge's.
      optional: true,
    })),
    {
      id,
      label,
      period,
      expression: rewriteExpression(
        definition.expression ?? '',
        inputs.map((input) => input.id),
        id
      ),
      returnData: true,
      optional: true,
    },
  ];
}

/**
 * The series of the custom queries, each side's value as one datapoint over the whole window (`period`, a
 * multiple of 60 since windows are period-aligned): the statistic the user chose, over the window.
 */
export function customQueries(queries: readonly CustomQuery[], period: number): SeriesQuery[] {
  return queries.flatMap((query, index) =>
    (['green', 'blue'] as const).flatMap((side) => {
      const definition = query[side];
      if (definition === undefined) return [];
      return definitionQueries(
        definition,
        customId(index, side),
        `custom:${query.label} (${side})`,
        period
      );
    })
  );
}

/**
 * Packs items into calls of at most `size` (GetMetricData's 500 queries), in order, keeping each group
 * (a math expression and its inputs) in one call.
 *
 * @throws Error when one group alone is larger than `size`.
 * @example
 * packGroups(['a', 'b', 'c'], (id) => id, 2); // => [['a', 'b'], ['c']]
 */
export function packGroups<T>(
  items: readonly T[],
  groupOf: (item: T) => string,
  size: number
): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = groupOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const calls: T[][] = [];
  let current: T[] = [];
  for (const [key, group] of groups) {
    if (group.length > size)
      throw new Error(`group ${key}: ${group.length} queries > ${size} per call`);
    if (current.length + group.length > size) {
      calls.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
