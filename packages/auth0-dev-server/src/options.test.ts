import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLineArgs, parseOptions } from './options.ts';

describe('parseOptions', () => {
  it('reads the environment, and flags win over it', () => {
    const options = parseOptions(
      {
        AUTH0_DEV_SERVER_PORT: '8443',
        AUTH0_DEV_SERVER_CLIENT_ID: 'from-env',
        AUTH0_DEV_SERVER_REDIRECT_URIS:
          'http://localhost:*/a, http://localhost:7007/b',
        AUTH0_DEV_SERVER_USERINFO_RATE_LIMIT: 'false',
        AUTH0_DEV_SERVER_SYNTHETIC_USERS: '1500',
      },
      [
        '--client-id',
        'from-flag',
        '--refresh-token-rotation=false',
        '--admin-port',
        '0',
      ],
    );
    assert.deepEqual(options, {
      port: 8443,
      clientId: 'from-flag',
      redirectUris: ['http://localhost:*/a', 'http://localhost:7007/b'],
      userinfoRateLimit: false,
      refreshTokenRotation: false,
      adminPort: 0,
      syntheticUsers: 1500,
    });
  });

  it('reports every problem at once', () => {
    assert.throws(
      () =>
        parseOptions({ AUTH0_DEV_SERVER_PORT: 'seven' }, [
          '--nope',
          '--userinfo-rate-limit',
          'maybe',
          '--synthetic-users',
          '-5',
          '--client-id',
        ]),
      (error: Error) => {
        assert.match(error.message, /unknown argument "--nope"/);
        assert.match(
          error.message,
          /AUTH0_DEV_SERVER_PORT must be a port number/,
        );
        assert.match(
          error.message,
          /--userinfo-rate-limit must be true or false/,
        );
        assert.match(error.message, /--client-id needs a value/);
        assert.match(
          error.message,
          /--synthetic-users must be a whole number from 0 to 1000000, not "-5"/,
        );
        return true;
      },
    );
  });
});

describe('commandLineArgs', () => {
  it('writes every option as the flag that parseOptions reads back', () => {
    const options = {
      port: 0,
      adminPort: 8444,
      stateDir: '/tmp/state',
      usersFile: '/tmp/users.yaml',
      clientId: 'client',
      clientSecret: 'secret',
      redirectUris: ['http://localhost:*/a', 'http://localhost:7007/b'],
      logoutUrls: ['http://localhost:3000'],
      refreshTokenRotation: false,
      refreshTokenLeeway: 30,
      userinfoRateLimit: true,
      managementClientId: 'catalog',
      managementClientSecret: 'm2m-secret',
      syntheticUsers: 100000,
      syntheticUsersSeed: 42,
    };
    const args = commandLineArgs(options);
    assert.deepEqual(args.slice(0, 4), ['--port', '0', '--admin-port', '8444']);
    assert.ok(args.includes('--refresh-token-rotation'));
    assert.deepEqual(parseOptions({}, args), options);
  });

  it('leaves out what is not given', () => {
    assert.deepEqual(commandLineArgs({ clientId: 'only' }), [
      '--client-id',
      'only',
    ]);
  });
});
