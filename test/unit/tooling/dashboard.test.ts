/**
 * The CloudWatch dashboard (template.yaml's DashboardBody) as data: every metric-math expression names ids
 * defined in its widget, the error rate and latency show green beside blue for each metric source, the
 * absolute limits are annotations at the input defaults, the blue-relative limits use the baseline defaults,
 * and every metric the dashboard searches for is one the handlers publish (functions/lib/dashboard-metrics.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import { parseTemplate } from '../../support/cfn-template.ts';
import { draft } from '../core/fixtures.ts';

const ROOT = join(import.meta.dirname, '../../..');

interface MetricRow {
  id: string;
  expression: string;
  label?: string;
  visible?: boolean;
}
interface Widget {
  type: string;
  properties: {
    title: string;
    metrics: [MetricRow][];
    annotations?: { horizontal?: { label: string; value: number }[] };
  };
}

function dashboard(): Widget[] {
  const template = parseTemplate(join(ROOT, 'template.yaml')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const resource = Object.values(template.Resources).find(
    (one) => one.Type === 'AWS::CloudWatch::Dashboard'
  );
  if (resource === undefined) throw new Error('template.yaml has no dashboard');
  const body = (resource.Properties['DashboardBody'] as { 'Fn::Sub': string })['Fn::Sub'];
  // The body's only substitution is the region.
  const region = ['$', '{AWS::Region}'].join('');
  return (JSON.parse(body.replaceAll(region, 'us-east-1')) as { widgets: Widget[] }).widgets;
}

const widget = (title: RegExp) => {
  const found = dashboard().find((one) => title.test(one.properties.title));
  if (found === undefined) throw new Error(`no widget titled ${title}`);
  return found;
};
const rows = (one: Widget) => one.properties.metrics.map(([row]) => row);
/** The ids an expression refers to: lower-case words outside quotes (functions are upper-case). */
const references = (expression: string) =>
  expression
    .replace(/'[^']*'/g, '')
    .replace(/"[^"]*"/g, '')
    .match(/\b[a-z][A-Za-z0-9_]*\b/g) ?? [];

const defaults = parseMigrationInput(draft()).thresholds;

/** The SEARCH strings behind a row: its own, and those of the rows it refers to. */
function searchesBehind(one: Widget, row: MetricRow): string[] {
  const byId = new Map(rows(one).map((each) => [each.id, each]));
  const own = [...row.expression.matchAll(/SEARCH\('([^']*)'/g)].map((m) => m[1] ?? '');
  return [
    ...own,
    ...references(row.expression).flatMap((id) => {
      const referred = byId.get(id);
      return referred === undefined ? [] : searchesBehind(one, referred);
    }),
  ];
}

const SOURCE_OF_LABEL: Record<string, string> = {
  'Service Connect': 'serviceConnect',
  'edge load balancers': 'edge',
};

describe('the dashboard body', () => {
  it('every expression refers only to ids defined in its own widget, and ids are unique there', () => {
    for (const one of dashboard()) {
      // Prepare
      const ids = rows(one).map((row) => row.id);

      // Assess
      expect(new Set(ids).size, one.properties.title).toBe(ids.length);
      for (const row of rows(one))
        for (const id of references(row.expression))
          expect(ids, `${one.properties.title}: ${row.expression}`).toContain(id);
    }
  });

  it("each plotted line reads its own side's and source's metrics, both sides for each source", () => {
    for (const title of [/error rate/, /response time/, /Requests per evaluation/]) {
      // Prepare
      const one = widget(title);
      const plotted = rows(one).filter((row) => /^(green|blue) /.test(row.label ?? ''));

      // Assess
      expect(plotted.length, String(title)).toBe(4);
      for (const row of plotted) {
        const side = (row.label ?? '').split(' ')[0];
        const source = SOURCE_OF_LABEL[(row.label ?? '').match(/\(([^)]+)\)$/)?.[1] ?? ''];
        const searches = searchesBehind(one, row);
        expect(searches.length, row.id).toBeGreaterThan(0);
        for (const search of searches)
          expect(search, `${row.id} (${row.label})`).toContain(`Side="${side}" Source="${source}"`);
      }
    }
  });

  it('the error rate is metric math over the published counts, green beside blue for each source', () => {
    // Prepare
    const errors = widget(/error rate/);
    const rates = rows(errors).filter(
      (row) => row.id.startsWith('rate') && !row.id.includes('Limit')
    );

    // Assess
    for (const source of ['serviceConnect', 'edge'])
      for (const side of ['green', 'blue'])
        expect(
          rows(errors).some((row) => row.expression.includes(`Side="${side}" Source="${source}"`)),
          `${side} ${source}`
        ).toBe(true);
    expect(rates.map((row) => row.label)).toEqual([
      'green 5xx % (Service Connect)',
      'blue 5xx % (Service Connect)',
      'green 5xx % (edge load balancers)',
      'blue 5xx % (edge load balancers)',
    ]);
    for (const rate of rates)
      expect(rate.expression).toMatch(/^100 \* SUM\(err\w+\) \/ SUM\(req\w+\)$/);
    for (const hidden of rows(errors).filter((row) => row.expression.startsWith('SEARCH')))
      expect(hidden.visible).toBe(false);
  });

  it('the absolute limits are annotations at the input defaults', () => {
    // Assess
    expect(widget(/error rate/).properties.annotations?.horizontal).toEqual([
      expect.objectContaining({ value: defaults.errorRateMaxPercent }),
    ]);
    expect(widget(/Requests per evaluation/).properties.annotations?.horizontal).toEqual([
      expect.objectContaining({ value: defaults.minRequests }),
    ]);
  });

  it("the blue-relative limits are blue's figure with the baseline defaults", () => {
    // Prepare
    const {
      errorRateMaxRatio,
      errorRateMinDeltaPercent,
      latencyAvgMaxRatio,
      latencyAvgMinDeltaMs,
    } = defaults.baseline;
    const limit = (one: Widget, prefix: string) =>
      rows(one)
        .filter((row) => row.id.startsWith(prefix))
        .map((row) => row.expression);

    // Assess
    expect(limit(widget(/error rate/), 'rateLimit')).toEqual([
      `MAX([rateBlueSc * ${errorRateMaxRatio}, rateBlueSc + ${errorRateMinDeltaPercent}])`,
      `MAX([rateBlueEdge * ${errorRateMaxRatio}, rateBlueEdge + ${errorRateMinDeltaPercent}])`,
    ]);
    expect(limit(widget(/response time/), 'latLimit')).toEqual([
      `MAX([latBlueSc * ${latencyAvgMaxRatio}, latBlueSc + ${latencyAvgMinDeltaMs}])`,
      `MAX([latBlueEdge * ${latencyAvgMaxRatio}, latBlueEdge + ${latencyAvgMinDeltaMs}])`,
    ]);
  });

  it('searches only for metrics the handlers publish', () => {
    // Prepare
    const published = readFileSync(join(ROOT, 'functions/lib/dashboard-metrics.ts'), 'utf8');
    const verdicts = readFileSync(join(ROOT, 'functions/handlers/evaluate-metrics.ts'), 'utf8');
    const searched = new Set(
      dashboard().flatMap((one) =>
        rows(one).flatMap((row) =>
          [...row.expression.matchAll(/MetricName="(\w+)"/g)].map((m) => m[1])
        )
      )
    );

    // Assess
    expect([...searched].sort()).toEqual([
      'Errors5xx',
      'GreenPercent',
      'LatencyAvg',
      'Requests',
      'Verdicts',
    ]);
    for (const name of searched)
      expect(published.includes(`'${name}'`) || verdicts.includes(`'${name}'`), name).toBe(true);
  });
});
