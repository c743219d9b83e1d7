import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, USAGE } from './cli';

describe('backstage-auth0-doctor', () => {
  let dir: string;
  let out: string;
  let err: string;
  const run = (...argv: string[]) =>
    runCommand(argv, {
      cwd: dir,
      env: {},
      stdout: text => (out += text),
      stderr: text => (err += text),
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth0-doctor-cli-'));
    out = '';
    err = '';
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its usage with --help', async () => {
    await expect(run('--help')).resolves.toBe(0);
    expect(out).toBe(USAGE);
  });

  it('refuses an unknown flag with exit code 2', async () => {
    await expect(run('--confg', 'x.yaml')).resolves.toBe(2);
    expect(err).toContain("Unknown option '--confg'");
    expect(out).toBe('');
  });

  it('prints one line per check and exits with 1 when one failed', async () => {
    writeFileSync(
      join(dir, 'app-config.yaml'),
      'auth:\n  providers:\n    auth0:\n      development:\n        clientId: client-id\n',
    );
    await expect(run()).resolves.toBe(1);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '✖ config: the Auth0 provider would refuse to start — fix each problem below as it says (docs/troubleshooting.md, "The Auth0 provider cannot start")',
    );
    expect(lines[1]).toMatch(
      /^ {4}auth\.providers\.auth0\.development\.domain is missing: set AUTH_AUTH0_DOMAIN/,
    );
    expect(lines).toContain(
      '! discovery: skipped: the Auth0 provider config has problems — fix config first',
    );
  });

  it('prints the results as a JSON array with --json', async () => {
    await expect(run('--json', '--config', 'missing.yaml')).resolves.toBe(1);
    expect(JSON.parse(out)).toEqual([
      {
        check: 'config',
        status: 'fail',
        message: expect.stringMatching(
          /^cannot read the config: .*missing\.yaml/,
        ),
        fix: 'pass the files the backend runs with, each with --config, and the variables they read',
      },
    ]);
  });
});
