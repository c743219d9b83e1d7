import assert from 'node:assert/strict';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readConfigVariables } from '@internal/config-variables';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { secretSetCommands } from '../src/deploymentDoc.ts';
import {
  findOne,
  renderKustomization,
  type Manifest,
} from '../src/manifests.ts';
import {
  chainInputFor,
  guidePath,
  kubernetesDir,
  kustomizeTargets,
  repoRoot,
} from '../src/repository.ts';
import {
  CHAIN_LINKS,
  checkSecretChain,
  type ChainInput,
  type ChainLink,
} from '../src/secretChain.ts';

const PRODUCTION_CONFIG = 'app-config.production.yaml';
/** People from Auth0: the layer the image and the Deployment load after PRODUCTION_CONFIG. */
const AUTH0_CATALOG_CONFIG = 'app-config.auth0-catalog.production.yaml';
const CONFIG_FILES = [
  'app-config.yaml',
  PRODUCTION_CONFIG,
  AUTH0_CATALOG_CONFIG,
];
/** The Machine to Machine application's credentials, which only AUTH0_CATALOG_CONFIG reads. */
const MANAGEMENT_VARIABLES = [
  'AUTH0_MANAGEMENT_CLIENT_ID',
  'AUTH0_MANAGEMENT_CLIENT_SECRET',
];
const variablesOf = (file: string) =>
  readConfigVariables([file], { cwd: repoRoot }).then(variables =>
    variables.map(variable => variable.name),
  );
const productionVariables = variablesOf(PRODUCTION_CONFIG);
const auth0CatalogVariables = variablesOf(AUTH0_CATALOG_CONFIG);

/** `text` with `search` replaced; fails when `search` is not in it. */
function replaced(
  text: string,
  search: string | RegExp,
  replacement: string,
): string {
  const edited = text.replace(search, replacement);
  assert.notEqual(edited, text, `${search} is in the text`);
  return edited;
}

const configCopies: string[] = [];
after(() => {
  for (const dir of configCopies) rmSync(dir, { recursive: true, force: true });
});

/**
 * A folder with copies of the config files that the Deployment's command loads, edited, and
 * any more files given; for a ChainInput's `configDir`.
 */
function editedConfigDir(
  edit: (text: string, file: string) => string,
  more: Record<string, string> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-chain-config-'));
  configCopies.push(dir);
  for (const file of CONFIG_FILES) {
    writeFileSync(
      join(dir, file),
      edit(readFileSync(join(repoRoot, file), 'utf8'), file),
    );
  }
  for (const [file, text] of Object.entries(more)) {
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

for (const target of kustomizeTargets()) {
  const source = `deploy/kubernetes/${target}`;
  describe(`secret chain of ${source}`, async () => {
    const result = await checkSecretChain(
      chainInputFor(renderKustomization(join(kubernetesDir, target)), source),
    );
    test('the Deployment runs the backend with config files that exist', () => {
      assert.deepEqual(
        result.problems
          .filter(problem => problem.link === 'setup')
          .map(p => p.message),
        [],
      );
    });

    for (const [file, fileVariables] of [
      [PRODUCTION_CONFIG, productionVariables],
      [AUTH0_CATALOG_CONFIG, auth0CatalogVariables],
    ] as const) {
      test(`every variable of ${file} is followed`, async () => {
        const followed = result.variables.map(variable => variable.name);
        const names = await fileVariables;
        assert.ok(names.length > 0, `${file} reads variables`);
        for (const name of names) {
          assert.ok(followed.includes(name), `${name} of ${file} is followed`);
        }
      });
    }

    // Named here, not only found in the config: if the Deployment stopped loading
    // AUTH0_CATALOG_CONFIG, or the file stopped reading them, the loop below would simply
    // have no test for them.
    for (const name of MANAGEMENT_VARIABLES) {
      test(`${name}, read by ${AUTH0_CATALOG_CONFIG}, reaches a documented value`, () => {
        const variable = result.variables.find(
          candidate => candidate.name === name,
        );
        assert.ok(
          variable,
          `${name} is read by a --config file of the Deployment's command (${AUTH0_CATALOG_CONFIG})`,
        );
        assert.equal(variable.file, AUTH0_CATALOG_CONFIG);
        assert.equal(variable.hasDefault, false, `${name} has no fallback`);
        assert.deepEqual(
          result.problems
            .filter(problem => problem.variable === name)
            .map(problem => `${problem.link}: ${problem.message}`),
          [],
        );
      });
    }

    for (const variable of result.variables) {
      test(`${variable.name} (${variable.keyPath} in ${variable.file}) reaches a documented value`, () => {
        for (const link of CHAIN_LINKS) {
          const broken = result.problems.filter(
            problem =>
              problem.variable === variable.name && problem.link === link,
          );
          assert.equal(
            broken.length,
            0,
            `link "${link}": ${broken
              .map(problem => problem.message)
              .join('; ')}`,
          );
        }
      });
    }
  });
}

describe('the docs store each secret once', () => {
  test(`${guidePath} has one az keyvault secret set per Key Vault secret`, () => {
    const names = secretSetCommands(
      readFileSync(join(repoRoot, guidePath), 'utf8'),
    ).map(command => command.name);
    assert.ok(names.length > 0);
    assert.deepEqual(
      names.filter((name, index) => names.indexOf(name) !== index),
      [],
      'names set twice',
    );
  });
});

type SpcSpec = {
  parameters: Record<string, string>;
  secretObjects: {
    secretName: string;
    data: { key: string; objectName: string }[];
  }[];
};

describe('renaming one link breaks the chain', () => {
  const baseSource = 'deploy/kubernetes/base';
  const original = chainInputFor(
    renderKustomization(join(kubernetesDir, 'base')),
    baseSource,
  );
  const backend = (input: ChainInput): IContainer =>
    (findOne(input.manifests, 'Deployment') as Manifest & IDeployment).spec!
      .template.spec!.containers[0];
  const spcSpec = (input: ChainInput) =>
    (
      findOne(input.manifests, 'SecretProviderClass') as Manifest & {
        spec: SpcSpec;
      }
    ).spec;
  const env = (input: ChainInput, name: string) =>
    backend(input).env!.find(entry => entry.name === name)!;
  const secretData = (input: ChainInput, key: string) =>
    spcSpec(input).secretObjects[0].data.find(entry => entry.key === key)!;

  const mutations: {
    what: string;
    variable: string;
    link: ChainLink;
    /** A file or object the message must name. */
    names: string;
    mutate: (input: ChainInput) => void;
  }[] = [
    {
      what: `renaming the variable in ${PRODUCTION_CONFIG}`,
      variable: 'GITHUB_PAT',
      link: 'env',
      names: PRODUCTION_CONFIG,
      mutate: input => {
        input.configDir = editedConfigDir((text, file) =>
          file === PRODUCTION_CONFIG
            ? replaced(text, '${GITHUB_TOKEN}', '${GITHUB_PAT}')
            : text,
        );
      },
    },
    {
      what: "renaming the Deployment's env entry",
      variable: 'AUTH_AUTH0_DOMAIN',
      link: 'env',
      names: 'Deployment "backstage"',
      mutate: input => {
        env(input, 'AUTH_AUTH0_DOMAIN').name = 'AUTH0_DOMAIN';
      },
    },
    {
      what: 'turning a secret into a plain value',
      variable: 'POSTGRES_PASSWORD',
      link: 'secret',
      names: 'Deployment "backstage"',
      mutate: input => {
        const entry = env(input, 'POSTGRES_PASSWORD');
        delete entry.valueFrom;
        entry.value = 'hunter2';
      },
    },
    {
      what: 'renaming the Secret in a secretKeyRef',
      variable: 'AUTH_SESSION_SECRET',
      link: 'secret',
      names: 'Secret "backstage-secret"',
      mutate: input => {
        env(input, 'AUTH_SESSION_SECRET').valueFrom!.secretKeyRef!.name =
          'backstage-secret';
      },
    },
    {
      what: 'renaming the Secret in secretObjects',
      variable: 'BACKEND_SECRET',
      link: 'secret',
      names: 'Secret "backstage-secrets"',
      mutate: input => {
        spcSpec(input).secretObjects[0].secretName = 'backstage-env';
      },
    },
    {
      what: 'renaming the SecretProviderClass that the CSI volume mounts',
      variable: 'POSTGRES_HOST',
      link: 'secret',
      names: 'SecretProviderClass "backstage-keyvault"',
      mutate: input => {
        const volume = (
          findOne(input.manifests, 'Deployment') as Manifest & IDeployment
        ).spec!.template.spec!.volumes!.find(candidate => candidate.csi)!;
        volume.csi!.volumeAttributes!.secretProviderClass = 'backstage-vault';
      },
    },
    {
      what: 'renaming the key in a secretKeyRef',
      variable: 'POSTGRES_USER',
      link: 'secret key',
      names: 'key "POSTGRES_USERNAME"',
      mutate: input => {
        env(input, 'POSTGRES_USER').valueFrom!.secretKeyRef!.key =
          'POSTGRES_USERNAME';
      },
    },
    {
      what: 'renaming the key in secretObjects',
      variable: 'POSTGRES_PORT',
      link: 'secret key',
      names: 'SecretProviderClass "backstage-keyvault"',
      mutate: input => {
        secretData(input, 'POSTGRES_PORT').key = 'PG_PORT';
      },
    },
    {
      what: 'renaming the objectName in secretObjects',
      variable: 'AUTH_AUTH0_CLIENT_ID',
      link: 'key vault object',
      names: 'object "auth0-client-id"',
      mutate: input => {
        secretData(input, 'AUTH_AUTH0_CLIENT_ID').objectName =
          'auth0-client-id';
      },
    },
    {
      what: 'renaming the objectName in objects',
      variable: 'AUTH_AUTH0_CLIENT_SECRET',
      link: 'key vault object',
      names: 'SecretProviderClass "backstage-keyvault"',
      mutate: input => {
        const parameters = spcSpec(input).parameters;
        parameters.objects = parameters.objects.replace(
          'objectName: auth-auth0-client-secret',
          'objectName: auth0-client-secret',
        );
      },
    },
    {
      what: 'giving the Key Vault object a name with underscores',
      variable: 'GITHUB_TOKEN',
      link: 'key vault object',
      names: 'github_token',
      mutate: input => {
        const spec = spcSpec(input);
        spec.parameters.objects = spec.parameters.objects.replace(
          'objectName: github-token',
          'objectName: github_token',
        );
        secretData(input, 'GITHUB_TOKEN').objectName = 'github_token';
      },
    },
    {
      what: `renaming the secret in the az command of ${guidePath}`,
      variable: 'POSTGRES_PASSWORD',
      link: 'documented',
      names: guidePath,
      mutate: input => {
        input.guide.text = input.guide.text.replace(
          '--name postgres-password ',
          '--name postgres-passwd ',
        );
      },
    },
  ];

  /** The Key Vault secret of each management variable, as docs/deployment.md stores it. */
  const keyVaultName = (variable: string) =>
    variable.toLowerCase().replace(/_/g, '-');
  for (const variable of MANAGEMENT_VARIABLES) {
    const objectName = keyVaultName(variable);
    mutations.push(
      {
        what: `renaming the variable in ${AUTH0_CATALOG_CONFIG}`,
        variable: `${variable}_RENAMED`,
        link: 'env',
        names: AUTH0_CATALOG_CONFIG,
        mutate: input => {
          input.configDir = editedConfigDir((text, file) =>
            file === AUTH0_CATALOG_CONFIG
              ? replaced(text, `\${${variable}}`, `\${${variable}_RENAMED}`)
              : text,
          );
        },
      },
      {
        what: "dropping the Deployment's env entry",
        variable,
        link: 'env',
        names: 'Deployment "backstage"',
        mutate: input => {
          const container = backend(input);
          container.env = container.env!.filter(
            entry => entry.name !== variable,
          );
        },
      },
      {
        what: 'turning the secret into a plain value',
        variable,
        link: 'secret',
        names: 'Deployment "backstage"',
        mutate: input => {
          const entry = env(input, variable);
          delete entry.valueFrom;
          entry.value = 'not-a-secret-any-more';
        },
      },
      {
        what: 'renaming the Secret in its secretKeyRef',
        variable,
        link: 'secret',
        names: 'Secret "auth0-management"',
        mutate: input => {
          env(input, variable).valueFrom!.secretKeyRef!.name =
            'auth0-management';
        },
      },
      {
        what: 'dropping its key from secretObjects',
        variable,
        link: 'secret key',
        names: `key "${variable}"`,
        mutate: input => {
          const secret = spcSpec(input).secretObjects[0];
          secret.data = secret.data.filter(entry => entry.key !== variable);
        },
      },
      {
        what: 'dropping its object from objects',
        variable,
        link: 'key vault object',
        names: `object "${objectName}"`,
        mutate: input => {
          const parameters = spcSpec(input).parameters;
          parameters.objects = replaced(
            parameters.objects,
            new RegExp(
              `\\n\\s*- \\|\\n\\s*objectName: ${objectName}\\n\\s*objectType: secret`,
            ),
            '',
          );
        },
      },
      {
        what: `renaming the secret in the az command of ${guidePath}`,
        variable,
        link: 'documented',
        names: `--name ${objectName}`,
        mutate: input => {
          input.guide.text = replaced(
            input.guide.text,
            `--name ${objectName} `,
            `--name ${objectName}-renamed `,
          );
        },
      },
    );
  }

  test('the unchanged chain has no problem', async () => {
    assert.deepEqual(
      (await checkSecretChain(structuredClone(original))).problems,
      [],
    );
  });

  for (const mutation of mutations) {
    test(`${mutation.what} breaks "${mutation.link}" of ${mutation.variable}`, async () => {
      const input = structuredClone(original);
      mutation.mutate(input);
      const { problems } = await checkSecretChain(input);
      const match = problems.find(
        problem =>
          problem.variable === mutation.variable &&
          problem.link === mutation.link,
      );
      assert.ok(
        match,
        `expected a "${mutation.link}" problem for ${
          mutation.variable
        }, got: ${JSON.stringify(problems)}`,
      );
      assert.ok(
        match.message.startsWith(`${mutation.variable}:`),
        match.message,
      );
      assert.ok(
        match.message.includes(mutation.names),
        `"${match.message}" names ${mutation.names}`,
      );
    });
  }

  describe('in the files themselves, rendered again', () => {
    const copy = mkdtempSync(join(tmpdir(), 'deploy-chain-'));
    after(() => rmSync(copy, { recursive: true, force: true }));

    /** The broken links of the production overlay, in a copy with one file edited. */
    async function brokenLinksAfterEditing(
      file: string,
      search: string | RegExp,
      replacement: string,
    ) {
      cpSync(kubernetesDir, copy, { recursive: true });
      const path = join(copy, file);
      writeFileSync(
        path,
        replaced(readFileSync(path, 'utf8'), search, replacement),
      );
      const { problems } = await checkSecretChain(
        chainInputFor(
          renderKustomization(join(copy, 'overlays/production')),
          'copy',
        ),
      );
      return problems.map(problem => [problem.variable, problem.link]);
    }

    test('an objectName renamed in secretproviderclass.yaml is caught', async () => {
      assert.deepEqual(
        await brokenLinksAfterEditing(
          'base/secretproviderclass.yaml',
          /objectName: backend-secret\n(\s+)objectType/,
          'objectName: backstage-backend-secret\n$1objectType',
        ),
        [['BACKEND_SECRET', 'key vault object']],
      );
    });

    test('a management objectName renamed in secretproviderclass.yaml is caught', async () => {
      assert.deepEqual(
        await brokenLinksAfterEditing(
          'base/secretproviderclass.yaml',
          /objectName: auth0-management-client-secret\n(\s+)objectType/,
          'objectName: auth0-management-secret\n$1objectType',
        ),
        [['AUTH0_MANAGEMENT_CLIENT_SECRET', 'key vault object']],
      );
    });

    test('a management key renamed in deployment.yaml is caught', async () => {
      assert.deepEqual(
        await brokenLinksAfterEditing(
          'base/deployment.yaml',
          'key: AUTH0_MANAGEMENT_CLIENT_ID',
          'key: AUTH0_MANAGEMENT_ID',
        ),
        [['AUTH0_MANAGEMENT_CLIENT_ID', 'secret key']],
      );
    });

    test('an env name renamed in deployment.yaml is caught', async () => {
      assert.deepEqual(
        await brokenLinksAfterEditing(
          'base/deployment.yaml',
          '- name: AUTH_AUTH0_CLIENT_SECRET',
          '- name: AUTH0_CLIENT_SECRET',
        ),
        [['AUTH_AUTH0_CLIENT_SECRET', 'env']],
      );
    });
  });
});

describe('the config files, read as Backstage reads them', () => {
  const original = chainInputFor(
    renderKustomization(join(kubernetesDir, 'base')),
    'deploy/kubernetes/base',
  );
  const withProductionConfig = (
    edit: (text: string) => string,
    more: Record<string, string> = {},
  ): ChainInput => ({
    ...structuredClone(original),
    configDir: editedConfigDir(
      (text, file) => (file === PRODUCTION_CONFIG ? edit(text) : text),
      more,
    ),
  });
  const listenPort = (port: string) => (text: string) =>
    replaced(text, '    port: 7007', `    port: ${port}`);

  test('a variable with a ${NAME:-fallback} may be left out of the env, one without may not', async () => {
    const optional = await checkSecretChain(
      withProductionConfig(listenPort('${BACKEND_PORT:-7007}')),
    );
    assert.deepEqual(optional.problems, []);
    assert.ok(
      optional.variables.some(
        variable => variable.name === 'BACKEND_PORT' && variable.hasDefault,
      ),
    );

    const required = await checkSecretChain(
      withProductionConfig(listenPort('${BACKEND_PORT}')),
    );
    assert.deepEqual(
      required.problems.map(problem => [problem.variable, problem.link]),
      [['BACKEND_PORT', 'env']],
    );
  });

  test('a variable of an $include file is followed, named by the key it fills', async () => {
    const input = withProductionConfig(
      text =>
        replaced(
          text,
          'integrations:\n  github:\n    - host: github.com\n      token: ${GITHUB_TOKEN}\n',
          'integrations:\n  $include: integrations.yaml\n',
        ),
      {
        'integrations.yaml':
          'github:\n  - host: github.com\n    token: ${GITHUB_PAT}\n',
      },
    );
    const { problems, variables } = await checkSecretChain(input);
    assert.ok(!variables.some(variable => variable.name === 'GITHUB_TOKEN'));
    assert.deepEqual(
      problems.map(problem => problem.message),
      [
        `GITHUB_PAT: read by integrations.github[0].token in ${PRODUCTION_CONFIG}, is not in the env of container "backend" of Deployment "backstage" in deploy/kubernetes/base`,
      ],
    );
  });
});
