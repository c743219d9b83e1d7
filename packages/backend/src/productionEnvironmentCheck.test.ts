import {
  configFilesFromArgs,
  environmentProblems,
  variablesInConfig,
} from './productionEnvironmentCheck';

const config = `
backend:
  auth:
    keys:
      - secret: \${BACKEND_SECRET}
  database:
    connection:
      host: \${POSTGRES_HOST}
      password:
        $env: POSTGRES_PASSWORD
      note: $\${NOT_A_VARIABLE}
auth:
  providers:
    auth0:
      production:
        domain: \${AUTH_AUTH0_DOMAIN}
        callbackUrl: https://\${APP_HOST}/api/auth/auth0/handler/frame
`;

describe('variablesInConfig', () => {
  it('finds ${VAR} and $env substitutions with the key that reads them', () => {
    expect(
      variablesInConfig('/repo/app-config.production.yaml', config),
    ).toEqual([
      {
        name: 'BACKEND_SECRET',
        keyPath: 'backend.auth.keys[0].secret',
        file: '/repo/app-config.production.yaml',
      },
      {
        name: 'POSTGRES_HOST',
        keyPath: 'backend.database.connection.host',
        file: '/repo/app-config.production.yaml',
      },
      {
        name: 'POSTGRES_PASSWORD',
        keyPath: 'backend.database.connection.password',
        file: '/repo/app-config.production.yaml',
      },
      {
        name: 'AUTH_AUTH0_DOMAIN',
        keyPath: 'auth.providers.auth0.production.domain',
        file: '/repo/app-config.production.yaml',
      },
      {
        name: 'APP_HOST',
        keyPath: 'auth.providers.auth0.production.callbackUrl',
        file: '/repo/app-config.production.yaml',
      },
    ]);
  });
});

describe('environmentProblems', () => {
  const variables = variablesInConfig(
    '/repo/app-config.production.yaml',
    config,
  );
  const complete = {
    BACKEND_SECRET: 'b'.repeat(40),
    POSTGRES_HOST: 'db.internal',
    POSTGRES_PASSWORD: 's3cr3t-value',
    AUTH_AUTH0_DOMAIN: 'acme.eu.auth0.com',
    APP_HOST: 'backstage.acme.com',
  };

  it('accepts real values', () => {
    expect(environmentProblems(variables, complete)).toEqual([]);
  });

  it('names a missing, an empty and a placeholder variable, with the key and the fix', () => {
    const { POSTGRES_HOST: _unset, ...rest } = complete;
    expect(
      environmentProblems(variables, {
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
  ])('treats %p as a placeholder', placeholder => {
    expect(
      environmentProblems(variables, {
        ...complete,
        POSTGRES_PASSWORD: placeholder,
      }),
    ).toEqual([
      expect.stringContaining('POSTGRES_PASSWORD is still the placeholder'),
    ]);
  });
});

describe('configFilesFromArgs', () => {
  it('reads both --config forms relative to the working directory', () => {
    expect(
      configFilesFromArgs(
        [
          '--config',
          'app-config.yaml',
          '--config=../app-config.production.yaml',
          '--other',
        ],
        '/app/packages/backend',
      ),
    ).toEqual([
      '/app/packages/backend/app-config.yaml',
      '/app/packages/app-config.production.yaml',
    ]);
  });
});
