/**
 * The end of a local run in the terminal: the summary printed after the progress lines, and its
 * machine-readable form (`--json`). Separate from progress.ts, which prints while the run goes on; this reads
 * only the finished RunReport.
 */
import { policyLines } from './policy.ts';
import type { RunReport, TimelinePoint } from './rehearsal.ts';
import { formatDuration, greenPercentOf, reasonLines, trimNumber } from './report.ts';
import { paint, type Style, VERDICT_STYLE } from './terminal-style.ts';

const OUTCOME_LABEL: Record<RunReport['outcome'], { text: string; style: Style }> = {
  completed: { text: 'COMPLETED', style: 'green' },
  'rolled-back': { text: 'ROLLED BACK', style: 'red' },
  aborted: { text: 'ABORTED', style: 'yellow' },
  'stopped-on-drift': { text: 'STOPPED ON DRIFT', style: 'yellow' },
  'invalid-input': { text: 'INVALID INPUT', style: 'red' },
  refused: { text: 'REFUSED', style: 'yellow' },
  failed: { text: 'FAILED', style: 'red' },
  running: { text: 'RUNNING', style: 'blue' },
};

export function verdictCounts(timeline: readonly TimelinePoint[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const point of timeline)
    counts[point.verdict ?? 'none'] = (counts[point.verdict ?? 'none'] ?? 0) + 1;
  return counts;
}

/** The weights of each pair before and after: `api.example.com  blue 255 → 0  green 0 → 255`. */
export function weightChanges(report: RunReport): {
  name: string;
  type: string;
  snapshot: { blue: number; green: number };
  final: { blue: number; green: number } | null;
}[] {
  return report.snapshot.map((before) => {
    const after = report.finalPairs.find(
      (pair) =>
        pair.hostedZoneId === before.hostedZoneId &&
        pair.name === before.name &&
        pair.type === before.type
    );
    return {
      name: before.name,
      type: before.type,
      snapshot: { blue: before.blue.Weight, green: before.green.Weight },
      final: after ? { blue: after.blue.Weight, green: after.green.Weight } : null,
    };
  });
}

/** The summary printed at the end of a local run. */
export function renderSummary(
  report: RunReport,
  options: { reportPath?: string; realMs?: number; color?: boolean; virtualTime?: boolean } = {}
): string {
  const c = paint(options.color ?? false);
  const label = OUTCOME_LABEL[report.outcome];
  const row = (name: string, value: string) => `  ${c(name.padEnd(12), 'dim')}${value}`;
  const lines = [
    '',
    `${c(` ${label.text} `, 'bold', label.style)}  ${report.title}  ${c(`(exit code ${report.exitCode})`, 'dim')}`,
  ];
  reasonLines(report.reason).forEach((line, index) => {
    lines.push(row(index === 0 ? 'reason' : '', line));
  });
  const taken = report.markers
    .filter((marker) => marker.kind === 'shift')
    .map((marker) => marker.label);
  const planned = report.plannedSteps ?? [];
  lines.push(
    row(
      'steps',
      `${taken.length === 0 ? 'no shift' : taken.join(' → ')}${planned.length > 0 ? c(`  (plan ${planned.map((step) => `${step}%`).join(', ')})`, 'dim') : ''}`
    )
  );
  const counts = verdictCounts(report.timeline);
  const countText = Object.entries(counts)
    .map(([verdict, count]) => c(`${count} ${verdict}`, VERDICT_STYLE[verdict] ?? 'dim'))
    .join(', ');
  lines.push(row('evaluations', `${report.timeline.length}${countText ? `: ${countText}` : ''}`));
  const changes = weightChanges(report);
  const width = Math.max(0, ...changes.map((change) => change.name.length));
  changes.forEach((change, index) => {
    const final = change.final;
    const same =
      final !== null &&
      final.blue === change.snapshot.blue &&
      final.green === change.snapshot.green;
    const text =
      final === null
        ? `${change.name.padEnd(width)}  not read`
        : `${change.name.padEnd(width)}  blue ${change.snapshot.blue} → ${final.blue}  green ${change.snapshot.green} → ${final.green}${same ? c('  = snapshot', 'green') : ''}`;
    lines.push(row(index === 0 ? 'weights' : '', text));
  });
  const green = greenPercentOf(report.finalPairs);
  if (green !== null) lines.push(row('green now', `${trimNumber(green, 1)} % of the traffic`));
  const duration = formatDuration(Date.parse(report.endedAt) - Date.parse(report.startedAt));
  const real = options.realMs === undefined ? '' : ` in ${(options.realMs / 1_000).toFixed(1)} s`;
  lines.push(row('duration', `${duration}${options.virtualTime ? ' of virtual time' : ''}${real}`));
  lines.push(
    row(
      'history',
      `${report.historyEvents.toLocaleString('en-US')} events, ${report.stateTransitions} state transitions`
    )
  );
  if (report.input !== undefined) {
    lines.push(row('input', report.inputSource ?? ''));
    for (const line of policyLines(report.input)) lines.push(row('', c(line, 'dim')));
  }
  if (options.reportPath) lines.push(row('report', c(options.reportPath, 'bold')));
  return `${lines.join('\n')}\n`;
}

/** The machine-readable summary (`--json`). */
export function summaryJson(report: RunReport, extra: Record<string, unknown> = {}) {
  const counts = verdictCounts(report.timeline);
  return {
    ...extra,
    outcome: report.outcome,
    exitCode: report.exitCode,
    reason: report.reason,
    migrationId: report.migrationId,
    executionArn: report.executionArn,
    startedAt: report.startedAt,
    endedAt: report.endedAt,
    durationSeconds: Math.round(
      (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1_000
    ),
    steps: {
      planned: report.plannedSteps ?? [],
      taken: report.markers
        .filter((marker) => marker.kind === 'shift')
        .map((marker) => Number.parseFloat(marker.label)),
    },
    evaluations: { total: report.timeline.length, ...counts },
    lastEvaluation: report.timeline.at(-1) ?? null,
    greenPercent: {
      snapshot: greenPercentOf(report.snapshot),
      final: greenPercentOf(report.finalPairs),
    },
    weights: weightChanges(report),
    atSnapshot: report.atSnapshot,
    markers: report.markers,
    limits: report.limits,
    historyEvents: report.historyEvents,
    stateTransitions: report.stateTransitions,
    ...(report.input === undefined
      ? {}
      : { input: report.input, inputSource: report.inputSource ?? null }),
  };
}
