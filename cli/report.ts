/**
 * The run report: one self-contained HTML page (inline CSS and SVG, no scripts, no external assets) that a
 * person would rather look at than read logs. An outcome banner, a chart of the green weight over time with
 * the error rate and latency against their limits (verdicts colored, the rollback or abort marked), the
 * weights before and after, and every evaluation. This file lays out the page; the pieces live in report/:
 * format (text), series (data), chart-layout, chart-panels and chart (the SVG), page-sections, styles.
 * It re-exports what the CLI and the tests use, so they import from one place.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { policyLines } from './policy.ts';
import type { Outcome, RunReport } from './rehearsal.ts';
import { renderChart } from './report/chart.ts';
import {
  escapeHtml,
  formatCount,
  formatDuration,
  reasonLines,
  trimNumber,
  utc,
} from './report/format.ts';
import { linksRow } from './report/links.ts';
import {
  evaluationRows,
  legend,
  pairRows,
  stepsText,
  verdictCounts,
} from './report/page-sections.ts';
import { type Headlines, headlinesOf, selfCheck } from './report/self-check.ts';
import { CSS } from './report/styles.ts';

export { renderChart } from './report/chart.ts';
export { niceTicks } from './report/chart-layout.ts';
export { escapeHtml, formatDuration, reasonLines, trimNumber } from './report/format.ts';
export { type Headlines, headlinesOf, selfCheck } from './report/self-check.ts';
export { type GreenPoint, greenPercentOf, greenSeries } from './report/series.ts';

const OUTCOME_TEXT: Record<Outcome, string> = {
  completed: 'Completed',
  'rolled-back': 'Rolled back',
  aborted: 'Aborted',
  'stopped-on-drift': 'Stopped on drift',
  'invalid-input': 'Invalid input',
  refused: 'Refused',
  failed: 'Failed',
  running: 'Running',
};

const pct = (value: number) => `${trimNumber(value, 1)} %`;

/** The banner's sentence; its figures come from the same headlines as the stats under it. */
function subtitleOf(report: RunReport, headlines: Headlines): string {
  if (report.outcome === 'completed')
    return report.input?.mode === 'observe'
      ? 'Observe mode: every step was judged; the weights were not changed.'
      : `Green took ${pct(headlines.endGreen)} of the traffic and passed its final bake.`;
  if (report.outcome === 'rolled-back')
    return `The orchestrator restored the snapshot: green is back at ${pct(headlines.endGreen)}, blue has the traffic it had before the run.`;
  return OUTCOME_SUBTITLE[report.outcome];
}

const OUTCOME_SUBTITLE: Record<Exclude<Outcome, 'completed' | 'rolled-back'>, string> = {
  aborted: 'The execution was stopped; on-execution-end decided what happened to the weights.',
  'stopped-on-drift':
    'Someone else changed the weights during the run; the run stopped and left them.',
  'invalid-input': 'The input was refused before any write.',
  refused: 'Preflight refused the run before any write: the records are as they were.',
  failed: 'The execution failed.',
  running: 'The execution is still running; this is the state so far.',
};

/** Renders the report as one self-contained HTML page. Every text from the run is escaped. */
export function renderReport(report: RunReport): string {
  const start = Date.parse(report.startedAt);
  const duration = Date.parse(report.endedAt) - start;
  const reasons = reasonLines(report.reason)
    .map((part) => `<li>${escapeHtml(part)}</li>`)
    .join('');
  // Every headline from one derivation, checked against the rest of the report's data.
  const headlines = headlinesOf(report);
  const problems = selfCheck(report, headlines);
  const fails = headlines.fails;
  const stat = (label: string, value: string) =>
    `<div class="stat"><div class="label">${escapeHtml(label)}</div><div class="value">${value}</div></div>`;
  const limits = [
    `error rate ≤ ${trimNumber(report.limits.errorRateMaxPercent, 2)} %`,
    report.limits.latencyAvgMaxMs === null
      ? 'no absolute latency limit'
      : `latency avg ≤ ${trimNumber(report.limits.latencyAvgMaxMs, 0)} ms`,
    report.timeline.some((point) => typeof point.errorRateBaselineLimitPercent === 'number')
      ? 'and relative to blue (baseline)'
      : '',
  ]
    .filter((part) => part !== '')
    .join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)} — ${escapeHtml(OUTCOME_TEXT[report.outcome])}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header id="outcome" class="banner ${escapeHtml(report.outcome)}">
  <div class="badge">${escapeHtml(OUTCOME_TEXT[report.outcome])}</div>
  <div>
    <h1>${escapeHtml(report.title)}</h1>
    <p class="subtitle">${escapeHtml(subtitleOf(report, headlines))}</p>
    <ul class="reason">${reasons}</ul>
  </div>
</header>
${
  problems.length === 0
    ? ''
    : `<section id="self-check" class="card self-check"><h2>This report's data disagrees with itself</h2><ul>${problems
        .map((problem) => `<li>${escapeHtml(problem)}</li>`)
        .join('')}</ul></section>`
}
<section class="stats">
  ${stat('Peak green', `<span id="peak-green">${escapeHtml(pct(headlines.peakGreen))}</span>`)}
  ${stat('Green at the end', `<span id="end-green">${escapeHtml(pct(headlines.endGreen))}</span>`)}
  ${stat('Evaluations', `<span id="evaluation-count">${headlines.evaluations}</span>${fails > 0 ? ` <span style="color:#cf222e;font-size:15px">(${fails} Fail)</span>` : ''}`)}
  ${stat('Duration', escapeHtml(formatDuration(duration)))}
  ${stat('Steps taken', `${headlines.stepsTaken}${(report.plannedSteps ?? []).length > 0 ? ` <span class="muted" style="font-size:15px">of ${(report.plannedSteps ?? []).length}</span>` : ''}`)}
</section>
<section class="card">
  <h2>Green weight, waits, verdicts, error rate, latency and requests over time</h2>
  ${renderChart(report)}
  ${legend(report)}
</section>
<section class="card">
  <h2>Summary</h2>
  <table class="summary">
    <tr><th>Outcome</th><td><b>${escapeHtml(OUTCOME_TEXT[report.outcome])}</b> <span class="muted">(exit code ${report.exitCode})</span></td></tr>
    <tr><th>Migration</th><td class="mono">${escapeHtml(report.migrationId)}</td></tr>
    <tr><th>Execution</th><td class="mono">${escapeHtml(report.executionArn)}</td></tr>
    ${linksRow(report)}
    <tr><th>Started · ended</th><td>${escapeHtml(utc(report.startedAt))} · ${escapeHtml(utc(report.endedAt))} <span class="muted">(${escapeHtml(formatDuration(duration))}${report.clock === 'virtual' ? ' of virtual time: waits were compressed' : ''})</span></td></tr>
    <tr><th>Steps</th><td>${stepsText(report)}</td></tr>
    <tr><th>Evaluations</th><td>${report.timeline.length} ${verdictCounts(report.timeline)}</td></tr>
    <tr><th>Limits</th><td>${escapeHtml(limits)}</td></tr>
    ${
      report.input === undefined
        ? ''
        : `<tr id="effective-input"><th>Input</th><td>${escapeHtml(report.inputSource ?? '')}<ul>${policyLines(
            report.input
          )
            .map((line) => `<li>${escapeHtml(line)}</li>`)
            .join(
              ''
            )}</ul><details><summary>the whole input, defaults filled</summary><pre>${escapeHtml(JSON.stringify(report.input, null, 2))}</pre></details></td></tr>`
    }
    <tr><th>History events · state transitions</th><td>${formatCount(report.historyEvents)} <span class="muted">of 25,000 per execution</span> · ${formatCount(report.stateTransitions)}</td></tr>
  </table>
</section>
<section class="card">
  <h2>Weights: snapshot and end</h2>
  <table>
    <tr><th>Record</th><th class="num">Snapshot blue</th><th class="num">Snapshot green</th><th class="num">End blue</th><th class="num">End green</th><th>At the end</th></tr>
    ${pairRows(report) || '<tr><td colspan="6" class="muted">no snapshot: the run ended before preflight read the records</td></tr>'}
  </table>
</section>
<section class="card">
  <h2>Every evaluation</h2>
  <table class="evaluations">
    <tr><th class="num">#</th><th>Time</th><th class="num">Green</th><th>Verdict</th><th class="num">Error rate</th><th class="num">Latency</th><th class="num">Requests</th><th>Decision</th><th>Reason</th></tr>
    ${evaluationRows(report, start) || '<tr><td colspan="9" class="muted">no evaluation</td></tr>'}
  </table>
</section>
<footer>traffic-shift report · ${problems.length === 0 ? 'self-check: the headline figures agree with the series they come from' : `self-check: ${problems.length} disagreement(s), listed at the top`} · times in UTC${report.clock === 'virtual' ? ' on the local run’s virtual clock' : ''} · ${escapeHtml(report.executionArn)}</footer>
</main>
</body>
</html>
`;
}

/** Writes the report, creating folders; returns the path. */
export function writeReport(report: RunReport, path: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport(report));
  return path;
}
