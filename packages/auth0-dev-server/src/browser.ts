// A test browser: keeps cookies, trusts the dev server's CA (and only this
// client does: nothing global changes), and follows redirects one visible step at a time.
// Importable from Jest as `auth0-dev-server/browser`.
import { readFileSync } from 'node:fs';
import { CookieJar } from 'tough-cookie';
import { Agent, fetch, type Response } from 'undici';

export type BrowserResponse = {
  url: string;
  status: number;
  headers: Headers;
  /** The Location header resolved against the URL, for redirects. */
  location?: string;
  body: string;
};

export type Browser = {
  /** One request, no redirect followed. */
  request(
    url: string,
    init?: {
      method?: string;
      form?: Record<string, string>;
      /** Sent as an application/json body. */
      json?: unknown;
      /** Sent as is, with the content-type given in `headers`. */
      body?: string;
      headers?: Record<string, string>;
    },
  ): Promise<BrowserResponse>;
  get(url: string): Promise<BrowserResponse>;
  /** Submits a form (application/x-www-form-urlencoded), as a browser would. */
  post(url: string, form: Record<string, string>): Promise<BrowserResponse>;
  /** Follows redirects (GET, as browsers do after 302/303) until a page that is not one. */
  follow(
    response: BrowserResponse,
    options?: { maxRedirects?: number; until?: (url: string) => boolean },
  ): Promise<{ response: BrowserResponse; visited: string[] }>;
  cookies(url: string): Promise<string>;
  close(): Promise<void>;
};

export function createBrowser(options: { caFile?: string } = {}): Browser {
  const jar = new CookieJar();
  const dispatcher = new Agent({
    connect: options.caFile ? { ca: readFileSync(options.caFile) } : {},
  });

  const request: Browser['request'] = async (url, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const cookie = await jar.getCookieString(url);
    if (cookie) headers.cookie = cookie;
    let body: string | undefined = init.body;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    const response: Response = await fetch(url, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      redirect: 'manual',
      dispatcher,
    });
    for (const setCookie of response.headers.getSetCookie()) {
      await jar.setCookie(setCookie, url, { ignoreError: true });
    }
    const location = response.headers.get('location');
    return {
      url,
      status: response.status,
      headers: response.headers as unknown as Headers,
      location: location ? new URL(location, url).href : undefined,
      body: await response.text(),
    };
  };

  return {
    request,
    get: url => request(url),
    post: (url, form) => request(url, { method: 'POST', form }),
    async follow(response, { maxRedirects = 20, until } = {}) {
      const visited: string[] = [];
      let current = response;
      while (
        current.status >= 300 &&
        current.status < 400 &&
        current.location
      ) {
        if (until?.(current.location)) break;
        if (visited.length >= maxRedirects) {
          throw new Error(
            `more than ${maxRedirects} redirects: ${visited.join(' -> ')}`,
          );
        }
        visited.push(current.location);
        current = await request(current.location);
      }
      return { response: current, visited };
    },
    cookies: url => jar.getCookieString(url),
    close: () => dispatcher.close(),
  };
}
