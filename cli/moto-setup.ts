/**
 * What `rehearse` needs before it can start moto, set up where it can: moto_server on the PATH is used as is;
 * otherwise a project-local Python environment (`.cache/moto-venv`, git-ignored) that has moto, made on demand
 * when pip can reach its index; otherwise the rehearsal stops with the one command that fixes it.
 * The decision is pure over a `MotoEnvironment`, so each path is tested with a fake one.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The moto the project is written and tested against (its quirks are in the code; README states it). */
export const MOTO_REQUIREMENT = 'moto[server]==5.2.1';
export const VENV_DIR = '.cache/moto-venv';
/** The project's root (the venv lives there, whatever the working directory). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface MotoEnvironment {
  /** The full path of a command on the PATH, or null. */
  which(command: string): string | null;
  exists(path: string): boolean;
  /** Whether pip's package index answers (a few seconds at most). */
  indexReachable(): Promise<boolean>;
  /** Runs a command to completion; its output is only shown when it fails. */
  run(command: string, args: string[]): Promise<{ code: number; output: string }>;
}

export type MotoPlan =
  /** Start moto with this Python (its launcher falls back to `moto_server` on the PATH). */
  | { kind: 'ready'; python: string; via: 'path' | 'venv' }
  /** Make the project-local environment, then start moto with its Python. */
  | { kind: 'install'; systemPython: string; venvPython: string }
  /** Nothing this command can do: the message says why, `fix` is the one command that fixes it. */
  | { kind: 'stop'; message: string; fix: string };

const venvPython = (root: string) => join(root, VENV_DIR, 'bin', 'python3');

/** Which way to a running moto this machine offers (no side effect but probing the index). */
export async function planMoto(env: MotoEnvironment, root: string): Promise<MotoPlan> {
  const python = env.which('python3');
  if (env.which('moto_server') !== null && python !== null)
    return { kind: 'ready', python, via: 'path' };
  const local = venvPython(root);
  if (env.exists(join(root, VENV_DIR, 'bin', 'moto_server')) && env.exists(local))
    return { kind: 'ready', python: local, via: 'venv' };
  if (python === null) {
    return {
      kind: 'stop',
      message: 'the rehearsal runs moto (Python) and python3 is not on the PATH',
      fix: 'install Python 3.9 or later (e.g. apt-get install python3 python3-venv), then run npm run rehearse again',
    };
  }
  if (!(await env.indexReachable())) {
    return {
      kind: 'stop',
      message: `moto_server is not on the PATH, and pip's package index cannot be reached to install it into ${VENV_DIR}`,
      fix: `python3 -m pip install '${MOTO_REQUIREMENT}'   (or set PIP_INDEX_URL to a reachable index and run npm run rehearse again)`,
    };
  }
  return { kind: 'install', systemPython: python, venvPython: local };
}

export class MotoSetupError extends Error {
  override name = 'MotoSetupError';
  readonly fix: string;
  constructor(message: string, fix: string) {
    super(`${message}\n  fix: ${fix}`);
    this.fix = fix;
  }
}

/**
 * Follows the plan: returns the Python to start moto with, after making the project-local environment when
 * needed (`note` says what is happening: pip takes a minute).
 *
 * @throws MotoSetupError naming the one command that fixes it.
 */
export async function ensureMoto(
  env: MotoEnvironment,
  root: string,
  note: (message: string) => void
): Promise<string> {
  const plan = await planMoto(env, root);
  if (plan.kind === 'ready') return plan.python;
  if (plan.kind === 'stop') throw new MotoSetupError(plan.message, plan.fix);
  note(`moto_server is not on the PATH: installing ${MOTO_REQUIREMENT} into ${VENV_DIR} (once)`);
  const steps: [string, string[]][] = [
    [plan.systemPython, ['-m', 'venv', join(root, VENV_DIR)]],
    [plan.venvPython, ['-m', 'pip', 'install', '--quiet', MOTO_REQUIREMENT]],
  ];
  for (const [command, args] of steps) {
    const result = await env.run(command, args);
    if (result.code !== 0) {
      const last = result.output.trim().split('\n').slice(-3).join('\n  ');
      throw new MotoSetupError(
        `setting up moto in ${VENV_DIR} failed (${[command, ...args].join(' ')}):\n  ${last}`,
        `python3 -m pip install '${MOTO_REQUIREMENT}'   (or: apt-get install python3-venv, then npm run rehearse again)`
      );
    }
  }
  return plan.venvPython;
}

/** The real machine: PATH lookup, the file system, pip's index over HTTPS, child processes. */
export const systemEnvironment: MotoEnvironment = {
  which(command) {
    for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
      if (dir !== '' && existsSync(join(dir, command))) return join(dir, command);
    }
    return null;
  },
  exists: existsSync,
  async indexReachable() {
    const index = process.env['PIP_INDEX_URL'] ?? 'https://pypi.org/simple/';
    try {
      const response = await fetch(new URL('moto/', index.endsWith('/') ? index : `${index}/`), {
        method: 'HEAD',
        signal: AbortSignal.timeout(5_000),
      });
      return response.ok;
    } catch {
      return false;
    }
  },
  run(command, args) {
    return new Promise((resolve) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += String(chunk);
      });
      child.stderr.on('data', (chunk) => {
        output += String(chunk);
      });
      child.once('error', (error) => resolve({ code: 127, output: error.message }));
      child.once('close', (code) => resolve({ code: code ?? 1, output }));
    });
  },
};
