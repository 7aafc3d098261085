/**
 * Preflight: validates the input before anything touches AWS, takes the per-record lock, checks the records
 * and green's metrics, and snapshots the records. A continuation resumes a running migration instead.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { CloudWatchAlarms } from '../adapters/cloudwatch-alarms.ts';
import { CloudWatchMetricSource } from '../adapters/cloudwatch-metric-source.ts';
import { ElbV2LoadBalancers } from '../adapters/elbv2-load-balancers.ts';
import { Route53TrafficRouter } from '../adapters/route53-traffic-router.ts';
import { StepFunctionsControl } from '../adapters/step-functions-control.ts';
import { targetLabel } from '../core/discovery-target.ts';
import { InvalidInputError, PreflightFailedError } from '../core/errors.ts';
import { isGated } from '../core/gates.ts';
import {
  checkStepOrder,
  describeIssues,
  type MigrationInput,
  MigrationInputSchema,
  parseMigrationInput,
} from '../core/input.ts';
import { displayRecordName, recordSetKey } from '../core/names.ts';
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
import { effectiveTtlSeconds, newRunState, resumedRunState } from '../core/run.ts';
import { ODDS_RATIOS } from '../core/sequential.ts';
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

const isResume = (input: unknown): input is { resume: RunState } =>
  typeof input === 'object' && input !== null && 'resume' in input;

const Weight = z.int('must be an integer').min(0, 'must be >= 0').max(255, 'must be <= 255');
const PairKey = {
  hostedZoneId: z.string().min(1),
  name: z.string().min(1),
  type: z.string().min(1),
};
const ResumedRecord = z.looseObject({
  Name: z.string(),
  Type: z.string(),
  SetIdentifier: z.string().min(1),
  Weight,
});
const Count = z.int('must be an integer').min(0, 'must be >= 0');
const IsoTime = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 time');
const pairKeyOf = recordSetKey;
/**
 * A sequential test's memory (core/sequential.ts SequentialState): the cadence bounds the test by its
 * evidence and by the minutes after its `consumedUntil` (core/cadence.ts, cadence-reach.ts), and the test
 * folds only minutes from there on, so one whose cursor is not a time would never fold a minute again.
 */
const SequentialMemory = z.looseObject({
  statistics: z
    .array(z.number().min(0, 'must be >= 0'))
    .length(ODDS_RATIOS.length, `must hold ${ODDS_RATIOS.length} statistics`),
  evidence: z.number().min(0, 'must be >= 0'),
  minutes: z.number().min(0, 'must be >= 0'),
  requests: z.number().min(0, 'must be >= 0'),
  errors: z.number().min(0, 'must be >= 0'),
  consumedUntil: IsoTime.nullable(),
});

/**
 * A continuation's input is a RunState a ContinueAsNew handed over, but anyone allowed to start the state
 * machine can send one: it is checked as strictly as a new migration (the migration input against the same
 * schema, and every part the run reads) before any AWS call, so a damaged or hand-made `resume` is refused
 * naming the field instead of steering the run.
 */
const ResumeSchema = z.strictObject({
  resume: z
    .looseObject({
      input: MigrationInputSchema,
      steps: z
        .array(z.number().gt(0, 'must be > 0').max(100, 'must be <= 100'))
        .min(1, 'must not be empty'),
      run: z.looseObject({
        executionArn: z.string().min(1),
        executionName: z.string().min(1),
        stateMachineArn: z.string().min(1),
        startedAt: z
          .string()
          .refine((text) => !Number.isNaN(Date.parse(text)), 'must be an ISO-8601 time'),
        generation: z.int('must be an integer').min(1, 'must be >= 1'),
        continuedFrom: z.string().min(1).nullable(),
      }),
      snapshot: z
        .array(z.looseObject({ ...PairKey, blue: ResumedRecord, green: ResumedRecord }))
        .min(1, 'must not be empty'),
      expected: z.array(z.looseObject({ ...PairKey, blueWeight: Weight, greenWeight: Weight })),
      status: z.looseObject({
        stepIndex: z.int('must be an integer').min(-1, 'must be >= -1'),
        greenPercent: z.number().min(0, 'must be >= 0').max(100, 'must be <= 100'),
        syncedAt: z.string().nullable(),
        judgingFrom: z.string().nullable(),
        // Absent in a state written before the window cursor and the blue latency memory existed.
        windowFrom: IsoTime.nullable().default(null),
        // Absent in a state written before the bake counted periods with data: nothing baked yet.
        bakedSeconds: Count.default(0),
        blueLatency: z
          .looseObject({
            avgMs: z.number().min(0, 'must be >= 0'),
            samples: Count,
            windowEnd: IsoTime,
          })
          .nullable()
          .default(null),
        stepEvaluations: Count,
        evaluations: Count,
        failures: Count,
        consecutiveFailures: Count,
        inconclusiveStreak: Count,
        consecutiveErrors: Count,
        // Service Connect's tests by check name, the edge's as `edge:<check>`.
        sequential: z.record(z.string(), SequentialMemory).optional(),
        // Blue found drained at 100 % (core/blue-drained.ts); absent in a state written before it: not drained.
        blueDrainedFrom: IsoTime.nullable().optional(),
      }),
      change: z.looseObject({
        ids: z.array(z.string()),
        submittedAt: z.string().nullable(),
        synced: z.boolean(),
      }),
      // The cadence of the last look (core/cadence.ts): its `through` is where a quiet look starts folding
      // minutes (core/cadence-fold.ts foldEnds, which also caps how many); '' after a look that judged none.
      cadence: z
        .strictObject({
          minutes: z.int('must be an integer').min(1, 'must be >= 1').max(60, 'must be <= 60'),
          through: z.union([IsoTime, z.literal('')]),
          reason: z.string(),
          refold: z.boolean().optional(),
        })
        .optional(),
      // The publication lag learned within the run (core/publication.ts): where its looks fall.
      publicationLag: z
        .strictObject({
          seconds: z.int('must be an integer').min(0, 'must be >= 0').max(3_600, 'must be <= 3600'),
          hits: z.int('must be an integer').min(0, 'must be >= 0'),
        })
        .optional(),
      // The edge Preflight found; a continuation judges the same load balancers.
      edge: z
        .array(
          z.strictObject({
            side: z.enum(['green', 'blue']),
            kind: z.enum(['application', 'network']),
            name: z.string().min(1),
            dimension: z
              .string()
              .regex(/^(app|net)\/[^/]+\/[^/]+$/, 'must be app/<name>/<id> or net/<name>/<id>'),
            dnsName: z.string().min(1),
          })
        )
        .optional(),
    })
    .superRefine((state, ctx) => {
      // The snapshot and the expected weights must be of exactly the input's records, in order.
      const wanted = state.input.records.map(pairKeyOf);
      const same = (keys: string[]) =>
        keys.length === wanted.length && keys.every((key, i) => key === wanted[i]);
      if (!same(state.snapshot.map(pairKeyOf))) {
        ctx.addIssue({
          code: 'custom',
          message: 'must hold exactly the pairs of input.records',
          path: ['snapshot'],
        });
      }
      state.snapshot.forEach((pair, i) => {
        const ref = state.input.records[i];
        if (
          ref &&
          (pair.blue.SetIdentifier !== ref.blueSetIdentifier ||
            pair.green.SetIdentifier !== ref.greenSetIdentifier)
        ) {
          ctx.addIssue({
            code: 'custom',
            message: 'SetIdentifiers differ from input.records',
            path: ['snapshot', i],
          });
        }
      });
      if (!same(state.expected.map(pairKeyOf))) {
        ctx.addIssue({
          code: 'custom',
          message: 'must hold exactly the pairs of input.records',
          path: ['expected'],
        });
      }
      checkStepOrder(state.steps, ctx);
      // A learned lag lies between the first look and the bound (publication.ts): one outside would put the
      // looks where the design forbids them (before the first look) for the rest of the run.
      const { metrics } = state.input;
      const lag = state.publicationLag;
      const first = Math.min(metrics.earliestPublicationSeconds, metrics.publicationDelaySeconds);
      if (
        lag !== undefined &&
        metrics.publicationPollSeconds > 0 &&
        (lag.seconds < first || lag.seconds > metrics.publicationDelaySeconds)
      ) {
        ctx.addIssue({
          code: 'custom',
          message: `must be between ${first} (input.metrics.earliestPublicationSeconds) and ${metrics.publicationDelaySeconds} (input.metrics.publicationDelaySeconds)`,
          path: ['publicationLag', 'seconds'],
        });
      }
    }),
});

/** @throws InvalidInputError naming every offending field of the continuation (`resume.…`). */
function parseResume(raw: unknown): RunState {
  const result = ResumeSchema.safeParse(raw);
  if (!result.success) throw new InvalidInputError(describeIssues(result.error));
  return result.data.resume as unknown as RunState;
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
