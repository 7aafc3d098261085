/**
 * The execution input contract: one strict schema, defaults filled, errors that name the field and the rule.
 * The JSON Schema in `schema/migration-input.schema.json` is generated from this file (`npm run schema`).
 * The parts live beside it: input-fields (records), input-plan, input-metrics, input-limits, input-issues.
 */
import * as z from 'zod';
import { InvalidInputError } from './errors.ts';
import { DAY_SECONDS, RecordRefSchema } from './input-fields.ts';
import { HooksSchema } from './input-hooks.ts';
import { describeZodIssues } from './input-issues.ts';
import { DnsSchema, LimitsSchema } from './input-limits.ts';
import { BaselineThresholdsSchema, MetricsSchema, ThresholdsSchema } from './input-metrics.ts';
import { PlanSchema } from './input-plan.ts';
import { AlarmsSchema } from './input-sources.ts';

export { RECORD_TYPES, type RecordRef, RecordRefSchema } from './input-fields.ts';
export { formatPath } from './input-issues.ts';
export { DnsSchema, LimitsSchema } from './input-limits.ts';
export { BaselineThresholdsSchema, MetricsSchema, ThresholdsSchema } from './input-metrics.ts';
export { checkStepOrder, type Plan, PlanSchema } from './input-plan.ts';

/** Longest plan we accept: a week-long migration plus margin; Step Functions allows a year. */
export const MAX_PLAN_SECONDS = 30 * DAY_SECONDS;

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
    /** Existing CloudWatch alarms: ALARM rolls back at once. */
    alarms: AlarmsSchema,
    dns: DnsSchema.prefault({}).describe('Route 53: TTL limit and INSYNC polling.'),
    hooks: HooksSchema.optional().describe(
      'Step hooks: Lambda functions asked Pass / Fail / RetryLater before each shift and after each bake.'
    ),
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

/** Turns zod issues into `{ path, rule }` pairs a person can act on. */
export function describeIssues(error: z.ZodError): { path: string; rule: string }[] {
  return describeZodIssues(error, knownKeysAt);
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
    gates: ['beforeSteps', 'timeoutSeconds', 'onTimeout'],
    greenDiscoveryNames: ['discoveryName', 'clusterName', 'serviceName'],
    edge: ['green', 'blue', 'thresholds'],
    queries: ['label', 'side', 'badWhen', 'limit', 'baselineRatio', 'green', 'blue'],
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
