import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import {
  createBrowser,
  type Browser,
} from '@internal/auth0-dev-server/browser';
import {
  startAuth0DevServerProcess,
  type Auth0DevServerProcess,
} from '@internal/auth0-dev-server/process';
import {
  dropDatabasesWithPrefix,
  findFreePort,
  jwtPayload,
  refreshSession,
  signInThroughPopup,
  startBackendCommand,
  waitForCatalogUser,
  type BackendProcess,
} from '@internal/test-harness';

/**
 * The production image without Docker (no engine runs here): builds the bundle that
 * packages/backend/Dockerfile copies, repeats the Dockerfile's steps in a temporary folder,
 * and runs the image's command with NODE_ENV=production against PostgreSQL on 127.0.0.1 and
 * the dev server. The command loads app-config.auth0-catalog.production.yaml, so the catalog's
 * people come from the dev server's Management API (no org.yaml here): the user who signs in
 * was ingested from Auth0.
 */

const repoRoot = resolvePath(__dirname, '../../..');
const DOCKERFILE = 'packages/backend/Dockerfile';
const BUNDLE = 'packages/backend/dist/bundle.tar.gz';
const SKELETON = 'packages/backend/dist/skeleton.tar.gz';
const ROOT_FILES = [
  'package.json',
  'yarn.lock',
  '.yarnrc.yml',
  'backstage.json',
];
const CONFIG_FILES = [
  'app-config.yaml',
  'app-config.production.yaml',
  'app-config.auth0-catalog.production.yaml',
];
/** Where examples/org.yaml's Users and Groups would come from; here they come from Auth0. */
const ORG_YAML = 'examples/org.yaml';
/** The Dockerfile's install steps (RUN) that this test repeats, verbatim. */
const MIRRORED_RUN_STEPS = {
  notBuildingSqlite:
    "npm pkg set 'dependenciesMeta.better-sqlite3.built=false' --json",
  install: 'YARN_ENABLE_SCRIPTS=false yarn workspaces focus --all --production',
};
const SETUP_TIMEOUT_MS = 20 * 60_000;

jest.setTimeout(180_000);

type Timings = Record<string, number>;

/** Runs a command to its end; rejects with its last lines of output when it fails. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', chunk => (output += chunk));
    child.stderr.on('data', chunk => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        resolve(output);
        return;
      }
      const tail = output.trim().split('\n').slice(-40).join('\n');
      reject(
        new Error(
          `${command} ${args.join(' ')} failed (${
            signal ?? `exit ${code}`
          }) in ${options.cwd}. Last lines:\n${tail}`,
        ),
      );
    });
  });
}

type RunToExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** When `marker` first appeared in the output (performance.now()), if it did. */
  markerAt?: number;
  exitedAt: number;
  /** Whether the command was still running after `timeoutMs` and was killed. */
  killed: boolean;
};

/** Runs a command until it exits by itself, or kills it after `timeoutMs`. */
function runToExit(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    marker: string;
    timeoutMs: number;
  },
): Promise<RunToExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let markerAt: number | undefined;
    let killed = false;
    const collect = (chunk: Buffer) => {
      output += chunk;
      if (markerAt === undefined && output.includes(options.marker)) {
        markerAt = performance.now();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timeout = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', error => {
      clearTimeout(timeout);
      reject(error);
    });
    // `close`, not `exit`: all output has been read by then.
    child.once('close', (code, signal) => {
      clearTimeout(timeout);
      resolve({
        code,
        signal,
        output,
        markerAt,
        exitedAt: performance.now(),
        killed,
      });
    });
  });
}

/** The request log's entries (JSON lines with `type: incomingRequest`) in the output. */
function requestLogEntries(
  output: string,
): Array<{ message: string; url: string; method: string; userAgent?: string }> {
  return (
    output
      .split('\n')
      // The last piece is a line still being written, or empty.
      .slice(0, -1)
      .filter(line => line.startsWith('{'))
      .map(line => {
        try {
          return JSON.parse(line);
        } catch {
          return undefined;
        }
      })
      .filter(entry => entry?.type === 'incomingRequest')
  );
}

async function timed<T>(
  timings: Timings,
  name: string,
  step: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
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

/** The sources of the Dockerfile's COPY instructions, and its CMD. */
function readDockerfile(): { copied: string[]; cmd: string[]; text: string } {
  const text = readFileSync(join(repoRoot, DOCKERFILE), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(line => line.trim());
  const copied = instructions
    .filter(line => /^COPY\s/i.test(line))
    .flatMap(line =>
      line
        .split(/\s+/)
        .slice(1, -1)
        .filter(arg => !arg.startsWith('--')),
    );
  const cmdLine = instructions.filter(line => /^CMD\s/i.test(line)).pop();
  return {
    copied,
    cmd: cmdLine ? JSON.parse(cmdLine.slice(3)) : [],
    text,
  };
}

/** How the Dockerfile differs from the steps that this test repeats; empty when it does not. */
function dockerfileDrift(dockerfile: ReturnType<typeof readDockerfile>) {
  const expected = [...ROOT_FILES, SKELETON, ...CONFIG_FILES, BUNDLE];
  const problems: string[] = [];
  if (dockerfile.copied.join(' ') !== expected.join(' ')) {
    problems.push(
      `${DOCKERFILE} copies ${dockerfile.copied.join(
        ', ',
      )}; the test copies ${expected.join(', ')}`,
    );
  }
  for (const step of Object.values(MIRRORED_RUN_STEPS)) {
    if (!dockerfile.text.includes(step)) {
      problems.push(`${DOCKERFILE} no longer runs \`${step}\``);
    }
  }
  // `node [--require <file>]… packages/backend …`: the preloaded files start metrics.
  let entry = 1;
  while (dockerfile.cmd[entry] === '--require') entry += 2;
  if (
    dockerfile.cmd[0] !== 'node' ||
    dockerfile.cmd[entry] !== 'packages/backend'
  ) {
    problems.push(
      `${DOCKERFILE}'s CMD is ${JSON.stringify(
        dockerfile.cmd,
      )}, not \`node [--require <file>] packages/backend …\``,
    );
  }
  return problems;
}

/** The metrics page once `done` says so, or as it is after 10 s. */
async function scrapeUntil(
  url: string,
  done: (text: string) => boolean,
): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    const text = await response.text();
    if (done(text) || Date.now() > deadline) return text;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

/**
 * `yarn build:backend`, which also builds the app into the bundle, under the lock that
 * deploy/test/dockerfile.test.ts builds under; copies the two archives out while holding it,
 * so that another build cannot replace them half-way.
 */
async function buildBundle(targetDir: string) {
  const script = [
    'set -e',
    'yarn build:backend',
    `cp ${BUNDLE} ${SKELETON} "$1"`,
  ].join('\n');
  const options = { cwd: repoRoot, env: cleanEnv() };
  mkdirSync(join(repoRoot, '.cache'), { recursive: true });
  const lock = join(repoRoot, '.cache', 'backend-build.lock');
  try {
    await run(
      'flock',
      [lock, 'bash', '-c', script, 'build', targetDir],
      options,
    );
  } catch (error) {
    // No flock on this machine: build without the lock, as the deploy test does.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await run('bash', ['-c', script, 'build', targetDir], options);
  }
}

/** The Dockerfile's steps from `COPY package.json …` to `tar xzf bundle.tar.gz`. */
async function unpackAsTheImage(
  appDir: string,
  archives: string,
  timings: Timings,
): Promise<void> {
  const env = { ...cleanEnv(), NODE_ENV: 'production' };
  for (const file of ROOT_FILES) {
    copyFileSync(join(repoRoot, file), join(appDir, file));
  }
  await run('tar', ['xzf', join(archives, 'skeleton.tar.gz')], {
    cwd: appDir,
    env,
  });
  await run('bash', ['-c', MIRRORED_RUN_STEPS.notBuildingSqlite], {
    cwd: appDir,
    env,
  });
  const installOutput = await timed(timings, 'installMs', () =>
    run('bash', ['-c', MIRRORED_RUN_STEPS.install], { cwd: appDir, env }),
  );
  timings.installFetchStepMs = fetchStepMs(installOutput);
  for (const file of CONFIG_FILES) {
    copyFileSync(join(repoRoot, file), join(appDir, file));
  }
  await run('tar', ['xzf', join(archives, 'bundle.tar.gz')], {
    cwd: appDir,
    env,
  });
}

/** How long Yarn's fetch step took: near zero when its cache held every package. */
function fetchStepMs(yarnOutput: string): number {
  const match =
    /Fetch step[\s\S]*?Completed(?: in (?:(\d+)m )?(?:(\d+)s )?(\d+)ms)?/.exec(
      yarnOutput,
    );
  if (!match) return Number.NaN;
  const [, minutes = '0', seconds = '0', ms = '0'] = match;
  return Number(minutes) * 60_000 + Number(seconds) * 1000 + Number(ms);
}

/**
 * packages/test-harness/app-config.local-catalog.yaml with its paths made absolute (they are
 * relative to the repo's packages/backend, and the unpacked backend runs elsewhere), and
 * without examples/org.yaml: the image reads its people from Auth0, so chris can only come
 * from there.
 */
function writeLocalCatalogConfig(appDir: string): string {
  const overlay = parseYaml(
    readFileSync(
      join(repoRoot, 'packages/test-harness/app-config.local-catalog.yaml'),
      'utf8',
    ),
  );
  const locations: Array<{ target: string }> = overlay.catalog.locations;
  overlay.catalog.locations = locations.filter(
    location =>
      resolvePath(repoRoot, 'packages/backend', location.target) !==
      join(repoRoot, ORG_YAML),
  );
  if (overlay.catalog.locations.length === locations.length) {
    throw new Error(
      `packages/test-harness/app-config.local-catalog.yaml no longer loads ${ORG_YAML}; check what this test's catalog reads`,
    );
  }
  for (const location of overlay.catalog.locations) {
    location.target = resolvePath(
      repoRoot,
      'packages/backend',
      location.target,
    );
  }
  const file = 'app-config.local-catalog.yaml';
  writeFileSync(join(appDir, file), stringifyYaml(overlay));
  return file;
}

describe('the production image, run from the backend bundle', () => {
  const timings: Timings = {};
  const databasePrefix = `backstage_bundle_${process.pid}_${randomBytes(
    3,
  ).toString('hex')}_`;
  const catalogReaderToken = randomBytes(24).toString('base64url');
  let workDir: string | undefined;
  let appDir: string;
  let command: string[];
  let env: Record<string, string>;
  let port: number;
  let metricsPort: number;
  let auth0: Auth0DevServerProcess | undefined;
  let backend: BackendProcess | undefined;
  let browser: Browser | undefined;

  const startBackend = () =>
    startBackendCommand({
      // The image's `node` is the Node that runs this test (the same major, .nvmrc's).
      command: command[0] === 'node' ? process.execPath : command[0],
      args: command.slice(1),
      cwd: appDir,
      port,
      env,
      inheritEnv: false,
      readinessTimeoutMs: 120_000,
    });

  beforeAll(async () => {
    const dockerfile = readDockerfile();
    const drift = dockerfileDrift(dockerfile);
    if (drift.length > 0) {
      throw new Error(
        `the Dockerfile's steps changed; this test repeats them, so change it with them ` +
          `(ROOT_FILES, CONFIG_FILES, MIRRORED_RUN_STEPS, unpackAsTheImage):\n${drift
            .map(problem => `  - ${problem}`)
            .join('\n')}`,
      );
    }

    workDir = mkdtempSync(join(tmpdir(), 'production-bundle-'));
    const archives = join(workDir, 'archives');
    appDir = join(workDir, 'app');
    mkdirSync(archives);
    mkdirSync(appDir);
    await timed(timings, 'buildMs', () => buildBundle(archives));
    await timed(timings, 'unpackAndInstallMs', () =>
      unpackAsTheImage(appDir, archives, timings),
    );
    command = [...dockerfile.cmd, '--config', writeLocalCatalogConfig(appDir)];

    auth0 = await startAuth0DevServerProcess({
      redirectUris: ['http://localhost:*/api/auth/auth0/handler/frame'],
    });
    port = await findFreePort();
    metricsPort = await findFreePort();
    const baseUrl = `http://localhost:${port}`;
    env = {
      // What the image sets, and what the Deployment passes in.
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NODE_ENV: 'production',
      APP_BASE_URL: baseUrl,
      AUTH_AUTH0_DOMAIN: auth0.domain,
      AUTH_AUTH0_CLIENT_ID: auth0.clientId,
      AUTH_AUTH0_CLIENT_SECRET: auth0.clientSecret,
      AUTH_SESSION_SECRET: randomBytes(32).toString('base64url'),
      BACKEND_SECRET: randomBytes(32).toString('base64url'),
      POSTGRES_HOST: '127.0.0.1',
      POSTGRES_PORT: '5432',
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD: 'trust-authentication-ignores-it',
      // Required by the production check; the local catalog overlay replaces the location.
      GITHUB_TOKEN: 'not-used-by-this-test',
      CATALOG_ORG_URL: 'https://github.com/example/org/blob/main/org.yaml',
      // The Machine to Machine application of app-config.auth0-catalog.production.yaml.
      AUTH0_MANAGEMENT_CLIENT_ID: auth0.managementClientId,
      AUTH0_MANAGEMENT_CLIENT_SECRET: auth0.managementClientSecret,
      // What only this test adds: the dev server's CA, a port and databases of its own, and a
      // static token to read the catalog with (production has no guest).
      NODE_EXTRA_CA_CERTS: auth0.caFile,
      APP_CONFIG_backend_listen_port: String(port),
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      APP_CONFIG_backend_database_prefix: databasePrefix,
      APP_CONFIG_backend_auth_externalAccess: JSON.stringify([
        {
          type: 'static',
          options: { token: catalogReaderToken, subject: 'production-test' },
        },
      ]),
    };
    backend = await timed(timings, 'firstStartMs', startBackend);
    // From the first Auth0 read, which starts with the backend.
    await timed(timings, 'auth0IngestionMs', () =>
      waitForCatalogUser(backend!, 'chris', { token: catalogReaderToken }),
    );
    browser = createBrowser({ caFile: auth0.caFile });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await browser?.close();
      await backend?.stop();
      await auth0?.stop();
      await dropDatabasesWithPrefix(databasePrefix);
    } finally {
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      // Where the minutes go: the build, the production install, the two starts.
      // eslint-disable-next-line no-console
      console.log(`production bundle timings (ms): ${JSON.stringify(timings)}`);
    }
  }, 120_000);

  const catalogUser = (token: string) =>
    fetch(
      `${backend!.baseUrl}/api/catalog/entities/by-name/user/default/chris`,
      {
        headers: { authorization: `Bearer ${token}` },
      },
    );

  it('is ready', async () => {
    const response = await fetch(
      `${backend!.baseUrl}/.backstage/health/v1/readiness`,
    );
    expect(response.status).toBe(200);
  });

  it('serves the built app and its assets', async () => {
    const page = await fetch(`${backend!.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<title>Backstage with Auth0</title>');

    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script!, `${backend!.baseUrl}/`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it("has chris from Auth0's Management API, not from an org.yaml", async () => {
    const response = await catalogUser(catalogReaderToken);
    expect(response.status).toBe(200);
    const chris = await response.json();
    expect(chris.metadata.annotations).toMatchObject({
      'auth0.com/user-id': 'auth0|chris',
      'backstage.io/managed-by-location': 'auth0:production/auth0%7Cchris',
    });
    expect(chris.spec.profile).toMatchObject({
      email: 'chris@example.com',
      displayName: 'Chris House',
    });
    // The groups of chris's Auth0 roles and organization.
    expect(chris.spec.memberOf).toEqual(
      expect.arrayContaining([
        'group:default/platform-team',
        'group:default/example-corp',
      ]),
    );
  });

  it('refuses guest sign-in', async () => {
    const response = await fetch(`${backend!.baseUrl}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(response.status).toBe(404);
  });

  let tokenBeforeRestart: string;

  it('signs chris in through Auth0 and refreshes the session', async () => {
    const { message } = await signInThroughPopup(
      browser!,
      backend!,
      { user: 'chris' },
      { env: 'production' },
    );
    expect(message.error).toBeUndefined();
    const identity = message.response!.backstageIdentity!;
    expect(identity.identity.userEntityRef).toBe('user:default/chris');

    const refresh = await refreshSession(browser!, backend!, {
      env: 'production',
    });
    expect(refresh.status).toBe(200);
    expect(refresh.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/chris',
    );
    tokenBeforeRestart = refresh.body.backstageIdentity.token;
    expect((await catalogUser(tokenBeforeRestart)).status).toBe(200);

    // The request log shows the flow's requests without their query strings: the callback's
    // code and state, and /start's parameters.
    const authEntries = (output: string) =>
      requestLogEntries(output).filter(entry =>
        entry.url.startsWith('/api/auth/auth0/'),
      );
    const output = await backend!.waitForOutput(text =>
      authEntries(text).some(
        entry => entry.url === '/api/auth/auth0/handler/frame',
      ),
    );
    const urls = authEntries(output).map(entry => entry.url);
    expect(urls).toEqual(
      expect.arrayContaining([
        '/api/auth/auth0/start',
        '/api/auth/auth0/handler/frame',
      ]),
    );
    expect(urls.filter(url => url.includes('?'))).toEqual([]);
    expect(output).not.toMatch(/handler\/frame\?|[?&]code=/);
  });

  it('serves the sign-in and the ingestion as Prometheus metrics, as the image starts it', async () => {
    const expected = [
      /^auth0_sign_ins_total\{[^}]*outcome="success"[^}]*\} 1$/m,
      /^auth0_refreshes_total\{[^}]*outcome="success"[^}]*\} [1-9]/m,
      /^auth0_catalog_ingestion_runs_total\{[^}]*outcome="success"[^}]*\} [1-9]/m,
    ];
    // The counters are recorded as the answers are sent: poll briefly rather than scrape once.
    const scrape = await scrapeUntil(
      `http://localhost:${metricsPort}/metrics`,
      text => expected.every(pattern => pattern.test(text)),
    );
    for (const pattern of expected) expect(scrape).toMatch(pattern);
  });

  it('logs a request to the OAuth callback with its path but not its code or state', async () => {
    const userAgent = `production-bundle-test-${randomBytes(4).toString(
      'hex',
    )}`;
    const response = await fetch(
      `${
        backend!.baseUrl
      }/api/auth/auth0/handler/frame?code=SECRET_CODE&state=SECRET_STATE`,
      { headers: { 'user-agent': userAgent } },
    );
    await response.arrayBuffer();
    const loggedRequest = (output: string) =>
      requestLogEntries(output).find(entry => entry.userAgent === userAgent);
    const output = await backend!.waitForOutput(
      text => loggedRequest(text) !== undefined,
    );
    const entry = loggedRequest(output);
    expect(entry).toMatchObject({
      method: 'GET',
      url: '/api/auth/auth0/handler/frame',
      status: response.status,
    });
    expect(entry!.message).toContain(
      '"GET /api/auth/auth0/handler/frame HTTP/1.1"',
    );
    expect(output).not.toContain('SECRET_CODE');
    expect(output).not.toContain('SECRET_STATE');
  });

  it('stops on SIGTERM and, restarted, keeps sessions and the tokens it signed', async () => {
    expect(tokenBeforeRestart).toBeDefined();
    const exit = await backend!.stop();
    expect(exit).toEqual({ code: 0, signal: null, forced: false });

    backend = await timed(timings, 'restartMs', startBackend);

    // The restarted process signs with a new key; it still verifies the token signed before
    // the restart because the auth plugin keeps its public keys in PostgreSQL.
    expect((await catalogUser(tokenBeforeRestart)).status).toBe(200);

    const refresh = await refreshSession(browser!, backend!, {
      env: 'production',
    });
    expect(refresh.status).toBe(200);
    const token: string = refresh.body.backstageIdentity.token;
    expect(jwtPayload(token).sub).toBe('user:default/chris');
    const keyId = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString()).kid;
    expect(keyId(token)).not.toBe(keyId(tokenBeforeRestart));
    expect((await catalogUser(token)).status).toBe(200);
  });

  it('exits with code 1, saying why, when the Auth0 module refuses its config', async () => {
    const refusal = 'The Auth0 provider cannot start';
    const attempt = await runToExit(
      command[0] === 'node' ? process.execPath : command[0],
      command.slice(1),
      {
        cwd: appDir,
        env: {
          ...env,
          // Long enough for the production check (it is set and no placeholder); too short
          // for the Auth0 module, which wants 32 characters.
          AUTH_SESSION_SECRET: randomBytes(5).toString('hex'),
          APP_CONFIG_backend_listen_port: String(await findFreePort()),
          OTEL_EXPORTER_PROMETHEUS_PORT: String(await findFreePort()),
          APP_CONFIG_backend_database_prefix: `${databasePrefix}refused_`,
        },
        marker: refusal,
        timeoutMs: 150_000,
      },
    );
    const explain = `--- output ---\n${attempt.output}`;
    if (attempt.killed) {
      throw new Error(
        `the backend still ran ${
          attempt.markerAt === undefined
            ? 'without refusing'
            : `${Math.round(
                (attempt.exitedAt - attempt.markerAt) / 1000,
              )} s after refusing`
        }, and was killed\n${explain}`,
      );
    }
    if (attempt.code !== 1 || attempt.markerAt === undefined) {
      throw new Error(
        `expected exit code 1 after "${refusal}"; got ${
          attempt.signal ?? `code ${attempt.code}`
        }${
          attempt.markerAt === undefined ? ', without the refusal' : ''
        }\n${explain}`,
      );
    }
    // Exited within seconds of the refusal, not only once some deadline passed.
    expect(attempt.exitedAt - attempt.markerAt).toBeLessThan(30_000);
    // The last word, with every problem the module listed.
    const lastWord = attempt.output
      .split('\n')
      .find(line => line.includes('Backstage could not start and exits'));
    expect(lastWord).toBeDefined();
    expect(JSON.parse(lastWord!)).toMatchObject({
      level: 'error',
      type: 'startupFailure',
      message: expect.stringMatching(
        /Backstage could not start and exits with code 1: Backend startup failed[\s\S]*The Auth0 provider cannot start:\n {2}- auth\.session\.secret is 10 characters long/,
      ),
    });
    expect(attempt.output).not.toContain('Unhandled rejection');
  }, 180_000);
});
