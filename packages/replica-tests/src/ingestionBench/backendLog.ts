// Reading the backend's log: its lines (the development format, `<time> <plugin> <level>
// <message> key="value"…`, or the production one, a JSON object a line) and, among them, what
// the Auth0 entity provider says at each step of a run (plugins/catalog-backend-module-auth0).
// The provider's own timestamps mark the phases, so how often the log is read does not change
// the times measured.

export type LogLine = {
  /** Epoch milliseconds, from the line's own timestamp. */
  at: number;
  level: string;
  /** The message, followed in the development format by the line's fields. */
  text: string;
};

// The colours of the development format: ESC [ … m.
// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;]*m/g;
const DEVELOPMENT_LINE =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) (\S+) (\S+) (.*)$/;

/** A line of the backend's output as a log line, or undefined for anything else. */
export function parseLogLine(raw: string): LogLine | undefined {
  const line = raw.replace(ANSI_ESCAPE, '').trim();
  if (line.startsWith('{')) {
    try {
      const entry = JSON.parse(line);
      const at = Date.parse(entry?.timestamp);
      if (Number.isNaN(at) || typeof entry.message !== 'string') {
        return undefined;
      }
      return { at, level: String(entry.level), text: entry.message };
    } catch {
      return undefined;
    }
  }
  const match = DEVELOPMENT_LINE.exec(line);
  if (!match) return undefined;
  return { at: Date.parse(match[1]), level: match[3], text: match[4] };
}

/** What the provider says during a run, in the order it says it. */
export type ProviderEvent = { at: number } & (
  | { kind: 'runStarted' }
  | { kind: 'exportCreated' }
  | { kind: 'exportCompleted' }
  /** Every 10,000 users of the export file, and once more with the total at its end. */
  | { kind: 'exportUsersRead'; users: number }
  | { kind: 'rolesRead'; roles: number }
  | { kind: 'organizationsRead'; organizations: number }
  /** The read is complete and the entities are built: `applyMutation` starts. */
  | {
      kind: 'built';
      users: number;
      /** e.g. `2014 blocked, 2993 unverified`; empty when none was left out. */
      leftOut: string;
      roles: number;
      organizations: number;
      readSeconds: number;
      entities: number;
    }
  | { kind: 'committed'; entities: number; seconds: number }
  | { kind: 'failed'; message: string }
);

const end = '(?=\\s|$)';
const PATTERNS: Array<{
  pattern: RegExp;
  event: (
    match: RegExpExecArray,
    text: string,
  ) => DistributiveOmit<ProviderEvent, 'at'>;
}> = [
  {
    pattern: new RegExp(`^Reading Auth0 tenant \\S+${end}(?! for )`),
    event: () => ({ kind: 'runStarted' }),
  },
  {
    pattern: new RegExp(`^Auth0 user export job \\S+ created${end}`),
    event: () => ({ kind: 'exportCreated' }),
  },
  {
    pattern: new RegExp(`^Auth0 user export job \\S+ completed${end}`),
    event: () => ({ kind: 'exportCompleted' }),
  },
  {
    pattern: /^Read (\d+) users of the Auth0 user export/,
    event: match => ({ kind: 'exportUsersRead', users: Number(match[1]) }),
  },
  {
    pattern: /^Read (\d+) Auth0 roles and their users/,
    event: match => ({ kind: 'rolesRead', roles: Number(match[1]) }),
  },
  {
    pattern: /^Read (\d+) Auth0 organizations and their members/,
    event: match => ({
      kind: 'organizationsRead',
      organizations: Number(match[1]),
    }),
  },
  {
    pattern:
      /^Read (\d+) users(?: \(left out: ([^)]*)\))?, (\d+) roles and (\d+) organizations in ([\d.]+) s; committing (\d+) entities/,
    event: match => ({
      kind: 'built',
      users: Number(match[1]),
      leftOut: match[2] ?? '',
      roles: Number(match[3]),
      organizations: Number(match[4]),
      readSeconds: Number(match[5]),
      entities: Number(match[6]),
    }),
  },
  {
    pattern: /^Committed (\d+) entities in ([\d.]+) s/,
    event: match => ({
      kind: 'committed',
      entities: Number(match[1]),
      seconds: Number(match[2]),
    }),
  },
  {
    // A failed run: Auth0ReadError's message, or the provider's own for anything else.
    pattern:
      /^(?:Reading Auth0 tenant \S+ for catalog\.providers\.auth0\.\S+ failed|Auth0OrgEntityProvider:\S+ failed)/,
    event: (_match, text) => ({ kind: 'failed', message: text }),
  },
];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown
  ? Omit<T, K>
  : never;

/** The provider event a log line reports, if it reports one. */
export function providerEvent(line: LogLine): ProviderEvent | undefined {
  for (const { pattern, event } of PATTERNS) {
    const match = pattern.exec(line.text);
    if (match) {
      return { at: line.at, ...event(match, line.text) } as ProviderEvent;
    }
  }
  return undefined;
}

/**
 * Follows a process's output as it grows (`output()` returns everything so far) and hands out
 * the complete lines not read yet.
 */
export class OutputFollower {
  private offset = 0;

  constructor(private readonly output: () => string) {}

  /** The complete lines written since the last call. */
  newLines(): string[] {
    const text = this.output();
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < this.offset) return [];
    const lines = text.slice(this.offset, lastNewline).split('\n');
    this.offset = lastNewline + 1;
    return lines;
  }
}
