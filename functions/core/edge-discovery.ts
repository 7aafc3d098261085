/**
 * Preflight's view of the sources: which load balancer each environment's alias records point to, and
 * which sources published no recent data for the side they judge.
 */
import type { MigrationInput } from './input.ts';
import {
  customId,
  customQueries,
  type EdgeLoadBalancer,
  edgeId,
  type SeriesQuery,
  type SeriesReading,
  type Side,
} from './sources.ts';
import type { TimeWindow, WeightedPair } from './types.ts';

/** A load balancer as DescribeLoadBalancers lists it. */
export interface LoadBalancerDescription {
  name: string;
  arn: string;
  dnsName: string;
  /** `application`, `network` or `gateway`. */
  type: string;
}

/** How far back Preflight looks for a source's data. */
export const RECENT_DATA_SECONDS = 900;

/**
 * An ELB DNS name as compared: lower case, no trailing dot, no `dualstack.` prefix (Route 53 alias targets
 * carry both; DescribeLoadBalancers lists neither).
 *
 * @example
 * canonicalDnsName('dualstack.My-ALB-1.us-east-1.elb.amazonaws.com.'); // => 'my-alb-1.us-east-1.elb.amazonaws.com'
 */
export function canonicalDnsName(dnsName: string): string {
  const lower = dnsName.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('dualstack.') ? lower.slice('dualstack.'.length) : lower;
}

/**
 * The CloudWatch `LoadBalancer` dimension: the ARN's part after `loadbalancer/` (`app/<name>/<id>`,
 * `net/<name>/<id>`). Null for an ARN without it.
 *
 * @example
 * loadBalancerDimension('arn:aws:elasticloadbalancing:us-east-1:123:loadbalancer/app/green/50dc6c495c0c9188'); // => 'app/green/50dc6c495c0c9188'
 */
export function loadBalancerDimension(arn: string): string | null {
  const marker = ':loadbalancer/';
  const at = arn.indexOf(marker);
  return at < 0 ? null : arn.slice(at + marker.length);
}

/** The alias DNS names of each side's records, canonical, each once. */
export function aliasDnsNames(pairs: readonly WeightedPair[], side: Side): string[] {
  const names = pairs.flatMap((pair) => {
    const target = pair[side].AliasTarget;
    return target === undefined ? [] : [canonicalDnsName(target.DNSName)];
  });
  return [...new Set(names)];
}

/** One side's load balancers among `described` (only application and network ones have our metrics). */
export function edgeOf(
  side: Side,
  described: readonly LoadBalancerDescription[],
  matches: (lb: LoadBalancerDescription) => boolean
): EdgeLoadBalancer[] {
  return described.flatMap((lb) => {
    const dimension = loadBalancerDimension(lb.arn);
    if (!matches(lb) || dimension === null) return [];
    if (lb.type !== 'application' && lb.type !== 'network') return [];
    return [
      { side, kind: lb.type, name: lb.name, dimension, dnsName: canonicalDnsName(lb.dnsName) },
    ];
  });
}

/**
 * Each side's load balancers from its alias records. A load balancer both sides point to is dropped: its
 * metrics mix blue and green, so it can judge neither (the summary says so).
 */
export function discoverEdge(
  pairs: readonly WeightedPair[],
  described: readonly LoadBalancerDescription[]
): { edge: EdgeLoadBalancer[]; shared: string[] } {
  const bySide = (side: Side) => {
    const names = new Set(aliasDnsNames(pairs, side));
    return edgeOf(side, described, (lb) => names.has(canonicalDnsName(lb.dnsName)));
  };
  const green = bySide('green');
  const blue = bySide('blue');
  const shared = green
    .filter((lb) => blue.some((other) => other.dimension === lb.dimension))
    .map((lb) => lb.dimension);
  const keep = (lb: EdgeLoadBalancer) => !shared.includes(lb.dimension);
  return { edge: [...green.filter(keep), ...blue.filter(keep)], shared };
}

/**
 * The queries that show whether each source published data recently: an ALB's RequestCount, an NLB's
 * NewFlowCount, each custom query's value, per side; one datapoint over `window` (the last 15 minutes).
 */
export function recentDataQueries(
  edge: readonly EdgeLoadBalancer[],
  input: Pick<MigrationInput, 'metrics'>,
  window: TimeWindow
): SeriesQuery[] {
  const seconds = (Date.parse(window.end) - Date.parse(window.start)) / 1_000;
  return [
    ...edge.map((lb, index) => ({
      id: edgeId(index, 'recent'),
      label: `${lb.kind === 'application' ? 'RequestCount' : 'NewFlowCount'} of ${lb.dimension}`,
      period: seconds,
      metricStat: {
        namespace: lb.kind === 'application' ? 'AWS/ApplicationELB' : 'AWS/NetworkELB',
        metricName: lb.kind === 'application' ? 'RequestCount' : 'NewFlowCount',
        dimensions: [{ name: 'LoadBalancer', value: lb.dimension }],
        stat: 'Sum',
      },
      returnData: true,
      optional: false,
    })),
    ...customQueries(input.metrics.queries, seconds),
  ];
}

/**
 * The sides that serve no traffic before the shift (every record of the side at weight 0: green at 0 %).
 * A load balancer reports nothing to CloudWatch while no request flows through it (ELB guide, "CloudWatch
 * metrics for your Application Load Balancer"), so such a side cannot be asked for recent data.
 *
 * @example
 * idleSides([{ blue: blueAt100, green: greenAt0 }]); // => Set { 'green' }
 */
export function idleSides(pairs: readonly Pick<WeightedPair, 'blue' | 'green'>[]): Set<Side> {
  const sides: Side[] = ['green', 'blue'];
  return new Set(
    sides.filter((side) => pairs.length > 0 && pairs.every((pair) => pair[side].Weight === 0))
  );
}

/**
 * What published nothing recently, named; a failed read names itself. A side in `idle` (no weight yet) is
 * not asked for data: its load balancer publishes none without requests.
 */
export function missingDataProblems(
  edge: readonly EdgeLoadBalancer[],
  input: Pick<MigrationInput, 'metrics'>,
  reading: SeriesReading,
  idle: ReadonlySet<Side> = new Set()
): string[] {
  if (reading.kind === 'unavailable') return [`recent source data unreadable: ${reading.reason}`];
  const minutes = RECENT_DATA_SECONDS / 60;
  const empty = (id: string) => (reading.series[id]?.values.length ?? 0) === 0;
  return [
    ...edge.flatMap((lb, index) =>
      !idle.has(lb.side) && empty(edgeId(index, 'recent'))
        ? [
            `edge load balancer ${lb.dimension} (${lb.side}) published no ${lb.kind === 'application' ? 'RequestCount' : 'NewFlowCount'} in the last ${minutes} min`,
          ]
        : []
    ),
    ...input.metrics.queries.flatMap((query, index) =>
      (['green', 'blue'] as const)
        .filter(
          (side) => query[side] !== undefined && !idle.has(side) && empty(customId(index, side))
        )
        .map(
          (side) =>
            `custom query ${query.label} (${side}) returned no data in the last ${minutes} min`
        )
    ),
  ];
}
