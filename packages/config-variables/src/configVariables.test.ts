import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  configFilesOfCommand,
  readConfigVariables,
} from './configVariables.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-variables-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the files into the test's folder; the names are relative to it. */
function write(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
  }
}

const read = (...files: string[]) => readConfigVariables(files, { cwd: dir });

describe('readConfigVariables', () => {
  it('finds ${VAR} and $env with the key that reads them, not the $${VAR} escape', async () => {
    write({
      'app-config.production.yaml': [
        'backend:',
        '  auth:',
        '    keys:',
        '      - secret: ${BACKEND_SECRET}',
        '  database:',
        '    connection:',
        '      host: ${ POSTGRES_HOST }',
        '      password:',
        '        $env: POSTGRES_PASSWORD',
        '      note: $${NOT_A_VARIABLE}',
        'auth:',
        '  providers:',
        '    auth0:',
        '      production:',
        '        domain: ${AUTH_AUTH0_DOMAIN}',
        '        callbackUrl: https://${APP_HOST}/api/auth/auth0/handler/frame',
      ].join('\n'),
    });
    const file = 'app-config.production.yaml';
    expect(await read(file)).toEqual([
      {
        name: 'BACKEND_SECRET',
        keyPath: 'backend.auth.keys[0].secret',
        file,
        hasDefault: false,
      },
      {
        name: 'POSTGRES_HOST',
        keyPath: 'backend.database.connection.host',
        file,
        hasDefault: false,
      },
      {
        name: 'POSTGRES_PASSWORD',
        keyPath: 'backend.database.connection.password',
        file,
        hasDefault: false,
      },
      {
        name: 'AUTH_AUTH0_DOMAIN',
        keyPath: 'auth.providers.auth0.production.domain',
        file,
        hasDefault: false,
      },
      {
        name: 'APP_HOST',
        keyPath: 'auth.providers.auth0.production.callbackUrl',
        file,
        hasDefault: false,
      },
    ]);
  });

  it('tells ${VAR:-default} apart: a key with a fallback keeps its value without the variable', async () => {
    write({
      'c.yaml': [
        'backend:',
        '  database:',
        '    connection:',
        '      port: ${POSTGRES_PORT:-5432}',
        '      host: ${POSTGRES_HOST:-}',
        '  baseUrl: https://${HOST:-localhost}:${PORT}',
        'list:',
        '  - ${FIRST:-a}',
        '  - ${SECOND}',
        '  - ${THIRD:-c}',
      ].join('\n'),
    });
    const found = await read('c.yaml');
    expect(
      found.map(({ name, keyPath, hasDefault }) => [name, keyPath, hasDefault]),
    ).toEqual([
      ['POSTGRES_PORT', 'backend.database.connection.port', true],
      // An empty fallback is none: Backstage drops the key.
      ['POSTGRES_HOST', 'backend.database.connection.host', false],
      ['HOST', 'backend.baseUrl', true],
      ['PORT', 'backend.baseUrl', false],
      ['FIRST', 'list[0]', true],
      ['SECOND', 'list[1]', false],
      ['THIRD', 'list[2]', true],
    ]);
  });

  it('names the key that needs a variable without a fallback, and needs it there', async () => {
    write({
      'c.yaml': 'a: ${TOKEN:-anonymous}\nb: ${TOKEN}\nc: ${OPTIONAL:-x}\n',
    });
    expect(await read('c.yaml')).toEqual([
      { name: 'TOKEN', keyPath: 'b', file: 'c.yaml', hasDefault: false },
      { name: 'OPTIONAL', keyPath: 'c', file: 'c.yaml', hasDefault: true },
    ]);
  });

  it('reads the variables of $include files at the keys they fill, for the file that includes them', async () => {
    write({
      'app-config.yaml': [
        'integrations:',
        '  $include: integrations.yaml',
        'auth:',
        '  session:',
        '    $include: secrets.yaml#session.secret',
        'notes:',
        '  $file: notes.txt',
      ].join('\n'),
      'integrations.yaml':
        'github:\n  - host: github.com\n    token: ${GITHUB_TOKEN:-none}\n    app: ${GITHUB_APP}\n',
      'secrets.yaml': 'session:\n  secret:\n    key: ${AUTH_SESSION_SECRET}\n',
      'notes.txt': 'a ${NOT_SUBSTITUTED} in a $file is text',
    });
    expect(await read('app-config.yaml')).toEqual([
      {
        name: 'GITHUB_TOKEN',
        keyPath: 'integrations.github[0].token',
        file: 'app-config.yaml',
        hasDefault: true,
      },
      {
        name: 'GITHUB_APP',
        keyPath: 'integrations.github[0].app',
        file: 'app-config.yaml',
        hasDefault: false,
      },
      {
        name: 'AUTH_SESSION_SECRET',
        keyPath: 'auth.session.key',
        file: 'app-config.yaml',
        hasDefault: false,
      },
    ]);
  });

  it('names the reader in the last file that reads a variable, as that file overrides the earlier ones', async () => {
    write({
      'app-config.yaml': 'auth:\n  session:\n    secret: ${SESSION}\n',
      'app-config.production.yaml':
        'app:\n  baseUrl: ${BASE_URL}\nauth:\n  session:\n    secret: ${SESSION}\nbackend:\n  baseUrl: ${BASE_URL}\n',
    });
    expect(await read('app-config.yaml', 'app-config.production.yaml')).toEqual(
      [
        {
          name: 'SESSION',
          keyPath: 'auth.session.secret',
          file: 'app-config.production.yaml',
          hasDefault: false,
        },
        {
          name: 'BASE_URL',
          keyPath: 'app.baseUrl',
          file: 'app-config.production.yaml',
          hasDefault: false,
        },
      ],
    );
  });

  it('says which variable a path it cannot follow names, and which file is missing', async () => {
    write({ 'c.yaml': 'secret:\n  $file: ${SECRETS_DIR}/token\n' });
    await expect(read('c.yaml')).rejects.toThrow(
      /c\.yaml.*error at \.secret.*\$\{SECRETS_DIR\}\/token/,
    );
    await expect(read('missing.yaml')).rejects.toThrow(
      /Config file ".*missing\.yaml" does not exist/,
    );
  });
});

describe('configFilesOfCommand', () => {
  it('reads both --config forms, as Backstage does, and skips a --config without a file', () => {
    expect(
      configFilesOfCommand([
        'node',
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config=../app-config.production.yaml',
        '--other',
        '--config',
      ]),
    ).toEqual(['app-config.yaml', '../app-config.production.yaml']);
  });
});
