import {
  BackendProcess,
  dropDatabasesWithPrefix,
  startBackendProcess,
} from '@internal/test-harness';

jest.setTimeout(180_000);

/** Development's log lines without their terminal colours. */
function withoutColors(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\u001b\[[0-9;]*m/g, '');
}

/** The whole line (ended by a newline) that contains `marker`, if there is one yet. */
function lineWith(output: string, marker: string): string | undefined {
  return output
    .split('\n')
    .slice(0, -1)
    .find(line => line.includes(marker));
}

async function signInAsGuest(backend: BackendProcess) {
  const response = await fetch(`${backend.baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  return response;
}

async function entitiesOfKind(
  backend: BackendProcess,
  token: string,
  kind: string,
): Promise<Array<{ metadata: { name: string }; spec?: any }>> {
  const response = await fetch(
    `${backend.baseUrl}/api/catalog/entities/by-query?filter=kind=${kind}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  if (!response.ok) {
    throw new Error(
      `catalog answered ${response.status}: ${await response.text()}`,
    );
  }
  return (await response.json()).items;
}

describe('the backend in development (app-config.yaml)', () => {
  let backend: BackendProcess;

  beforeAll(async () => {
    backend = await startBackendProcess({ configFiles: ['app-config.yaml'] });
  });
  afterAll(() => backend?.stop());

  it('listens on 127.0.0.1 only', () => {
    expect(backend.output()).toContain(
      `Listening on 127.0.0.1:${backend.port}`,
    );
  });

  it('logs a request to the OAuth callback with its path but not its code or state', async () => {
    const userAgent = `backend-test-${process.pid}-callback`;
    const response = await fetch(
      `${backend.baseUrl}/api/auth/auth0/handler/frame?code=SECRET_CODE&state=SECRET_STATE`,
      { headers: { 'user-agent': userAgent } },
    );
    await response.arrayBuffer();
    const output = await backend.waitForOutput(
      text => lineWith(text, userAgent) !== undefined,
    );
    const line = withoutColors(lineWith(output, userAgent)!);
    expect(line).toContain('"GET /api/auth/auth0/handler/frame HTTP/1.1"');
    expect(line).toContain('type="incomingRequest"');
    expect(line).toContain('url="/api/auth/auth0/handler/frame"');
    expect(output).not.toContain('SECRET_CODE');
    expect(output).not.toContain('SECRET_STATE');

    // Other requests keep their query string in the log.
    const otherAgent = `backend-test-${process.pid}-other`;
    await (
      await fetch(`${backend.baseUrl}/api/catalog/entities?filter=KEPT`, {
        headers: { 'user-agent': otherAgent },
      })
    ).arrayBuffer();
    const otherLine = lineWith(
      await backend.waitForOutput(
        text => lineWith(text, otherAgent) !== undefined,
      ),
      otherAgent,
    );
    expect(withoutColors(otherLine!)).toContain(
      '"GET /api/catalog/entities?filter=KEPT HTTP/1.1"',
    );
  });

  it('signs a guest in with a Backstage token', async () => {
    const response = await signInAsGuest(backend);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.backstageIdentity.token).toMatch(/^eyJ/);
    expect(body.backstageIdentity.identity.userEntityRef).toBe(
      'user:development/guest',
    );
  });

  it('refuses catalog reads without credentials', async () => {
    const response = await fetch(`${backend.baseUrl}/api/catalog/entities`);
    expect(response.status).toBe(401);
  });

  it('has the users and groups of examples/org.yaml in the catalog', async () => {
    const { backstageIdentity } = await (await signInAsGuest(backend)).json();
    const token = backstageIdentity.token;

    let users: Awaited<ReturnType<typeof entitiesOfKind>> = [];
    // The catalog ingests examples/ shortly after readiness; wait until it has.
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      users = await entitiesOfKind(backend, token, 'user');
      if (users.length >= 4) break;
      await new Promise(r => setTimeout(r, 500));
    }
    const groups = await entitiesOfKind(backend, token, 'group');

    const chris = users.find(user => user.metadata.name === 'chris');
    expect(chris?.spec).toMatchObject({
      profile: { displayName: 'Chris House', email: 'chris@example.com' },
      memberOf: ['platform-team'],
    });
    expect(users.map(user => user.metadata.name).sort()).toEqual([
      'alex',
      'chris',
      'jordan',
      'sam',
    ]);
    expect(groups.map(group => group.metadata.name).sort()).toEqual([
      'engineering',
      'payments-team',
      'platform-team',
    ]);
  });
});

const productionConfigFiles = ['app-config.yaml', 'app-config.production.yaml'];

/** What production needs in the environment, valid throughout. */
function productionEnv(databasePrefix: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    APP_BASE_URL: 'http://localhost:7007',
    BACKEND_SECRET: 'a-test-backend-secret-that-is-long-enough',
    POSTGRES_HOST: '127.0.0.1',
    POSTGRES_PORT: '5432',
    POSTGRES_USER: 'postgres',
    POSTGRES_PASSWORD: 'unused-with-trust-auth',
    APP_CONFIG_backend_database_prefix: databasePrefix,
    GITHUB_TOKEN: 'not-used-in-this-test',
    AUTH_AUTH0_DOMAIN: 'tenant.example.com',
    AUTH_AUTH0_CLIENT_ID: 'not-used-in-this-test',
    AUTH_AUTH0_CLIENT_SECRET: 'not-used-in-this-test',
    AUTH_SESSION_SECRET: 'a-test-session-secret-that-is-long-enough',
    CATALOG_ORG_URL: 'https://github.com/example/org/blob/main/org.yaml',
  };
}

describe('the backend with production config (app-config.production.yaml)', () => {
  const databasePrefix = `backstage_test_${process.pid}_`;
  let backend: BackendProcess;

  beforeAll(async () => {
    backend = await startBackendProcess({
      configFiles: productionConfigFiles,
      env: productionEnv(databasePrefix),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await dropDatabasesWithPrefix(databasePrefix);
  });

  it('listens on every interface', () => {
    expect(backend.output()).toContain(`Listening on 0.0.0.0:${backend.port}`);
  });

  it('answers 404 for the guest provider', async () => {
    const response = await signInAsGuest(backend);
    expect(response.status).toBe(404);
  });

  it('is ready with the rest of its plugins', async () => {
    const readiness = await fetch(
      `${backend.baseUrl}/.backstage/health/v1/readiness`,
    );
    expect(readiness.status).toBe(200);
    const catalog = await fetch(`${backend.baseUrl}/api/catalog/entities`);
    expect(catalog.status).toBe(401);
  });
});

describe('the production startup check', () => {
  const databasePrefix = `backstage_test_refused_${process.pid}_`;
  afterAll(() => dropDatabasesWithPrefix(databasePrefix));

  it('exits with code 1 when a plugin cannot start, with the whole refusal in its output', async () => {
    const attempt = startBackendProcess({
      configFiles: productionConfigFiles,
      env: {
        ...productionEnv(databasePrefix),
        AUTH_SESSION_SECRET: 'ten-chars!',
        AUTH_AUTH0_DOMAIN: 'https://tenant.example.com',
      },
    });
    await expect(attempt).rejects.toThrow(
      /the backend exited \(code 1\) before it was ready[\s\S]*Backstage could not start and exits with code 1: Backend startup failed[\s\S]*The Auth0 provider cannot start:\\n {2}- auth\.providers\.auth0\.production\.domain is \\"https:\/\/tenant\.example\.com\\"[^\n]*\\n {2}- auth\.session\.secret is 10 characters long/,
    );
  });

  it('refuses to start without a variable the config reads, naming it and the key', async () => {
    const attempt = startBackendProcess({
      configFiles: productionConfigFiles,
      env: { NODE_ENV: 'production', APP_BASE_URL: 'http://localhost:7007' },
    });
    await expect(attempt).rejects.toThrow(
      /exited \(code 1\)[\s\S]*POSTGRES_PASSWORD is not set \(read by backend\.database\.connection\.password in app-config\.production\.yaml\)/,
    );
  });

  it("with the image's people-from-Auth0 layer, refuses to start without the Management API's secret", async () => {
    const attempt = startBackendProcess({
      // The image's command (packages/backend/Dockerfile).
      configFiles: [
        ...productionConfigFiles,
        'app-config.auth0-catalog.production.yaml',
      ],
      env: {
        ...productionEnv(databasePrefix),
        AUTH0_MANAGEMENT_CLIENT_ID: 'not-used-in-this-test',
      },
    });
    await expect(attempt).rejects.toThrow(
      /exited \(code 1\)[\s\S]*AUTH0_MANAGEMENT_CLIENT_SECRET is not set \(read by catalog\.providers\.auth0\.production\.clientSecret in app-config\.auth0-catalog\.production\.yaml\)/,
    );
    // The only problem: the variable that is set is not reported.
    await expect(attempt).rejects.not.toThrow('AUTH0_MANAGEMENT_CLIENT_ID is');
  });
});
