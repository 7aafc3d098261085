/**
 * The real entry point of `traffic-shift`, started by `bin/traffic-shift.mjs` on a Node that strips
 * TypeScript types (the project's Node 24, or Node >= 22.18 / >= 23.6). See `traffic-shift --help`.
 *
 * The handlers the local engine runs log through Powertools, which reads its settings
 * when the modules load. They are set here first and everything else is imported afterwards (a static
 * import would be hoisted above these lines).
 */
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'SILENT';

// The wrapper keeps an IPC channel open to this process. It closes when the wrapper dies, even by
// SIGKILL, which no signal forwarding can report: a local run then stops as on SIGTERM (abort, restore)
// instead of shifting on unattended. unref: the channel alone must not keep a finished command alive.
if (process.channel !== undefined) {
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

const { main } = await import('./commands/program.ts');
const code = await main(process.argv);
// Open SDK sockets or timers must not keep a finished command alive.
process.exit(code);
