/**
 * The metric sources beyond Service Connect: the edge load balancers (`metrics.edge`), custom CloudWatch queries
 * (`metrics.queries`) and existing CloudWatch alarms (the top-level `alarms`).
 */
import * as z from 'zod/mini';
import { described } from './input-zod.ts';

/** Per-source overrides of `thresholds` (unset fields fall back to `thresholds`). */
export const ThresholdOverridesSchema = described(
  z.strictObject({
    minRequests: described(
      z.optional(
        z
          .int('must be an integer')
          .check(z.gte(1, 'must be >= 1'), z.lte(1_000_000, 'must be <= 1000000'))
      ),
      'Requests below which this source is Inconclusive (default: thresholds.minRequests).'
    ),
    errorRateMaxPercent: described(
      z.optional(z.number().check(z.gte(0, 'must be >= 0'), z.lte(100, 'must be <= 100'))),
      "This source's 5xx share limit, in percent (default: thresholds.errorRateMaxPercent)."
    ),
    latencyAvgMaxMs: described(
      z.optional(z.number().check(z.positive('must be > 0'))),
      'Limit on the average response time, ms (default: thresholds.latencyAvgMaxMs).'
    ),
    latencyMaxMs: described(
      z.optional(z.number().check(z.positive('must be > 0'))),
      'Limit on the maximum response time, ms (default: thresholds.latencyMaxMs).'
    ),
    latencyP99MaxMs: described(
      z.optional(z.number().check(z.positive('must be > 0'))),
      'Limit on the p99 response time, ms. Allowed here whatever metrics.namespace is: Application Load Balancers publish percentiles.'
    ),
  }),
  'Overrides of `thresholds` for this source; unset fields use `thresholds`.'
);

/** A load balancer name as ELBv2 spells it (1-32 alphanumerics and hyphens). */
const LoadBalancerName = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
      'must be a load balancer name: 1-32 characters of A-Z a-z 0-9 -, not starting or ending with -'
    )
  );

const LoadBalancerNames = z
  .array(LoadBalancerName)
  .check(
    z.minLength(1, 'must name at least one load balancer'),
    z.maxLength(20, 'must have at most 20 load balancers')
  );

export const EdgeSchema = described(
  z._default(
    z.union(
      [
        z.enum(['auto', 'off']),
        z.strictObject({
          green: described(
            z.optional(LoadBalancerNames),
            "Green's load balancers by name (DescribeLoadBalancers Names); unset: found from green's alias records."
          ),
          blue: described(
            z.optional(LoadBalancerNames),
            "Blue's load balancers by name, green's baseline; unset: found from blue's alias records."
          ),
          thresholds: z.optional(ThresholdOverridesSchema),
        }),
      ],
      'must be "auto", "off" or { green?, blue?, thresholds? }'
    ),
    'auto'
  ),
  'The edge load balancers (ALB or NLB) judged for each environment. "auto" (default): found from the weighted records that are aliases to a load balancer; none found is not a failure. "off": not judged. An object names them explicitly: { "green": ["my-green-alb"], "blue": ["my-blue-alb"], "thresholds": { … } } (a side left out is still found from its alias records).'
);

const QueryId = z
  .string()
  .check(
    z.regex(/^[a-z][a-zA-Z0-9_]{0,63}$/, 'must start with a-z and hold only letters, digits and _')
  );

const MetricStatSchema = z.strictObject({
  namespace: described(z.string().check(z.minLength(1), z.maxLength(255)), 'CloudWatch namespace.'),
  metricName: described(
    z.string().check(z.minLength(1), z.maxLength(255)),
    'CloudWatch metric name.'
  ),
  dimensions: described(
    z._default(
      z
        .array(
          z.strictObject({
            name: described(z.string().check(z.minLength(1), z.maxLength(255)), 'Dimension name.'),
            value: described(
              z.string().check(z.minLength(1), z.maxLength(1024)),
              'Dimension value.'
            ),
          })
        )
        .check(z.maxLength(30, 'must have at most 30 dimensions')),
      []
    ),
    'Dimensions, exactly as published.'
  ),
  stat: described(
    z.string().check(z.minLength(1), z.maxLength(50)),
    'Statistic over the whole window: Sum, Average, Maximum, p99, …'
  ),
});

const QueryDefinitionSchema = z
  .strictObject({
    metricStat: described(z.optional(MetricStatSchema), 'One metric and statistic.'),
    expression: described(
      z.optional(
        z
          .string()
          .check(
            z.minLength(1),
            z.maxLength(2_048, 'must be at most 2048 characters (a CloudWatch limit)')
          )
      ),
      'A CloudWatch metric-math expression over `metrics` by id, e.g. "100 * e / r".'
    ),
    metrics: described(
      z.optional(
        z
          .array(
            z.strictObject({
              id: described(QueryId, 'The id the expression uses.'),
              metricStat: described(MetricStatSchema, 'The input metric and statistic.'),
            })
          )
          .check(z.maxLength(20, 'must have at most 20 metrics'))
      ),
      "The expression's inputs (not returned themselves)."
    ),
  })
  .check(
    z.superRefine((definition, ctx) => {
      if ((definition.metricStat === undefined) === (definition.expression === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must have exactly one of metricStat, expression',
        });
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
    })
  );

export const CustomQuerySchema = z
  .strictObject({
    label: described(
      z
        .string()
        .check(
          z.regex(
            /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
            'must be 1-64 characters of A-Z a-z 0-9 _ . - starting with a letter or digit'
          )
        ),
      'Names the query in reasons and reports (`custom:<label>`).'
    ),
    side: described(
      z.enum(['green', 'blue', 'both'], 'must be green, blue or both'),
      'Which environment it measures: green (judged), blue (shown beside green, never rolls back) or both (`green` and `blue` definitions).'
    ),
    badWhen: described(
      z.enum(['above', 'below'], 'must be above or below'),
      'Which side of the limit is bad.'
    ),
    limit: described(z.number(), "The limit on the query's value over the window."),
    baselineRatio: described(
      z.optional(z.number().check(z.gte(1, 'must be >= 1'))),
      "With side both: green is also bad beyond blue's value x ratio (above) or / ratio (below)."
    ),
    green: described(z.optional(QueryDefinitionSchema), "Green's query (side green or both)."),
    blue: described(z.optional(QueryDefinitionSchema), "Blue's query (side blue or both)."),
  })
  .check(
    z.superRefine((query, ctx) => {
      for (const side of ['green', 'blue'] as const) {
        const wanted = query.side === side || query.side === 'both';
        if (wanted && query[side] === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `required with side ${query.side}`,
            path: [side],
          });
        }
        if (!wanted && query[side] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `not read with side ${query.side}`,
            path: [side],
          });
        }
      }
      if (query.baselineRatio !== undefined && query.side !== 'both') {
        ctx.addIssue({ code: 'custom', message: 'only with side both', path: ['baselineRatio'] });
      }
    })
  );

export const CustomQueriesSchema = described(
  z
    ._default(z.array(CustomQuerySchema).check(z.maxLength(20, 'must have at most 20 queries')), [])
    .check(
      z.superRefine((queries, ctx) => {
        const seen = new Set<string>();
        queries.forEach((query, index) => {
          if (seen.has(query.label)) {
            ctx.addIssue({ code: 'custom', message: 'duplicate label', path: [index, 'label'] });
          }
          seen.add(query.label);
        });
      })
    ),
  "Custom CloudWatch queries (MetricStat or metric math), each judged against its limit over the window, e.g. App Mesh Envoy stats as blue's baseline."
);

/** DescribeAlarms takes at most 100 AlarmNames per call. */
export const AlarmsSchema = described(
  z
    ._default(
      z
        .array(
          z
            .string()
            .check(
              z.minLength(1, 'must not be empty'),
              z.maxLength(255, 'must be at most 255 characters')
            )
        )
        .check(z.maxLength(100, 'must have at most 100 alarms')),
      []
    )
    .check(
      z.superRefine((names, ctx) => {
        names.forEach((name, index) => {
          if (names.indexOf(name) !== index) {
            ctx.addIssue({ code: 'custom', message: 'duplicate alarm name', path: [index] });
          }
        });
      })
    ),
  'Existing CloudWatch alarms (metric or composite) by name. Preflight refuses when one is missing or in ALARM; during the run ALARM rolls back at once, INSUFFICIENT_DATA is Inconclusive.'
);

export type CustomQuery = z.infer<typeof CustomQuerySchema>;
export type QueryDefinition = z.infer<typeof QueryDefinitionSchema>;
export type EdgeSetting = z.infer<typeof EdgeSchema>;
export type ThresholdOverrides = z.infer<typeof ThresholdOverridesSchema>;
