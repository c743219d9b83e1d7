/** What the dev server tells its parent process once it listens. */
export type ReadyInfo = {
  issuer: string;
  domain: string;
  clientId: string;
  clientSecret: string;
  /** The "Machine to Machine" application for the Management API. */
  managementClientId: string;
  managementClientSecret: string;
  /** `https://localhost:<port>/api/v2/`: the `audience` of Management API tokens. */
  managementAudience: string;
  caFile: string;
  adminUrl: string;
  redirectUris: string[];
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
