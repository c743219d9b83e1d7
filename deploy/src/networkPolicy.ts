import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { INetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
import { findOne, type Manifest } from './manifests.ts';
import { backendWorkload } from './repository.ts';

/**
 * What the backend's NetworkPolicy lets through, as `PROTOCOL/port`: in, the backend's own port
 * from the ingress controller and the metrics port from Prometheus; out, DNS, PostgreSQL, Redis
 * and HTTPS (Auth0, GitHub).
 */
export const BACKEND_TRAFFIC = {
  /**
   * One ingress rule per port, in this order, each from its own source: a source never gets the
   * other's port, and ../kubernetes/components/site-values sets each rule's peers by position.
   */
  ingress: [
    { port: 'TCP/7007', from: "the ingress controller's pods" },
    { port: 'TCP/9464', from: "Prometheus' pods" },
  ],
  egress: ['TCP/443', 'TCP/53', 'TCP/5432', 'TCP/6379', 'UDP/53'],
  /** The only port that may go to any address: Auth0's and GitHub's addresses are not fixed. */
  toAnyAddress: ['TCP/443'],
};

export type PolicyAspect = 'selects' | 'policy types' | 'ingress' | 'egress';
export type PolicyProblem = { aspect: PolicyAspect; message: string };

type Policy = Manifest & INetworkPolicy;
type Rule = { ports?: INetworkPolicyPort[] };

const describePolicy = (policy: Manifest) =>
  `NetworkPolicy "${policy.metadata.name}"`;

/**
 * The ports a rule lets through, as `PROTOCOL/port`; a named port is resolved with `named` (the
 * selected pods' container ports) where it can be. A rule without ports allows every port.
 */
export function portsOf(
  rule: Rule,
  named: Record<string, number> = {},
): string[] | 'every port' {
  if (!rule.ports || rule.ports.length === 0) return 'every port';
  return rule.ports.map(entry => {
    const protocol = entry.protocol ?? 'TCP';
    if (entry.port === undefined) return `${protocol}/*`;
    const port =
      typeof entry.port === 'string'
        ? named[entry.port] ?? entry.port
        : entry.port;
    return entry.endPort !== undefined
      ? `${protocol}/${port}-${entry.endPort}`
      : `${protocol}/${port}`;
  });
}

type LabelSelector = NonNullable<INetworkPolicy['spec']>['podSelector'];

function selectsLabels(
  selector: LabelSelector,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false;
  if ((selector.matchExpressions ?? []).length > 0) {
    // Not evaluated here: counted as selecting, so that the checks below look at it.
    return true;
  }
  return Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
}

function sameLabels(
  a: Record<string, string> = {},
  b: Record<string, string> = {},
): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every(key => a[key] === b[key])
  );
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

function peerProblem(
  peer: INetworkPolicyPeer,
  source: string,
): string | undefined {
  if (peer.ipBlock) {
    return `admits the addresses ${peer.ipBlock.cidr}, not only ${source}`;
  }
  const namespaces = peer.namespaceSelector;
  if (!namespaces) {
    return `has no namespaceSelector, so it means pods of the policy's own namespace, not ${source}`;
  }
  if (
    Object.keys(namespaces.matchLabels ?? {}).length === 0 &&
    (namespaces.matchExpressions ?? []).length === 0
  ) {
    return 'selects every namespace';
  }
  if (
    !peer.podSelector ||
    (Object.keys(peer.podSelector.matchLabels ?? {}).length === 0 &&
      (peer.podSelector.matchExpressions ?? []).length === 0)
  ) {
    return `admits every pod of the namespace, not only ${source}; select them by label too`;
  }
  return undefined;
}

/**
 * What is wrong with the NetworkPolicy of the backend pods, by aspect; empty when exactly one
 * policy selects them with the Deployment's selector, restricts both directions, admits each
 * source of BACKEND_TRAFFIC.ingress (selected by namespace and pod labels) to its one port and
 * lets out only BACKEND_TRAFFIC.egress.
 */
export function networkPolicyProblems(manifests: Manifest[]): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const deployment = findOne(
    manifests,
    'Deployment',
    backendWorkload.name,
  ) as Manifest & IDeployment;
  const template = deployment.spec!.template;
  const podLabels = template.metadata?.labels ?? {};
  const named: Record<string, number> = {};
  for (const container of template.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name) named[port.name] = port.containerPort;
    }
  }

  const policies = manifests.filter(
    manifest =>
      manifest.kind === 'NetworkPolicy' &&
      selectsLabels((manifest as Policy).spec?.podSelector, podLabels),
  ) as Policy[];
  if (policies.length === 0) {
    problems.push({
      aspect: 'selects',
      message: `no NetworkPolicy selects the pods of Deployment "${
        deployment.metadata.name
      }" (labels ${JSON.stringify(podLabels)})`,
    });
    return problems;
  }
  if (policies.length > 1) {
    problems.push({
      aspect: 'selects',
      message: `${
        policies.length
      } NetworkPolicies select the backend pods (${policies
        .map(policy => policy.metadata.name)
        .join(
          ', ',
        )}); policies add up, so each one widens what the others allow: keep one`,
    });
  }

  const expectedSelector = deployment.spec!.selector.matchLabels ?? {};
  for (const policy of policies) {
    const name = describePolicy(policy);
    const spec = policy.spec ?? {};
    const selector = spec.podSelector ?? {};
    if (
      (selector.matchExpressions ?? []).length > 0 ||
      !sameLabels(selector.matchLabels, expectedSelector)
    ) {
      problems.push({
        aspect: 'selects',
        message: `${name} selects ${JSON.stringify(
          selector,
        )}, not the Deployment's selector ${JSON.stringify(expectedSelector)}`,
      });
    }

    const types = sorted(spec.policyTypes ?? []);
    if (JSON.stringify(types) !== JSON.stringify(['Egress', 'Ingress'])) {
      problems.push({
        aspect: 'policy types',
        message: `${name} has policyTypes ${JSON.stringify(
          spec.policyTypes ?? [],
        )}; it needs both Ingress and Egress, or the missing direction is not restricted`,
      });
    }

    const rules = spec.ingress ?? [];
    const expectedPorts = BACKEND_TRAFFIC.ingress.map(entry => entry.port);
    const admitted: string[][] = [];
    rules.forEach((rule, index) => {
      const where = `${name}, ingress rule ${index + 1}`;
      const expected = BACKEND_TRAFFIC.ingress[index];
      const source = expected?.from ?? 'one source';
      if (!rule.from || rule.from.length === 0) {
        problems.push({
          aspect: 'ingress',
          message: `${where} has no "from", so it admits every source`,
        });
      }
      (rule.from ?? []).forEach((peer, peerIndex) => {
        const problem = peerProblem(peer, source);
        if (problem) {
          problems.push({
            aspect: 'ingress',
            message: `${where}, from ${peerIndex + 1}: ${problem}`,
          });
        }
      });
      const ports = portsOf(rule, named);
      if (ports === 'every port') {
        problems.push({
          aspect: 'ingress',
          message: `${where} has no ports, so it admits every port`,
        });
        admitted.push(['every port']);
      } else {
        admitted.push(sorted(ports));
      }
    });
    const expectedRules = expectedPorts.map(port => [port]);
    if (JSON.stringify(admitted) !== JSON.stringify(expectedRules)) {
      problems.push({
        aspect: 'ingress',
        message: `${name} admits ${JSON.stringify(
          admitted,
        )} (ports per rule); expected exactly ${JSON.stringify(
          expectedRules,
        )}: ${BACKEND_TRAFFIC.ingress
          .map(
            (entry, index) =>
              `rule ${index + 1} ${entry.port} from ${entry.from}`,
          )
          .join(', ')}`,
      });
    }

    const egressPorts: string[] = [];
    (spec.egress ?? []).forEach((rule, index) => {
      const where = `${name}, egress rule ${index + 1}`;
      const ports = portsOf(rule);
      if (ports === 'every port') {
        problems.push({
          aspect: 'egress',
          message: `${where} has no ports, so it lets out every port`,
        });
        return;
      }
      egressPorts.push(...ports);
      if (!rule.to || rule.to.length === 0) {
        const open = ports.filter(
          port => !BACKEND_TRAFFIC.toAnyAddress.includes(port),
        );
        if (open.length > 0) {
          problems.push({
            aspect: 'egress',
            message: `${where} has no "to", so it lets ${open.join(
              ', ',
            )} out to any address; only ${BACKEND_TRAFFIC.toAnyAddress.join(
              ', ',
            )} may go anywhere`,
          });
        }
      }
    });
    if (
      JSON.stringify(sorted(egressPorts)) !==
      JSON.stringify(sorted(BACKEND_TRAFFIC.egress))
    ) {
      problems.push({
        aspect: 'egress',
        message: `${name} lets out ${JSON.stringify(
          sorted(egressPorts),
        )}; expected exactly ${JSON.stringify(BACKEND_TRAFFIC.egress)}`,
      });
    }
  }
  return problems;
}

/** The CIDRs that an egress rule letting out `port` (e.g. `TCP/5432`) sends to. */
export function egressDestinations(policy: Manifest, port: string): string[] {
  return ((policy as Policy).spec?.egress ?? [])
    .filter(rule => {
      const ports = portsOf(rule);
      return ports !== 'every port' && ports.includes(port);
    })
    .flatMap(rule => (rule.to ?? []).flatMap(peer => peer.ipBlock?.cidr ?? []));
}
