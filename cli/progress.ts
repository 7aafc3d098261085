/**
 * Terminal rendering of a local run: one line per shift, evaluation and ending, a live status line
 * (progress bar, weights, last verdict with its numbers) when the stream is a terminal, and the summary
 * at the end. Plain text, no escape codes, when it is not a terminal (CI logs, pipes) or NO_COLOR is set.
 */
import { policyLines } from './policy.ts';
import type { ProgressEvent, RunReport, TimelinePoint } from './rehearsal.ts';
import { formatDuration, greenPercentOf, reasonLines, trimNumber } from './report.ts';

export interface TextStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m',
} as const;
type Style = keyof typeof ANSI;
const ESCAPE_CODES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/**
 * Colour on a terminal unless NO_COLOR or TERM=dumb; FORCE_COLOR decides over both, as in Node itself
 * (unset: no say; '0' or 'false': never; anything else, even empty: always, pipes included).
 */
export function useColor(stream: TextStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env['NO_COLOR'] === undefined && env['TERM'] !== 'dumb';
}

function paint(enabled: boolean) {
  return (text: string, ...styles: Style[]) =>
    enabled && styles.length > 0
      ? `${styles.map((style) => ANSI[style]).join('')}${text}${ANSI.reset}`
      : text;
}

const VERDICT_STYLE: Record<string, Style> = {
  Pass: 'green',
  Fail: 'red',
  Inconclusive: 'yellow',
  Error: 'magenta',
};

/** `+1:07:00` from the run's start. */
export function sinceStart(at: string, start: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(at) - Date.parse(start)) / 1_000));
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  return `+${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** `[██████░░░░░░]` for `done` of `total`. */
export function bar(done: number, total: number, width = 20): string {
  const share = total <= 0 ? 0 : Math.min(1, Math.max(0, done / total));
  const full = Math.round(share * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}]`;
}

/** The numbers of one evaluation: `err 0.14% · lat 72 ms · 727 req`. */
export function evaluationNumbers(point: TimelinePoint): string {
  const parts = [
    point.errorRatePercent === null ? 'err –' : `err ${point.errorRatePercent.toFixed(2)}%`,
    point.latencyAvgMs === null ? 'lat –' : `lat ${trimNumber(point.latencyAvgMs, 0)} ms`,
  ];
  if (typeof point.requests === 'number')
    parts.push(`${point.requests.toLocaleString('en-US')} req`);
  return parts.join(' · ');
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `consecutive failures (2) > maxConsecutiveFailures (1)` out of a reason with its evidence appended. */
export function firstClause(reason: string): string {
  const [first = ''] = reason.split(/;\s+/);
  if (!first.startsWith('overall: ')) return first;
  // `overall: a (x, y), b` -> `a (x, y)`: the first assessment, commas inside parentheses kept.
  return first.slice('overall: '.length).split(/,\s+(?![^(]*\))/)[0] ?? first;
}

function weightsText(
  weights: readonly { name: string; blueWeight: number; greenWeight: number }[]
): string {
  return weights.map((pair) => `${pair.name} ${pair.blueWeight}/${pair.greenWeight}`).join(' · ');
}

/** Prints ProgressEvents as they come; keeps a live status line at the bottom of a terminal. */
export class ProgressPrinter {
  private readonly stream: TextStream;
  private readonly live: boolean;
  private readonly color: ReturnType<typeof paint>;
  private start: string | null = null;
  private status = '';
  private step = { index: -1, total: 0, greenPercent: 0 };
  private weights = '';
  private lastVerdict = '';
  private lastAt = '';

  constructor(stream: TextStream, options: { color?: boolean; live?: boolean } = {}) {
    this.stream = stream;
    const color = options.color ?? useColor(stream);
    this.color = paint(color);
    // The redrawn status line needs a terminal, whatever FORCE_COLOR says.
    this.live = options.live ?? (color && stream.isTTY === true);
  }

  /** A line above the status line (setup messages, notes). */
  note(text: string): void {
    this.print(this.color(text, 'dim'));
  }

  handle(event: ProgressEvent): void {
    this.start ??= event.at;
    this.lastAt = event.at;
    if (event.position) {
      this.step = {
        index: event.position.stepIndex,
        total: event.position.steps.length,
        greenPercent: event.position.greenPercent,
      };
      this.weights = weightsText(event.position.weights);
    }
    const c = this.color;
    const time = c(sinceStart(event.at, this.start), 'dim');
    const label = (text: string, ...styles: Style[]) => c(text.padEnd(13), ...styles);
    switch (event.kind) {
      case 'start':
        this.print(`${time}  ${label('start', 'bold')}${event.message}`);
        break;
      case 'shift':
        this.print(
          `${time}  ${label('shift', 'cyan', 'bold')}${c(`${this.step.greenPercent}% green`, 'bold')}  ${c(this.weights, 'dim')}`
        );
        break;
      case 'evaluation': {
        const point = event.point;
        if (point === undefined) break;
        const verdict = point.verdict ?? '?';
        this.lastVerdict = `${c(verdict, VERDICT_STYLE[verdict] ?? 'dim')} ${evaluationNumbers(point)}`;
        const why = shorten(firstClause(point.reason ?? ''), 80);
        this.print(
          `${time}  ${label(verdict, VERDICT_STYLE[verdict] ?? 'dim')}${String(point.greenPercent).padStart(3)}%  ${evaluationNumbers(point)}  → ${c(point.action ?? '?', 'bold')}  ${c(why, 'dim')}`
        );
        break;
      }
      case 'rollback':
        this.print(
          `${time}  ${label('ROLLBACK', 'red', 'bold')}${firstClause(event.message.replace(/^rolled back: /, ''))}`
        );
        break;
      case 'complete':
        this.print(
          `${time}  ${label('COMPLETE', 'green', 'bold')}${event.message.replace(/^completed: /, '')}`
        );
        break;
      case 'wait':
        this.print(
          `${time}  ${label('wait', 'dim')}${c(`${event.message}, until ${event.until === undefined ? '?' : sinceStart(event.until, this.start)}`, 'dim')}`
        );
        break;
      case 'stop':
        this.print(`${time}  ${label('STOP', 'yellow', 'bold')}${event.message}`);
        break;
      case 'recovery':
        this.print(
          `${time}  ${label('on-end', 'magenta')}${event.message.replace(/^on-execution-end: /, '')}`
        );
        break;
      case 'task-failed':
        this.print(`${time}  ${label('task failed', 'red')}${event.message}`);
        break;
      default:
        this.print(`${time}  ${event.message}`);
    }
    this.redraw();
  }

  /** Removes the status line (before the summary). */
  finish(): void {
    if (this.live && this.status !== '') this.stream.write('\r\u001b[2K');
    this.status = '';
  }

  private statusLine(): string {
    if (this.step.index < 0) return '';
    const c = this.color;
    const position = `step ${this.step.index + 1}/${this.step.total} · ${c(`${this.step.greenPercent}% green`, 'bold')}`;
    const time = this.start ? sinceStart(this.lastAt, this.start) : '';
    // Most telling first: a narrow terminal cuts the weights before the verdict.
    const parts = [bar(this.step.index + 1, this.step.total), position, time];
    if (this.lastVerdict) parts.push(`last ${this.lastVerdict}`);
    parts.push(this.weights);
    return parts.filter((part) => part !== '').join('  ');
  }

  private print(line: string): void {
    if (this.live && this.status !== '') this.stream.write('\r\u001b[2K');
    this.stream.write(`${line}\n`);
    if (this.live && this.status !== '') this.stream.write(this.status);
  }

  private redraw(): void {
    if (!this.live) return;
    const line = this.statusLine();
    const columns = this.stream.columns || 120;
    // Keep it to one terminal row (escape codes do not take columns; count without them).
    const visible = line.replace(ESCAPE_CODES, '');
    const fitted = visible.length > columns - 1 ? shorten(visible, columns - 1) : line;
    this.status = fitted;
    this.stream.write(`\r\u001b[2K${fitted}`);
  }
}

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
