/**
 * A moto server for one CLI run, in its own process group.
 *
 * Ctrl-C in a terminal sends SIGINT to the whole foreground process group. A moto_server started like the
 * tests' (cli/moto.ts) would die with it, and the abort that Ctrl-C asks for (stop the execution, then
 * on-execution-end restores the snapshot) would find no Route 53 to restore. Detached, the server only
 * stops when this process stops it: at the end of the run, or on exit whatever the path.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Moto } from '../moto.ts';

const STARTUP_ATTEMPTS = 150;
const STARTUP_POLL_MS = 100;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `moto_server` on a free loopback port in a new process group and waits until it answers.
 *
 * @throws Error when moto_server is not installed, exits early, or does not answer within about 15 s.
 */
export async function startPrivateMoto(): Promise<Moto> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_PORT: String(port) },
    stdio: 'ignore',
    detached: true,
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // Whatever ends this process (an error, process.exit, a second Ctrl-C) also ends the server.
  process.once('exit', kill);
  const stop = async () => {
    process.removeListener('exit', kill);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited(child);
  };
  const endpoint = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < STARTUP_ATTEMPTS; attempt++) {
    if (spawnError || child.exitCode !== null) break;
    try {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (response.ok) return { endpoint, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, STARTUP_POLL_MS));
  }
  await stop();
  const why = spawnError
    ? `: ${spawnError.message} (is moto installed? pip install "moto[server]")`
    : child.exitCode !== null
      ? `: exited with ${child.exitCode}`
      : '';
  throw new Error(`moto_server did not answer on ${endpoint}${why}`);
}
