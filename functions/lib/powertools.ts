import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, type MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** One logger, one metrics and one tracer instance per function, created at cold start. */
export const logger = new Logger({ serviceName: 'traffic-shift' });
/** Custom metrics for the dashboard (GreenPercent, Verdicts) in embedded metric format: no API call. */
export const metrics = new Metrics({ namespace: 'TrafficShift', serviceName: 'traffic-shift' });
/**
 * X-Ray segments for each invocation and its SDK calls (the template sets Tracing: Active). Powertools turns
 * itself off outside Lambda (no AWS_EXECUTION_ENV: the local engine, the tests), under SAM local, and when
 * POWERTOOLS_TRACE_ENABLED is false; then the middleware and traced() do nothing.
 */
// Only the SDK clients wrapped by traced() make subsegments: the handlers make no other HTTP calls, and patching
// http/https globally as well would trace every SDK call twice and cost init time.
export const tracer = new Tracer({ serviceName: 'traffic-shift', captureHTTPsRequests: false });

/** An AWS SDK v3 client whose calls are traced subsegments: `traced(new Route53Client({}))`. */
export function traced<TClient>(client: TClient): TClient {
  return tracer.captureAWSv3Client(client);
}

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
