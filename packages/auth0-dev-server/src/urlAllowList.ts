/**
 * A list of allowed URLs, like an Auth0 application's "Allowed Callback URLs" or "Allowed
 * Logout URLs". An entry is an absolute URL; on a loopback host its port may be `*`,
 * because tests start backends on random ports (RFC 8252 section 7.3 lets loopback
 * redirects use any port for the same reason). Everything else must match exactly.
 */
export type UrlAllowList = {
  entries: string[];
  allows(url: string): boolean;
  /** A concrete URL for each entry, for metadata that cannot hold a wildcard. */
  examples(): string[];
};

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);
const anyPortMarker = ':*';
// Stands in for `*` while the entry is parsed; never compared with.
const placeholderPort = '1';

type Entry = { url: URL; anyPort: boolean };

export function createUrlAllowList(
  entries: string[],
  what: string,
): UrlAllowList {
  const parsed = entries.map(entry => parseEntry(entry, what));
  return {
    entries,
    allows(candidate) {
      let url: URL;
      try {
        url = new URL(candidate);
      } catch {
        return false;
      }
      return parsed.some(entry =>
        entry.anyPort
          ? sameExceptPort(entry.url, url)
          : entry.url.href === url.href,
      );
    },
    examples: () =>
      parsed.map(({ url, anyPort }) => {
        if (!anyPort) return url.href;
        const example = new URL(url.href);
        example.port = '';
        return example.href;
      }),
  };
}

function parseEntry(entry: string, what: string): Entry {
  const anyPort = new RegExp(
    `^[a-z]+://[^/]+${escape(anyPortMarker)}(/|$)`,
  ).test(entry);
  const text = anyPort
    ? entry.replace(anyPortMarker, `:${placeholderPort}`)
    : entry;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(
      `auth0-dev-server: ${what} "${entry}" is not an absolute URL`,
    );
  }
  if (anyPort && !loopbackHosts.has(url.hostname)) {
    throw new Error(
      `auth0-dev-server: ${what} "${entry}" has the port wildcard '*', which is only allowed for localhost, 127.0.0.1 and [::1]`,
    );
  }
  if (url.hash) {
    throw new Error(
      `auth0-dev-server: ${what} "${entry}" must not have a #fragment`,
    );
  }
  return { url, anyPort };
}

function sameExceptPort(pattern: URL, url: URL): boolean {
  return (
    pattern.protocol === url.protocol &&
    pattern.hostname === url.hostname &&
    pattern.pathname === url.pathname &&
    pattern.search === url.search &&
    url.hash === ''
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
