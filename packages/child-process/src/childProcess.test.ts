import { startProcess, type StartedProcess } from './childProcess.ts';

/** Node running `script`, named for messages. */
const node = (script: string) => ({
  name: 'the script',
  command: process.execPath,
  args: ['-e', script],
});

const started: StartedProcess<unknown>[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map(child => child.kill()));
});
async function start<Ready>(
  options: Parameters<typeof startProcess<Ready>>[0],
): Promise<StartedProcess<Ready>> {
  const child = await startProcess(options);
  started.push(child);
  return child;
}

describe('startProcess', () => {
  it('is ready at the first line that the check accepts, and passes on every line', async () => {
    const lines: string[] = [];
    const child = await start({
      ...node(
        'console.log("starting"); console.error("on stderr"); console.log(JSON.stringify({ ready: 42 })); setInterval(() => {}, 1000);',
      ),
      ready: {
        line: line =>
          line.startsWith('{') ? JSON.parse(line).ready : undefined,
      },
      onLine: line => lines.push(line),
    });
    expect(child.ready).toBe(42);
    // stderr is a pipe of its own, which may come after stdout's ready line.
    await child.waitForOutput(output => output.includes('on stderr'));
    expect(lines).toEqual(
      expect.arrayContaining(['starting', 'on stderr', '{"ready":42}']),
    );
  });

  it('is ready once the URL answers 2xx', async () => {
    const child = await start({
      ...node(`
        let calls = 0;
        const server = require('node:http').createServer((req, res) => {
          calls += 1;
          res.statusCode = calls < 3 ? 503 : 200;
          res.end();
        });
        server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
      `),
      ready: { line: line => /^port (\d+)$/.exec(line)?.[1] },
    });
    const url = `http://127.0.0.1:${child.ready}/`;
    const second = await start({
      ...node('setInterval(() => {}, 1000)'),
      ready: { url },
    });
    expect(second.exit()).toBeUndefined();
    expect((await fetch(url)).status).toBe(200);
  });

  it('rejects with the output when the process exits before it is ready', async () => {
    await expect(
      startProcess({
        ...node('console.error("no config"); process.exit(3)'),
        ready: { line: () => undefined },
      }),
    ).rejects.toThrow(
      /^the script exited \(code 3\) before it was ready\n--- output of the script ---\nno config/,
    );
  });

  it('stops a process that is not ready in time, saying so', async () => {
    const attempt = startProcess({
      ...node('setInterval(() => {}, 1000)'),
      ready: { url: 'http://127.0.0.1:9/' },
      readinessTimeoutMs: 500,
    });
    await expect(attempt).rejects.toThrow(
      /the script \(pid \d+\) was not ready on http:\/\/127\.0\.0\.1:9\/ within 500 ms/,
    );
  });

  it('stops with SIGTERM and says how the process ended', async () => {
    const child = await start(node('setInterval(() => {}, 1000)'));
    expect(await child.stop()).toEqual({
      code: null,
      signal: 'SIGTERM',
      forced: false,
    });
    expect(child.exit()).toEqual({
      code: null,
      signal: 'SIGTERM',
      forced: false,
    });
    expect(await child.stop()).toEqual(child.exit());
  });

  it('follows SIGTERM with SIGKILL when the process ignores it', async () => {
    const child = await start({
      ...node(
        'process.on("SIGTERM", () => console.log("ignored")); console.log("up"); setInterval(() => {}, 1000);',
      ),
      ready: { line: line => (line === 'up' ? true : undefined) },
      stopTimeoutMs: 300,
    });
    expect(await child.stop()).toEqual({
      code: null,
      signal: 'SIGKILL',
      forced: true,
    });
    expect(child.output()).toContain('ignored');
  });

  it('kills with SIGKILL at once', async () => {
    const child = await start(node('setInterval(() => {}, 1000)'));
    expect(await child.kill()).toEqual({
      code: null,
      signal: 'SIGKILL',
      forced: false,
    });
  });

  it('reports the exit of a process that ends by itself, with all its output', async () => {
    const child = await start(
      node('process.stdout.write("x".repeat(200000)); process.exitCode = 2;'),
    );
    expect(await child.exited).toEqual({
      code: 2,
      signal: null,
      forced: false,
    });
    expect(child.output()).toHaveLength(200000);
  });

  it('waits for output', async () => {
    const child = await start(
      node(
        'setTimeout(() => console.log("later"), 200); setInterval(() => {}, 1000);',
      ),
    );
    await expect(
      child.waitForOutput(output => output.includes('later')),
    ).resolves.toContain('later');
    await expect(
      child.waitForOutput(output => output.includes('never'), 300),
    ).rejects.toThrow(
      'the output of the script did not show what was waited for within 300 ms:\nlater',
    );
  });

  it('gives the command only `env` with inheritEnv: false', async () => {
    const child = await start({
      ...node('console.log(JSON.stringify(process.env))'),
      env: { ONLY: 'this' },
      inheritEnv: false,
    });
    await child.exited;
    expect(JSON.parse(child.output())).toEqual({ ONLY: 'this' });
  });

  it('reports a command that cannot start', async () => {
    await expect(
      startProcess({
        name: 'the missing command',
        command: '/nonexistent/command',
        ready: { line: () => true },
      }),
    ).rejects.toThrow(
      /the missing command exited \(code null\) before it was ready\n--- output of the missing command ---\n.*ENOENT/,
    );
  });
});
