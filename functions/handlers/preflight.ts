/**
 * Preflight: validates the input before anything touches AWS, takes the per-record lock, checks the records
 * and green's metrics, and snapshots the records. A continuation resumes a running migration instead.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudWatchAlarms } from '../adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../adapters/cloudwatch-metric-source.ts';
import { ElbV2LoadBalancers } from '../adapters/elbv2-load-balancers.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import { targetLabel } from '../core/discovery-target.ts';
import { PreflightFailedError } from '../core/errors.ts';
import { isGated } from '../core/gates.ts';
import { type MigrationInput, parseMigrationInput } from '../core/input.ts';
import { displayRecordName } from '../core/names.ts';
import { expandSteps, remainingSteps } from '../core/plan.ts';
import {
  batchSizeProblems,
  type DeployedPolicy,
  deployedPolicyProblems,
  groupProblems,
  healthCheckIdsOf,
  healthProblems,
  ttlProblems,
} from '../core/record-checks.ts';
import { MigrationPhase, type MigrationRegistry, type MigrationRunner } from '../core/registry.ts';
import { isResume, parseResume } from '../core/resume-input.ts';
import { effectiveTtlSeconds, newRunState, resumedRunState } from '../core/run.ts';
import type {
  AlarmReader,
  Clock,
  ExecutionControl,
  LoadBalancerDirectory,
  MetricSource,
  RunState,
  TrafficRouter,
} from '../core/state.ts';
import { stepHookProblems } from '../core/step-hooks.ts';
import type { WeightedPair } from '../core/types.ts';
import { percentOf, snapshotWeights, startGreenPercent } from '../core/weights.ts';
import { systemClock } from '../lib/clock.ts';
import { optionalEnv } from '../lib/env.ts';
import { lazy } from '../lib/lazy.ts';
import { lambda } from '../lib/middy.ts';
import {
  ownerOf,
  preflightEntry,
  releaseOnRefusal,
  takeOverContinuation,
} from '../lib/ownership.ts';
import { logger } from '../lib/powertools.ts';
import { type CheckedSources, checkSources } from '../lib/preflight-sources.ts';
import { registryFromEnv } from '../lib/registry-from-env.ts';

/** What the Preflight Task passes: the execution input plus the context fields it needs. */
export interface PreflightEvent {
  input: unknown;
  executionArn: string;
  executionName: string;
  stateMachineArn: string;
  startTime: string;
}

export interface PreflightDeps {
  router: TrafficRouter;
  metrics: MetricSource;
  executions: ExecutionControl;
  clock: Clock;
  /** What the stack's write policy allows (env ALLOWED_RECORD_TYPES/NAMES); unset: not checked. */
  policy?: DeployedPolicy;
  registry: MigrationRegistry;
  /** The step hooks the stack may invoke (env ALLOWED_STEP_HOOKS, core/step-hooks.ts); unset: not checked. */
  allowedStepHooks?: readonly string[] | undefined;
  /** Who runs the migration (default: a deployed state machine). */
  runner?: MigrationRunner;
  /** ELBv2, to find each environment's edge load balancer (absent: the edge is not judged). */
  loadBalancers?: LoadBalancerDirectory;
  /** CloudWatch alarms (needed when the input names `alarms`). */
  alarms?: AlarmReader;
}

function assertShiftable(input: MigrationInput, pairs: WeightedPair[]) {
  const problems = [
    ...ttlProblems(input, pairs),
    ...groupProblems(pairs),
    ...batchSizeProblems(pairs),
  ];
  const percents = pairs.map((pair) => percentOf(pair));
  if (Math.max(...percents) - Math.min(...percents) > 1) {
    problems.push(
      `records are at different green shares (${pairs.map((pair, i) => `${displayRecordName(pair.name)} ${percents[i]}%`).join(', ')}); align them first`
    );
  }
  if (percents.every((percent) => percent >= 100))
    problems.push('green already receives 100%: nothing to shift');
  // The first shift follows Preflight, not an evaluation, so it never waits at a gate: records already past
  // the plan's earlier steps must not skip the approval the plan asks for.
  const first = remainingSteps(expandSteps(input.plan), startGreenPercent(pairs))[0];
  if (isGated(input.plan.gates, first))
    problems.push(
      `green already receives ${startGreenPercent(pairs)}%, so the first shift would be to ${first}%, which plan.gates.beforeSteps gates; the first shift follows preflight, not an evaluation, and cannot wait for approval: move the records back below the previous step, or start when the step is approved and drop ${first} from plan.gates.beforeSteps`
    );
  if (problems.length > 0)
    throw new PreflightFailedError(`preflight failed: ${problems.join('; ')}`);
}

async function assertMetricsExist(metrics: MetricSource, input: MigrationInput) {
  const wanted = [
    ...input.metrics.greenDiscoveryNames,
    ...(input.metrics.blueDiscoveryNames ?? []),
  ];
  const found = new Set(
    (await metrics.listDiscoveryNamesWithHttpMetrics(input.metrics.namespace, wanted)).map(
      targetLabel
    )
  );
  const missing = wanted.map(targetLabel).filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new PreflightFailedError(
      `preflight failed: no HTTP metrics in ${input.metrics.namespace} for discovery names ${missing.join(', ')}; set appProtocol (http/http2/grpc) on the Service Connect port mapping and make sure the service has RUNNING tasks`
    );
  }
}

/** The preflight logic, without middy, so tests and the rehearsal can call it with their own dependencies. */
export async function preflight(event: PreflightEvent, deps: PreflightDeps): Promise<RunState> {
  const self = {
    executionArn: event.executionArn,
    executionName: event.executionName,
    stateMachineArn: event.stateMachineArn,
  };
  if (isResume(event.input)) {
    const previous = parseResume(event.input);
    const taken = await takeOverContinuation(
      deps.registry,
      deps.router,
      previous,
      self.executionArn
    );
    logger.info('continuing migration', {
      migrationId: previous.input.migrationId,
      generation: previous.run.generation,
    });
    return resumedRunState(taken, self);
  }
  // Validation comes first: bad input must never reach an AWS call.
  const input = parseMigrationInput(event.input);
  const denied = deployedPolicyProblems(input, deps.policy ?? {});
  if (denied.length > 0) throw new PreflightFailedError(`preflight failed: ${denied.join('; ')}`);
  const hooksDenied = stepHookProblems(input.hooks, deps.allowedStepHooks);
  if (hooksDenied.length > 0)
    throw new PreflightFailedError(`preflight failed: ${hooksDenied.join('; ')}`);
  const entry = await deps.registry.acquire(
    preflightEntry(
      input,
      { ...self, startedAt: event.startTime },
      deps.runner ?? { kind: 'step-functions' }
    )
  );
  const run = { ...self, startedAt: event.startTime, generation: 1, continuedFrom: null };
  let sources: CheckedSources = { edge: [], notes: [] };
  const pairs = await releaseOnRefusal(deps.registry, entry, async () => {
    const checked = await checkRecords(input, deps);
    sources = await checkSources(input, checked, deps);
    assertFitsPayload(withSourcesFound(newRunState(input, run, checked), sources));
    return checked;
  });
  await deps.registry.update(entry.migrationId, ownerOf(entry), {
    phase: MigrationPhase.Running,
    snapshot: pairs,
    expected: snapshotWeights(pairs),
    pending: null,
  });
  const state = withSourcesFound(newRunState(input, run, pairs), sources);
  logger.info('preflight passed', {
    migrationId: input.migrationId,
    steps: state.steps,
    ttlSeconds: effectiveTtlSeconds(pairs),
    records: entry.recordSetKeys,
    sources: sources.notes,
  });
  return state;
}

/** The run state with the edge Preflight found (absent when none) and the summary of the sources. */
function withSourcesFound(state: RunState, sources: CheckedSources): RunState {
  return {
    ...state,
    ...(sources.edge.length > 0 ? { edge: sources.edge } : {}),
    sourceNotes: sources.notes,
  };
}

/** Step Functions: at most 262,144 bytes per state payload and execution input (aws-facts §4.4). */
const STATE_PAYLOAD_BYTES = 262_144;
/** What the run adds to its state after Preflight (evaluations, change ids, status). */
const STATE_GROWTH_BYTES = 65_536;

/**
 * Over the payload limit the run would end States.DataLimitExceeded, which no Catch sees; the registry entry
 * (snapshot, expected, pending) stays well under DynamoDB's 400 KB item limit while the state fits.
 */
function assertFitsPayload(state: RunState) {
  const bytes = new TextEncoder().encode(JSON.stringify(state)).length;
  if (bytes > STATE_PAYLOAD_BYTES - STATE_GROWTH_BYTES) {
    throw new PreflightFailedError(
      `preflight failed: the run state of ${bytes} bytes (the records' snapshot with every value) leaves less than ${STATE_GROWTH_BYTES} bytes of the Step Functions limit of ${STATE_PAYLOAD_BYTES} bytes per state; split the records into several migrations`
    );
  }
}

/** The checks before the first write; returns the snapshot. */
/** The record and metric checks of a new run, made while its locks are held. */
async function checkRecords(input: MigrationInput, deps: PreflightDeps): Promise<WeightedPair[]> {
  const pairs = await deps.router.readPairs(input.records);
  assertShiftable(input, pairs);
  const unhealthy = healthProblems(await deps.router.readHealthChecks(healthCheckIdsOf(pairs)));
  if (unhealthy.length > 0)
    throw new PreflightFailedError(`preflight failed: ${unhealthy.join('; ')}`);
  const protectedRecords = await deps.router.listProtectedRecords(input.records);
  if (protectedRecords.length > 0) {
    throw new PreflightFailedError(
      `preflight failed: record-set protection on ${protectedRecords.join(', ')} would block both the shift and the rollback; remove it first`
    );
  }
  await assertMetricsExist(deps.metrics, input);
  return pairs;
}

export function createPreflightHandler(deps: PreflightDeps) {
  return lambda((event: PreflightEvent) => preflight(event, deps));
}

const cloudwatch = new CloudWatchClient({});
export const handler = createPreflightHandler({
  router: new Route53TrafficRouter(new Route53Client({ maxAttempts: 5 })),
  metrics: new CloudWatchMetricSource(cloudwatch),
  alarms: new CloudWatchAlarms(cloudwatch),
  loadBalancers: new ElbV2LoadBalancers(new ElasticLoadBalancingV2Client({})),
  // Only a contested lock asks Step Functions whether its owner still runs.
  executions: lazy(() => new StepFunctionsControl(new SFNClient({}))),
  clock: systemClock,
  policy: {
    recordTypes: optionalEnv('ALLOWED_RECORD_TYPES')?.split(','),
    recordNames: optionalEnv('ALLOWED_RECORD_NAMES')?.split(','),
  },
  allowedStepHooks: optionalEnv('ALLOWED_STEP_HOOKS')?.split(','),
  registry: registryFromEnv(),
});
