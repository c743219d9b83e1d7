import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigVariables } from '@internal/config-variables';
import {
  checkProductionEnvironment,
  environmentProblems,
} from './productionEnvironmentCheck';

const config = `
backend:
  auth:
    keys:
      - secret: \${BACKEND_SECRET}
  database:
    connection:
      host: \${POSTGRES_HOST}
      port: \${POSTGRES_PORT:-5432}
      password:
        $env: POSTGRES_PASSWORD
      note: $\${NOT_A_VARIABLE}
auth:
  providers:
    auth0:
      production:
        $include: auth0.yaml
`;
const auth0Config = `
domain: \${AUTH_AUTH0_DOMAIN}
callbackUrl: https://\${APP_HOST}/api/auth/auth0/handler/frame
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'production-environment-check-'));
  writeFileSync(join(dir, 'app-config.production.yaml'), config);
  writeFileSync(join(dir, 'auth0.yaml'), auth0Config);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const complete = {
  BACKEND_SECRET: 'b'.repeat(40),
  POSTGRES_HOST: 'db.internal',
  POSTGRES_PASSWORD: 's3cr3t-value',
  AUTH_AUTH0_DOMAIN: 'acme.eu.auth0.com',
  APP_HOST: 'backstage.acme.com',
};

describe('environmentProblems', () => {
  const problemsWith = async (env: NodeJS.ProcessEnv) =>
    environmentProblems(
      await readConfigVariables(['app-config.production.yaml'], { cwd: dir }),
      env,
    );

  it('accepts real values', async () => {
    expect(await problemsWith(complete)).toEqual([]);
  });

  it('names a missing, an empty and a placeholder variable, with the key and the fix', async () => {
    const { POSTGRES_HOST: _unset, ...rest } = complete;
    expect(
      await problemsWith({
        ...rest,
        BACKEND_SECRET: '  ',
        AUTH_AUTH0_DOMAIN: '<your-tenant>',
      }),
    ).toEqual([
      'BACKEND_SECRET is empty (read by backend.auth.keys[0].secret in app-config.production.yaml): give it a value',
      'POSTGRES_HOST is not set (read by backend.database.connection.host in app-config.production.yaml): set it in the environment',
      'AUTH_AUTH0_DOMAIN is still the placeholder "<your-tenant>" (read by auth.providers.auth0.production.domain in app-config.production.yaml): replace it with the real value',
    ]);
  });

  it.each([
    'changeme',
    'CHANGE-ME',
    'replace-me-with-the-secret',
    'TODO',
    'xxxx',
    'your-client-secret',
  ])('treats %p as a placeholder', async placeholder => {
    expect(
      await problemsWith({ ...complete, POSTGRES_PASSWORD: placeholder }),
    ).toEqual([
      expect.stringContaining('POSTGRES_PASSWORD is still the placeholder'),
    ]);
  });

  it('lets ${VAR:-default} fall back when unset or empty, but not be a placeholder', async () => {
    expect(await problemsWith(complete)).toEqual([]);
    expect(await problemsWith({ ...complete, POSTGRES_PORT: ' ' })).toEqual([]);
    expect(
      await problemsWith({ ...complete, POSTGRES_PORT: 'changeme' }),
    ).toEqual([
      'POSTGRES_PORT is still the placeholder "changeme" (read by backend.database.connection.port in app-config.production.yaml): replace it with the real value',
    ]);
  });

  it('checks the variables of an $include file, at the key they fill', async () => {
    const { APP_HOST: _unset, ...rest } = complete;
    expect(await problemsWith(rest)).toEqual([
      'APP_HOST is not set (read by auth.providers.auth0.production.callbackUrl in app-config.production.yaml): set it in the environment',
    ]);
  });
});

describe('checkProductionEnvironment', () => {
  it('reads the --config files of the command line from the working directory, in production only', async () => {
    const args = ['--config', 'app-config.production.yaml'];
    expect(
      await checkProductionEnvironment({
        args,
        env: { NODE_ENV: 'production', ...complete, BACKEND_SECRET: 'TODO' },
        cwd: dir,
      }),
    ).toEqual([
      expect.stringContaining('BACKEND_SECRET is still the placeholder'),
    ]);
    expect(
      await checkProductionEnvironment({
        args,
        env: { NODE_ENV: 'development' },
        cwd: dir,
      }),
    ).toEqual([]);
  });
});
