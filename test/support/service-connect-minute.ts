/**
 * One minute of a healthy Service Connect target as moto is fed it (PutMetricData): 400 2xx, 70 ms average,
 * and, where a test needs it, the service's RequestCount. Shared by the handler tests that read over moto.
 */
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';

export function serviceConnectMinute(
  name: string,
  Timestamp: Date,
  options: { requestCount?: boolean } = {}
): MetricDatum[] {
  const target = [{ Name: 'TargetDiscoveryName', Value: name }];
  return [
    { MetricName: 'HTTPCode_Target_2XX_Count', Dimensions: target, Timestamp, Value: 400 },
    ...(options.requestCount === true
      ? [
          {
            MetricName: 'RequestCount',
            Dimensions: [{ Name: 'DiscoveryName', Value: name }],
            Timestamp,
            Value: 400,
          },
        ]
      : []),
    {
      MetricName: 'TargetResponseTime',
      Dimensions: target,
      Timestamp,
      StatisticValues: { SampleCount: 400, Sum: 400 * 70, Minimum: 20, Maximum: 300 },
    },
  ];
}
