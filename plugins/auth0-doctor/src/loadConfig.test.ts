import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDoctorConfig, readEnvironment } from './loadConfig';

describe('the config the doctor reads', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth0-doctor-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('substitutes variables from the shell over .env, and layers --config files and APP_CONFIG_', async () => {
    writeFileSync(
      join(dir, '.env'),
      'AUTH_AUTH0_DOMAIN=from-dotenv.example.com\nAUTH_AUTH0_CLIENT_ID=from-dotenv\n',
    );
    writeFileSync(
      join(dir, 'base.yaml'),
      'auth:\n  providers:\n    auth0:\n      development:\n        domain: ${AUTH_AUTH0_DOMAIN}\n        clientId: ${AUTH_AUTH0_CLIENT_ID}\n        clientSecret: ${AUTH_AUTH0_CLIENT_SECRET}\n',
    );
    writeFileSync(
      join(dir, 'overlay.yaml'),
      'auth:\n  environment: production\n',
    );

    const environment = readEnvironment({
      cwd: dir,
      env: {
        AUTH_AUTH0_CLIENT_ID: 'from-shell',
        APP_CONFIG_backend_baseUrl: 'http://localhost:7007',
      },
    });
    expect(environment.envFile).toBe(join(dir, '.env'));
    const config = await loadDoctorConfig({
      configPaths: ['base.yaml', 'overlay.yaml'],
      cwd: dir,
      env: environment.env,
    });
    expect(config.get('auth.providers.auth0.development')).toEqual({
      domain: 'from-dotenv.example.com',
      clientId: 'from-shell',
    });
    expect(config.getString('auth.environment')).toBe('production');
    expect(config.getString('backend.baseUrl')).toBe('http://localhost:7007');
  });

  it('reads app-config.yaml and app-config.local.yaml without --config, and no .env if there is none', async () => {
    writeFileSync(join(dir, 'app-config.yaml'), 'app:\n  title: base\n');
    writeFileSync(join(dir, 'app-config.local.yaml'), 'app:\n  title: local\n');
    const environment = readEnvironment({ cwd: dir, env: {} });
    expect(environment.envFile).toBeUndefined();
    const config = await loadDoctorConfig({
      configPaths: [],
      cwd: dir,
      env: environment.env,
    });
    expect(config.getString('app.title')).toBe('local');
  });

  it('says which file is missing', async () => {
    expect(() =>
      readEnvironment({ cwd: dir, env: {}, envFile: 'prod.env' }),
    ).toThrow(`cannot read the variables of ${join(dir, 'prod.env')}`);
    await expect(
      loadDoctorConfig({ configPaths: ['nope.yaml'], cwd: dir, env: {} }),
    ).rejects.toThrow(/nope\.yaml/);
  });
});
