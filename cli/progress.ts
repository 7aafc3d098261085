/**
 * Terminal rendering of a local run while it goes: one line per shift, evaluation and ending, and a live status
 * line (progress bar, weights, last verdict with its numbers) when the stream is a terminal. Plain text, no
 * escape codes, when it is not a terminal (CI logs, pipes) or NO_COLOR is set (terminal-style.ts). The summary
 * at the end is run-summary.ts.
 */
import type { ProgressEvent, TimelinePoint } from './rehearsal.ts';
import { trimNumber } from './report.ts';
import {
  ESCAPE_CODES,
  paint,
  type Style,
  shorten,
  type TextStream,
  useColor,
  VERDICT_STYLE,
} from './terminal-style.ts';

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
