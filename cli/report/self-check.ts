/**
 * The report's headline figures, each derived from the same series the chart draws, and a cross-check of the
 * report's own data: a report whose parts disagree ("Green took 100 %" above "peak green 0 %") says so at
 * the top instead of showing both as facts.
 */
import type { RunReport } from '../run-report.ts';
import { trimNumber } from './format.ts';
import { greenPercentOf, greenSeries } from './series.ts';

export interface Headlines {
  /** Highest green share of the step line (snapshot, shifts, rollback, end). */
  peakGreen: number;
  /** Green's share at the end of the step line (the records read at the end, else the last shift). */
  endGreen: number;
  /** Green's share in the snapshot (what a rollback restores). */
  snapshotGreen: number;
  stepsTaken: number;
  evaluations: number;
  fails: number;
}

export function headlinesOf(report: RunReport): Headlines {
  const series = greenSeries(report);
  return {
    peakGreen: Math.max(...series.map((point) => point.percent)),
    endGreen: series.at(-1)?.percent ?? 0,
    snapshotGreen: greenPercentOf(report.snapshot) ?? 0,
    stepsTaken: report.markers.filter((marker) => marker.kind === 'shift').length,
    evaluations: report.timeline.length,
    fails: report.timeline.filter((point) => point.verdict === 'Fail').length,
  };
}

const pct = (value: number) => `${trimNumber(value, 1)} %`;
const near = (a: number, b: number) => Math.abs(a - b) < 0.05;

/** Every way the report's data contradicts itself; empty when its parts agree. */
export function selfCheck(report: RunReport, headlines: Headlines = headlinesOf(report)): string[] {
  const problems: string[] = [];
  const observe = report.input?.mode === 'observe';
  if (report.outcome === 'completed' && !observe && !near(headlines.endGreen, 100)) {
    problems.push(
      `the outcome is "completed" but green ends at ${pct(headlines.endGreen)}, not 100 %`
    );
  }
  if (report.outcome === 'completed' && !observe && headlines.stepsTaken === 0) {
    problems.push('the outcome is "completed" but no shift was recorded');
  }
  const highestJudged = Math.max(0, ...report.timeline.map((point) => point.greenPercent));
  if (highestJudged > headlines.peakGreen + 0.05) {
    problems.push(
      `an evaluation judged green at ${pct(highestJudged)} but the green line peaks at ${pct(headlines.peakGreen)}`
    );
  }
  if (report.outcome === 'rolled-back' && !near(headlines.endGreen, headlines.snapshotGreen)) {
    problems.push(
      `the outcome is "rolled back" but green ends at ${pct(headlines.endGreen)}, not the snapshot's ${pct(headlines.snapshotGreen)}`
    );
  }
  if (report.outcome === 'rolled-back' && !report.markers.some((m) => m.kind === 'rollback')) {
    problems.push('the outcome is "rolled back" but no rollback was recorded');
  }
  const endRead = greenPercentOf(report.finalPairs);
  if (report.atSnapshot && endRead !== null && !near(endRead, headlines.snapshotGreen)) {
    problems.push(
      `the records are said to be at the snapshot, but they give green ${pct(endRead)} and the snapshot ${pct(headlines.snapshotGreen)}`
    );
  }
  return problems;
}
