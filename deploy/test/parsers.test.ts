import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  configFilesOfCommand,
  readConfigVariables,
} from '@internal/config-variables';
import { parseKeyVaultObjects } from '../src/azureKeyVaultObjects.ts';
import { secretSetCommands } from '../src/deploymentDoc.ts';

describe('secretSetCommands', () => {
  test('finds each az keyvault secret set in shell code blocks, in any form of --name', () => {
    const markdown = [
      'Run `az keyvault secret set --name not-in-a-block` like this:',
      '',
      '```sh',
      'az keyvault secret set --vault-name "$KV" --name first --value x',
      'az keyvault secret set --vault-name "$KV" \\',
      '  -n second --value "$(openssl rand -base64 32)"',
      'az keyvault secret show --name not-a-set # az keyvault secret set --name in-a-comment',
      'true && az keyvault secret set --name=third --vault-name kv --value y',
      '```',
      '',
      '- a list item:',
      '',
      '  ```bash',
      '  az keyvault secret set --vault-name kv --name fourth --value z',
      '  ```',
      '',
      '```yaml',
      'command: az keyvault secret set --name in-yaml',
      '```',
    ].join('\n');
    assert.deepEqual(
      secretSetCommands(markdown).map(command => command.name),
      ['first', 'second', 'third', 'fourth'],
    );
  });

  test('refuses a command without --name', () => {
    assert.throws(
      () =>
        secretSetCommands(
          '```sh\naz keyvault secret set --vault-name kv --value x\n```\n',
        ),
      /has no --name/,
    );
  });
});

describe('parseKeyVaultObjects', () => {
  test("reads the Azure provider's nested YAML, with aliases", () => {
    const objects =
      'array:\n  - |\n    objectName: a-b\n    objectType: secret\n    objectAlias: A_B\n';
    assert.deepEqual(parseKeyVaultObjects(objects), [
      { objectName: 'a-b', objectType: 'secret', objectAlias: 'A_B' },
    ]);
  });

  test('explains what is wrong with the format', () => {
    assert.throws(
      () => parseKeyVaultObjects(undefined),
      /no `objects` parameter/,
    );
    assert.throws(
      () => parseKeyVaultObjects('- objectName: a'),
      /`array` list/,
    );
    assert.throws(
      () => parseKeyVaultObjects('array:\n  - |\n    objectName: a\n'),
      /entry 1 .* no objectName or objectType/,
    );
  });
});

// The config reader is @internal/config-variables', which the backend's startup check shares;
// these run it as the checks here do, from an ES module under Node's own test runner.
describe('readConfigVariables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-config-variables-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('finds ${NAME} and $env, not the $${NAME} escape, with their key paths', async () => {
    writeFileSync(
      join(dir, 'c.yaml'),
      [
        'app:',
        '  baseUrl: https://${HOST}/x',
        '  literal: $${NOT_READ}',
        'list:',
        '  - token: { $env: TOKEN }',
      ].join('\n'),
    );
    assert.deepEqual(await readConfigVariables(['c.yaml'], { cwd: dir }), [
      {
        name: 'HOST',
        keyPath: 'app.baseUrl',
        file: 'c.yaml',
        hasDefault: false,
      },
      {
        name: 'TOKEN',
        keyPath: 'list[0].token',
        file: 'c.yaml',
        hasDefault: false,
      },
    ]);
  });

  test('reads ${NAME:-default} as a variable with a default, and follows $include', async () => {
    writeFileSync(
      join(dir, 'd.yaml'),
      'backend:\n  listen:\n    port: ${PORT:-7007}\n  database:\n    $include: database.yaml\n',
    );
    writeFileSync(
      join(dir, 'database.yaml'),
      'connection:\n  host: ${PGHOST}\n',
    );
    assert.deepEqual(await readConfigVariables(['d.yaml'], { cwd: dir }), [
      {
        name: 'PORT',
        keyPath: 'backend.listen.port',
        file: 'd.yaml',
        hasDefault: true,
      },
      {
        name: 'PGHOST',
        keyPath: 'backend.database.connection.host',
        file: 'd.yaml',
        hasDefault: false,
      },
    ]);
  });

  test('configFilesOfCommand reads both --config forms', () => {
    assert.deepEqual(
      configFilesOfCommand([
        'node',
        'x',
        '--config',
        'a.yaml',
        '--config=b.yaml',
        '--config',
      ]),
      ['a.yaml', 'b.yaml'],
    );
  });
});
