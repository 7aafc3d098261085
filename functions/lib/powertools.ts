import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One logger per function, created at cold start. No Powertools Tracer: the template's `Tracing: Active` makes
 * Lambda record each invocation's segment without an SDK in the bundle, and the X-Ray SDK the Tracer brings
 * (aws-xray-sdk-core, semver, cls-hooked, shimmer: ~120 KB) weighed on every function's size and init. SDK
 * calls therefore have no subsegments. No Powertools Metrics: the dashboard reads the log lines'
 * fields (dashboard-fields.ts), so a migration publishes no custom metric.
 */
export const logger = new Logger({ serviceName: 'traffic-shift' });
