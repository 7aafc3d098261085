/**
 * Ctrl-C for local runs: the first SIGINT, SIGTERM or SIGHUP asks for a graceful abort (stop the
 * execution, let on-execution-end restore, exit 3): `timeout`, a CI cancel and a supervisor send SIGTERM,
 * a closed terminal SIGHUP, and each must restore the records like Ctrl-C. A repeat within the grace
 * period is ignored: the terminal signals the whole process group and bin/traffic-shift.mjs (and npm)
 * forward the signal too, so one Ctrl-C arrives two or three times. A later one quits at once (exit 130).
 */
export interface Interruptions {
  /** What to do before quitting at once (stop moto). */
  onForce(action: () => unknown): void;
  /**
   * The run is over: later signals are ignored while the command writes its summary and exits (a
   * forwarded duplicate arriving now must not kill the process with the default action).
   */
  dispose(): void;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const ignore = () => undefined;

export function interruptions(options: {
  onFirst: (signal: NodeJS.Signals) => void;
  graceMs?: number;
}): Interruptions {
  const graceMs = options.graceMs ?? 2_000;
  let firstAt = 0;
  let force: (() => unknown) | undefined;
  let done = false;
  const handler = (signal: NodeJS.Signals) => {
    if (done) return;
    const now = Date.now();
    if (firstAt === 0) {
      firstAt = now;
      // The terminal is gone: writing the progress to it fails (EIO), which must not end the restore.
      if (signal === 'SIGHUP')
        for (const stream of [process.stdout, process.stderr]) stream.on('error', ignore);
      options.onFirst(signal);
      return;
    }
    if (now - firstAt < graceMs) return;
    process.stderr.write(`\n${signal} again: quitting without waiting for the restore\n`);
    void Promise.resolve()
      .then(() => force?.())
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return {
    onForce(action) {
      force = action;
    },
    dispose() {
      done = true;
    },
  };
}
