/**
 * `rehearse` sets up moto where it can: moto_server on the PATH as is, else the project-local environment
 * (.cache/moto-venv), else installs moto there when pip's index answers, else stops with the one command
 * that fixes it. Each path with a fake environment (nothing is installed: PyPI is not reachable here), and
 * the stop through the real CLI, without a stack trace.
 */
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ensureMoto,
  MOTO_REQUIREMENT,
  type MotoEnvironment,
  MotoSetupError,
  planMoto,
  VENV_DIR,
} from '../../cli/moto-setup.ts';
import { cleanEnv, runCli } from './run-cli.ts';

const ROOT = '/project';
const VENV_PYTHON = join(ROOT, VENV_DIR, 'bin', 'python3');

class FakeEnvironment implements MotoEnvironment {
  readonly runs: string[] = [];
  probes = 0;
  private readonly setup: {
    onPath?: string[];
    files?: string[];
    reachable?: boolean;
    failing?: string;
  };
  constructor(setup: FakeEnvironment['setup']) {
    this.setup = setup;
  }
  which(command: string) {
    return (this.setup.onPath ?? []).includes(command) ? `/usr/bin/${command}` : null;
  }
  exists(path: string) {
    return (this.setup.files ?? []).includes(path);
  }
  async indexReachable() {
    this.probes += 1;
    return this.setup.reachable ?? false;
  }
  async run(command: string, args: string[]) {
    const line = [command, ...args].join(' ');
    this.runs.push(line);
    return this.setup.failing !== undefined && line.includes(this.setup.failing)
      ? { code: 1, output: 'Collecting moto\nERROR: No matching distribution found for moto' }
      : { code: 0, output: '' };
  }
}

const venvFiles = [VENV_PYTHON, join(ROOT, VENV_DIR, 'bin', 'moto_server')];

describe('Function: planMoto and ensureMoto', () => {
  it.each([
    {
      name: 'moto_server on the PATH: used as is, the index not probed',
      env: { onPath: ['python3', 'moto_server'], reachable: true },
      plan: { kind: 'ready', python: '/usr/bin/python3', via: 'path' },
      probes: 0,
    },
    {
      name: 'the project-local environment present: its Python, the index not probed',
      env: { onPath: ['python3'], files: venvFiles },
      plan: { kind: 'ready', python: VENV_PYTHON, via: 'venv' },
      probes: 0,
    },
    {
      name: 'neither, the index reachable: install into the project-local environment',
      env: { onPath: ['python3'], reachable: true },
      plan: { kind: 'install', systemPython: '/usr/bin/python3', venvPython: VENV_PYTHON },
      probes: 1,
    },
    {
      name: 'neither, the index unreachable: stop with the pip command',
      env: { onPath: ['python3'], reachable: false },
      plan: {
        kind: 'stop',
        fix: expect.stringContaining(`python3 -m pip install '${MOTO_REQUIREMENT}'`),
      },
      probes: 1,
    },
    {
      name: 'no python3 at all: stop, saying to install Python',
      env: { onPath: ['moto_server'], reachable: true },
      plan: { kind: 'stop', fix: expect.stringContaining('install Python 3') },
      probes: 0,
    },
  ])('$name', async ({ env, plan, probes }) => {
    // Prepare
    const fake = new FakeEnvironment(env);

    // Act
    const planned = await planMoto(fake, ROOT);

    // Assess
    expect(planned).toMatchObject(plan);
    expect(fake.probes).toBe(probes);
    expect(fake.runs).toEqual([]);
  });

  it('installs: creates the environment, pip-installs moto into it, returns its Python and says so', async () => {
    // Prepare
    const fake = new FakeEnvironment({ onPath: ['python3'], reachable: true });
    const notes: string[] = [];

    // Act
    const python = await ensureMoto(fake, ROOT, (note) => notes.push(note));

    // Assess
    expect(python).toBe(VENV_PYTHON);
    expect(fake.runs).toEqual([
      `/usr/bin/python3 -m venv ${join(ROOT, VENV_DIR)}`,
      `${VENV_PYTHON} -m pip install --quiet ${MOTO_REQUIREMENT}`,
    ]);
    expect(notes).toEqual([
      expect.stringContaining(`installing ${MOTO_REQUIREMENT} into ${VENV_DIR}`),
    ]);
  });

  it('a failed install stops with the output tail and the command that fixes it', async () => {
    // Prepare
    const fake = new FakeEnvironment({
      onPath: ['python3'],
      reachable: true,
      failing: 'pip install',
    });

    // Act
    const failure = await ensureMoto(fake, ROOT, () => {}).catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(MotoSetupError);
    expect((failure as Error).message).toContain('No matching distribution found for moto');
    expect((failure as MotoSetupError).fix).toContain(
      `python3 -m pip install '${MOTO_REQUIREMENT}'`
    );
  });

  it('ready paths run nothing and return the Python to start moto with', async () => {
    // Act / Assess
    expect(
      await ensureMoto(new FakeEnvironment({ onPath: ['python3', 'moto_server'] }), ROOT, () => {})
    ).toBe('/usr/bin/python3');
    expect(
      await ensureMoto(
        new FakeEnvironment({ onPath: ['python3'], files: venvFiles }),
        ROOT,
        () => {}
      )
    ).toBe(VENV_PYTHON);
  });
});

describe('rehearse without moto and without an index', () => {
  it('stops with exit 1, the reason and the one command that fixes it, no stack trace', async () => {
    // Prepare: a PATH with Node and the system Python but no moto_server; an index that does not answer.
    const path = [dirname(process.execPath), '/usr/bin', '/bin'].join(delimiter);

    // Act
    const result = await runCli(
      ['rehearse'],
      cleanEnv({ PATH: path, PIP_INDEX_URL: 'http://127.0.0.1:9/simple/' })
    );

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('moto_server is not on the PATH');
    expect(result.stderr).toContain(`fix: python3 -m pip install '${MOTO_REQUIREMENT}'`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
