/**
 * The execution input contract: one strict schema, defaults filled, errors that name the field and the rule.
 * The JSON Schema in `schema/migration-input.schema.json` is generated from this file (`npm run schema`).
 */
import * as z from 'zod';
import { overlaps, targetLabel } from './discovery-target.ts';
import { InvalidInputError } from './errors.ts';
import { closestKey } from './key-suggestion.ts';
import { canonicalRecordName } from './names.ts';
import type { DiscoveryTarget } from './types.ts';

const DAY_SECONDS = 86_400;
/** Longest plan we accept: a week-long migration plus margin; Step Functions allows a year. */
export const MAX_PLAN_SECONDS = 30 * DAY_SECONDS;

const oneDecimal = (value: number) => Math.abs(value * 10 - Math.round(value * 10)) < 1e-9;

/** A green share in percent: > 0, <= 100, at most one decimal (Route 53 weights are integers 0-255). */
const Percent = z
  .number()
  .gt(0, 'must be > 0')
  .max(100, 'must be <= 100')
  .refine(oneDecimal, 'must have at most one decimal place');

/** Route 53 hosted zone ID, with or without the `/hostedzone/` prefix. */
const HostedZoneId = z
  .string()
  .regex(
    /^(\/hostedzone\/)?[A-Z0-9]{1,32}$/,
    'must be a Route 53 hosted zone ID such as Z0123456789ABC'
  )
  .transform((id) => id.replace(/^\/hostedzone\//, ''));

/** Record types Route 53 allows in weighted sets. */
export const RECORD_TYPES = [
  'A',
  'AAAA',
  'CAA',
  'CNAME',
  'DS',
  'HTTPS',
  'MX',
  'NAPTR',
  'PTR',
  'SPF',
  'SRV',
  'SSHFP',
  'SVCB',
  'TLSA',
  'TXT',
] as const;

/**
 * A record name, optionally a wildcard written `*.` or as Route 53 lists it, `\052.` (DomainNameFormat).
 * Normalised to the canonical escaped form (names.ts) so it compares with what Route 53 lists.
 */
const DnsName = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(
    /^((\*|\\052)\.)?([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}\.?$/,
    'must be a DNS name such as api.example.com or *.example.com (\\052.example.com)'
  )
  .transform(canonicalRecordName);

const SetIdentifier = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters');

/** A Service Connect discovery name: at most 64 characters (ECS ServiceConnectService.discoveryName). */
const DiscoveryName = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters');

/** An ECS cluster or service name: 1-255 letters, digits, hyphens and underscores (ECS CreateService). */
const EcsName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1-255 characters of A-Z a-z 0-9 _ -');

/**
 * A discovery name to judge: a bare name (summed over every cluster and caller that uses it), or an object
 * scoping it to the calling service `serviceName` in `clusterName` (the `TargetDiscoveryName, ServiceName,
 * ClusterName` dimension set). Always an object after parsing.
 */
const DiscoveryTargetSchema = z.union(
  [
    DiscoveryName.transform((discoveryName): DiscoveryTarget => ({ discoveryName })),
    z
      .strictObject({
        discoveryName: DiscoveryName,
        clusterName: EcsName.optional(),
        serviceName: EcsName.optional(),
      })
      .superRefine((target, ctx) => {
        if ((target.clusterName === undefined) !== (target.serviceName === undefined)) {
          ctx.addIssue({
            code: 'custom',
            message:
              'clusterName and serviceName go together: CloudWatch publishes Service Connect metrics by discovery name alone or by discovery name, service and cluster',
            path: [target.clusterName === undefined ? 'clusterName' : 'serviceName'],
          });
        }
      })
      .transform(
        ({ discoveryName, clusterName, serviceName }): DiscoveryTarget =>
          clusterName === undefined || serviceName === undefined
            ? { discoveryName }
            : { discoveryName, clusterName, serviceName }
      ),
  ],
  'must be a discovery name or { discoveryName, clusterName, serviceName }'
);

const DiscoveryTargets = z
  .array(DiscoveryTargetSchema)
  .max(100, 'must have at most 100 discovery names');

export const RecordRefSchema = z
  .strictObject({
    hostedZoneId: HostedZoneId.describe(
      'Route 53 hosted zone ID of the pair, with or without the /hostedzone/ prefix.'
    ),
    name: DnsName.describe(
      'Record name of both records of the pair, such as api.example.com (a wildcard as *. or \\052.).'
    ),
    type: z
      .enum(RECORD_TYPES, `must be one of ${RECORD_TYPES.join(', ')}`)
      .describe('Record type of both records of the pair.'),
    blueSetIdentifier: SetIdentifier.describe(
      'SetIdentifier of the record that sends traffic to blue (App Mesh) today.'
    ),
    greenSetIdentifier: SetIdentifier.describe(
      'SetIdentifier of the record that sends traffic to green (ECS Service Connect).'
    ),
  })
  .refine((ref) => ref.blueSetIdentifier !== ref.greenSetIdentifier, {
    message: 'blueSetIdentifier and greenSetIdentifier must differ',
    path: ['greenSetIdentifier'],
  });
export type RecordRef = z.infer<typeof RecordRefSchema>;

/**
 * Steps strictly increase and end at 100; issues go to `steps[i]` of the object being refined.
 *
 * @example
 * z.object({ steps: z.array(z.number()) }).superRefine((value, ctx) => checkStepOrder(value.steps, ctx));
 */
export function checkStepOrder(steps: readonly number[], ctx: z.RefinementCtx): void {
  steps.forEach((step, index) => {
    const previous = steps[index - 1];
    if (previous !== undefined && step <= previous) {
      ctx.addIssue({
        code: 'custom',
        message: `must be greater than the previous step (${previous})`,
        path: ['steps', index],
      });
    }
  });
  if (steps.at(-1) !== 100) {
    ctx.addIssue({
      code: 'custom',
      message: 'the last step must be 100',
      path: ['steps', steps.length - 1],
    });
  }
}

export const PlanSchema = z
  .strictObject({
    /** Explicit green percents, strictly increasing, ending at 100. */
    steps: z
      .array(Percent)
      .min(1, 'must have at least one step')
      .max(100, 'must have at most 100 steps')
      .optional()
      .describe('Explicit green percents, strictly increasing, ending at 100.'),
    /** CodeDeploy/ECS-style canary: `percent`, then 100. */
    canary: z
      .strictObject({ percent: Percent.refine((p) => p < 100, 'must be < 100') })
      .optional()
      .describe('CodeDeploy/ECS-style canary: `percent`, then 100.'),
    /** Linear: `stepPercent`, 2 x stepPercent, ... up to 100. */
    linear: z
      .strictObject({
        stepPercent: z
          .number()
          .min(1, 'must be >= 1')
          .max(50, 'must be <= 50')
          .refine(oneDecimal, 'must have at most one decimal place'),
      })
      .optional()
      .describe('Linear: `stepPercent`, 2 x stepPercent, ... up to 100.'),
    /** Exponential (AppConfig-style): startPercent x factor^n, capped at 100. */
    exponential: z
      .strictObject({
        startPercent: Percent.refine((p) => p < 100, 'must be < 100'),
        factor: z.number().min(1.5, 'must be >= 1.5').max(10, 'must be <= 10'),
      })
      .optional()
      .describe('Exponential (AppConfig-style): startPercent x factor^n, capped at 100.'),
    /** Bake time at each step below 100 %, measured from the moment the step's traffic is judgeable. */
    bakeSeconds: z
      .int('must be an integer')
      .min(60, 'must be >= 60')
      .max(7 * DAY_SECONDS, 'must be <= 604800 (7 days)')
      .default(600)
      .describe(
        "Bake time at each step below 100 %, measured from the moment the step's traffic is judgeable."
      ),
    /** How often metrics are judged during a bake. */
    evaluationIntervalSeconds: z
      .int('must be an integer')
      .min(60, 'must be >= 60')
      .max(3_600, 'must be <= 3600')
      .default(60)
      .describe('How often metrics are judged during a bake.'),
    /** Bake at 100 % green before the run completes. */
    finalBakeSeconds: z
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(7 * DAY_SECONDS, 'must be <= 604800 (7 days)')
      .default(600)
      .describe('Bake at 100 % green before the run completes.'),
  })
  .superRefine((plan, ctx) => {
    const given = (['steps', 'canary', 'linear', 'exponential'] as const).filter(
      (key) => plan[key] !== undefined
    );
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `exactly one of steps, canary, linear, exponential is required (got ${given.length === 0 ? 'none' : given.join(', ')})`,
        path: [],
      });
    }
    if (plan.steps) {
      checkStepOrder(plan.steps, ctx);
    }
    if (plan.evaluationIntervalSeconds > plan.bakeSeconds) {
      ctx.addIssue({
        code: 'custom',
        message: `must be <= bakeSeconds (${plan.bakeSeconds})`,
        path: ['evaluationIntervalSeconds'],
      });
    }
  });
export type Plan = z.infer<typeof PlanSchema>;

export const MetricsSchema = z
  .strictObject({
    /** CloudWatch namespace of the Service Connect metrics. */
    namespace: z
      .string()
      .min(1)
      .max(255)
      .default('AWS/ECS')
      .describe('CloudWatch namespace of the Service Connect metrics.'),
    /**
     * Green's Service Connect discovery names (or `{ discoveryName, clusterName, serviceName }` to count only the
     * traffic from that calling service in that cluster); every one is judged, and all of them together.
     */
    greenDiscoveryNames: DiscoveryTargets.min(1, 'must name at least one discovery name').describe(
      "Green's Service Connect discovery names (or `{ discoveryName, clusterName, serviceName }` to count only the traffic from that calling service in that cluster); every one is judged, and all of them together."
    ),
    /** Blue's discovery names with Service Connect-shaped metrics, for the comparison with the baseline. */
    blueDiscoveryNames: DiscoveryTargets.optional().describe(
      "Blue's discovery names with Service Connect-shaped metrics, for the comparison with the baseline."
    ),
    /** Metric period; Service Connect publishes every 60 s. */
    periodSeconds: z
      .int('must be an integer')
      .min(60, 'must be >= 60')
      .max(3_600, 'must be <= 3600')
      .multipleOf(60, 'must be a multiple of 60')
      .default(60)
      .describe('Metric period; Service Connect publishes every 60 s.'),
    /**
     * How long CloudWatch takes to publish a datapoint; windows end this far in the past. AWS states no
     * figure; Datadog reports about 2 min for 1-minute metrics (docs/aws-facts.md §1.1, UNCONFIRMED): 150 s
     * is that plus 30 s, within the 2-3 min the facts recommend. Not a multiple of 60 on purpose: evaluations
     * run at this phase within the minute, and a shift written just after a minute boundary would leave
     * almost the whole first minute of its step unjudged (judgingFrom rounds up to the period).
     */
    publicationDelaySeconds: z
      .int('must be an integer')
      .min(0, 'must be >= 0')
      .max(900, 'must be <= 900')
      .default(150)
      .describe(
        'How long CloudWatch takes to publish a datapoint; windows end this far in the past. AWS states no figure; Datadog reports about 2 min for 1-minute metrics (docs/aws-facts.md §1.1, UNCONFIRMED): 150 s is that plus 30 s, within the 2-3 min the facts recommend. Not a multiple of 60 on purpose: evaluations run at this phase within the minute, and a shift written just after a minute boundary would leave almost the whole first minute of its step unjudged (judgingFrom rounds up to the period).'
      ),
    /**
     * Longest window one evaluation judges. Windows start where the last Pass or Fail ended (independent
     * data); after an Inconclusive the window grows, at most to this, then its start moves forward.
     */
    windowSeconds: z
      .int('must be an integer')
      .min(60, 'must be >= 60')
      .max(3_600, 'must be <= 3600')
      .default(300)
      .describe(
        'Longest window one evaluation judges. Windows start where the last Pass or Fail ended (independent data); after an Inconclusive the window grows, at most to this, then its start moves forward.'
      ),
  })
  .refine((m) => m.windowSeconds % m.periodSeconds === 0, {
    message: 'must be a multiple of periodSeconds',
    path: ['windowSeconds'],
  })
  .superRefine((m, ctx) => {
    // The same traffic named twice would be counted twice: one bad minute would weigh double.
    const named = [
      ...m.greenDiscoveryNames.map((target, index) => ({
        target,
        path: ['greenDiscoveryNames', index],
      })),
      ...(m.blueDiscoveryNames ?? []).map((target, index) => ({
        target,
        path: ['blueDiscoveryNames', index],
      })),
    ];
    named.forEach((entry, index) => {
      const earlier = named.slice(0, index).find((other) => overlaps(other.target, entry.target));
      if (earlier === undefined) return;
      ctx.addIssue({
        code: 'custom',
        message: `counts the same traffic as metrics.${formatPath(earlier.path)} (${targetLabel(earlier.target)}): each discovery name (or name, cluster and service) may appear once across green and blue; a bare name covers every cluster`,
        path: entry.path,
      });
    });
  });

export const BaselineThresholdsSchema = z.strictObject({
  /** Green fails when its error rate > max(blue x ratio, blue + minDelta). */
  errorRateMaxRatio: z
    .number()
    .min(1, 'must be >= 1')
    .max(100, 'must be <= 100')
    .default(2)
    .describe('Green fails when its error rate > max(blue x ratio, blue + minDelta).'),
  errorRateMinDeltaPercent: z
    .number()
    .min(0, 'must be >= 0')
    .max(100, 'must be <= 100')
    .default(0.5)
    .describe(
      "Minimum margin above blue's error rate, in percentage points (see errorRateMaxRatio)."
    ),
  /** Green fails when its average latency > max(blue x ratio, blue + minDelta). */
  latencyAvgMaxRatio: z
    .number()
    .min(1, 'must be >= 1')
    .max(100, 'must be <= 100')
    .default(1.5)
    .describe('Green fails when its average latency > max(blue x ratio, blue + minDelta).'),
  latencyAvgMinDeltaMs: z
    .number()
    .min(0, 'must be >= 0')
    .default(50)
    .describe("Minimum margin above blue's average latency, in ms (see latencyAvgMaxRatio)."),
});

export const ThresholdsSchema = z.strictObject({
  /** Below this many requests in a window the verdict is Inconclusive, never Pass. */
  minRequests: z
    .int('must be an integer')
    .min(1, 'must be >= 1')
    .max(1_000_000, 'must be <= 1000000')
    .default(50)
    .describe('Below this many requests in a window the verdict is Inconclusive, never Pass.'),
  /** Green's 5xx share of requests, in percent. */
  errorRateMaxPercent: z
    .number()
    .min(0, 'must be >= 0')
    .max(100, 'must be <= 100')
    .default(1)
    .describe("Green's 5xx share of requests, in percent."),
  /**
   * One-sided confidence that green's true error rate is above the limit before a window counts as Fail.
   * Windows are independent and a rollback needs maxConsecutiveFailures + 1 Fails in a row (3 by default):
   * at 0.9 each, a green exactly at the limit fails three in a row with probability 0.1^3 = 0.001.
   */
  confidence: z
    .number()
    .min(0.5, 'must be >= 0.5')
    .max(0.9999, 'must be <= 0.9999')
    .default(0.9)
    .describe(
      "One-sided confidence that green's true error rate is above the limit before a window counts as Fail. Windows are independent and a rollback needs maxConsecutiveFailures + 1 Fails in a row (3 by default): at 0.9 each, a green exactly at the limit fails three in a row with probability 0.1^3 = 0.001."
    ),
  /** Limit on TargetResponseTime Average (ms). Unset: no absolute latency check. */
  latencyAvgMaxMs: z
    .number()
    .positive('must be > 0')
    .optional()
    .describe('Limit on TargetResponseTime Average (ms). Unset: no absolute latency check.'),
  /** Limit on TargetResponseTime Maximum (ms). Unset: no check (Maximum is noisy). */
  latencyMaxMs: z
    .number()
    .positive('must be > 0')
    .optional()
    .describe('Limit on TargetResponseTime Maximum (ms). Unset: no check (Maximum is noisy).'),
  /**
   * Limit on p99 where the source has percentiles (a load balancer namespace). Refused with AWS/ECS: CloudWatch
   * percentiles need raw data points and ECS publishes pre-aggregated minutes (docs/aws-facts.md §1.5).
   */
  latencyP99MaxMs: z
    .number()
    .positive('must be > 0')
    .optional()
    .describe(
      'Limit on p99 where the source has percentiles (a load balancer namespace). Refused with AWS/ECS: CloudWatch percentiles need raw data points and ECS publishes pre-aggregated minutes (docs/aws-facts.md §1.5).'
    ),
  baseline: BaselineThresholdsSchema.prefault({}).describe(
    'Limits relative to blue (used when metrics.blueDiscoveryNames is set).'
  ),
});

export const LimitsSchema = z.strictObject({
  /**
   * Roll back when Fail evaluations in the whole run exceed this: the budget for intermittent failures
   * (each Fail is a separate stretch of traffic, so one bad minute is one Fail).
   */
  maxFailures: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(1_000, 'must be <= 1000')
    .default(6)
    .describe(
      'Roll back when Fail evaluations in the whole run exceed this: the budget for intermittent failures (each Fail is a separate stretch of traffic, so one bad minute is one Fail).'
    ),
  /**
   * Roll back when Fail evaluations in a row (Inconclusive in between does not break the row, Pass does)
   * exceed this. Consecutive Fails judge independent windows, so the default 2 asks for three separate
   * confirmations: a one- or two-minute 5xx burst does not roll back, a regression does within 3 windows.
   */
  maxConsecutiveFailures: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(1_000, 'must be <= 1000')
    .default(2)
    .describe(
      'Roll back when Fail evaluations in a row (Inconclusive in between does not break the row, Pass does) exceed this. Consecutive Fails judge independent windows, so the default 2 asks for three separate confirmations: a one- or two-minute 5xx burst does not roll back, a regression does within 3 windows.'
    ),
  /** Inconclusive evaluations in a row before `onInconclusiveLimit` applies. */
  maxInconclusive: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(100_000, 'must be <= 100000')
    .default(30)
    .describe('Inconclusive evaluations in a row before `onInconclusiveLimit` applies.'),
  /** What to do when the inconclusive limit is exceeded: keep holding at the current weight, or roll back. */
  onInconclusiveLimit: z
    .enum(['hold', 'rollback'], 'must be hold or rollback')
    .default('rollback')
    .describe(
      'What to do when the inconclusive limit is exceeded: keep holding at the current weight, or roll back.'
    ),
  /** Roll back when metric-source errors in a row exceed this. */
  maxConsecutiveErrors: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(1_000, 'must be <= 1000')
    .default(4)
    .describe('Roll back when metric-source errors in a row exceed this.'),
});

export const DnsSchema = z.strictObject({
  /** Preflight refuses non-alias records with a higher TTL: a long TTL delays both shift and rollback. */
  maxTtlSeconds: z
    .int('must be an integer')
    .min(0, 'must be >= 0')
    .max(DAY_SECONDS, 'must be <= 86400')
    .default(300)
    .describe(
      'Preflight refuses non-alias records with a higher TTL: a long TTL delays both shift and rollback.'
    ),
  /**
   * Wait between GetChange polls. Route 53 is normally INSYNC within 60 s, so one poll usually suffices;
   * shorter polls only add state transitions (a rollback never waits for INSYNC).
   */
  syncPollSeconds: z
    .int('must be an integer')
    .min(1, 'must be >= 1')
    .max(300, 'must be <= 300')
    .default(60)
    .describe(
      'Wait between GetChange polls. Route 53 is normally INSYNC within 60 s, so one poll usually suffices; shorter polls only add state transitions (a rollback never waits for INSYNC).'
    ),
  /** Give up (and roll back) when a change is not INSYNC after this long. */
  maxSyncWaitSeconds: z
    .int('must be an integer')
    .min(60, 'must be >= 60')
    .max(3_600, 'must be <= 3600')
    .default(900)
    .describe('Give up (and roll back) when a change is not INSYNC after this long.'),
});

export const MigrationInputSchema = z
  .strictObject({
    /** Names the run: execution names, lock reports, the report file. */
    migrationId: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
        'must be 1-64 characters of A-Z a-z 0-9 _ - starting with a letter or digit'
      )
      .describe('Names the run: execution names, lock reports, the report file.'),
    /** The weighted blue/green pairs to shift together (one change batch per hosted zone). */
    records: z
      .array(RecordRefSchema)
      .min(1, 'must name at least one record')
      .max(50, 'must have at most 50 records')
      .describe(
        'The weighted blue/green pairs to shift together (one change batch per hosted zone).'
      ),
    plan: PlanSchema.describe(
      'The green percents (exactly one of steps, canary, linear, exponential) and the bake times.'
    ),
    metrics: MetricsSchema.describe("Where green's (and blue's) Service Connect metrics are read."),
    thresholds: ThresholdsSchema.prefault({}).describe(
      'What green must meet in each window: error rate, latency, the comparison with blue.'
    ),
    limits: LimitsSchema.prefault({}).describe('When the run rolls back or holds.'),
    dns: DnsSchema.prefault({}).describe('Route 53: TTL limit and INSYNC polling.'),
    /** `observe` runs the whole schedule and records its decisions without writing to Route 53. */
    mode: z
      .enum(['shift', 'observe'], 'must be shift or observe')
      .default('shift')
      .describe(
        '`observe` runs the whole schedule and records its decisions without writing to Route 53.'
      ),
    /** When someone else changes the weights mid-run: stop and leave them (`stop`), or restore the snapshot. */
    onDrift: z
      .enum(['stop', 'rollback'], 'must be stop or rollback')
      .default('stop')
      .describe(
        'When someone else changes the weights mid-run: stop and leave them (`stop`), or restore the snapshot.'
      ),
  })
  .superRefine((input, ctx) => {
    if (input.thresholds.latencyP99MaxMs !== undefined && input.metrics.namespace === 'AWS/ECS') {
      ctx.addIssue({
        code: 'custom',
        message:
          'not available with metrics.namespace AWS/ECS: CloudWatch percentiles need raw data points and ECS publishes pre-aggregated minutes, so p99 would stay empty and hold the run; use latencyAvgMaxMs / latencyMaxMs, or a namespace whose metrics have percentiles (such as a load balancer)',
        path: ['thresholds', 'latencyP99MaxMs'],
      });
    }
    const seen = new Map<string, number>();
    input.records.forEach((ref, index) => {
      const key = `${ref.hostedZoneId} ${ref.name} ${ref.type}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicates records[${first}] (same zone, name and type)`,
          path: ['records', index],
        });
      } else {
        seen.set(key, index);
      }
    });
  });

/** The input as a user writes it (defaults optional). */
export type MigrationInputDraft = z.input<typeof MigrationInputSchema>;
/** The input after validation: defaults filled, names normalised. */
export type MigrationInput = z.infer<typeof MigrationInputSchema>;

/** Renders a zod path as `records[0].hostedZoneId`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`
    )
    .join('');
}

/** Turns zod issues into `{ path, rule }` pairs a person can act on. */
export function describeIssues(error: z.ZodError): { path: string; rule: string }[] {
  return error.issues.flatMap((issue) => describeIssue(issue, []));
}

function describeIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[]
): { path: string; rule: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // A union (a bare discovery name or an object) fails in every branch; the branch of the input's own
    // shape says what is wrong with it. Only when the shape matches no branch, the union's rule stands.
    const branch = issue.errors.find(
      (issues) => !issues.some((i) => i.code === 'invalid_type' && i.path.length === 0)
    );
    if (branch !== undefined) return branch.flatMap((inner) => describeIssue(inner, path));
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, knownKeysAt(path));
      return {
        path: formatPath([...path, key]),
        rule:
          suggestion === undefined
            ? 'unknown key (check the spelling against the input reference)'
            : `unknown key: did you mean ${suggestion}?`,
      };
    });
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [{ path: formatPath(path), rule: 'is required' }];
  }
  return [{ path: formatPath(path), rule: issue.message }];
}

/** The keys each object of the input may have, by the name of the key that holds it ('' for the root). */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const holder = [...path].reverse().find((part) => typeof part === 'string') ?? '';
  const shapes: Record<string, { shape: Record<string, unknown> }> = {
    '': MigrationInputSchema,
    records: RecordRefSchema,
    plan: PlanSchema.describe(
      'The green percents (exactly one of steps, canary, linear, exponential) and the bake times.'
    ),
    metrics: MetricsSchema.describe("Where green's (and blue's) Service Connect metrics are read."),
    thresholds: ThresholdsSchema,
    baseline: BaselineThresholdsSchema,
    limits: LimitsSchema,
    dns: DnsSchema,
  };
  const nested: Record<string, string[]> = {
    canary: ['percent'],
    linear: ['stepPercent'],
    exponential: ['startPercent', 'factor'],
    greenDiscoveryNames: ['discoveryName', 'clusterName', 'serviceName'],
    blueDiscoveryNames: ['discoveryName', 'clusterName', 'serviceName'],
  };
  return nested[String(holder)] ?? Object.keys(shapes[String(holder)]?.shape ?? {});
}

/**
 * The input without what JSON tooling adds: a `$schema` key (an editor's pointer to
 * schema/migration-input.schema.json) is accepted and dropped, so it never reaches the run state.
 */
function withoutSchemaPointer(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('$schema' in raw))
    return raw;
  const { $schema: _pointer, ...rest } = raw as Record<string, unknown>;
  return rest;
}

/**
 * Validates an execution input and fills the defaults.
 *
 * @throws InvalidInputError naming every offending field and its rule.
 * @example
 * parseMigrationInput({ migrationId: 'orders', records: [...], plan: { steps: [10, 100] }, metrics: { greenDiscoveryNames: ['orders'] } });
 */
export function parseMigrationInput(raw: unknown): MigrationInput {
  // reportInput: zod 4 leaves `input` off issues by default, and describeIssues tells "missing" from "wrong type" by it.
  const result = MigrationInputSchema.safeParse(withoutSchemaPointer(raw), { reportInput: true });
  if (!result.success) throw new InvalidInputError(describeIssues(result.error));
  return result.data;
}
