/**
 * The metric sources beyond Service Connect: the edge load balancers (`metrics.edge`), custom CloudWatch queries
 * (`metrics.queries`) and existing CloudWatch alarms (the top-level `alarms`).
 */
import * as z from 'zod';

/** Per-source overrides of `thresholds` (unset fields fall back to `thresholds`). */
export const ThresholdOverridesSchema = z
  .strictObject({
    minRequests: z
      .int('must be an integer')
      .min(1, 'must be >= 1')
      .max(1_000_000, 'must be <= 1000000')
      .optional()
      .describe(
        'Requests below which this source is Inconclusive (default: thresholds.minRequests).'
      ),
    errorRateMaxPercent: z
      .number()
      .min(0, 'must be >= 0')
      .max(100, 'must be <= 100')
      .optional()
      .describe(
        "This source's 5xx share limit, in percent (default: thresholds.errorRateMaxPercent)."
      ),
    latencyAvgMaxMs: z
      .number()
      .positive('must be > 0')
      .optional()
      .describe('Limit on the average response time, ms (default: thresholds.latencyAvgMaxMs).'),
    latencyMaxMs: z
      .number()
      .positive('must be > 0')
      .optional()
      .describe('Limit on the maximum response time, ms (default: thresholds.latencyMaxMs).'),
    latencyP99MaxMs: z
      .number()
      .positive('must be > 0')
      .optional()
      .describe(
        'Limit on the p99 response time, ms. Allowed here whatever metrics.namespace is: Application Load Balancers publish percentiles.'
      ),
  })
  .describe('Overrides of `thresholds` for this source; unset fields use `thresholds`.');

/** A load balancer name as ELBv2 spells it (1-32 alphanumerics and hyphens). */
const LoadBalancerName = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
    'must be a load balancer name: 1-32 characters of A-Z a-z 0-9 -, not starting or ending with -'
  );

const LoadBalancerNames = z
  .array(LoadBalancerName)
  .min(1, 'must name at least one load balancer')
  .max(20, 'must have at most 20 load balancers');

export const EdgeSchema = z
  .union(
    [
      z.enum(['auto', 'off']),
      z.strictObject({
        green: LoadBalancerNames.optional().describe(
          "Green's load balancers by name (DescribeLoadBalancers Names); unset: found from green's alias records."
        ),
        blue: LoadBalancerNames.optional().describe(
          "Blue's load balancers by name, green's baseline; unset: found from blue's alias records."
        ),
        thresholds: ThresholdOverridesSchema.optional(),
      }),
    ],
    'must be "auto", "off" or { green?, blue?, thresholds? }'
  )
  .default('auto')
  .describe(
    'The edge load balancers (ALB or NLB) judged for each environment. "auto" (default): found from the weighted records that are aliases to a load balancer; none found is not a failure. "off": not judged. An object names them explicitly: { "green": ["my-green-alb"], "blue": ["my-blue-alb"], "thresholds": { … } } (a side left out is still found from its alias records).'
  );

const QueryId = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9_]{0,63}$/, 'must start with a-z and hold only letters, digits and _');

const MetricStatSchema = z.strictObject({
  namespace: z.string().min(1).max(255).describe('CloudWatch namespace.'),
  metricName: z.string().min(1).max(255).describe('CloudWatch metric name.'),
  dimensions: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(255).describe('Dimension name.'),
        value: z.string().min(1).max(1024).describe('Dimension value.'),
      })
    )
    .max(30, 'must have at most 30 dimensions')
    .default([])
    .describe('Dimensions, exactly as published.'),
  stat: z
    .string()
    .min(1)
    .max(50)
    .describe('Statistic over the whole window: Sum, Average, Maximum, p99, …'),
});

const QueryDefinitionSchema = z
  .strictObject({
    metricStat: MetricStatSchema.optional().describe('One metric and statistic.'),
    expression: z
      .string()
      .min(1)
      .max(2_048, 'must be at most 2048 characters (a CloudWatch limit)')
      .optional()
      .describe('A CloudWatch metric-math expression over `metrics` by id, e.g. "100 * e / r".'),
    metrics: z
      .array(
        z.strictObject({
          id: QueryId.describe('The id the expression uses.'),
          metricStat: MetricStatSchema.describe('The input metric and statistic.'),
        })
      )
      .max(20, 'must have at most 20 metrics')
      .optional()
      .describe("The expression's inputs (not returned themselves)."),
  })
  .superRefine((definition, ctx) => {
    if ((definition.metricStat === undefined) === (definition.expression === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must have exactly one of metricStat, expression' });
    }
    if (definition.expression !== undefined && (definition.metrics ?? []).length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'an expression needs metrics (its inputs by id)',
        path: ['metrics'],
      });
    }
    // GetMetricData refuses a call whose query Ids repeat: one duplicate would fail every custom query.
    const ids = (definition.metrics ?? []).map((metric) => metric.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index) {
        ctx.addIssue({ code: 'custom', message: 'duplicate id', path: ['metrics', index, 'id'] });
      }
    });
    if (definition.metricStat !== undefined && definition.metrics !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'only with an expression',
        path: ['metrics'],
      });
    }
  });

export const CustomQuerySchema = z
  .strictObject({
    label: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
        'must be 1-64 characters of A-Z a-z 0-9 _ . - starting with a letter or digit'
      )
      .describe('Names the query in reasons and reports (`custom:<label>`).'),
    side: z
      .enum(['green', 'blue', 'both'], 'must be green, blue or both')
      .describe(
        'Which environment it measures: green (judged), blue (shown beside green, never rolls back) or both (`green` and `blue` definitions).'
      ),
    badWhen: z
      .enum(['above', 'below'], 'must be above or below')
      .describe('Which side of the limit is bad.'),
    limit: z.number().describe("The limit on the query's value over the window."),
    baselineRatio: z
      .number()
      .min(1, 'must be >= 1')
      .optional()
      .describe(
        "With side both: green is also bad beyond blue's value x ratio (above) or / ratio (below)."
      ),
    green: QueryDefinitionSchema.optional().describe("Green's query (side green or both)."),
    blue: QueryDefinitionSchema.optional().describe("Blue's query (side blue or both)."),
  })
  .superRefine((query, ctx) => {
    for (const side of ['green', 'blue'] as const) {
      const wanted = query.side === side || query.side === 'both';
      if (wanted && query[side] === undefined) {
        ctx.addIssue({ code: 'custom', message: `required with side ${query.side}`, path: [side] });
      }
      if (!wanted && query[side] !== undefined) {
        ctx.addIssue({ code: 'custom', message: `not read with side ${query.side}`, path: [side] });
      }
    }
    if (query.baselineRatio !== undefined && query.side !== 'both') {
      ctx.addIssue({ code: 'custom', message: 'only with side both', path: ['baselineRatio'] });
    }
  });

export const CustomQueriesSchema = z
  .array(CustomQuerySchema)
  .max(20, 'must have at most 20 queries')
  .default([])
  .superRefine((queries, ctx) => {
    const seen = new Set<string>();
    queries.forEach((query, index) => {
      if (seen.has(query.label)) {
        ctx.addIssue({ code: 'custom', message: 'duplicate label', path: [index, 'label'] });
      }
      seen.add(query.label);
    });
  })
  .describe(
    "Custom CloudWatch queries (MetricStat or metric math), each judged against its limit over the window, e.g. App Mesh Envoy stats as blue's baseline."
  );

/** DescribeAlarms takes at most 100 AlarmNames per call. */
export const AlarmsSchema = z
  .array(z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'))
  .max(100, 'must have at most 100 alarms')
  .default([])
  .superRefine((names, ctx) => {
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) {
        ctx.addIssue({ code: 'custom', message: 'duplicate alarm name', path: [index] });
      }
    });
  })
  .describe(
    'Existing CloudWatch alarms (metric or composite) by name. Preflight refuses when one is missing or in ALARM; during the run ALARM rolls back at once, INSUFFICIENT_DATA is Inconclusive.'
  );

export type CustomQuery = z.infer<typeof CustomQuerySchema>;
export type QueryDefinition = z.infer<typeof QueryDefinitionSchema>;
export type EdgeSetting = z.infer<typeof EdgeSchema>;
export type ThresholdOverrides = z.infer<typeof ThresholdOverridesSchema>;
