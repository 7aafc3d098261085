/**
 * Judges the custom CloudWatch queries (`metrics.queries`): each side's value over the window against the
 * query's limit in its direction, and green against blue's value when a `baselineRatio` is set.
 */
import { count } from './checks.ts';
import type { CustomQuery } from './input-sources.ts';
import { customId, type Series, type Side } from './sources.ts';
import { type Assessment, Verdict } from './types.ts';

export const customSource = (label: string): string => `custom:${label}`;

const VALUE = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/**
 * The window's value: the worst datapoint in the query's direction (one datapoint when the period is the
 * window, which is how the adapter asks); null without datapoints.
 */
export function worstValue(series: Series | undefined, badWhen: 'above' | 'below'): number | null {
  if (series === undefined || series.values.length === 0) return null;
  return badWhen === 'above' ? Math.max(...series.values) : Math.min(...series.values);
}

/** Whether `value` is on the bad side of `limit` (the limit itself is fine). */
export function breaches(value: number, limit: number, badWhen: 'above' | 'below'): boolean {
  return badWhen === 'above' ? value > limit : value < limit;
}

function judge(
  query: CustomQuery,
  side: Side,
  series: Series | undefined,
  limit: number,
  limitText: string,
  check: string
): Assessment {
  const base = {
    check,
    scope: query.label,
    limit,
    source: customSource(query.label),
    side,
    // Blue's figures are shown beside green's; blue's health never rolls green back.
    counted: side === 'green',
  };
  const value = worstValue(series, query.badWhen);
  const points = series?.values.length ?? 0;
  if (value === null) {
    return {
      ...base,
      verdict: Verdict.Inconclusive,
      value: null,
      sampleSize: 0,
      reason: `custom:${query.label} (${side}): no datapoints in the window: no evidence`,
    };
  }
  const bad = breaches(value, limit, query.badWhen);
  const operator = bad
    ? query.badWhen === 'above'
      ? '>'
      : '<'
    : query.badWhen === 'above'
      ? '<='
      : '>=';
  return {
    ...base,
    verdict: bad ? Verdict.Fail : Verdict.Pass,
    value,
    sampleSize: points,
    reason: `custom:${query.label} (${side}) ${VALUE.format(value)} ${operator} ${limitText} (${count(points)} datapoint${points === 1 ? '' : 's'})`,
  };
}

/**
 * The assessments of every custom query. `failed` holds the ids whose read failed (an Error, counted for
 * green). With side both and a `baselineRatio`, green is also judged against blue's value x ratio (bad
 * above) or / ratio (bad below); without a blue value that comparison is uncounted.
 */
export function assessCustom(
  queries: readonly CustomQuery[],
  series: Record<string, Series>,
  failed: Record<string, string>
): Assessment[] {
  return queries.flatMap((query, index) => {
    const sides = (['green', 'blue'] as const).filter((side) => query[side] !== undefined);
    const own = sides.map((side) => {
      const id = customId(index, side);
      const failure = failed[id];
      if (failure !== undefined) {
        return {
          check: 'custom',
          scope: query.label,
          verdict: Verdict.Error,
          value: null,
          limit: query.limit,
          sampleSize: 0,
          counted: side === 'green',
          reason: `custom:${query.label} (${side}) unavailable: ${failure}`,
          source: customSource(query.label),
          side,
        } satisfies Assessment;
      }
      return judge(query, side, series[id], query.limit, VALUE.format(query.limit), 'custom');
    });
    const ratio = query.baselineRatio;
    if (ratio === undefined) return own;
    const blueValue = worstValue(series[customId(index, 'blue')], query.badWhen);
    if (blueValue === null) {
      return [
        ...own,
        {
          check: 'customBaseline',
          scope: query.label,
          verdict: Verdict.Inconclusive,
          value: null,
          limit: null,
          sampleSize: 0,
          counted: false,
          reason: `custom:${query.label}: no blue value in the window: no baseline`,
          source: customSource(query.label),
          side: 'green',
        },
      ];
    }
    const limit = query.badWhen === 'above' ? blueValue * ratio : blueValue / ratio;
    const text = `baseline ${VALUE.format(limit)} (blue ${VALUE.format(blueValue)} ${query.badWhen === 'above' ? 'x' : '/'} ${count(ratio)})`;
    return [
      ...own,
      judge(query, 'green', series[customId(index, 'green')], limit, text, 'customBaseline'),
    ];
  });
}
