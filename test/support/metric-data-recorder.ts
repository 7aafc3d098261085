import type { CloudWatchClient, MetricDataQuery } from '@aws-sdk/client-cloudwatch';

export interface MetricDataCall {
  /** StartTime and EndTime of the request, ISO-8601. */
  start: string;
  end: string;
  /** What CloudWatch bills: one metric per query. */
  queries: MetricDataQuery[];
}

/** Records every GetMetricData request the client sends, in order (before it is sent). */
export function recordMetricDataCalls(cloudwatch: CloudWatchClient): MetricDataCall[] {
  const calls: MetricDataCall[] = [];
  cloudwatch.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as {
        MetricDataQueries?: MetricDataQuery[];
        StartTime?: Date;
        EndTime?: Date;
      };
      if (input.MetricDataQueries !== undefined)
        calls.push({
          start: input.StartTime?.toISOString() ?? '',
          end: input.EndTime?.toISOString() ?? '',
          queries: input.MetricDataQueries,
        });
      return next(args);
    },
    { step: 'initialize', name: 'recordMetricDataCalls' }
  );
  return calls;
}
