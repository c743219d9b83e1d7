import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import {
  configFilesOfCommand,
  readConfigVariables,
  type ConfigVariable,
} from '@internal/config-variables';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import {
  KEY_VAULT_NAME,
  parseKeyVaultObjects,
  type KeyVaultObject,
} from './azureKeyVaultObjects.ts';
import { secretSetCommands } from './deploymentDoc.ts';
import type { Manifest } from './manifests.ts';

/**
 * The links from a variable that the config reads back to the command that stores its value,
 * in the order the chain is followed:
 * - `env`: the Deployment's container sets the variable (one with a `${NAME:-fallback}` may be
 *   left out, and then has no further links);
 * - `secret`: as a secretKeyRef to a Secret that a SecretProviderClass creates and that the
 *   Deployment mounts (or as a plain value, for the variables that are not secret);
 * - `secret key`: the SecretProviderClass's secretObjects give that Secret the key;
 * - `key vault object`: the key is copied from an object that the SecretProviderClass fetches;
 * - `documented`: the deployment guide stores that Key Vault secret with `az keyvault secret set`.
 */
export const CHAIN_LINKS = [
  'env',
  'secret',
  'secret key',
  'key vault object',
  'documented',
] as const;
export type ChainLink = (typeof CHAIN_LINKS)[number];

export type ChainProblem = {
  /** The variable whose chain is broken; empty when the problem is not about one variable. */
  variable: string;
  link: ChainLink | 'setup';
  message: string;
};

export type ChainInput = {
  /** Where the manifests come from, as messages should name it (a kustomization directory). */
  manifestSource: string;
  manifests: Manifest[];
  /** The Deployment and its container that run the backend. */
  deployment: { name: string; container: string };
  /**
   * Where the container's command finds its config files (the image's working directory,
   * which mirrors the repository root).
   */
  configDir: string;
  /** The deployment guide: its path for messages, and its markdown. */
  guide: { path: string; text: string };
  /** Variables that are not secret and so may be plain values in the Deployment. */
  plainVariables: string[];
};

export type ChainResult = {
  /** Every variable the config files read, as `readConfigVariables` names it. */
  variables: ConfigVariable[];
  problems: ChainProblem[];
};

type SecretProviderClass = Manifest & {
  spec?: {
    parameters?: Record<string, string>;
    secretObjects?: {
      secretName?: string;
      data?: { key?: string; objectName?: string }[];
    }[];
  };
};

const CSI_DRIVER = 'secrets-store.csi.k8s.io';

/** Follows each variable the backend's config reads back to the documented `az` command. */
export async function checkSecretChain(
  input: ChainInput,
): Promise<ChainResult> {
  const setup = (message: string): ChainResult => ({
    variables: [],
    problems: [{ variable: '', link: 'setup', message }],
  });
  const src = input.manifestSource;

  const deployment = input.manifests.find(
    manifest =>
      manifest.kind === 'Deployment' &&
      manifest.metadata.name === input.deployment.name,
  ) as (Manifest & IDeployment) | undefined;
  if (!deployment) {
    return setup(`${src} has no Deployment "${input.deployment.name}"`);
  }
  const podSpec = deployment.spec?.template.spec;
  const container = podSpec?.containers.find(
    candidate => candidate.name === input.deployment.container,
  ) as IContainer | undefined;
  const where = `container "${input.deployment.container}" of Deployment "${input.deployment.name}" in ${src}`;
  if (!container) {
    return setup(
      `${src}: Deployment "${input.deployment.name}" has no container "${input.deployment.container}"`,
    );
  }

  const configNames = configFilesOfCommand([
    ...(container.command ?? []),
    ...(container.args ?? []),
  ]);
  if (configNames.length === 0) {
    return setup(`the command of ${where} loads no --config file`);
  }
  const missing = configNames.find(
    name => !existsSync(resolvePath(input.configDir, name)),
  );
  if (missing) {
    return setup(
      `the command of ${where} loads --config ${missing}, which does not exist`,
    );
  }
  let variables: ConfigVariable[];
  try {
    variables = await readConfigVariables(configNames, {
      cwd: input.configDir,
    });
  } catch (error) {
    return setup(
      `the config files that the command of ${where} loads cannot be read: ${
        (error as Error).message
      }`,
    );
  }

  const classes = input.manifests.filter(
    manifest => manifest.kind === 'SecretProviderClass',
  ) as SecretProviderClass[];
  const objectsByClass = new Map<string, KeyVaultObject[]>();
  for (const spc of classes) {
    try {
      objectsByClass.set(
        spc.metadata.name,
        parseKeyVaultObjects(spc.spec?.parameters?.objects),
      );
    } catch (error) {
      return setup(
        `SecretProviderClass "${spc.metadata.name}" in ${src}: ${
          (error as Error).message
        }`,
      );
    }
  }

  const mountedVolumes = new Set(
    (container.volumeMounts ?? []).map(mount => mount.name),
  );
  const mountedClasses = new Set(
    (podSpec?.volumes ?? [])
      .filter(
        volume =>
          volume.csi?.driver === CSI_DRIVER && mountedVolumes.has(volume.name),
      )
      .map(volume => volume.csi?.volumeAttributes?.secretProviderClass),
  );
  const documented = new Set(
    secretSetCommands(input.guide.text).map(command => command.name),
  );

  const problems: ChainProblem[] = [];
  for (const variable of variables) {
    const { name } = variable;
    const fail = (link: ChainLink, message: string) =>
      problems.push({ variable: name, link, message: `${name}: ${message}` });
    const readBy = `read by ${variable.keyPath} in ${variable.file}`;

    const env = container.env?.find(entry => entry.name === name);
    if (!env) {
      if (!variable.hasDefault) {
        fail('env', `${readBy}, is not in the env of ${where}`);
      }
      continue;
    }
    if (env.value !== undefined) {
      if (!input.plainVariables.includes(name)) {
        fail(
          'secret',
          `is a secret but ${where} sets it as a plain value; read it with valueFrom.secretKeyRef from the Secret that the SecretProviderClass creates`,
        );
      } else if (env.value.trim() === '') {
        fail('secret', `has an empty value in ${where}`);
      }
      continue;
    }
    const ref = env.valueFrom?.secretKeyRef;
    if (!ref) {
      fail(
        'secret',
        `comes neither from a value nor from a secretKeyRef in ${where}`,
      );
      continue;
    }
    const secretName = ref.name ?? '';
    const creators = classes.filter(spc =>
      (spc.spec?.secretObjects ?? []).some(
        object => object.secretName === secretName,
      ),
    );
    if (creators.length === 0) {
      const created = classes.flatMap(spc =>
        (spc.spec?.secretObjects ?? []).map(object => `"${object.secretName}"`),
      );
      fail(
        'secret',
        `${where} reads Secret "${secretName}", which no SecretProviderClass in ${src} creates (secretObjects create: ${
          created.join(', ') || 'none'
        })`,
      );
      continue;
    }
    const spc = creators[0];
    const spcName = spc.metadata.name;
    if (!mountedClasses.has(spcName)) {
      fail(
        'secret',
        `Secret "${secretName}" exists only while a pod mounts SecretProviderClass "${spcName}", and ${where} mounts no ${CSI_DRIVER} volume with secretProviderClass: ${spcName}`,
      );
      continue;
    }
    const secretObject = (spc.spec?.secretObjects ?? []).find(
      object => object.secretName === secretName,
    );
    const data = (secretObject?.data ?? []).find(
      entry => entry.key === ref.key,
    );
    if (!data) {
      fail(
        'secret key',
        `${where} reads key "${
          ref.key
        }" of Secret "${secretName}", but the secretObjects of SecretProviderClass "${spcName}" in ${src} give it no such key (keys: ${
          (secretObject?.data ?? []).map(entry => entry.key).join(', ') ||
          'none'
        })`,
      );
      continue;
    }
    const objects = objectsByClass.get(spcName) ?? [];
    const object = objects.find(
      candidate =>
        (candidate.objectAlias ?? candidate.objectName) === data.objectName,
    );
    if (!object) {
      fail(
        'key vault object',
        `key "${ref.key}" of Secret "${secretName}" is copied from object "${
          data.objectName
        }", which is not among the objects of SecretProviderClass "${spcName}" in ${src} (objects: ${
          objects
            .map(candidate => candidate.objectAlias ?? candidate.objectName)
            .join(', ') || 'none'
        })`,
      );
      continue;
    }
    if (object.objectType !== 'secret') {
      fail(
        'key vault object',
        `Key Vault object "${object.objectName}" of SecretProviderClass "${spcName}" in ${src} has objectType "${object.objectType}"; a value stored with \`az keyvault secret set\` is objectType "secret"`,
      );
      continue;
    }
    if (!KEY_VAULT_NAME.test(object.objectName)) {
      fail(
        'key vault object',
        `"${object.objectName}" (SecretProviderClass "${spcName}" in ${src}) is not a valid Key Vault name: letters, digits and dashes only, no underscores`,
      );
      continue;
    }
    if (!documented.has(object.objectName)) {
      fail(
        'documented',
        `Key Vault secret "${object.objectName}" (fetched by SecretProviderClass "${spcName}" in ${src}) is stored by no \`az keyvault secret set --name ${object.objectName}\` in ${input.guide.path}`,
      );
    }
  }
  return { variables, problems };
}
