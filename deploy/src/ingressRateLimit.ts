import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { Manifest } from './manifests.ts';

const NGINX = 'nginx.ingress.kubernetes.io/';

/** ingress-nginx's rate-limit annotations (per client address, per controller replica). */
export const LIMIT = {
  rps: `${NGINX}limit-rps`,
  rpm: `${NGINX}limit-rpm`,
  burstMultiplier: `${NGINX}limit-burst-multiplier`,
  connections: `${NGINX}limit-connections`,
};
/** ingress-nginx's burst multiplier when the annotation is absent. */
const DEFAULT_BURST_MULTIPLIER = 5;

/** The backend's sign-in and refresh endpoints: the auth plugin's routes. */
export const AUTH_PATH = '/api/auth';

/**
 * What people send to AUTH_PATH, and where a flood begins (base/ingress-auth.yaml explains the
 * numbers). One address may be one person or an office behind NAT.
 */
export const AUTH_TRAFFIC = {
  /**
   * Requests a person may send at once: a browser restoring about 15 tabs (one refresh each)
   * and then signing in (start, Auth0's callback, the first refresh).
   */
  minBurst: 20,
  /** More requests a second than this from one address are not people signing in. */
  maxPerSecond: 10,
  /** Requests in progress at once from one address: an office's refreshes overlapping. */
  minConnections: 10,
};

export type RateLimitAspect =
  | 'auth path'
  | 'values'
  | 'budget'
  | 'same as the app';
export type RateLimitProblem = { aspect: RateLimitAspect; message: string };

type Ingress = Manifest & IIngress;
type ServedPath = { host?: string; path: string; pathType?: string };

const describeIngress = (ingress: Manifest) =>
  `Ingress "${ingress.metadata.name}"`;

/** The host, path and pathType of every path an Ingress serves. */
export function servedPaths(ingress: Manifest): ServedPath[] {
  return ((ingress as Ingress).spec?.rules ?? []).flatMap(rule =>
    (rule.http?.paths ?? []).map(path => ({
      host: rule.host,
      path: path.path ?? '/',
      pathType: path.pathType,
    })),
  );
}

/** Whether an Ingress has a request or connection limit (an allowlist alone limits nothing). */
export function isRateLimited(ingress: Manifest): boolean {
  const annotations = ingress.metadata.annotations ?? {};
  return [LIMIT.rps, LIMIT.rpm, LIMIT.connections].some(
    key => annotations[key] !== undefined,
  );
}

/**
 * ingress-nginx reads these annotations as whole numbers and ignores one it cannot parse (or
 * its admission webhook refuses the Ingress), so "5.0" or "five" would silently mean no limit.
 */
function wholeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^[1-9][0-9]*$/.test(value)
    ? Number(value)
    : undefined;
}

/** Everything but what may differ: the name, the paths, the limits and the certificate request. */
function servingPart(ingress: Manifest): unknown {
  const copy = structuredClone(ingress) as Ingress;
  delete (copy.metadata as { name?: string }).name;
  copy.metadata!.annotations = Object.fromEntries(
    Object.entries(copy.metadata?.annotations ?? {}).filter(
      ([key]) =>
        !key.startsWith(`${NGINX}limit-`) &&
        !key.startsWith('cert-manager.io/'),
    ),
  );
  for (const rule of copy.spec?.rules ?? []) {
    for (const path of rule.http?.paths ?? []) {
      path.path = '(path)';
    }
  }
  return copy;
}

/** The places where two JSON values differ, as `a.b[0].c: x ≠ y`. */
export function differences(a: unknown, b: unknown, at = ''): string[] {
  if (
    typeof a === 'object' &&
    a !== null &&
    typeof b === 'object' &&
    b !== null &&
    Array.isArray(a) === Array.isArray(b)
  ) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const pathOf = (key: string) => {
      if (Array.isArray(a)) return `${at}[${key}]`;
      return at ? `${at}.${key}` : key;
    };
    return keys.flatMap(key =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        pathOf(key),
      ),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [`${at || '(root)'}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

/**
 * What is wrong with the rate limit on AUTH_PATH, by aspect; empty when exactly the auth path
 * is limited, with whole-number values within AUTH_TRAFFIC, by an Ingress that otherwise serves
 * it as the rest of the app is served.
 */
export function authRateLimitProblems(
  manifests: Manifest[],
): RateLimitProblem[] {
  const problems: RateLimitProblem[] = [];
  const ingresses = manifests.filter(manifest => manifest.kind === 'Ingress');
  const isAuthPath = (path: string) =>
    path === AUTH_PATH || path.startsWith(`${AUTH_PATH}/`);

  const limited = ingresses.filter(isRateLimited);
  for (const ingress of limited) {
    for (const served of servedPaths(ingress)) {
      if (served.path !== AUTH_PATH || served.pathType !== 'Prefix') {
        problems.push({
          aspect: 'auth path',
          message: `${describeIngress(ingress)} is rate-limited and serves ${
            served.path
          } (${served.pathType}); only ${AUTH_PATH} (Prefix) should be`,
        });
      }
    }
  }
  for (const ingress of ingresses.filter(
    candidate => !isRateLimited(candidate),
  )) {
    for (const served of servedPaths(ingress)) {
      if (isAuthPath(served.path)) {
        problems.push({
          aspect: 'auth path',
          message: `${describeIngress(ingress)} serves ${
            served.path
          } without a limit; as a longer or equal prefix it takes those requests from the limited Ingress`,
        });
      }
    }
  }
  const auth = limited.filter(ingress =>
    servedPaths(ingress).some(
      served => served.path === AUTH_PATH && served.pathType === 'Prefix',
    ),
  );
  if (auth.length === 0) {
    problems.push({
      aspect: 'auth path',
      message: `no Ingress rate-limits ${AUTH_PATH} (Prefix)`,
    });
    return problems;
  }

  for (const ingress of auth) {
    const name = describeIngress(ingress);
    const annotations = ingress.metadata.annotations ?? {};
    for (const key of Object.values(LIMIT)) {
      const value = annotations[key];
      if (value !== undefined && wholeNumber(value) === undefined) {
        problems.push({
          aspect: 'values',
          message: `${name}: ${key} is ${JSON.stringify(
            value,
          )}, not a whole number above 0; ingress-nginx would ignore it`,
        });
      }
    }

    const rps = wholeNumber(annotations[LIMIT.rps]);
    const rpm = wholeNumber(annotations[LIMIT.rpm]);
    const multiplier =
      wholeNumber(annotations[LIMIT.burstMultiplier]) ??
      DEFAULT_BURST_MULTIPLIER;
    const connections = wholeNumber(annotations[LIMIT.connections]);
    if (rps === undefined && rpm === undefined) {
      problems.push({
        aspect: 'budget',
        message: `${name} sets neither ${LIMIT.rps} nor ${LIMIT.rpm}, so the number of requests is not limited`,
      });
    } else {
      // With both, both apply: the smaller rate and the smaller burst win.
      const perSecond = Math.min(rps ?? Infinity, (rpm ?? Infinity) / 60);
      const burst = Math.min(
        (rps ?? Infinity) * multiplier,
        (rpm ?? Infinity) * multiplier,
      );
      if (burst < AUTH_TRAFFIC.minBurst) {
        problems.push({
          aspect: 'budget',
          message: `${name} lets ${burst} requests through at once; a person restoring a browser's tabs and signing in sends ${AUTH_TRAFFIC.minBurst}`,
        });
      }
      if (perSecond > AUTH_TRAFFIC.maxPerSecond) {
        problems.push({
          aspect: 'budget',
          message: `${name} lets ${perSecond} requests a second through from one address; above ${AUTH_TRAFFIC.maxPerSecond} it is a flood, not people`,
        });
      }
    }
    if (
      connections !== undefined &&
      connections < AUTH_TRAFFIC.minConnections
    ) {
      problems.push({
        aspect: 'budget',
        message: `${name} allows ${connections} requests in progress at once per address; an office behind one address needs ${AUTH_TRAFFIC.minConnections}`,
      });
    }

    if (
      Object.keys(annotations).some(key => key.startsWith('cert-manager.io/'))
    ) {
      problems.push({
        aspect: 'same as the app',
        message: `${name} asks cert-manager for a certificate too; the app's Ingress already does, for the same Secret`,
      });
    }
    const hosts = new Set(servedPaths(ingress).map(served => served.host));
    const app = ingresses.filter(
      candidate =>
        !isRateLimited(candidate) &&
        servedPaths(candidate).some(
          served =>
            served.path === '/' &&
            served.pathType === 'Prefix' &&
            hosts.has(served.host),
        ),
    );
    if (app.length !== 1) {
      problems.push({
        aspect: 'same as the app',
        message: `expected one Ingress without limits serving / for ${[
          ...hosts,
        ].join(', ')}, found ${app.length}`,
      });
      continue;
    }
    for (const difference of differences(
      servingPart(ingress),
      servingPart(app[0]),
    )) {
      problems.push({
        aspect: 'same as the app',
        message: `${name} differs from ${describeIngress(
          app[0],
        )} beyond its path and limits: ${difference}`,
      });
    }
  }
  return problems;
}
