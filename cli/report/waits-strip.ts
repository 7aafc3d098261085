/**
 * The waits, explained on the chart: a strip under the weight panel with a band for each wait of the state
 * machine after a shift: Route 53 propagating the change (INSYNC), then the TTL, one full metric period and
 * CloudWatch's publication delay before the first evaluation of the step.
 */
import type { RunReport, WaitSpan } from '../run-report.ts';
import { f1, LEFT, type Scale, WAITS } from './chart-layout.ts';
import { escapeHtml, formatDuration } from './format.ts';

const SHORT: Record<WaitSpan['kind'], string> = {
  insync: 'INSYNC',
  ttl: 'TTL + period + publication',
};

export function waitsStrip(report: RunReport, scale: Scale): string {
  const waits = report.waits ?? [];
  const bands = waits
    .map((wait, index) => {
      const x0 = scale.x(Date.parse(wait.at));
      const x1 = Math.max(x0 + 1, scale.x(Date.parse(wait.until)));
      const width = x1 - x0;
      const duration = formatDuration(Date.parse(wait.until) - Date.parse(wait.at));
      const long = `${SHORT[wait.kind]} (${duration})`;
      // The label only where it fits: the tooltip always carries the whole explanation.
      const text =
        width >= long.length * 5.6
          ? long
          : width >= SHORT[wait.kind].length * 5.6
            ? SHORT[wait.kind]
            : '';
      return (
        `<g class="wait wait-${wait.kind}" id="wait-${index}"><title>${escapeHtml(`${wait.at} → ${wait.until} (${duration}): ${wait.what}`)}</title>` +
        `<rect class="wait-band wait-band-${wait.kind}" x="${f1(x0)}" y="${WAITS.top}" width="${f1(width)}" height="${WAITS.height}" rx="3"/>` +
        (text
          ? `<text class="wait-text" x="${f1(x0 + 3)}" y="${WAITS.top + 11.5}">${escapeHtml(text)}</text>`
          : '') +
        '</g>'
      );
    })
    .join('');
  return (
    `<text class="lane-label" x="${LEFT - 8}" y="${WAITS.top + 12}" text-anchor="end">waits</text>` +
    `<g id="waits">${bands}</g>`
  );
}
