import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Manifest } from './manifests.ts';
import type { ChainInput } from './secretChain.ts';

/** The monorepo's root: the image's /app mirrors it, so config paths resolve from here. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const kubernetesDir = join(repoRoot, 'deploy', 'kubernetes');
export const guidePath = 'docs/deployment.md';

/** The Deployment and container that run the backend. */
export const backendWorkload = { name: 'backstage', container: 'backend' };

/** Config variables that are not secret, so the Deployment may set them as plain values. */
export const plainVariables = ['APP_BASE_URL', 'CATALOG_ORG_URL'];

/** The base and every overlay, as paths relative to deploy/kubernetes. */
export function kustomizeTargets(root = kubernetesDir): string[] {
  const overlays = join(root, 'overlays');
  return [
    'base',
    ...(existsSync(overlays)
      ? readdirSync(overlays, { withFileTypes: true })
          .filter(entry => entry.isDirectory())
          .map(entry => `overlays/${entry.name}`)
          .sort()
      : []),
  ];
}

/** A repo-relative path, for messages. */
export function fromRepo(path: string): string {
  return relative(repoRoot, path) || '.';
}

/** What checkSecretChain needs about rendered manifests, read from this repository. */
export function chainInputFor(
  manifests: Manifest[],
  manifestSource: string,
  root = repoRoot,
): ChainInput {
  return {
    manifestSource,
    manifests,
    deployment: backendWorkload,
    configDir: root,
    guide: {
      path: guidePath,
      text: readFileSync(join(root, guidePath), 'utf8'),
    },
    plainVariables,
  };
}
