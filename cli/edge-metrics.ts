/**
 * What each environment's edge load balancer (an ALB) publishes for the traffic model: the same requests
 * Service Connect sees for that environment, arriving from the internet through Route 53, plus what the
 * frontend itself adds (its own 5xx, its own time). Real names, dimension and units of `AWS/ApplicationELB`
 * (ELB user guide, "CloudWatch metrics for your Application Load Balancer"): `LoadBalancer` = `app/<name>/<id>`,
 * counts in `Count`, `TargetResponseTime` in `Seconds`.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

export const EDGE_NAMESPACE = 'AWS/ApplicationELB';

/** What an environment's frontend adds at its load balancer, on top of what Service Connect sees. */
export interface EdgeHealth {
  /** Requests the frontend itself answers 5xx (before or without calling a backend), percent. */
  errorRatePercent: number;
  /** 5xx the load balancer generates itself (HTTPCode_ELB_5XX_Count: 502, 504), percent. */
  elbErrorRatePercent: number;
  /** The frontend's own time per request, milliseconds: TargetResponseTime = this + its backends' time. */
  ownLatencyMs: number;
}

export const HEALTHY_EDGE: EdgeHealth = {
  errorRatePercent: 0,
  elbErrorRatePercent: 0,
  ownLatencyMs: 12,
};

/** One environment's minute at its load balancer. */
export interface EdgeMinute {
  /** RequestCount: every request the ALB routed to a target (ELB 502/504 included). */
  requests: number;
  /** HTTPCode_Target_5XX_Count: the backends' 5xx the frontend passed on, plus its own. */
  targetErrors: number;
  /** HTTPCode_ELB_5XX_Count. */
  elbErrors: number;
  /** HTTPCode_Target_4XX_Count (the same client errors Service Connect counts). */
  clientErrors: number;
  /** Mean TargetResponseTime, milliseconds (published in seconds). */
  latencyAvgMs: number;
  /** Maximum TargetResponseTime, milliseconds (published in seconds). */
  latencyMaxMs: number;
}

/** The Service Connect side of the same minute (traffic-model.ts). */
export interface ServiceMinute {
  requests: number;
  errors: number;
  clientErrors: number;
  latencyAvgMs: number;
}

/** Seeded draws (traffic-model.ts): a binomial count and a uniform number in [0, 1). */
export interface Draws {
  binomial: (trials: number, probability: number) => number;
  random: () => number;
}

/**
 * The edge's minute: every request of the environment crosses its ALB; a backend 5xx reaches the client
 * as the frontend's 5xx; the frontend's own 5xx and the ALB's 502/504 come out of the otherwise good answers.
 */
export function edgeMinute(service: ServiceMinute, health: EdgeHealth, draws: Draws): EdgeMinute {
  let good = Math.max(0, service.requests - service.errors - service.clientErrors);
  const ownErrors = draws.binomial(good, health.errorRatePercent / 100);
  good -= ownErrors;
  const elbErrors = draws.binomial(good, health.elbErrorRatePercent / 100);
  const jitter = 1 + (draws.random() - 0.5) * 0.1;
  const latencyAvgMs = service.latencyAvgMs + health.ownLatencyMs * jitter;
  return {
    requests: service.requests,
    targetErrors: service.errors + ownErrors,
    elbErrors,
    clientErrors: service.clientErrors,
    latencyAvgMs,
    latencyMaxMs: latencyAvgMs * 3,
  };
}

/**
 * The minute's datapoints for one load balancer. An ALB reports a metric only when it has a nonzero value
 * (ELB user guide, "Reporting criteria"), so a count that stayed 0 publishes nothing, and an idle minute nothing at all.
 */
export function edgeDatums(loadBalancer: string, edge: EdgeMinute, minute: Date): MetricDatum[] {
  const Dimensions = [{ Name: 'LoadBalancer', Value: loadBalancer }];
  const answered = edge.requests - edge.elbErrors;
  const counts: [string, number][] = [
    ['RequestCount', edge.requests],
    ['HTTPCode_Target_2XX_Count', answered - edge.targetErrors - edge.clientErrors],
    ['HTTPCode_Target_4XX_Count', edge.clientErrors],
    ['HTTPCode_Target_5XX_Count', edge.targetErrors],
    ['HTTPCode_ELB_5XX_Count', edge.elbErrors],
  ];
  const data: MetricDatum[] = counts
    .filter(([, value]) => value > 0)
    .map(([MetricName, Value]) => ({
      MetricName,
      Dimensions,
      Timestamp: minute,
      Value,
      Unit: 'Count',
    }));
  // TargetResponseTime: one sample per request a target answered (an ELB 502/504 has no target response).
  if (answered > 0) {
    const averageSeconds = edge.latencyAvgMs / 1_000;
    data.push({
      MetricName: 'TargetResponseTime',
      Dimensions,
      Timestamp: minute,
      Unit: 'Seconds',
      StatisticValues: {
        SampleCount: answered,
        Sum: averageSeconds * answered,
        Minimum: averageSeconds / 3,
        Maximum: edge.latencyMaxMs / 1_000,
      },
    });
  }
  return data;
}
