#!/usr/bin/env node
/**
 * traffic-shift: `npm run rehearse` (= `node bin/traffic-shift.ts rehearse`), `run-local`, `plan`, `start`,
 * `status`, `abort`, `report`. See `traffic-shift --help`.
 *
 * The handlers the local engine runs log and publish metrics through Powertools, which reads its settings
 * when the modules load. They are set here first and everything else is imported afterwards (a static
 * import would be hoisted above these lines).
 */
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'SILENT';
process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';

const { main } = await import('../cli/commands/program.ts');
const code = await main(process.argv);
// Open SDK sockets or timers must not keep a finished command alive.
process.exit(code);
