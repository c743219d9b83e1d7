import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseKeyVaultObjects } from '../src/azureKeyVaultObjects.ts';
import {
  configFilesOfCommand,
  variablesReadByConfig,
} from '../src/configVariables.ts';
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

describe('variablesReadByConfig', () => {
  test('finds ${NAME} and $env, not the $${NAME} escape, with their key paths', () => {
    const yaml = [
      'app:',
      '  baseUrl: https://${HOST}/x',
      '  literal: $${NOT_READ}',
      'list:',
      '  - token: { $env: TOKEN }',
    ].join('\n');
    assert.deepEqual(variablesReadByConfig('c.yaml', yaml), [
      { name: 'HOST', keyPath: 'app.baseUrl', file: 'c.yaml' },
      { name: 'TOKEN', keyPath: 'list[0].token', file: 'c.yaml' },
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
