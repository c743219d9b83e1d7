import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createBrowser } from './browser.ts';
import { startAuth0DevServerProcess } from './process.ts';
import { ProductionRefusalError, startAuth0DevServer } from './server.ts';

const mainFile = fileURLToPath(new URL('main.ts', import.meta.url));

async function runMain(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [mainFile, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', chunk => (stdout += chunk));
  child.stderr.on('data', chunk => (stderr += chunk));
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

describe('the dev server as a process', () => {
  let stateDir: string;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'auth0-dev-server-process-'));
  });
  after(() => rm(stateDir, { recursive: true, force: true }));

  it('refuses to start with NODE_ENV=production, saying why and what to do', async () => {
    const { code, stdout, stderr } = await runMain(
      ['--port', '0', '--state-dir', stateDir],
      {
        NODE_ENV: 'production',
      },
    );
    assert.equal(code, 1);
    assert.equal(stdout, '', 'no ready line');
    assert.match(stderr, /refuses to start because NODE_ENV is "production"/);
    assert.match(
      stderr,
      /AUTH_AUTH0_DOMAIN, AUTH_AUTH0_CLIENT_ID and AUTH_AUTH0_CLIENT_SECRET/,
    );
  });

  it('refuses NODE_ENV=production when started in-process too', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await assert.rejects(
        startAuth0DevServer({ port: 0, stateDir }),
        ProductionRefusalError,
      );
    } finally {
      if (previous === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = previous;
    }
  });

  it('says so when its port is taken', async () => {
    const blocker = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as AddressInfo;
    try {
      const { code, stderr } = await runMain(
        ['--port', String(port), '--state-dir', stateDir],
        {},
      );
      assert.equal(code, 1);
      assert.match(
        stderr,
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`),
      );
    } finally {
      blocker.close();
    }
  });

  it('starts through startAuth0DevServerProcess, reports itself, and stops', async () => {
    const devServer = await startAuth0DevServerProcess({
      stateDir,
      clientId: 'process-test',
      redirectUris: ['http://localhost:*/api/auth/auth0/handler/frame'],
      syntheticUsers: 25,
    });
    let stopped = false;
    try {
      assert.match(devServer.issuer, /^https:\/\/localhost:\d+\/$/);
      assert.equal(devServer.domain, new URL(devServer.issuer).host);
      assert.equal(devServer.clientId, 'process-test');
      assert.ok(devServer.clientSecret.length >= 32);
      assert.equal(devServer.managementClientId, 'backstage-catalog');
      assert.ok(devServer.managementClientSecret.length >= 32);
      assert.notEqual(devServer.managementClientSecret, devServer.clientSecret);
      assert.equal(
        devServer.managementAudience,
        new URL('api/v2/', devServer.issuer).href,
      );
      assert.deepEqual(await devServer.admin.syntheticUsers(), {
        count: 25,
        seed: 1,
      });
      assert.equal(devServer.caFile, join(stateDir, 'ca.crt'));
      assert.deepEqual(devServer.redirectUris, [
        'http://localhost:*/api/auth/auth0/handler/frame',
      ]);
      assert.equal((await devServer.admin.knobs()).userinfoRateLimit, true);

      const browser = createBrowser({ caFile: devServer.caFile });
      const discovery = await browser.get(
        new URL('.well-known/openid-configuration', devServer.issuer).href,
      );
      assert.equal(JSON.parse(discovery.body).issuer, devServer.issuer);
      await browser.close();

      await devServer.stop();
      stopped = true;
      await assert.rejects(
        fetch(new URL('knobs', devServer.adminUrl)),
        'the admin API is gone too',
      );
    } finally {
      if (!stopped) await devServer.stop();
    }
  });

  it('keeps its CA and client secret across starts of the same state folder', async () => {
    const first = await startAuth0DevServer({
      port: 0,
      adminPort: 0,
      stateDir,
      log: () => {},
    });
    const firstCa = await readFile(first.caFile, 'utf8');
    await first.close();
    const second = await startAuth0DevServer({
      port: 0,
      adminPort: 0,
      stateDir,
      log: () => {},
    });
    await second.close();
    assert.equal(await readFile(second.caFile, 'utf8'), firstCa);
    assert.equal(second.clientSecret, first.clientSecret);
    assert.equal(second.managementClientSecret, first.managementClientSecret);

    // A state folder from before the Management API keeps its secret and gains the other.
    const secretsFile = join(stateDir, 'secrets.json');
    const { managementClientSecret: _dropped, ...older } = JSON.parse(
      await readFile(secretsFile, 'utf8'),
    );
    await writeFile(secretsFile, JSON.stringify(older));
    const upgraded = await startAuth0DevServer({
      port: 0,
      adminPort: 0,
      stateDir,
      log: () => {},
    });
    await upgraded.close();
    assert.equal(upgraded.clientSecret, first.clientSecret);
    assert.ok(upgraded.managementClientSecret.length >= 32);
    assert.notEqual(
      upgraded.managementClientSecret,
      first.managementClientSecret,
    );

    const otherDir = await mkdtemp(join(tmpdir(), 'auth0-dev-server-other-'));
    try {
      const other = await startAuth0DevServer({
        port: 0,
        adminPort: 0,
        stateDir: otherDir,
        log: () => {},
      });
      await other.close();
      assert.notEqual(await readFile(other.caFile, 'utf8'), firstCa);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});
