import {
  OutputFollower,
  parseLogLine,
  ProviderEvent,
  providerEvent,
} from './backendLog';

const at = Date.parse('2026-12-01T10:00:00.000Z');
const target = 'target="Auth0OrgEntityProvider:development"';
/** A line as the development logger writes it, colours included. */
const developmentLine = (message: string, level = 'info') =>
  `\u001b[2m2026-12-01T10:00:00.000Z\u001b[22m \u001b[34mcatalog\u001b[39m \u001b[32m${level}\u001b[39m ${message} \u001b[36m${
    target.split('=')[0]
  }\u001b[39m=${target.split('=')[1]}`;

const eventOf = (message: string): ProviderEvent | undefined => {
  const line = parseLogLine(developmentLine(message));
  return line && providerEvent(line);
};

describe('parseLogLine', () => {
  it('reads the development format, colours and fields included', () => {
    expect(
      parseLogLine(developmentLine('Reading Auth0 tenant localhost:7443')),
    ).toEqual({
      at,
      level: 'info',
      text: `Reading Auth0 tenant localhost:7443 ${target}`,
    });
  });

  it('reads the production format, one JSON object a line', () => {
    expect(
      parseLogLine(
        JSON.stringify({
          level: 'warn',
          message: 'Committed 5 entities in 0.1 s',
          plugin: 'catalog',
          timestamp: '2026-12-01T10:00:00.000Z',
        }),
      ),
    ).toEqual({ at, level: 'warn', text: 'Committed 5 entities in 0.1 s' });
  });

  it('leaves out what is not a log line', () => {
    expect(parseLogLine('Loaded config from app-config.yaml')).toBeUndefined();
    expect(parseLogLine('{"not": "a log entry"}')).toBeUndefined();
    expect(parseLogLine('{broken')).toBeUndefined();
    expect(parseLogLine('')).toBeUndefined();
  });
});

describe('providerEvent', () => {
  it('knows every step of a run as the provider logs it', () => {
    expect(eventOf('Reading Auth0 tenant localhost:7443')).toEqual({
      at,
      kind: 'runStarted',
    });
    expect(eventOf('Auth0 user export job job_abc created')).toEqual({
      at,
      kind: 'exportCreated',
    });
    expect(eventOf('Auth0 user export job job_abc completed')).toEqual({
      at,
      kind: 'exportCompleted',
    });
    expect(eventOf('Read 10000 users of the Auth0 user export')).toEqual({
      at,
      kind: 'exportUsersRead',
      users: 10000,
    });
    expect(eventOf('Read 4 Auth0 roles and their users')).toEqual({
      at,
      kind: 'rolesRead',
      roles: 4,
    });
    expect(eventOf('Read 2 Auth0 organizations and their members')).toEqual({
      at,
      kind: 'organizationsRead',
      organizations: 2,
    });
    expect(
      eventOf(
        'Read 9519 users (left out: 278 unverified, 216 blocked), 4 roles and 2 organizations in 4.0 s; committing 9525 entities',
      ),
    ).toEqual({
      at,
      kind: 'built',
      users: 9519,
      leftOut: '278 unverified, 216 blocked',
      roles: 4,
      organizations: 2,
      readSeconds: 4,
      entities: 9525,
    });
    expect(
      eventOf(
        'Read 10 users, 0 roles and 0 organizations in 0.3 s; committing 10 entities',
      ),
    ).toMatchObject({ kind: 'built', users: 10, leftOut: '' });
    expect(eventOf('Committed 9525 entities in 1.7 s')).toEqual({
      at,
      kind: 'committed',
      entities: 9525,
      seconds: 1.7,
    });
  });

  it('knows both kinds of failed run, and does not take one for a start', () => {
    const readError =
      'Reading Auth0 tenant localhost:7443 for catalog.providers.auth0.development failed while exporting users: Auth0 answered 503';
    expect(eventOf(readError)).toEqual({
      at,
      kind: 'failed',
      message: `${readError} ${target}`,
    });
    expect(
      eventOf(
        'Auth0OrgEntityProvider:development failed, and the catalog keeps the entities of the last complete run: AbortError',
      ),
    ).toMatchObject({ kind: 'failed' });
  });

  it('ignores the lines of anything else', () => {
    expect(eventOf('Listening on :7007')).toBeUndefined();
    expect(eventOf('Read 3 locations')).toBeUndefined();
  });
});

describe('OutputFollower', () => {
  it('hands out each complete line once, keeping a partial line for later', () => {
    let output = '';
    const follower = new OutputFollower(() => output);
    expect(follower.newLines()).toEqual([]);
    output += 'one\ntw';
    expect(follower.newLines()).toEqual(['one']);
    expect(follower.newLines()).toEqual([]);
    output += 'o\nthree\n';
    expect(follower.newLines()).toEqual(['two', 'three']);
    expect(follower.newLines()).toEqual([]);
  });
});
