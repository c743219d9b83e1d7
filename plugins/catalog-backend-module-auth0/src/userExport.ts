import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ManagementApi } from './managementApi';

/** The text fields of an exported user that are kept as they are. */
export const USER_TEXT_FIELDS = [
  'name',
  'nickname',
  'given_name',
  'family_name',
  'picture',
  'created_at',
] as const;

/**
 * The fields the export job writes. In the JSON format a root property brings its inner ones:
 * `identities` the connection of each identity, `app_metadata` whatever the tenant keeps there
 * (for transformers).
 */
const EXPORT_FIELDS = [
  'user_id',
  'email',
  'email_verified',
  ...USER_TEXT_FIELDS,
  'blocked',
  'identities',
  'app_metadata',
];

const FIRST_POLL_DELAY_MS = 1_000;
const MAX_POLL_DELAY_MS = 10_000;
/** How often a job that is still running is logged, at most. */
const JOB_LOG_INTERVAL_MS = 30_000;
const USERS_LOG_INTERVAL = 10_000;

/** A user export job that Auth0 reports as failed, or that gave nothing to download. */
export class UserExportJobError extends Error {
  name = 'UserExportJobError';
}

/** The download of a finished export failed, or its content is not NDJSON. */
export class UserExportDownloadError extends Error {
  name = 'UserExportDownloadError';
}

/**
 * One line of the export: a user with the fields asked for (those it has).
 *
 * @public
 */
export type ExportedUser = Record<string, unknown>;

/**
 * What {@link exportUsers} reads with.
 *
 * @public
 */
export type UserExportOptions = {
  api: ManagementApi;
  logger: LoggerService;
  signal?: AbortSignal;
};

/**
 * Every user of the tenant, from a user export job: creates the job
 * (`POST /api/v2/jobs/users-exports`, NDJSON), polls it (`GET /api/v2/jobs/{id}`) until it
 * completes, then downloads the gzipped file from its `location` and yields it line by line as
 * it arrives, so that the file is never held whole. `GET /api/v2/users` would stop at 1,000
 * users.
 *
 * @public
 */
export async function* exportUsers(
  options: UserExportOptions,
): AsyncGenerator<ExportedUser> {
  const location = await runExportJob(options);
  yield* downloadExport(location, options);
}

async function runExportJob(options: UserExportOptions): Promise<string> {
  const { api, logger, signal } = options;
  const requestOptions = { abortSignal: signal };
  const created = await api.client.jobs.usersExports.create(
    { format: 'json', fields: EXPORT_FIELDS.map(name => ({ name })) },
    requestOptions,
  );
  logger.info(`Auth0 user export job ${created.id} created`);

  let delay = FIRST_POLL_DELAY_MS;
  let logged = { status: created.status, at: Date.now() };
  for (;;) {
    await sleep(delay, undefined, { signal });
    delay = Math.min(delay * 2, MAX_POLL_DELAY_MS);
    const job = await api.client.jobs.get(created.id, requestOptions);
    if (job.status === 'completed') {
      if (!job.location) {
        throw new UserExportJobError(
          `Auth0 user export job ${job.id} completed without a location to download`,
        );
      }
      logger.info(`Auth0 user export job ${job.id} completed`);
      return job.location;
    }
    if (job.status !== 'pending' && job.status !== 'processing') {
      throw new UserExportJobError(
        `Auth0 user export job ${job.id} ${job.status}${
          job.status_details ? `: ${job.status_details}` : ''
        }`,
      );
    }
    if (
      job.status !== logged.status ||
      Date.now() - logged.at >= JOB_LOG_INTERVAL_MS
    ) {
      logger.info(`Auth0 user export job ${job.id} ${describeProgress(job)}`);
      logged = { status: job.status, at: Date.now() };
    }
  }
}

function describeProgress(job: {
  status: string;
  percentage_done?: number;
  time_left_seconds?: number;
}): string {
  const parts = [job.status];
  if (job.percentage_done !== undefined) {
    parts.push(`${job.percentage_done}% done`);
  }
  if (job.time_left_seconds !== undefined) {
    parts.push(`about ${job.time_left_seconds} s left`);
  }
  return parts.join(', ');
}

async function* downloadExport(
  location: string,
  options: UserExportOptions,
): AsyncGenerator<ExportedUser> {
  const { api, logger, signal } = options;
  // The location is a signed URL: its query is a credential, so only origin and path are shown.
  const shown = redactUrl(location);
  let response: Response;
  try {
    // No Authorization header: the signed URL is the credential, and its host is not Auth0's.
    response = await api.fetch(location, { signal });
  } catch (error) {
    throw new UserExportDownloadError(
      `Downloading the Auth0 user export from ${shown} failed: ${describeCause(
        error,
      )}`,
    );
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new UserExportDownloadError(
      `Downloading the Auth0 user export from ${shown} failed: ${response.status} ${response.statusText}`,
    );
  }

  let count = 0;
  let lineNumber = 0;
  try {
    for await (const line of readLines(response.body)) {
      lineNumber++;
      if (line.trim() === '') {
        continue;
      }
      let user: unknown;
      try {
        user = JSON.parse(line);
      } catch {
        throw new UserExportDownloadError(
          `The Auth0 user export from ${shown} is not NDJSON: line ${lineNumber} is not JSON`,
        );
      }
      if (typeof user !== 'object' || user === null || Array.isArray(user)) {
        throw new UserExportDownloadError(
          `The Auth0 user export from ${shown} is not NDJSON: line ${lineNumber} is not a JSON object`,
        );
      }
      count++;
      if (count % USERS_LOG_INTERVAL === 0) {
        logger.info(`Read ${count} users of the Auth0 user export`);
      }
      yield user as ExportedUser;
    }
  } catch (error) {
    if (error instanceof UserExportDownloadError || signal?.aborted) {
      throw error;
    }
    throw new UserExportDownloadError(
      `Downloading the Auth0 user export from ${shown} failed after ${count} users: ${describeCause(
        error,
      )}`,
    );
  }
  logger.info(`Read ${count} users of the Auth0 user export`);
}

/**
 * The lines of a body that is gzipped (as Auth0's export files are) or, when a server or proxy
 * already decoded it, plain; decompressed and split as the chunks arrive.
 */
export async function* readLines(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  const chunks = Readable.fromWeb(body as any);
  const iterator: AsyncIterator<Buffer> = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) {
    return;
  }
  const rest = Readable.from(
    (async function* restOfBody() {
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  const isGzip = first.value[0] === 0x1f && first.value[1] === 0x8b;
  let text: Readable = rest;
  if (isGzip) {
    const gunzip = createGunzip();
    rest.on('error', error => gunzip.destroy(error));
    text = rest.pipe(gunzip);
  }

  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  try {
    for await (const chunk of text) {
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        yield pending.slice(0, newline).replace(/\r$/, '');
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    }
    pending += decoder.decode();
  } finally {
    text.destroy();
    chunks.destroy();
  }
  if (pending !== '') {
    yield pending;
  }
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })
    ?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}
