/**
 * The report's panels beyond the green line: figures per metric source, side and discovery name (from the
 * assessments' optional `source`/`side`), the request volume against minRequests, the waits, the UTC axis,
 * the links, and the self-check that catches a report whose parts disagree.
 */
import { describe, expect, it } from 'vitest';
import { reportFromHistories } from '../../cli/history-report.ts';
import type { EngineEvent } from '../../cli/local-engine.ts';
import type { RunReport, TimelinePoint } from '../../cli/rehearsal.ts';
import { linksOf } from '../../cli/report/links.ts';
import { seriesOf, sourcesOf } from '../../cli/report/metric-series.ts';
import { headlinesOf, renderReport, selfCheck } from '../../cli/report.ts';
import { TimelineRecorder } from '../../cli/timeline-recorder.ts';
import type { RunState } from '../../functions/core/state.ts';
import type { Assessment, Evaluation } from '../../functions/core/types.ts';
import { figuresOf } from '../../functions/lib/evaluation-figures.ts';
import { HistoryScript } from './scripted-history.ts';

const START = new Date('2026-03-02T09:00:00Z');

function history(build: (script: HistoryScript) => HistoryScript): RunReport {
  const script = build(new HistoryScript('orders-api-1', START));
  return reportFromHistories([{ executionArn: script.executionArn, events: script.events }]);
}

const rolledBack = () =>
  history((s) =>
    s.shift().evaluateUntilDecided(2_000, 2).shift().evaluateUntilDecided(2_000, 120).rollback()
  );

const assessment = (over: Partial<Assessment> & { source?: string; side?: 'green' | 'blue' }) =>
  ({
    check: 'errorRate',
    scope: 'overall',
    verdict: 'Pass',
    value: 0.5,
    limit: 1,
    sampleSize: 400,
    counted: true,
    reason: '',
    ...over,
  }) as Assessment;

/** Adds edge figures (green and blue, overall and one load balancer) to every evaluation. */
function withEdgeSource(report: RunReport): RunReport {
  const timeline: TimelinePoint[] = report.timeline.map((point, index) => ({
    ...point,
    samples: [
      ...(point.samples ?? []),
      {
        source: 'edge',
        side: 'green',
        scope: 'overall',
        check: 'errorRate',
        value: 0.4 + index / 10,
        limit: 1,
        requests: 900,
        verdict: 'Pass',
      },
      {
        source: 'edge',
        side: 'blue',
        scope: 'overall',
        check: 'errorRate',
        value: 0.2,
        limit: null,
        requests: 9_000,
        verdict: 'Pass',
      },
      {
        source: 'edge',
        side: 'blue',
        scope: 'app/blue-alb/1',
        check: 'latencyAvg',
        value: 90,
        limit: null,
        requests: 9_000,
        verdict: 'Pass',
      },
    ],
  }));
  return { ...report, timeline };
}

describe('samples per source, side and scope', () => {
  it('an assessment without source or side is Service Connect and green; baseline checks are not figures', () => {
    // Prepare
    const evaluation: Evaluation = {
      verdict: 'Pass',
      reason: '',
      window: { start: '2026-03-02T09:00:00.000Z', end: '2026-03-02T09:05:00.000Z' },
      assessments: [
        assessment({}),
        assessment({ scope: 'orders', value: 0.7 }),
        assessment({ check: 'baselineErrorRate', value: 0.5, limit: 0.9 }),
        assessment({ source: 'edge', side: 'blue', value: 0.1, sampleSize: 8_000 }),
        assessment({ check: 'latencyAvg', value: null }),
      ],
      blueLatency: { avgMs: 80, samples: 7_000, windowEnd: '2026-03-02T09:05:00.000Z' },
    };

    // Act
    const samples = figuresOf(evaluation);

    // Assess
    expect(samples.map((s) => `${s.source}/${s.side}/${s.scope}/${s.check}=${s.value}`)).toEqual([
      'serviceConnect/green/overall/errorRate=0.5',
      'serviceConnect/green/orders/errorRate=0.7',
      'edge/blue/overall/errorRate=0.1',
      'serviceConnect/blue/overall/latencyAvg=80',
    ]);
  });

  it("blue's remembered latency from an older window is not this window's figure", () => {
    // Prepare
    const evaluation: Evaluation = {
      verdict: 'Pass',
      reason: '',
      window: { start: '2026-03-02T09:05:00.000Z', end: '2026-03-02T09:10:00.000Z' },
      assessments: [],
      blueLatency: { avgMs: 80, samples: 7_000, windowEnd: '2026-03-02T09:05:00.000Z' },
    };

    // Act / Assess
    expect(figuresOf(evaluation)).toEqual([]);
  });

  it('the chart draws one line group per source, side and scope, and the legend names each source', () => {
    // Prepare
    const report = withEdgeSource(rolledBack());

    // Act
    const html = renderReport(report);

    // Assess
    expect(sourcesOf(report)).toEqual(['serviceConnect', 'edge']);
    expect(seriesOf(report, 'errorRate').map((s) => s.key)).toContain('edge/blue/overall');
    expect(html).toContain('id="error-rate-series-edge-green-overall"');
    expect(html).toContain('id="error-rate-series-edge-blue-overall"');
    expect(html).toContain('id="latency-series-edge-blue-app-blue-alb-1"');
    expect(html).toMatch(/class="series series-blue"[^>]*stroke-dasharray="8 4"/);
    expect(html).toContain('class="key source-key"');
    expect(html).toMatch(/source-key.*edge/);
  });

  it('discovery names of the run are drawn beside the overall figure', () => {
    // Prepare
    const report = rolledBack();

    // Act
    const html = renderReport(report);

    // Assess
    const scopes = seriesOf(report, 'errorRate').map((s) => s.scope);
    expect(scopes[0]).toBe('overall');
    expect(scopes.length).toBeGreaterThan(1);
    for (const scope of scopes.filter((one) => one !== 'overall'))
      expect(html).toContain(`id="error-rate-series-serviceConnect-green-${scope}"`);
  });
});

describe('request volume, waits, axis and links', () => {
  it('a bar per evaluation with its request count, and the minRequests line below which a window holds', () => {
    // Prepare
    const report = rolledBack();

    // Act
    const html = renderReport(report);

    // Assess
    expect(html.match(/class="request-bar"/g)).toHaveLength(report.timeline.length);
    expect(html).toContain('id="min-requests"');
    expect(html).toContain('minRequests 50');
  });

  it('the waits after each shift are bands named INSYNC and TTL', () => {
    // Prepare
    const report = rolledBack();

    // Act
    const html = renderReport(report);

    // Assess
    expect(report.waits?.map((wait) => wait.kind)).toEqual(['insync', 'ttl', 'insync', 'ttl']);
    expect(html.match(/class="wait wait-insync"/g)).toHaveLength(2);
    expect(html).toMatch(/id="restored-label"[^>]*>restored: 0% green</);
    expect(html).toContain('metric period');
  });

  it('the time axis shows UTC clock times with the offset from the start under them', () => {
    // Act
    const html = renderReport(rolledBack());

    // Assess
    expect(html).toContain('class="tick utc-tick" x="78" y="');
    expect(html).toMatch(/utc-tick[^>]*>03-02 09:00</);
    expect(html).toMatch(/since-tick[^>]*>start</);
    expect(html).toContain('time in UTC (2026-03-02)');
  });

  it('a deployed run links its console page and dashboard; a local run says it is local', () => {
    // Prepare
    const deployed = rolledBack();
    const { deployed: _deployed, ...local } = deployed;

    // Act
    const links = linksOf(deployed);

    // Assess
    expect(links.execution.url).toContain('/states/home?region=');
    expect(links.execution.url).toContain(deployed.executionArn);
    expect(links.dashboard.url).toMatch(
      /cloudwatch\/home\?region=[a-z0-9-]+#dashboards\/dashboard\//
    );
    expect(linksOf(local).execution.url).toBeNull();
    expect(renderReport(local)).toContain('a local run');
    expect(renderReport(deployed)).toContain('id="dashboard-link" href="https://');
  });
});

describe('self-check', () => {
  it('a consistent report: headlines from the green series and no disagreement', () => {
    // Prepare
    const report = rolledBack();

    // Act
    const headlines = headlinesOf(report);

    // Assess
    expect(headlines).toMatchObject({
      peakGreen: 50,
      endGreen: 0,
      snapshotGreen: 0,
      stepsTaken: 2,
    });
    expect(selfCheck(report)).toEqual([]);
    expect(renderReport(report)).not.toContain('id="self-check"');
  });

  it('catches "completed" with green at 0 % and no shift, and says so on the page', () => {
    // Prepare: a completed outcome whose shifts were lost and whose records read 100 % blue.
    const report = rolledBack();
    const contradictory: RunReport = {
      ...report,
      outcome: 'completed',
      markers: report.markers.filter((marker) => marker.kind !== 'shift'),
    };

    // Act
    const problems = selfCheck(contradictory);
    const html = renderReport(contradictory);

    // Assess
    expect(problems).toEqual([
      'the outcome is "completed" but green ends at 0 %, not 100 %',
      'the outcome is "completed" but no shift was recorded',
      'an evaluation judged green at 50 % but the green line peaks at 0 %',
    ]);
    expect(html).toContain('id="self-check"');
    expect(html).toContain('Green took 0 % of the traffic');
    expect(html).not.toContain('Green took 100 %');
  });

  it('the peak counts the share the records end at, not only the shifts this report saw', () => {
    // Prepare: records read at 100 % green although this report recorded no shift (the old "peak 0 %").
    const report = rolledBack();
    const atFull = report.snapshot.map((pair) => ({
      ...pair,
      blue: { ...pair.blue, Weight: 0 },
      green: { ...pair.green, Weight: 100 },
    }));
    const noShifts: RunReport = {
      ...report,
      outcome: 'completed',
      finalPairs: atFull,
      atSnapshot: false,
      markers: report.markers.filter((marker) => marker.kind !== 'shift'),
    };

    // Act
    const html = renderReport(noShifts);

    // Assess
    expect(headlinesOf(noShifts)).toMatchObject({ peakGreen: 100, endGreen: 100 });
    expect(html).toContain('<span id="peak-green">100 %</span>');
    expect(html).toContain('Green took 100 % of the traffic');
    expect(selfCheck(noShifts)).toEqual(['the outcome is "completed" but no shift was recorded']);
  });

  it('catches "rolled back" with records away from the snapshot', () => {
    // Prepare
    const report = rolledBack();
    const [pair] = report.snapshot;
    const moved = {
      ...pair!,
      green: { ...pair!.green, Weight: 50 },
      blue: { ...pair!.blue, Weight: 50 },
    };

    // Act
    const problems = selfCheck({ ...report, finalPairs: [moved], atSnapshot: true });

    // Assess
    expect(problems).toEqual([
      'the outcome is "rolled back" but green ends at 50 %, not the snapshot\'s 0 %',
      'the records are said to be at the snapshot, but they give green 50 % and the snapshot 0 %',
    ]);
  });
});

describe('Class: TimelineRecorder waits', () => {
  const state = (waitSeconds: number, synced: boolean) =>
    ({
      snapshot: [],
      steps: [1, 100],
      expected: [],
      waitSeconds,
      change: { synced },
      input: { metrics: { periodSeconds: 60, publicationDelaySeconds: 150 } },
      status: { stepIndex: 0, greenPercent: 1, judgingFrom: '2026-03-02T09:03:30.000Z' },
    }) as unknown as RunState;
  const event = (name: string, at: string, output: RunState): EngineEvent => ({
    type: 'task-succeeded',
    executionArn: 'arn',
    state: name,
    at,
    output,
  });

  it('polls that find the change still PENDING extend one INSYNC wait; INSYNC starts the TTL wait', () => {
    // Prepare
    const recorder = new TimelineRecorder();

    // Act
    recorder.record(event('ShiftTraffic', '2026-03-02T09:00:00.000Z', state(60, false)));
    recorder.record(event('CheckDnsSync', '2026-03-02T09:01:00.000Z', state(30, false)));
    recorder.record(event('CheckDnsSync', '2026-03-02T09:01:30.000Z', state(300, true)));

    // Assess
    expect(recorder.waits.map(({ at, until, kind }) => ({ at, until, kind }))).toEqual([
      { at: '2026-03-02T09:00:00.000Z', until: '2026-03-02T09:01:30.000Z', kind: 'insync' },
      { at: '2026-03-02T09:01:30.000Z', until: '2026-03-02T09:06:30.000Z', kind: 'ttl' },
    ]);
  });

  it("the main line is green's overall Service Connect figure, whichever source is listed first", () => {
    // Prepare
    const recorder = new TimelineRecorder();
    const evaluated = {
      ...state(60, true),
      decision: { action: 'observe', reason: 'ok' },
      evaluation: {
        verdict: 'Pass',
        reason: 'ok',
        window: null,
        assessments: [
          assessment({ source: 'edge', value: 3, sampleSize: 900 }),
          assessment({ side: 'blue', value: 2, sampleSize: 5_000 }),
          assessment({ value: 0.25, sampleSize: 400 }),
        ],
      },
    } as unknown as RunState;

    // Act
    recorder.record(event('EvaluateMetrics', '2026-03-02T09:05:00.000Z', evaluated));

    // Assess
    expect(recorder.timeline[0]).toMatchObject({ errorRatePercent: 0.25, requests: 400 });
    expect(
      recorder.timeline[0]?.samples?.map((sample) => `${sample.source}/${sample.side}`)
    ).toEqual(['edge/green', 'serviceConnect/blue', 'serviceConnect/green']);
  });
});
