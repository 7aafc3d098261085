/**
 * Ctrl-C for local runs: the first SIGINT (or SIGTERM) asks for a graceful abort (stop the execution,
 * let on-execution-end restore). A repeat within the grace period is ignored: `npm run` forwards the
 * terminal's SIGINT to its child, so one Ctrl-C can arrive twice. A later one quits at once (exit 130).
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
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    onForce(action) {
      force = action;
    },
    dispose() {
      done = true;
    },
  };
}
