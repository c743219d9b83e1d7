import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as kustomize renders it. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
};

/** Every document of a multi-document YAML text, which must all be objects with a kind. */
export function parseManifests(text: string, source: string): Manifest[] {
  return parseAllDocuments(text).flatMap((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(
        `${source}: document ${index + 1} is not valid YAML: ${
          document.errors[0].message
        }`,
      );
    }
    const value = document.toJS();
    if (value === null) return [];
    if (
      typeof value?.apiVersion !== 'string' ||
      typeof value?.kind !== 'string'
    ) {
      throw new Error(
        `${source}: document ${index + 1} has no apiVersion or kind`,
      );
    }
    return [value as Manifest];
  });
}

/**
 * `kubectl kustomize <dir>`, parsed. kubectl is the renderer that `kubectl apply -k` uses, so the
 * test sees exactly what a cluster would get.
 */
export function renderKustomization(
  dir: string,
  env: NodeJS.ProcessEnv = process.env,
): Manifest[] {
  const result = spawnSync('kubectl', ['kustomize', dir], {
    encoding: 'utf8',
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'kubectl was not found on PATH. The deployment tests render the manifests with ' +
        '`kubectl kustomize`, as `kubectl apply -k` does: install kubectl 1.27 or newer ' +
        '(kustomize v5 is built in; no cluster is needed) and run the tests again.',
    );
  }
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(
      `kubectl kustomize ${dir} failed (exit ${result.status}):\n${result.stderr}`,
    );
  }
  return parseManifests(result.stdout, `kubectl kustomize ${dir}`);
}

/** The one object of a kind (and name, if given); throws naming what is missing. */
export function findOne(
  manifests: Manifest[],
  kind: string,
  name?: string,
): Manifest {
  const found = manifests.filter(
    manifest =>
      manifest.kind === kind &&
      (name === undefined || manifest.metadata.name === name),
  );
  if (found.length !== 1) {
    const what = name ? `${kind} "${name}"` : `one ${kind}`;
    throw new Error(`expected ${what}, found ${found.length}`);
  }
  return found[0];
}
