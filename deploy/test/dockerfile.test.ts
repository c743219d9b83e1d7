import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { before, describe, test } from 'node:test';
import { configFilesOfCommand } from '@internal/config-variables';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import {
  backendBundle,
  ensureBackendBundle,
  ignoredContextPaths,
  isIgnored,
  missingContextPaths,
  tarEntries,
  tarFile,
} from '../src/buildContext.ts';
import { readDockerfile } from '../src/dockerfile.ts';
import {
  findOne,
  renderKustomization,
  type Manifest,
} from '../src/manifests.ts';
import { kubernetesDir, repoRoot } from '../src/repository.ts';

const DOCKERFILE = 'packages/backend/Dockerfile';
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const facts = readDockerfile(read(DOCKERFILE));
const dockerignore = read('.dockerignore');

describe(DOCKERFILE, () => {
  before(() => {
    // A minute or two the first time; later runs reuse packages/backend/dist.
    ensureBackendBundle(repoRoot);
  });

  test('every path it copies exists after `yarn build:backend`', () => {
    assert.ok(facts.copies.length > 0, 'it copies something');
    assert.deepEqual(missingContextPaths(facts, repoRoot), []);
  });

  test('copies the backend bundle and its skeleton', () => {
    const sources = facts.copies.flatMap(copy => copy.sources);
    assert.ok(sources.includes(backendBundle.bundle), backendBundle.bundle);
    assert.ok(sources.includes(backendBundle.skeleton), backendBundle.skeleton);
  });

  test('.dockerignore lets every copied path through', () => {
    assert.deepEqual(ignoredContextPaths(facts, dockerignore), []);
  });

  test('.dockerignore keeps secrets, caches and sources out of the build context', () => {
    for (const path of [
      '.env',
      '.cache/toolchain/bin/node',
      'node_modules/pg/package.json',
      'packages/backend/src/index.ts',
      '.git/config',
    ]) {
      assert.ok(isIgnored(dockerignore, path), `${path} is excluded`);
    }
  });

  test('uses the Node major of .nvmrc', () => {
    const major = read('.nvmrc').trim().split('.')[0];
    assert.equal(facts.baseImages.length, 1, 'one stage');
    assert.match(facts.baseImages[0], new RegExp(`^node:${major}(?:[.-]|$)`));
  });

  test("copies every config file that the Deployment's command loads, and runs the same command", () => {
    const deployment = findOne(
      renderKustomization(join(kubernetesDir, 'base')),
      'Deployment',
    ) as Manifest & IDeployment;
    const command = deployment.spec!.template.spec!.containers[0].command!;
    const copied = facts.copies.flatMap(copy => copy.sources);
    for (const file of configFilesOfCommand(command)) {
      assert.ok(copied.includes(file), `${DOCKERFILE} copies ${file}`);
    }
    assert.deepEqual(facts.cmd, command);
  });

  test('the bundle holds what the command starts, and the skeleton every package it installs', () => {
    const bundle = join(repoRoot, backendBundle.bundle);
    const entries = new Set(tarEntries(bundle));
    const backend = JSON.parse(
      tarFile(bundle, 'packages/backend/package.json'),
    );
    const main = posix.join('packages/backend', backend.main);
    assert.ok(entries.has(main), `the bundle has ${main}, the backend's main`);
    const skeleton = new Set(
      tarEntries(join(repoRoot, backendBundle.skeleton)),
    );
    const bundledPackages = [...entries].filter(entry =>
      /^(packages|plugins)\/[^/]+\/package\.json$/.test(entry),
    );
    assert.ok(bundledPackages.includes('packages/backend/package.json'));
    for (const manifest of bundledPackages) {
      assert.ok(
        skeleton.has(manifest),
        `the skeleton has ${manifest}, so its dependencies get installed`,
      );
    }
  });
});

describe('the COPY check', () => {
  test('reports a path that the build does not produce', () => {
    const broken = readDockerfile(
      'FROM node:22\nCOPY packages/backend/dist/bundle.tgz ./\nCOPY app-config.*.yaml ../secrets /app/\n',
    );
    assert.deepEqual(missingContextPaths(broken, repoRoot), [
      'COPY on line 2: packages/backend/dist/bundle.tgz does not exist after `yarn build:backend`',
      'COPY on line 3: app-config.*.yaml is a wildcard; name each file so that this check can find it',
      'COPY on line 3: ../secrets is outside the build context',
    ]);
  });

  test('reports a path that .dockerignore excludes', () => {
    const copyingExamples = readDockerfile(
      'FROM node:22\nCOPY examples ./examples\n',
    );
    assert.deepEqual(ignoredContextPaths(copyingExamples, dockerignore), [
      'COPY on line 2: .dockerignore excludes examples',
    ]);
  });
});
