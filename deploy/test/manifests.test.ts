import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import { stringify } from 'yaml';
import {
  findOne,
  renderKustomization,
  type Manifest,
} from '../src/manifests.ts';
import { kubernetesDir, kustomizeTargets } from '../src/repository.ts';
import { schemaErrors } from '../src/schemaValidation.ts';

const HEALTH = {
  readiness: '/.backstage/health/v1/readiness',
  liveness: '/.backstage/health/v1/liveness',
};
const SECRET_PROVIDER_CLASS = 'SecretProviderClass';

type SecretProviderClass = Manifest & {
  spec: { provider: string; parameters: Record<string, string> };
};

function labelsMatch(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
) {
  return (
    selector !== undefined &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => labels?.[key] === value)
  );
}

for (const target of kustomizeTargets()) {
  describe(`deploy/kubernetes/${target}`, () => {
    const manifests = renderKustomization(join(kubernetesDir, target));
    const deployment = findOne(
      manifests,
      'Deployment',
      'backstage',
    ) as Manifest & IDeployment;
    const pod = deployment.spec!.template;
    const container = pod.spec!.containers.find(
      candidate => candidate.name === 'backend',
    )!;
    const spc = findOne(
      manifests,
      SECRET_PROVIDER_CLASS,
    ) as SecretProviderClass;

    for (const manifest of manifests) {
      test(`${manifest.kind} "${manifest.metadata.name}" matches its schema`, () => {
        assert.deepEqual(schemaErrors(manifest), []);
      });
    }

    test('has every kind a production install needs, in the backstage namespace', () => {
      const kinds = manifests.map(manifest => manifest.kind).sort();
      assert.deepEqual(kinds, [
        'Deployment',
        'Ingress',
        'Namespace',
        'PodDisruptionBudget',
        SECRET_PROVIDER_CLASS,
        'Service',
        'ServiceAccount',
      ]);
      for (const manifest of manifests.filter(m => m.kind !== 'Namespace')) {
        assert.equal(
          manifest.metadata.namespace,
          'backstage',
          `${manifest.kind} namespace`,
        );
      }
    });

    test('the Deployment runs two or more replicas of the backend with production config', () => {
      assert.ok((deployment.spec!.replicas ?? 1) >= 2, 'replicas >= 2');
      assert.ok(container, 'a container named backend');
      assert.deepEqual(container.command, [
        'node',
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config',
        'app-config.production.yaml',
      ]);
      assert.equal(
        container.env?.find(entry => entry.name === 'NODE_ENV')?.value,
        'production',
      );
    });

    test("readiness and liveness probe Backstage's health endpoints on port 7007", () => {
      const port = container.ports?.find(
        candidate => candidate.containerPort === 7007,
      );
      assert.ok(port, 'container port 7007');
      for (const [probe, path] of [
        [container.readinessProbe, HEALTH.readiness],
        [container.livenessProbe, HEALTH.liveness],
      ] as const) {
        assert.equal(probe?.httpGet?.path, path);
        assert.ok(
          probe?.httpGet?.port === 7007 || probe?.httpGet?.port === port.name,
          `${path} probes port 7007`,
        );
      }
    });

    test('the backend has resource requests and a memory limit', () => {
      assert.ok(container.resources?.requests?.cpu, 'cpu request');
      assert.ok(container.resources?.requests?.memory, 'memory request');
      assert.ok(container.resources?.limits?.memory, 'memory limit');
    });

    test('the pod runs as a non-root user on a read-only root file system with /tmp writable', () => {
      const podSecurity = pod.spec!.securityContext;
      assert.equal(podSecurity?.runAsNonRoot, true);
      assert.ok(
        (podSecurity?.runAsUser ?? 0) > 0,
        'a numeric non-root runAsUser',
      );
      assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
      const tmp = container.volumeMounts?.find(
        mount => mount.mountPath === '/tmp',
      );
      assert.ok(tmp, '/tmp is mounted');
      assert.ok(
        pod.spec!.volumes?.find(volume => volume.name === tmp.name)?.emptyDir,
        '/tmp is an emptyDir',
      );
    });

    test('the pod uses Azure workload identity through its service account', () => {
      assert.equal(
        pod.metadata?.labels?.['azure.workload.identity/use'],
        'true',
      );
      const account = findOne(
        manifests,
        'ServiceAccount',
        pod.spec!.serviceAccountName,
      );
      const clientId =
        account.metadata.annotations?.['azure.workload.identity/client-id'];
      assert.match(
        clientId ?? '',
        /^[0-9a-f-]{36}$/,
        'client-id annotation is a GUID',
      );
      assert.equal(
        spc.spec.parameters.clientID,
        clientId,
        'the SecretProviderClass uses the identity that the service account is federated with',
      );
    });

    test('the SecretProviderClass reads Azure Key Vault with workload identity', () => {
      assert.equal(spc.spec.provider, 'azure');
      assert.equal(spc.spec.parameters.usePodIdentity, 'false');
      assert.ok(spc.spec.parameters.keyvaultName, 'keyvaultName');
      assert.match(
        spc.spec.parameters.tenantId ?? '',
        /^[0-9a-f-]{36}$/,
        'tenantId',
      );
    });

    test('the Service and the PodDisruptionBudget select the backend pods', () => {
      const service = findOne(manifests, 'Service') as Manifest & IService;
      const budget = findOne(manifests, 'PodDisruptionBudget') as Manifest &
        IPodDisruptionBudget;
      assert.ok(
        labelsMatch(service.spec?.selector, pod.metadata?.labels),
        'Service selector',
      );
      assert.ok(
        labelsMatch(budget.spec?.selector?.matchLabels, pod.metadata?.labels),
        'PodDisruptionBudget selector',
      );
      assert.ok(
        budget.spec?.minAvailable !== undefined ||
          budget.spec?.maxUnavailable !== undefined,
        'the budget limits disruption',
      );
      const targetPort = service.spec?.ports?.[0].targetPort;
      assert.ok(
        container.ports?.some(
          port => port.name === targetPort || port.containerPort === targetPort,
        ),
        `the Service's targetPort ${targetPort} is a port of the backend`,
      );
    });

    test('the Ingress serves APP_BASE_URL over TLS, through the Service', () => {
      const ingress = findOne(manifests, 'Ingress') as Manifest & IIngress;
      const host = ingress.spec?.rules?.[0].host;
      assert.ok(host, 'a host');
      assert.ok(
        ingress.spec?.tls?.some(
          tls => tls.hosts?.includes(host) && tls.secretName,
        ),
        `a TLS entry for ${host}`,
      );
      assert.equal(
        container.env?.find(entry => entry.name === 'APP_BASE_URL')?.value,
        `https://${host}`,
      );
      assert.equal(
        ingress.spec?.rules?.[0].http?.paths[0].backend.service?.name,
        findOne(manifests, 'Service').metadata.name,
      );
    });
  });
}

describe('schema validation', () => {
  const base = renderKustomization(join(kubernetesDir, 'base'));
  const deployment = findOne(base, 'Deployment');
  const spc = findOne(base, SECRET_PROVIDER_CLASS) as SecretProviderClass;

  test('rejects a Deployment whose replicas is a string', () => {
    const broken = structuredClone(deployment) as Manifest & IDeployment;
    (broken.spec as { replicas: unknown }).replicas = 'two';
    assert.match(schemaErrors(broken).join('\n'), /replicas must be integer/);
  });

  test('rejects a Deployment without containers', () => {
    const broken = structuredClone(deployment) as Manifest & IDeployment;
    delete (broken.spec!.template.spec as { containers?: unknown }).containers;
    assert.match(
      schemaErrors(broken).join('\n'),
      /must have required property containers/,
    );
  });

  test('rejects a SecretProviderClass whose parameter is not a string', () => {
    const broken = structuredClone(spc);
    (broken.spec.parameters as Record<string, unknown>).usePodIdentity = false;
    assert.match(
      schemaErrors(broken).join('\n'),
      /usePodIdentity must be string/,
    );
  });

  test('rejects a SecretProviderClass with a misspelt field', () => {
    const broken = structuredClone(spc) as Manifest & {
      spec: Record<string, unknown>;
    };
    broken.spec.secretObject = broken.spec.secretObjects;
    delete broken.spec.secretObjects;
    assert.match(
      schemaErrors(broken).join('\n'),
      /additional properties \(secretObject\)/,
    );
  });

  test('refuses a kind it has no schema for', () => {
    assert.match(
      schemaErrors({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w' },
      }).join('\n'),
      /no schema is known for example.com\/v1\/Widget/,
    );
  });
});

describe('rendering', () => {
  test('fails with a clear message when kubectl is missing', () => {
    assert.throws(
      () =>
        renderKustomization(join(kubernetesDir, 'base'), {
          ...process.env,
          PATH: '',
        }),
      /kubectl was not found on PATH/,
    );
  });

  describe("the production overlay's site.yaml", () => {
    const copy = mkdtempSync(join(tmpdir(), 'deploy-site-'));
    after(() => rmSync(copy, { recursive: true, force: true }));
    const site = {
      host: 'portal.test.invalid',
      catalogOrgUrl: 'https://github.com/test-org/catalog/blob/main/org.yaml',
      managedIdentityClientId: 'aaaaaaaa-0000-4000-8000-000000000001',
      tenantId: 'bbbbbbbb-0000-4000-8000-000000000002',
      keyVaultName: 'test-vault',
    };

    test('reaches every place that uses it', () => {
      cpSync(kubernetesDir, copy, { recursive: true });
      writeFileSync(
        join(copy, 'overlays/production/site.yaml'),
        stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'site',
            annotations: { 'config.kubernetes.io/local-config': 'true' },
          },
          data: site,
        }),
      );
      const manifests = renderKustomization(join(copy, 'overlays/production'));
      assert.ok(
        !manifests.some(manifest => manifest.kind === 'ConfigMap'),
        'site.yaml is not applied',
      );
      const ingress = findOne(manifests, 'Ingress') as Manifest & IIngress;
      assert.equal(ingress.spec?.rules?.[0].host, site.host);
      assert.deepEqual(ingress.spec?.tls?.[0].hosts, [site.host]);
      const env = (findOne(manifests, 'Deployment') as Manifest & IDeployment)
        .spec!.template.spec!.containers[0].env!;
      const valueOf = (name: string) =>
        env.find(entry => entry.name === name)?.value;
      assert.equal(valueOf('APP_BASE_URL'), `https://${site.host}`);
      assert.equal(valueOf('CATALOG_ORG_URL'), site.catalogOrgUrl);
      assert.equal(
        findOne(manifests, 'ServiceAccount').metadata.annotations?.[
          'azure.workload.identity/client-id'
        ],
        site.managedIdentityClientId,
      );
      const parameters = (
        findOne(manifests, SECRET_PROVIDER_CLASS) as SecretProviderClass
      ).spec.parameters;
      assert.equal(parameters.clientID, site.managedIdentityClientId);
      assert.equal(parameters.tenantId, site.tenantId);
      assert.equal(parameters.keyvaultName, site.keyVaultName);
    });
  });
});
