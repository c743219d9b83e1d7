/** What the dev server tells its parent process once it listens. */
export type ReadyInfo = {
  /** `https://localhost:<port>/`, with the trailing slash Auth0 has. */
  issuer: string;
  /** What Backstage's `auth.providers.auth0.*.domain` takes: `localhost:<port>`. */
  domain: string;
  clientId: string;
  clientSecret: string;
  /** The "Machine to Machine" application for the Management API. */
  managementClientId: string;
  managementClientSecret: string;
  /** `https://localhost:<port>/api/v2/`: the `audience` of Management API tokens. */
  managementAudience: string;
  /** The local CA's certificate: set NODE_EXTRA_CA_CERTS to it for the backend. */
  caFile: string;
  adminUrl: string;
  redirectUris: string[];
  /** The name of the ID tokens' roles claim (`https://backstage.example.com/roles` by default). */
  rolesClaim: string;
};

/** The ready line main.ts prints: one JSON object on one line of stdout. */
export function readyLine(
  info: ReadyInfo,
): { auth0DevServer: 'ready' } & ReadyInfo {
  return { auth0DevServer: 'ready', ...info };
}

/** The ready information in a line of the dev server's stdout, if the line is the ready line. */
export function parseReadyLine(line: string): ReadyInfo | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line);
    if (parsed?.auth0DevServer !== 'ready') return undefined;
    const { auth0DevServer: _marker, ...info } = parsed;
    return info as ReadyInfo;
  } catch {
    return undefined;
  }
}
