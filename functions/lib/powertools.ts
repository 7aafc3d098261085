import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * One logger and one metrics instance per function, created at cold start. No Powertools Tracer: the template's
 * `Tracing: Active` makes Lambda record each invocation's segment without an SDK in the bundle, and the X-Ray
 * SDK the Tracer brings (aws-xray-sdk-core, semver, cls-hooked, shimmer: ~120 KB) weighed on every function's
 * size and init. SDK calls therefore have no subsegments.
 */
export const logger = new Logger({ serviceName: 'traffic-shift' });
/** Custom metrics for the dashboard (GreenPercent, Verdicts) in embedded metric format: no API call. */
export const metrics = new Metrics({ namespace: 'TrafficShift', serviceName: 'traffic-shift' });

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/**
 * Emits one metric with its own dimensions at once (Powertools' singleMetric), sharing no state between calls.
 * The shared instance's addDimension keeps a migration's dimension until the next flush: a second call before
 * it (a handler called without the middy stack, two executions at once in the local engine) warns "Dimension
 * already added" and labels one migration's figure with the other's id.
 */
export function publishMetric(
  name: string,
  unit: Unit,
  value: number,
  dimensions: Readonly<Record<string, string>>
): void {
  const single = metrics.singleMetric();
  for (const [dimension, label] of Object.entries(dimensions))
    single.addDimension(dimension, label);
  single.addMetric(name, unit, value);
}
