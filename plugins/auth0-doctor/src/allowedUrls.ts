/**
 * Whether an Auth0 application's list of Allowed Callback URLs (or Allowed Logout URLs) lets
 * `url` through, as Auth0 compares them: the same URL (scheme and host in any letter case, a
 * bare origin with or without its `/`), or an entry whose left-most host label is `*`, which
 * stands for one subdomain (`https://*.example.com/cb` allows `https://eu.example.com/cb`).
 */
export function isAllowedUrl(entries: readonly string[], url: string): boolean {
  const wanted = parse(url);
  if (!wanted) {
    return false;
  }
  return entries.some(entry => {
    const wildcard = /^([a-z][a-z0-9+.-]*:\/\/)\*\.(.*)$/i.exec(entry.trim());
    if (!wildcard) {
      return parse(entry.trim())?.href === wanted.href;
    }
    // `x` stands in for the subdomain so that the rest parses as a URL.
    const pattern = parse(`${wildcard[1]}x.${wildcard[2]}`);
    if (!pattern) {
      return false;
    }
    const [label, ...rest] = wanted.hostname.split('.');
    return (
      label !== '' &&
      rest.join('.') === pattern.hostname.slice('x.'.length) &&
      pattern.protocol === wanted.protocol &&
      pattern.port === wanted.port &&
      `${pattern.pathname}${pattern.search}` ===
        `${wanted.pathname}${wanted.search}`
    );
  });
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
