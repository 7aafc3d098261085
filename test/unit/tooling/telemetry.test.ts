/**
 * The bench's telemetry counter (bench/telemetry.ts) counts custom metrics from the EMF lines actually written,
 * not from calls: a written EMF line is billed by namespace + name + dimension values over the clock hours it
 * spans, and every other JSON line is Logs ingestion.
 */
import { describe, expect, it } from 'vitest';
import { countTelemetry } from '../../../bench/telemetry.ts';

const emf = (value: number, migrationId: string) =>
  `${JSON.stringify({
    _aws: {
      Timestamp: 0,
      CloudWatchMetrics: [
        { Namespace: 'X', Dimensions: [['MigrationId']], Metrics: [{ Name: 'Requests' }] },
      ],
    },
    MigrationId: migrationId,
    Requests: value,
  })}\n`;

describe('countTelemetry', () => {
  it('counts the EMF lines written as custom metrics over their virtual span, the rest as log lines', () => {
    // Prepare
    let now = Date.parse('2026-01-01T00:00:00.000Z');
    const counter = countTelemetry({ now: () => new Date(now) });
    const log = `${JSON.stringify({ level: 'INFO', message: 'evaluated', greenWeightPercent: 10 })}\n`;

    // Act
    process.stdout.write(log);
    process.stdout.write(emf(1, 'orders'));
    now += 90 * 60_000;
    process.stdout.write(emf(2, 'orders') + emf(3, 'payments'));
    const count = counter.stop();

    // Assess
    expect(count).toMatchObject({
      logLines: 1,
      logBytes: Buffer.byteLength(log),
      emfLines: 3,
      emfBytes: Buffer.byteLength(emf(1, 'orders') + emf(2, 'orders') + emf(3, 'payments')),
      customMetrics: 2,
      customMetricHours: 3.5,
    });
    expect(count.customMetricList).toEqual([
      { metric: 'Requests{}', metricHours: 2.5 },
      { metric: 'Requests{}', metricHours: 1 },
    ]);
  });

  it('counts nothing as a custom metric when only log lines are written', () => {
    // Prepare
    const counter = countTelemetry({ now: () => new Date(0) });

    // Act
    process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'shifted' })}\n`);
    const count = counter.stop();

    // Assess
    expect(count).toMatchObject({
      logLines: 1,
      emfLines: 0,
      customMetrics: 0,
      customMetricHours: 0,
    });
  });
});
