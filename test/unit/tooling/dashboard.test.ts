/**
 * The CloudWatch dashboard (template.yaml's DashboardBody) as data: Logs Insights widgets only (no custom
 * metric is published), each reading log groups of the template's functions; the error rate and latency show
 * green beside blue for each metric source, each line reading only its own source's and side's fields; the
 * absolute limits are constant series at the input defaults and the blue-relative limits use the baseline
 * defaults. That the fields are the ones the handlers log: test/unit/handlers/dashboard-fields.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseMigrationInput } from '../../../functions/core/input.ts';
import { DASHBOARD_SOURCES, fieldPrefix } from '../../../functions/lib/dashboard-fields.ts';
import {
  dashboardWidgets,
  fieldsRead,
  functionLoggingTo,
  sourcesOf,
  statsOf,
  templateResources,
  widgetTitled,
} from '../../support/dashboard-queries.ts';
import { draft } from '../core/fixtures.ts';

const defaults = parseMigrationInput(draft()).thresholds;
/** The alias suffix of each source's lines. */
const SUFFIX: Record<(typeof DASHBOARD_SOURCES)[number], string> = {
  serviceConnect: 'ServiceConnect',
  edge: 'Edge',
};
const rate = (prefix: string) => `100 * sum(${prefix}Errors5xx) / sum(${prefix}Requests)`;

describe('the dashboard body', () => {
  it('has only Logs Insights time series over the log groups of template functions', () => {
    // Prepare
    const resources = templateResources();

    // Assess
    expect(dashboardWidgets()).toHaveLength(5);
    for (const one of dashboardWidgets()) {
      expect(one.type, one.properties.title).toBe('log');
      expect(one.properties).toMatchObject({ region: 'us-east-1', view: 'timeSeries' });
      expect(one.properties.query).toMatch(/^SOURCE '/);
      expect(one.properties.query).toMatch(/\| stats .* by bin\(\d+m\)/);
      const sources = sourcesOf(one.properties.query);
      expect(sources.length, one.properties.title).toBeGreaterThan(0);
      for (const id of sources) expect(resources[id]?.Type, id).toBe('AWS::Serverless::Function');
    }
  });

  it("each plotted line reads only its own side's and source's fields, both sides for each source", () => {
    for (const title of [/error rate/, /response time/, /Requests per judged window/]) {
      // Prepare
      const { aggregations } = statsOf(widgetTitled(title).properties.query);

      // Assess
      for (const source of DASHBOARD_SOURCES)
        for (const side of ['green', 'blue'] as const) {
          const expression = aggregations.get(`${side}${SUFFIX[source]}`);
          expect(expression, `${title} ${side} ${source}`).toBeDefined();
          const fields = fieldsRead(`stats ${expression} as x`).numeric;
          expect(fields.length).toBeGreaterThan(0);
          for (const field of fields)
            expect(field).toMatch(new RegExp(`^${fieldPrefix(source, side)}[A-Z]`));
        }
    }
  });

  it('the error rate divides the summed counts, green beside blue for each source', () => {
    // Prepare
    const { aggregations } = statsOf(widgetTitled(/error rate/).properties.query);

    // Assess
    for (const source of DASHBOARD_SOURCES)
      for (const side of ['green', 'blue'] as const)
        expect(aggregations.get(`${side}${SUFFIX[source]}`)).toBe(rate(fieldPrefix(source, side)));
  });

  it('the absolute limits are constant series at the input defaults', () => {
    // Assess
    expect(
      statsOf(widgetTitled(/error rate/).properties.query).aggregations.get('errorRateMaxPercent')
    ).toBe(`${defaults.errorRateMaxPercent} + 0 * count(*)`);
    expect(
      statsOf(widgetTitled(/Requests per judged window/).properties.query).aggregations.get(
        'minRequests'
      )
    ).toBe(`${defaults.minRequests} + 0 * count(*)`);
  });

  it("the blue-relative limits are blue's figure with the baseline defaults", () => {
    // Prepare
    const {
      errorRateMaxRatio,
      errorRateMinDeltaPercent,
      latencyAvgMaxRatio,
      latencyAvgMinDeltaMs,
    } = defaults.baseline;
    const errors = statsOf(widgetTitled(/error rate/).properties.query).aggregations;
    const latency = statsOf(widgetTitled(/response time/).properties.query).aggregations;

    // Assess
    for (const source of DASHBOARD_SOURCES) {
      const blue = fieldPrefix(source, 'blue');
      expect(errors.get(`blueRelativeLimit${SUFFIX[source]}`)).toBe(
        `greatest(${rate(blue)} * ${errorRateMaxRatio}, ${rate(blue)} + ${errorRateMinDeltaPercent})`
      );
      expect(latency.get(`blueRelativeLimit${SUFFIX[source]}`)).toBe(
        `greatest(avg(${blue}LatencyMs) * ${latencyAvgMaxRatio}, avg(${blue}LatencyMs) + ${latencyAvgMinDeltaMs})`
      );
    }
  });

  it('every function logs to a log group the template declares, under a stack-unique name with a retention', () => {
    // Prepare
    const resources = templateResources();
    const functions = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::Serverless::Function'
    );

    // Assess: the groups exist from the deployment on (a query naming a missing group fails as a whole),
    // never under Lambda's default /aws/lambda/ names (an older stack's functions already created those).
    expect(functions.length).toBeGreaterThan(0);
    for (const [id, resource] of functions) {
      const group = (resource.Properties['LoggingConfig'] as { LogGroup?: { Ref?: string } })
        ?.LogGroup?.Ref;
      expect(group, id).toBeDefined();
      const declared = resources[group as string];
      expect(declared?.Type, id).toBe('AWS::Logs::LogGroup');
      expect(declared?.Properties['LogGroupName'], id).toEqual({
        'Fn::Sub': `/traffic-shift/\${AWS::StackName}/${id.replace(/Function$/, '')}`,
      });
      expect(declared?.Properties['RetentionInDays'], id).toEqual(expect.any(Number));
      expect(functionLoggingTo(group as string)).toBe(id);
    }
  });

  it('the widgets read the per-minute lines, never the evaluated audit line', () => {
    for (const title of [/error rate/, /response time/, /Requests per judged window/, /Verdicts/])
      expect(fieldsRead(widgetTitled(title).properties.query).text.get('message'), `${title}`).toBe(
        'minute judged'
      );
  });

  it('the weight line is per migration, the verdicts per verdict', () => {
    // Assess
    expect(statsOf(widgetTitled(/Green weight/).properties.query).by).toEqual(['migrationId']);
    expect(statsOf(widgetTitled(/Verdicts/).properties.query).by).toEqual(['verdict']);
  });
});
