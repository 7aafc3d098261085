/**
 * One batched GetMetricData read: every query of an evaluation in one call (split only beyond the 500-query
 * quota, keeping a math expression with its inputs), NextToken followed, every message read.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { packGroups, type Series, type SeriesQuery } from '../core/sources.ts';
import type { TimeWindow } from '../core/types.ts';

/** `MetricDataQuery` structures per GetMetricData call: a fixed AWS quota (aws-facts.md §3.1). */
export const MAX_QUERIES_PER_CALL = 500;

/** Pages of one GetMetricData call we follow (a window of <= 3,600 s never needs more than one). */
const MAX_PAGES = 20;

export interface BatchQuery {
  query: MetricDataQuery;
  label: string;
  /** A failure of an optional query only drops its series (p99 where a source has none). */
  optional: boolean;
  /** Queries of one group travel in the same call (a math expression and its inputs). */
  group: string;
}

/** A reading that cannot be trusted: the message names the query and CloudWatch's words. */
export class Unavailable extends Error {
  override name = 'Unavailable' as const;
}

/** Why a read failed, for its `unavailable` reading: our own message, or the SDK error's name and first line. */
export function unavailableReason(error: unknown): string {
  if (error instanceof Unavailable) return error.message;
  const described =
    error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
  return `GetMetricData failed: ${described}`;
}

export interface BatchResult {
  series: Map<string, Series>;
  /** Optional queries that failed, with why. */
  failed: Map<string, string>;
}

/** A core `SeriesQuery` as the SDK's MetricDataQuery (no Unit: CloudWatch does not convert units). */
export function toMetricDataQuery(query: SeriesQuery): MetricDataQuery {
  if (query.expression !== undefined) {
    return {
      Id: query.id,
      Expression: query.expression,
      Label: query.label,
      Period: query.period,
      ReturnData: query.returnData,
    };
  }
  const stat = query.metricStat;
  return {
    Id: query.id,
    MetricStat: {
      Metric: {
        Namespace: stat?.namespace,
        MetricName: stat?.metricName,
        Dimensions: (stat?.dimensions ?? []).map((d) => ({ Name: d.name, Value: d.value })),
      },
      Period: query.period,
      Stat: stat?.stat,
    },
    ReturnData: query.returnData,
  };
}

/** The batch group of a core query: a custom query's inputs share the expression's id prefix. */
export function groupOf(query: SeriesQuery): string {
  return query.id.startsWith('xc') ? (query.id.split('_')[0] ?? query.id) : query.id;
}

const messagesOf = (
  messages: readonly { Code?: string | undefined; Value?: string | undefined }[] | undefined
) => (messages ?? []).map((m) => `${m.Code ?? ''} ${m.Value ?? ''}`.trim());

/**
 * Runs `queries` over `window`: one call per 500 queries (one call in practice), pages followed. Throws
 * `Unavailable` for a top-level message or a required query's message or incomplete status, and the SDK
 * error as is; optional queries' failures land in `failed`.
 */
export async function fetchMetricData(
  client: CloudWatchClient,
  queries: readonly BatchQuery[],
  window: TimeWindow
): Promise<BatchResult> {
  const series = new Map<string, Series>();
  const failed = new Map<string, string>();
  let calls: BatchQuery[][];
  try {
    calls = packGroups(queries, (q) => q.group, MAX_QUERIES_PER_CALL);
  } catch (error) {
    throw new Unavailable(error instanceof Error ? error.message : String(error));
  }
  for (const call of calls) {
    const byId = new Map(call.map((q) => [q.query.Id ?? '', q]));
    const status = new Map<string, string>();
    let nextToken: string | undefined;
    let page = 0;
    do {
      if (page++ >= MAX_PAGES)
        throw new Unavailable(`GetMetricData: more than ${MAX_PAGES} pages; giving up`);
      const out: GetMetricDataCommandOutput = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: call.map((q) => q.query),
          StartTime: new Date(window.start),
          EndTime: new Date(window.end),
          ...(nextToken ? { NextToken: nextToken } : {}),
        })
      );
      const messages = messagesOf(out.Messages);
      if (messages.length > 0) throw new Unavailable(`GetMetricData: ${messages.join('; ')}`);
      for (const result of out.MetricDataResults ?? []) {
        const id = result.Id ?? '';
        const planned = byId.get(id);
        const resultMessages = messagesOf(result.Messages);
        if (resultMessages.length > 0) {
          if (planned?.optional) failed.set(id, resultMessages.join('; '));
          else throw new Unavailable(`${planned?.label ?? id}: ${resultMessages.join('; ')}`);
        }
        // PartialData with a NextToken means "more pages"; only the status of the last page counts.
        status.set(id, result.StatusCode ?? 'Complete');
        const entry = series.get(id) ?? { timestamps: [], values: [] };
        (result.Timestamps ?? []).forEach((timestamp, i) => {
          const value = result.Values?.[i];
          if (value === undefined) return;
          entry.timestamps.push(new Date(timestamp).getTime());
          entry.values.push(value);
        });
        series.set(id, entry);
      }
      nextToken = out.NextToken;
    } while (nextToken);
    for (const q of call) {
      const id = q.query.Id ?? '';
      if (q.query.ReturnData === false || failed.has(id)) continue;
      const code = status.get(id);
      const problem =
        code === undefined ? 'no result returned' : code === 'Complete' ? null : `status ${code}`;
      if (problem === null) continue;
      if (!q.optional) throw new Unavailable(`${q.label}: ${problem}`);
      failed.set(id, problem);
      series.delete(id);
    }
  }
  for (const id of failed.keys()) series.delete(id);
  return { series, failed };
}

/**
 * `fetchMetricData`, and when the whole call fails while it held optional queries, once more without them:
 * an endpoint that rejects a percentile outright (moto answers HTTP 500) then only loses those series.
 */
export async function fetchWithOptionalFallback(
  client: CloudWatchClient,
  queries: readonly BatchQuery[],
  window: TimeWindow
): Promise<BatchResult> {
  try {
    return await fetchMetricData(client, queries, window);
  } catch (error) {
    const optional = queries.filter((q) => q.optional);
    if (optional.length === 0) throw error;
    const reason =
      error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
    const result = await fetchMetricData(
      client,
      queries.filter((q) => !q.optional),
      window
    );
    for (const q of optional) result.failed.set(q.query.Id ?? '', reason);
    return result;
  }
}
