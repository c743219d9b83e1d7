import assert from 'node:assert/strict';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IService } from 'kubernetes-models/v1/Service';
import { parse, stringify } from 'yaml';
import {
  AUTH_PATH,
  authRateLimitProblems,
  isRateLimited,
  LIMIT,
  servedPaths,
  type RateLimitAspect,
} from '../src/ingressRateLimit.ts';
import {
  findOne,
  renderKustomization,
  type Manifest,
} from '../src/manifests.ts';
import {
  egressDestinations,
  networkPolicyProblems,
  type PolicyAspect,
} from '../src/networkPolicy.ts';
import {
  guidePath,
  kubernetesDir,
  kustomizeTargets,
  repoRoot,
} from '../src/repository.ts';
import { MONITORING_KINDS } from '../src/monitoring.ts';
import { schemaErrors } from '../src/schemaValidation.ts';

const HEALTH = {
  readiness: '/.backstage/health/v1/readiness',
  liveness: '/.backstage/health/v1/liveness',
};
const SECRET_PROVIDER_CLASS = 'SecretProviderClass';

type SecretProviderClass = Manifest & {
  spec: { provider: string; parameters: Record<string, string> };
};
type Ingress = Manifest & IIngress;
type NetworkPolicy = Manifest & INetworkPolicy;

/** An image reference pinned by digest alone: no tag, which kustomize would keep beside it. */
const PINNED_IMAGE = /^(?<name>[^@\s]+)@sha256:[0-9a-f]{64}$/;

function isCidr(value: string | undefined): boolean {
  const [address, prefix, ...rest] = (value ?? '').split('/');
  const family = isIP(address ?? '');
  return (
    family !== 0 &&
    rest.length === 0 &&
    /^[0-9]{1,3}$/.test(prefix ?? '') &&
    Number(prefix) <= (family === 4 ? 32 : 128)
  );
}

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
      // The overlays include the monitoring component (docs/operations.md); the base does not.
      const monitoring = target === 'base' ? [] : MONITORING_KINDS;
      assert.deepEqual(
        kinds,
        [
          'Deployment',
          'Ingress',
          'Ingress',
          'Namespace',
          'NetworkPolicy',
          'PodDisruptionBudget',
          SECRET_PROVIDER_CLASS,
          'Service',
          'ServiceAccount',
          ...monitoring,
        ].sort(),
      );
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
        // Metrics for Prometheus (docs/operations.md).
        '--require',
        './packages/backend/src/instrumentation.js',
        'packages/backend',
        '--config',
        'app-config.yaml',
        '--config',
        'app-config.production.yaml',
        // People from Auth0 (docs/deployment.md).
        '--config',
        'app-config.auth0-catalog.production.yaml',
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
      const ingress = findOne(manifests, 'Ingress', 'backstage') as Ingress;
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

    const rateLimit = authRateLimitProblems(manifests);
    const rateLimitProblems = (aspect: RateLimitAspect) =>
      rateLimit
        .filter(problem => problem.aspect === aspect)
        .map(problem => problem.message);

    test(`${AUTH_PATH}, and only it, is rate-limited per client address by its own Ingress`, () => {
      assert.deepEqual(rateLimitProblems('auth path'), []);
      const auth = findOne(manifests, 'Ingress', 'backstage-auth');
      assert.ok(isRateLimited(auth), 'backstage-auth has limits');
      assert.deepEqual(
        servedPaths(auth).map(served => [served.path, served.pathType]),
        [[AUTH_PATH, 'Prefix']],
      );
    });

    test('the rest of the app is served as before: / with no limit', () => {
      const app = findOne(manifests, 'Ingress', 'backstage');
      assert.equal(isRateLimited(app), false, 'no limit-* annotation');
      assert.deepEqual(
        servedPaths(app).map(served => [served.path, served.pathType]),
        [['/', 'Prefix']],
      );
    });

    test('the limits are whole numbers, as ingress-nginx reads them', () => {
      assert.deepEqual(rateLimitProblems('values'), []);
    });

    test('the limits let a person with several tabs sign in, and cut a flood from one address', () => {
      assert.deepEqual(rateLimitProblems('budget'), []);
    });

    test(`apart from its path and limits, ${AUTH_PATH} is served as the rest of the app`, () => {
      assert.deepEqual(rateLimitProblems('same as the app'), []);
    });

    const policy = networkPolicyProblems(manifests);
    const policyProblems = (aspect: PolicyAspect) =>
      policy
        .filter(problem => problem.aspect === aspect)
        .map(problem => problem.message);

    test("one NetworkPolicy selects the backend pods, with the Deployment's selector", () => {
      assert.deepEqual(policyProblems('selects'), []);
      const networkPolicy = findOne(
        manifests,
        'NetworkPolicy',
      ) as NetworkPolicy;
      assert.deepEqual(
        networkPolicy.spec?.podSelector?.matchLabels,
        deployment.spec!.selector.matchLabels,
      );
    });

    test('the NetworkPolicy restricts both directions: policyTypes Ingress and Egress', () => {
      assert.deepEqual(policyProblems('policy types'), []);
    });

    test("in: only the ingress controller's pods to 7007 and Prometheus' pods to 9464", () => {
      assert.deepEqual(policyProblems('ingress'), []);
    });

    test('out: only DNS (UDP and TCP 53), PostgreSQL (5432), Redis (6379) and HTTPS (443)', () => {
      assert.deepEqual(policyProblems('egress'), []);
    });

    test('PostgreSQL and Redis are reached at one CIDR each', () => {
      const networkPolicy = findOne(manifests, 'NetworkPolicy');
      for (const port of ['TCP/5432', 'TCP/6379']) {
        const destinations = egressDestinations(networkPolicy, port);
        assert.equal(destinations.length, 1, `one destination for ${port}`);
        assert.ok(isCidr(destinations[0]), `${destinations[0]} is a CIDR`);
      }
    });

    if (target !== 'base') {
      test('the image is pinned by digest: name@sha256:<64 hex>, no tag', () => {
        const match = PINNED_IMAGE.exec(container.image ?? '');
        assert.ok(match, `${container.image} is name@sha256:<64 hex>`);
        const lastSegment = match.groups!.name.split('/').pop()!;
        assert.ok(
          !lastSegment.includes(':'),
          `${match.groups!.name} carries no tag beside the digest`,
        );
      });
    }
  });
}

/** A change to rendered manifests, and the problem a check must report for it. */
type Mutation<Aspect extends string> = {
  what: string;
  aspect: Aspect;
  /** Text the message must contain. */
  names: string;
  mutate: (manifests: Manifest[]) => void;
};

/** The check finds nothing in `manifests`, and reports each mutation under its aspect. */
function testEachMutation<Aspect extends string>(
  check: (manifests: Manifest[]) => { aspect: Aspect; message: string }[],
  manifests: Manifest[],
  mutations: Mutation<Aspect>[],
) {
  test('the production overlay as it is has no problem', () => {
    assert.deepEqual(check(manifests), []);
  });

  for (const mutation of mutations) {
    test(`${mutation.what} is a problem of "${mutation.aspect}"`, () => {
      const mutated = structuredClone(manifests);
      mutation.mutate(mutated);
      const problems = check(mutated);
      assert.ok(
        problems.some(
          problem =>
            problem.aspect === mutation.aspect &&
            problem.message.includes(mutation.names),
        ),
        `expected a "${mutation.aspect}" problem naming ${
          mutation.names
        }, got: ${JSON.stringify(problems)}`,
      );
    });
  }
}

/** Renders the production overlay from a copy of deploy/kubernetes with one file edited. */
function renderProductionWithEditedFile(
  file: string,
  edit: (text: string) => string,
): Manifest[] {
  const copy = mkdtempSync(join(tmpdir(), 'deploy-edited-'));
  try {
    cpSync(kubernetesDir, copy, { recursive: true });
    const path = join(copy, file);
    const text = readFileSync(path, 'utf8');
    const edited = edit(text);
    assert.notEqual(edited, text, `the edit changed nothing in ${file}`);
    writeFileSync(path, edited);
    return renderKustomization(join(copy, 'overlays/production'));
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe('schema validation', () => {
  const base = renderKustomization(join(kubernetesDir, 'base'));
  const deployment = findOne(base, 'Deployment');
  const spc = findOne(base, SECRET_PROVIDER_CLASS) as SecretProviderClass;
  const networkPolicy = findOne(base, 'NetworkPolicy') as NetworkPolicy;

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

  test('rejects a NetworkPolicy whose policy type is not Ingress or Egress', () => {
    const broken = structuredClone(networkPolicy);
    broken.spec!.policyTypes = ['ingress' as 'Ingress', 'Egress'];
    assert.match(
      schemaErrors(broken).join('\n'),
      /policyTypes\/0 must be equal to one of the allowed values/,
    );
  });

  test('rejects a NetworkPolicy whose ipBlock has no cidr', () => {
    const broken = structuredClone(networkPolicy);
    const block = broken.spec!.egress!.find(rule => rule.to?.[0]?.ipBlock)!
      .to![0].ipBlock! as { cidr?: string };
    delete block.cidr;
    assert.match(
      schemaErrors(broken).join('\n'),
      /ipBlock must have required property cidr/,
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

  describe("the production overlay's site.yaml and image", () => {
    const copy = mkdtempSync(join(tmpdir(), 'deploy-site-'));
    after(() => rmSync(copy, { recursive: true, force: true }));
    const site = {
      host: 'portal.test.invalid',
      catalogOrgUrl: 'https://github.com/test-org/catalog/blob/main/org.yaml',
      managedIdentityClientId: 'aaaaaaaa-0000-4000-8000-000000000001',
      tenantId: 'bbbbbbbb-0000-4000-8000-000000000002',
      keyVaultName: 'test-vault',
      ingressControllerNamespace: 'test-ingress',
      ingressControllerName: 'test-controller',
      monitoringNamespace: 'test-monitoring',
      prometheusName: 'test-prometheus',
      postgresCidr: '10.1.2.0/28',
      redisCidr: '10.1.3.4/32',
    };
    const image = {
      newName: 'registry.test.invalid/team/backstage',
      digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
    };

    test('reaches every place that uses it', () => {
      cpSync(kubernetesDir, copy, { recursive: true });
      const kustomization = join(
        copy,
        'overlays/production/kustomization.yaml',
      );
      const text = readFileSync(kustomization, 'utf8');
      const edited = text
        .replace(/^(\s+newName:).*$/m, `$1 ${image.newName}`)
        .replace(/^(\s+digest:).*$/m, `$1 ${image.digest}`);
      assert.notEqual(edited, text, 'the overlay sets newName and digest');
      writeFileSync(kustomization, edited);
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
        !manifests.some(
          manifest =>
            manifest.kind === 'ConfigMap' && manifest.metadata.name === 'site',
        ),
        'site.yaml is not applied',
      );
      for (const name of ['backstage', 'backstage-auth']) {
        const ingress = findOne(manifests, 'Ingress', name) as Ingress;
        assert.equal(ingress.spec?.rules?.[0].host, site.host, name);
        assert.deepEqual(ingress.spec?.tls?.[0].hosts, [site.host], name);
      }
      const backend = (
        findOne(manifests, 'Deployment') as Manifest & IDeployment
      ).spec!.template.spec!.containers[0];
      assert.equal(backend.image, `${image.newName}@${image.digest}`);
      const env = backend.env!;
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
      const networkPolicy = findOne(
        manifests,
        'NetworkPolicy',
      ) as NetworkPolicy;
      const from = networkPolicy.spec!.ingress![0].from![0];
      assert.deepEqual(from.namespaceSelector?.matchLabels, {
        'kubernetes.io/metadata.name': site.ingressControllerNamespace,
      });
      assert.deepEqual(from.podSelector?.matchLabels, {
        'app.kubernetes.io/name': site.ingressControllerName,
      });
      const prometheus = networkPolicy.spec!.ingress![1];
      assert.deepEqual(prometheus.ports, [{ protocol: 'TCP', port: 9464 }]);
      assert.deepEqual(prometheus.from?.[0].namespaceSelector?.matchLabels, {
        'kubernetes.io/metadata.name': site.monitoringNamespace,
      });
      assert.deepEqual(prometheus.from?.[0].podSelector?.matchLabels, {
        'app.kubernetes.io/name': site.prometheusName,
      });
      assert.deepEqual(egressDestinations(networkPolicy, 'TCP/5432'), [
        site.postgresCidr,
      ]);
      assert.deepEqual(egressDestinations(networkPolicy, 'TCP/6379'), [
        site.redisCidr,
      ]);
      assert.deepEqual(networkPolicyProblems(manifests), []);
    });
  });
});

describe('the rate-limit check', () => {
  const production = renderKustomization(
    join(kubernetesDir, 'overlays/production'),
  );
  const ingress = (manifests: Manifest[], name: string) =>
    findOne(manifests, 'Ingress', name) as Ingress;
  const annotations = (manifests: Manifest[], name: string) =>
    (ingress(manifests, name).metadata.annotations ??= {});

  const mutations: Mutation<RateLimitAspect>[] = [
    {
      what: 'dropping the limits',
      aspect: 'auth path',
      names: `no Ingress rate-limits ${AUTH_PATH}`,
      mutate: manifests => {
        for (const key of Object.values(LIMIT)) {
          delete annotations(manifests, 'backstage-auth')[key];
        }
      },
    },
    {
      what: 'limiting the whole app',
      aspect: 'auth path',
      names: 'Ingress "backstage" is rate-limited and serves /',
      mutate: manifests => {
        annotations(manifests, 'backstage')[LIMIT.rps] = '5';
      },
    },
    {
      what: 'an unlimited Ingress for a path under /api/auth',
      aspect: 'auth path',
      names: `serves ${AUTH_PATH}/auth0 without a limit`,
      mutate: manifests => {
        const app = ingress(manifests, 'backstage');
        const paths = app.spec!.rules![0].http!.paths;
        paths.push({
          ...structuredClone(paths[0]),
          path: `${AUTH_PATH}/auth0`,
        });
      },
    },
    {
      what: 'limiting only /api/auth itself (Exact)',
      aspect: 'auth path',
      names: `serves ${AUTH_PATH} (Exact)`,
      mutate: manifests => {
        ingress(
          manifests,
          'backstage-auth',
        ).spec!.rules![0].http!.paths[0].pathType = 'Exact';
      },
    },
    {
      what: 'a rate ingress-nginx cannot read',
      aspect: 'values',
      names: `${LIMIT.rps} is "5.0"`,
      mutate: manifests => {
        annotations(manifests, 'backstage-auth')[LIMIT.rps] = '5.0';
      },
    },
    {
      what: 'a burst too small for a browser with many tabs',
      aspect: 'budget',
      names: 'lets 2 requests through at once',
      mutate: manifests => {
        annotations(manifests, 'backstage-auth')[LIMIT.rps] = '1';
        annotations(manifests, 'backstage-auth')[LIMIT.burstMultiplier] = '2';
      },
    },
    {
      what: 'a rate that lets a flood through',
      aspect: 'budget',
      names: 'lets 100 requests a second through',
      mutate: manifests => {
        annotations(manifests, 'backstage-auth')[LIMIT.rps] = '100';
      },
    },
    {
      what: 'too few connections for an office behind one address',
      aspect: 'budget',
      names: 'allows 2 requests in progress',
      mutate: manifests => {
        annotations(manifests, 'backstage-auth')[LIMIT.connections] = '2';
      },
    },
    {
      what: 'a proxy-buffer-size that only the app has',
      aspect: 'same as the app',
      names: 'nginx.ingress.kubernetes.io/proxy-buffer-size',
      mutate: manifests => {
        delete annotations(manifests, 'backstage-auth')[
          'nginx.ingress.kubernetes.io/proxy-buffer-size'
        ];
      },
    },
    {
      what: 'sending /api/auth to another Service',
      aspect: 'same as the app',
      names: 'service.name',
      mutate: manifests => {
        ingress(
          manifests,
          'backstage-auth',
        ).spec!.rules![0].http!.paths[0].backend.service!.name = 'other';
      },
    },
    {
      what: 'a second certificate request for the same Secret',
      aspect: 'same as the app',
      names: 'asks cert-manager for a certificate too',
      mutate: manifests => {
        annotations(manifests, 'backstage-auth')[
          'cert-manager.io/cluster-issuer'
        ] = 'letsencrypt';
      },
    },
  ];

  testEachMutation(authRateLimitProblems, production, mutations);

  test('ingress-auth.yaml without its limits, rendered again, is caught', () => {
    const problems = authRateLimitProblems(
      renderProductionWithEditedFile('base/ingress-auth.yaml', text =>
        text.replace(/^\s+nginx\.ingress\.kubernetes\.io\/limit-.*\n/gm, ''),
      ),
    );
    assert.deepEqual(
      problems.map(problem => problem.message),
      [
        `Ingress "backstage-auth" serves ${AUTH_PATH} without a limit; as a longer or equal prefix it takes those requests from the limited Ingress`,
        `no Ingress rate-limits ${AUTH_PATH} (Prefix)`,
      ],
    );
  });
});

describe('the NetworkPolicy check', () => {
  const production = renderKustomization(
    join(kubernetesDir, 'overlays/production'),
  );
  const spec = (manifests: Manifest[]) =>
    (findOne(manifests, 'NetworkPolicy') as NetworkPolicy).spec!;

  const mutations: Mutation<PolicyAspect>[] = [
    {
      what: 'selecting other pods',
      aspect: 'selects',
      names: 'no NetworkPolicy selects the pods of Deployment "backstage"',
      mutate: manifests => {
        spec(manifests).podSelector!.matchLabels!['app.kubernetes.io/name'] =
          'backstage-frontend';
      },
    },
    {
      what: 'selecting every pod of the namespace',
      aspect: 'selects',
      names: "not the Deployment's selector",
      mutate: manifests => {
        spec(manifests).podSelector = {};
      },
    },
    {
      what: 'a second policy for the same pods',
      aspect: 'selects',
      names: '2 NetworkPolicies select the backend pods',
      mutate: manifests => {
        const second = structuredClone(findOne(manifests, 'NetworkPolicy'));
        second.metadata.name = 'allow-all';
        manifests.push(second);
      },
    },
    {
      what: 'leaving out Egress',
      aspect: 'policy types',
      names: 'policyTypes ["Ingress"]',
      mutate: manifests => {
        spec(manifests).policyTypes = ['Ingress'];
      },
    },
    {
      what: 'admitting every source',
      aspect: 'ingress',
      names: 'ingress rule 1 has no "from"',
      mutate: manifests => {
        delete spec(manifests).ingress![0].from;
      },
    },
    {
      what: 'admitting every namespace',
      aspect: 'ingress',
      names: 'selects every namespace',
      mutate: manifests => {
        spec(manifests).ingress![0].from![0].namespaceSelector = {};
      },
    },
    {
      what: 'admitting the ingress controller to the metrics port',
      aspect: 'ingress',
      names: 'admits [["TCP/7007","TCP/9464"],["TCP/9464"]]',
      mutate: manifests => {
        spec(manifests).ingress![0].ports!.push({
          protocol: 'TCP',
          port: 9464,
        });
      },
    },
    {
      what: 'admitting Prometheus to the backend port',
      aspect: 'ingress',
      names: 'admits [["TCP/7007"],["TCP/7007"]]',
      mutate: manifests => {
        spec(manifests).ingress![1].ports = [{ protocol: 'TCP', port: 7007 }];
      },
    },
    {
      what: 'admitting every pod of the monitoring namespace',
      aspect: 'ingress',
      names:
        "ingress rule 2, from 1: admits every pod of the namespace, not only Prometheus' pods",
      mutate: manifests => {
        delete spec(manifests).ingress![1].from![0].podSelector;
      },
    },
    {
      what: 'dropping the rule for Prometheus',
      aspect: 'ingress',
      names: 'admits [["TCP/7007"]]',
      mutate: manifests => {
        spec(manifests).ingress!.pop();
      },
    },
    {
      what: 'admitting every port',
      aspect: 'ingress',
      names: 'ingress rule 1 has no ports',
      mutate: manifests => {
        delete spec(manifests).ingress![0].ports;
      },
    },
    {
      what: 'letting out every port',
      aspect: 'egress',
      names: 'has no ports, so it lets out every port',
      mutate: manifests => {
        delete spec(manifests).egress![3].ports;
      },
    },
    {
      what: 'letting out SSH',
      aspect: 'egress',
      names: 'lets out ["TCP/22"',
      mutate: manifests => {
        spec(manifests).egress![3].ports!.push({ protocol: 'TCP', port: 22 });
      },
    },
    {
      what: 'leaving out DNS over TCP',
      aspect: 'egress',
      names: 'expected exactly',
      mutate: manifests => {
        spec(manifests).egress![0].ports = [{ protocol: 'UDP', port: 53 }];
      },
    },
    {
      what: 'letting PostgreSQL go to any address',
      aspect: 'egress',
      names: 'lets TCP/5432 out to any address',
      mutate: manifests => {
        delete spec(manifests).egress![1].to;
      },
    },
  ];

  testEachMutation(networkPolicyProblems, production, mutations);

  test('a port changed in networkpolicy.yaml, rendered again, is caught', () => {
    const problems = networkPolicyProblems(
      renderProductionWithEditedFile('base/networkpolicy.yaml', text =>
        text.replace('port: 7007', 'port: 8080'),
      ),
    );
    assert.deepEqual(
      problems.map(problem => problem.aspect),
      ['ingress'],
    );
  });
});

describe(guidePath, () => {
  const guide = readFileSync(join(repoRoot, guidePath), 'utf8');

  test("names every key of the production overlay's site.yaml", () => {
    const site = parse(
      readFileSync(
        join(kubernetesDir, 'overlays/production/site.yaml'),
        'utf8',
      ),
    ) as { data: Record<string, string> };
    const keys = Object.keys(site.data);
    assert.ok(keys.length > 0);
    for (const key of keys) {
      assert.ok(guide.includes(`\`${key}\``), `${guidePath} names \`${key}\``);
    }
  });

  test('states the rate limits that the Ingress sets', () => {
    const auth = findOne(
      renderKustomization(join(kubernetesDir, 'overlays/production')),
      'Ingress',
      'backstage-auth',
    );
    for (const [key, value] of Object.entries(
      auth.metadata.annotations ?? {},
    ).filter(([name]) => Object.values(LIMIT).includes(name))) {
      const name = key.split('/')[1];
      const row = guide
        .split('\n')
        .find(line => line.startsWith('|') && line.includes(`\`${name}\``));
      assert.ok(row, `${guidePath} has a table row for \`${name}\``);
      assert.ok(
        row.includes(`\`${value}\``),
        `its row gives the value \`${value}\`: ${row}`,
      );
    }
  });
});
