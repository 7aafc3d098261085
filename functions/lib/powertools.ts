import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** One logger and one metrics instance per function, created at cold start. */
export const logger = new Logger({ serviceName: 'traffic-shift' });
/** Custom metrics for the dashboard (GreenPercent, Verdicts) in embedded metric format: no API call. */
export const metrics = new Metrics({ namespace: 'TrafficShift', serviceName: 'traffic-shift' });
