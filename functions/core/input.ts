/**
 * The execution input contract: one strict schema, defaults filled, errors that name the field and the rule.
 * The JSON Schema in `schema/migration-input.schema.json` is generated from this file (`npm run schema`).
 * The parts live beside it: input-fields (records), input-plan, input-metrics, input-limits, input-issues;
 * input-zod loads zod/mini's English messages and registers the descriptions.
 */

import * as z from 'zod/mini';
import { InvalidInputError } from './errors.ts';
import { DAY_SECONDS, RecordRefSchema } from './input-fields.ts';
import { HooksSchema } from './input-hooks.ts';
import { describeZodIssues } from './input-issues.ts';
import { DnsSchema, LimitsSchema } from './input-limits.ts';
import {
  BaselineThresholdsSchema,
  MetricsSchema,
  StartedMetricsSchema,
  ThresholdsSchema,
} from './input-metrics.ts';
import { PlanSchema } from './input-plan.ts';
import { AlarmsSchema } from './input-sources.ts';
import { described } from './input-zod.ts';

export { RECORD_TYPES, type RecordRef, RecordRefSchema } from './input-fields.ts';
export { formatPath } from './input-issues.ts';
export { DnsSchema, LimitsSchema } from './input-limits.ts';
export { BaselineThresholdsSchema, MetricsSchema, ThresholdsSchema } from './input-metrics.ts';
export { checkStepOrder, type Plan, PlanSchema } from './input-plan.ts';

/** Longest plan we accept: a week-long migration plus margin; Step Functions allows a year. */
export const MAX_PLAN_SECONDS = 30 * DAY_SECONDS;

/** The root schema around a `metrics` schema: a new migration's, or a started one's (StartedMetricsSchema). */
const inputSchemaWith = (metrics: typeof MetricsSchema) =>
  z
    .strictObject({
      /** Names the run: execution names, lock reports, the report file. */
      migrationId: described(
        z
          .string()
          .check(
            z.regex(
              /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
              'must be 1-64 characters of A-Z a-z 0-9 _ - starting with a letter or digit'
            )
          ),
        'Names the run: execution names, lock reports, the report file.'
      ),
      /** The weighted blue/green pairs to shift together (one change batch per hosted zone). */
      records: described(
        z
          .array(RecordRefSchema)
          .check(
            z.minLength(1, 'must name at least one record'),
            z.maxLength(50, 'must have at most 50 records')
          ),
        'The weighted blue/green pairs to shift together (one change batch per hosted zone).'
      ),
      plan: described(
        PlanSchema,
        'The green percents (exactly one of steps, canary, linear, exponential) and the bake times.'
      ),
      metrics: described(metrics, "Where green's (and blue's) Service Connect metrics are read."),
      thresholds: described(
        z.prefault(ThresholdsSchema, {}),
        'What green must meet in each window: error rate, latency, the comparison with blue.'
      ),
      limits: described(z.prefault(LimitsSchema, {}), 'When the run rolls back or holds.'),
      /** Existing CloudWatch alarms: ALARM rolls back at once. */
      alarms: AlarmsSchema,
      dns: described(z.prefault(DnsSchema, {}), 'Route 53: TTL limit and INSYNC polling.'),
      hooks: described(
        z.optional(HooksSchema),
        'Step hooks: Lambda functions asked Pass / Fail / RetryLater before each shift and after each bake.'
      ),
      /** `observe` runs the whole schedule and records its decisions without writing to Route 53. */
      mode: described(
        z._default(z.enum(['shift', 'observe'], 'must be shift or observe'), 'shift'),
        '`observe` runs the whole schedule and records its decisions without writing to Route 53.'
      ),
      /** When someone else changes the weights mid-run: stop and leave them (`stop`), or restore the snapshot. */
      onDrift: described(
        z._default(z.enum(['stop', 'rollback'], 'must be stop or rollback'), 'stop'),
        'When someone else changes the weights mid-run: stop and leave them (`stop`), or restore the snapshot.'
      ),
    })
    .check(
      z.superRefine((input, ctx) => {
        if (
          input.thresholds.latencyP99MaxMs !== undefined &&
          input.metrics.namespace === 'AWS/ECS'
        ) {
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
      })
    );

export const MigrationInputSchema = inputSchemaWith(MetricsSchema);

/**
 * The input of a migration that has already started, as a continuation hands it over (resume-input.ts):
 * without the rules added since it may have started under an earlier version (input-metrics.ts
 * StartedMetricsSchema), so an upgrade never strands a running migration half shifted.
 */
export const StartedMigrationInputSchema = inputSchemaWith(StartedMetricsSchema);

/** The input as a user writes it (defaults optional). */
export type MigrationInputDraft = z.input<typeof MigrationInputSchema>;
/** The input after validation: defaults filled, names normalised. */
export type MigrationInput = z.infer<typeof MigrationInputSchema>;

/** Turns zod issues into `{ path, rule }` pairs a person can act on. */
export function describeIssues(error: z.core.$ZodError): { path: string; rule: string }[] {
  return describeZodIssues(error, knownKeysAt);
}

/** The keys each object of the input may have, by the name of the key that holds it ('' for the root). */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  const holder = [...path].reverse().find((part) => typeof part === 'string') ?? '';
  const shapes: Record<string, { shape: Record<string, unknown> }> = {
    '': MigrationInputSchema,
    records: RecordRefSchema,
    plan: PlanSchema,
    metrics: MetricsSchema,
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
