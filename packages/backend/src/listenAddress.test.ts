import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readHttpServerOptions } from '@backstage/backend-defaults/rootHttpRouter';
import { parse as parseYaml } from 'yaml';

const repoRoot = resolvePath(__dirname, '../../..');

/**
 * Where the backend listens with these config files, layered as Backstage layers them
 * (later files override earlier ones key by key) and read as its root HTTP router reads them.
 */
function listenAddress(...files: string[]) {
  const config = ConfigReader.fromConfigs(
    files.map(file => ({
      context: file,
      data: parseYaml(readFileSync(resolvePath(repoRoot, file), 'utf8')),
    })),
  );
  return readHttpServerOptions(config.getOptionalConfig('backend')).listen;
}

describe('the address the backend listens on', () => {
  it('is loopback only in development, where guest sign-in is on', () => {
    expect(listenAddress('app-config.yaml')).toEqual({
      host: '127.0.0.1',
      port: 7007,
    });
  });

  it('is every IPv4 interface in production, overriding the development host', () => {
    expect(
      listenAddress('app-config.yaml', 'app-config.production.yaml'),
    ).toEqual({ host: '0.0.0.0', port: 7007 });
  });
});
