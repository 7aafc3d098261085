/**
 * Preflight's checks of the sources beyond Service Connect: the alarms exist and none is in ALARM, each
 * environment's edge load balancer is found, and every source published data recently for the side it judges.
 */
import { alarmProblems } from '../core/alarm-verdicts.ts';
import {
  discoverEdge,
  edgeOf,
  idleSides,
  type LoadBalancerDescription,
  missingDataProblems,
  RECENT_DATA_SECONDS,
  recentDataQueries,
} from '../core/edge-discovery.ts';
import { PreflightFailedError } from '../core/errors.ts';
import type { MigrationInput } from '../core/input.ts';
import type { EdgeLoadBalancer } from '../core/sources.ts';
import type { AlarmReader, Clock, LoadBalancerDirectory, MetricSource } from '../core/state.ts';
import type { WeightedPair } from '../core/types.ts';

export interface SourceDeps {
  metrics: MetricSource;
  clock: Clock;
  /** ELBv2; without it `metrics.edge: "auto"` finds nothing (said in the notes). */
  loadBalancers?: LoadBalancerDirectory;
  alarms?: AlarmReader;
}

export interface CheckedSources {
  edge: EdgeLoadBalancer[];
  /** For the Preflight summary: what was found, and what is not judged and why. */
  notes: string[];
}

const refuse = (problems: readonly string[]) => {
  throw new PreflightFailedError(`preflight failed: ${problems.join('; ')}`);
};

async function checkAlarms(input: MigrationInput, deps: SourceDeps): Promise<string[]> {
  if (input.alarms.length === 0) return [];
  if (deps.alarms === undefined) refuse(['alarms are configured but no alarm reader is available']);
  const problems = alarmProblems(input.alarms, (await deps.alarms?.describe(input.alarms)) ?? []);
  if (problems.length > 0) refuse(problems);
  return [`alarms: ${input.alarms.join(', ')} (none in ALARM)`];
}

/** Each side's load balancers: named ones by name, the others from the alias records. */
async function findEdge(
  input: MigrationInput,
  pairs: readonly WeightedPair[],
  deps: SourceDeps
): Promise<CheckedSources> {
  const setting = input.metrics.edge;
  if (setting === 'off') return { edge: [], notes: ['edge: off (metrics.edge)'] };
  const named = typeof setting === 'object' ? setting : {};
  const anyAlias = pairs.some((pair) => pair.blue.AliasTarget || pair.green.AliasTarget);
  if (deps.loadBalancers === undefined) {
    return { edge: [], notes: ['edge: no load balancer directory in this runner: not judged'] };
  }
  const explicitNames = [...(named.green ?? []), ...(named.blue ?? [])];
  const listed: LoadBalancerDescription[] = [
    ...(anyAlias ? await deps.loadBalancers.describe() : []),
    ...(explicitNames.length > 0 ? await deps.loadBalancers.describe(explicitNames) : []),
  ];
  // A load balancer both named and aliased is listed twice: once is enough.
  const unique = [...new Map(listed.map((lb) => [lb.arn, lb])).values()];
  const discovered = discoverEdge(pairs, unique);
  const pick = (side: 'green' | 'blue'): EdgeLoadBalancer[] => {
    const names = named[side];
    if (names === undefined) return discovered.edge.filter((lb) => lb.side === side);
    return edgeOf(side, unique, (lb) => names.includes(lb.name));
  };
  const edge = [...pick('green'), ...pick('blue')];
  const notes = discovered.shared.map(
    (dimension) => `edge: ${dimension} serves blue and green alike: not judged`
  );
  if (edge.length === 0) {
    notes.push(
      'edge: no weighted record is an alias to an application or network load balancer: the edge is not judged (not a failure)'
    );
  } else {
    notes.push(`edge: ${edge.map((lb) => `${lb.dimension} (${lb.side})`).join(', ')}`);
    if (!edge.some((lb) => lb.side === 'blue'))
      notes.push('edge: no blue load balancer: no edge baseline');
  }
  return { edge, notes };
}

async function checkRecentData(
  input: MigrationInput,
  pairs: readonly WeightedPair[],
  edge: readonly EdgeLoadBalancer[],
  deps: SourceDeps
): Promise<void> {
  if (edge.length === 0 && input.metrics.queries.length === 0) return;
  if (deps.metrics.readSeries === undefined) return;
  const minute = 60_000;
  const end = Math.floor(deps.clock.now().getTime() / minute) * minute;
  const window = {
    start: new Date(end - RECENT_DATA_SECONDS * 1_000).toISOString(),
    end: new Date(end).toISOString(),
  };
  const reading = await deps.metrics.readSeries(recentDataQueries(edge, input, window), window);
  const problems = missingDataProblems(edge, input, reading, idleSides(pairs));
  if (problems.length > 0) refuse(problems);
}

/**
 * The source checks of a new run; throws PreflightFailedError naming every problem. No edge load balancer
 * found is not a problem: the notes say the edge is not judged.
 */
export async function checkSources(
  input: MigrationInput,
  pairs: readonly WeightedPair[],
  deps: SourceDeps
): Promise<CheckedSources> {
  const alarmNotes = await checkAlarms(input, deps);
  const found = await findEdge(input, pairs, deps);
  await checkRecentData(input, pairs, found.edge, deps);
  return { edge: found.edge, notes: [...found.notes, ...alarmNotes] };
}
