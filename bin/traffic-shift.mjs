#!/usr/bin/env node
/**
 * `traffic-shift`: plain JavaScript that runs on any Node >= 18, so that whichever `node` a shell, npm or
 * npx finds, the user gets either the CLI or one plain sentence saying what is missing and the command
 * that fixes it (never a stack trace).
 *
 * The CLI itself (`cli/main.ts`) is TypeScript run without a build step, which needs a Node that strips
 * types: the project's own Node 24 (the `node` devDependency, fetched by its install script), else the
 * running Node when it strips types itself (>= 22.18 on 22.x, >= 23.6). It runs as a child process:
 * SIGINT, SIGTERM and SIGHUP sent to this process (by `timeout`, a CI cancel, a supervisor, or npm
 * forwarding them) reach it, and this process exits with its exit code (128 + signal if it was killed).
 * If this process dies anyway (SIGKILL), the CLI notices through the IPC channel and stops as on SIGTERM.
 *
 * TRAFFIC_SHIFT_NODE names the project Node to use instead of node_modules/node/bin/node (tests hide it
 * with a path that does not exist, the state an `ignore-scripts` install leaves).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const NODE_PACKAGE = fileURLToPath(new URL('../node_modules/node/package.json', import.meta.url));
const PROJECT_NODE =
  process.env.TRAFFIC_SHIFT_NODE ||
  fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const PARENT_POLL_MS = 200;

/** Node 22.18+ and 23.6+ run .ts files without flags (type stripping on by default). */
function stripsTypes(version, features) {
  if (features?.typescript === false) return false;
  const [major, minor] = version.split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Node to run the CLI on, or the message that says why there is none and what fixes it. */
function chooseNode() {
  if (executable(PROJECT_NODE)) return { node: PROJECT_NODE };
  if (stripsTypes(process.versions.node, process.features)) return { node: process.execPath };
  const running = `this is Node ${process.versions.node}, which cannot run TypeScript (needs >= 22.18)`;
  if (existsSync(NODE_PACKAGE)) {
    return {
      problem:
        `traffic-shift: the project's Node 24 is missing: the 'node' package's install script did not run ` +
        `(npm with ignore-scripts), and ${running}.\n` +
        'Fix: npm rebuild node --ignore-scripts=false   (or install Node >= 22.18)',
    };
  }
  return {
    problem:
      `traffic-shift: no Node to run on: the project's dependencies are not installed, and ${running}.\n` +
      'Fix: npm ci   (in the project directory; or install Node >= 22.18)',
  };
}

const choice = chooseNode();
if (choice.problem !== undefined) {
  process.stderr.write(`${choice.problem}\n`);
  process.exit(1);
}

// 'ipc': the CLI sees the channel close when this process dies, even by SIGKILL (see cli/main.ts).
const child = spawn(choice.node, [MAIN, ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});
// The channel is only a lifeline; it must not keep this process waiting once the CLI is gone.
child.channel?.unref();

for (const signal of FORWARDED) {
  process.on(signal, () => {
    // A Ctrl-C in a terminal reaches the CLI directly as well (same process group); it ignores the repeat.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

// npm and npx run this through `sh -c`; npm forwards SIGINT/SIGTERM to that shell only, which dies of it
// without passing it on, and then npm exits too. So under npm, losing the parent means npm was told to
// stop (or was killed): stop the CLI the same way. (Not outside npm: `nohup traffic-shift ... &` outlives
// its shell on purpose.)
if (process.env.npm_lifecycle_event !== undefined) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.stderr.write('traffic-shift: npm, which started this command, is gone: stopping\n');
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }, PARENT_POLL_MS);
  watch.unref();
}

child.once('error', (error) => {
  process.stderr.write(`traffic-shift: cannot start ${choice.node}: ${error.message}\n`);
  process.exit(1);
});
child.once('exit', (code, signal) => {
  process.exit(signal === null ? (code ?? 1) : 128 + (osConstants.signals[signal] ?? 0));
});
