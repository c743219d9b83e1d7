import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';

/**
 * The Auth0 doctor as the production image holds it. packages/backend depends on it, so
 * `yarn build:backend` builds it and packs it into the bundle as it would be published: bin/
 * and dist/, no src/, `main` pointing at dist/. This builds and packs it the same way
 * (backstage-cli's package build and dist workspace) without the app and the rest of the
 * bundle, and runs the command docs/deployment.md gives: its bin must take the dist/ branch
 * and check a config. productionBundle.test.ts runs the image's backend itself.
 */

const repoRoot = resolvePath(__dirname, '../../..');
const DOCTOR = '@backstage-auth0/auth0-doctor';
const DOCTOR_DIR = 'plugins/auth0-doctor';
/** Where docs/deployment.md runs it from: the image's working directory, /app. */
const DOCTOR_BIN = 'plugins/auth0-doctor/bin/backstage-auth0-doctor';

jest.setTimeout(15 * 60_000);

function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    child.once('error', reject);
    child.once('close', code => resolve({ code, output }));
  });
}

/** This environment without what an outer `yarn` or Jest put in it. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(npm_|NPM_|INIT_CWD$|PROJECT_CWD$|NODE_ENV$|JEST_)/.test(name),
    ),
  );
}

describe('the Auth0 doctor in the backend bundle', () => {
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'doctor-bundle-'));
    // The lock productionBundle.test.ts builds the bundle under: both write the doctor's dist/.
    mkdirSync(join(repoRoot, '.cache'), { recursive: true });
    const script = [
      'set -e',
      `cd ${DOCTOR_DIR}`,
      'yarn backstage-cli package build',
      'cd ../..',
      `yarn backstage-cli build-workspace "$1" ${DOCTOR}`,
    ].join('\n');
    const built = await run(
      'flock',
      [
        join(repoRoot, '.cache', 'backend-build.lock'),
        'bash',
        '-c',
        script,
        'build',
        workDir,
      ],
      { cwd: repoRoot, env: cleanEnv() },
    );
    if (built.code !== 0) {
      throw new Error(`building the doctor failed:\n${built.output}`);
    }
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('is a dependency of the backend, so the bundle holds it', () => {
    const backend = JSON.parse(
      readFileSync(join(repoRoot, 'packages/backend/package.json'), 'utf8'),
    );
    expect(backend.dependencies[DOCTOR]).toBe('workspace:^');
  });

  it('is packed with its bin and dist, and no source', () => {
    const packed = join(workDir, DOCTOR_DIR);
    expect(existsSync(join(packed, 'bin/backstage-auth0-doctor'))).toBe(true);
    expect(existsSync(join(packed, 'dist/index.cjs.js'))).toBe(true);
    expect(existsSync(join(packed, 'src'))).toBe(false);
    expect(
      JSON.parse(readFileSync(join(packed, 'package.json'), 'utf8')).main,
    ).toBe('dist/index.cjs.js');
  });

  it('runs from dist and checks the config it is given', async () => {
    writeFileSync(
      join(workDir, 'app-config.yaml'),
      'auth:\n  environment: production\n  providers:\n    auth0:\n      production:\n        clientId: ${AUTH_AUTH0_CLIENT_ID}\n',
    );
    const env = {
      ...cleanEnv(),
      NODE_ENV: 'production',
      AUTH_AUTH0_CLIENT_ID: 'client-id',
      // The image installs the doctor's dependencies; here they come from the repository, the
      // workspace packages among them from source, which the image holds built.
      NODE_PATH: join(repoRoot, 'node_modules'),
      NODE_OPTIONS: `--require ${require.resolve(
        '@backstage/cli-node/config/nodeTransform.cjs',
      )}`,
    };
    const help = await run(process.execPath, [DOCTOR_BIN, '--help'], {
      cwd: workDir,
      env,
    });
    expect(help).toEqual({
      code: 0,
      output: expect.stringMatching(/^Usage: backstage-auth0-doctor/),
    });

    const checked = await run(
      process.execPath,
      [DOCTOR_BIN, '--config', 'app-config.yaml', '--json'],
      { cwd: workDir, env },
    );
    expect(checked.code).toBe(1);
    const results = JSON.parse(
      checked.output.slice(checked.output.indexOf('[')),
    );
    expect(results[0]).toMatchObject({
      check: 'config',
      status: 'fail',
      details: expect.arrayContaining([
        expect.stringMatching(
          /^auth\.providers\.auth0\.production\.domain is missing: set AUTH_AUTH0_DOMAIN/,
        ),
        expect.stringMatching(
          /^auth\.session\.secret is missing: set AUTH_SESSION_SECRET/,
        ),
      ]),
    });
  });
});
