import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  databaseConnection,
  userProfile,
  valueAtPath,
  type Person,
} from './directory.ts';

const gzipAsync = promisify(gzip);

/**
 * Auth0's users-export jobs (`POST /api/v2/jobs/users-exports`, `GET /api/v2/jobs/{id}`):
 * a job goes `pending` → `processing` → `completed` over `exportJobDurationMs`, judged by
 * the clock at each look (no timers), and its `location` is a download URL signed like the
 * storage links Auth0 hands out: valid for 60 seconds, a fresh one at each look, for 24 hours.
 * The file is gzipped NDJSON (one user a line) or CSV, with the requested fields.
 */

export type ExportField = { name: string; export_as?: string };
export type ExportFormat = 'json' | 'csv';

export type ExportJob = {
  id: string;
  createdAt: number;
  format: ExportFormat;
  fields: ExportField[];
  limit?: number;
  connectionId?: string;
  durationMs: number;
  fails: boolean;
  people: readonly Person[];
};

/** Auth0 keeps job data 24 hours. */
export const jobLifetimeMs = 24 * 60 * 60 * 1000;
/** Auth0's download link is valid for 60 seconds. */
export const downloadLinkSeconds = 60;
/** Auth0 limits CSV exports to 30 fields. */
export const maxCsvFields = 30;
/** The storage key pair the signed URLs name (CloudFront's `Key-Pair-Id`). */
const keyPairId = 'APKADEVSERVEREXPORTS';
/** Files kept in memory; older jobs' files are made again when downloaded again. */
const cachedFiles = 8;

/** What an export of a job that names no fields contains (Auth0: "a predefined set"). */
export const defaultExportFields: ExportField[] = [
  { name: 'user_id' },
  { name: 'email' },
  { name: 'email_verified' },
  { name: 'name' },
  { name: 'given_name' },
  { name: 'family_name' },
  { name: 'nickname' },
  { name: 'picture' },
  { name: 'identities' },
  { name: 'created_at' },
  { name: 'updated_at' },
  { name: 'last_login' },
  { name: 'logins_count' },
  { name: 'blocked' },
];

export type ExportJobs = {
  create(input: Omit<ExportJob, 'id' | 'createdAt'>, now?: number): ExportJob;
  /** The job, unless unknown or older than 24 hours. */
  get(id: string, now?: number): ExportJob | undefined;
  /** What `GET /api/v2/jobs/{id}` (and, when new, the create call) answers. */
  describe(job: ExportJob, now?: number): Record<string, unknown>;
  /** The download behind a signed URL's path and query, or why not. */
  download(
    path: string,
    query: URLSearchParams,
    now?: number,
  ): Promise<
    { ok: true; fileName: string; body: Buffer } | { ok: false; reason: string }
  >;
};

export function createExportJobs(options: {
  origin: string;
  /** The file's name: Auth0 names it after the tenant. */
  tenantName: string;
}): ExportJobs {
  const jobs = new Map<string, ExportJob>();
  const files = new Map<string, Promise<Buffer>>();
  const signingKey = randomBytes(32);

  const forget = (now: number) => {
    for (const [id, job] of jobs) {
      if (now - job.createdAt >= jobLifetimeMs) {
        jobs.delete(id);
        files.delete(id);
      }
    }
  };
  const fileName = (job: ExportJob) => `${options.tenantName}.${job.format}.gz`;
  const signature = (path: string, expires: number) =>
    createHmac('sha256', signingKey)
      .update(`${path}?Expires=${expires}`)
      .digest('base64url');

  const state = (job: ExportJob, now: number) => {
    const elapsed = now - job.createdAt;
    // A quarter of the time waiting for a worker, the rest working through the users.
    if (elapsed >= job.durationMs) {
      return job.fails ? ('failed' as const) : ('completed' as const);
    }
    if (elapsed < job.durationMs / 4) return 'pending' as const;
    return 'processing' as const;
  };

  return {
    create(input, now = Date.now()) {
      forget(now);
      const job: ExportJob = {
        ...input,
        id: `job_${randomId(16)}`,
        createdAt: now,
      };
      jobs.set(job.id, job);
      return job;
    },

    get(id, now = Date.now()) {
      forget(now);
      return jobs.get(id);
    },

    describe(job, now = Date.now()) {
      const status = state(job, now);
      const described: Record<string, unknown> = {
        type: 'users_export',
        status,
        ...(job.connectionId === undefined
          ? {}
          : { connection_id: job.connectionId }),
        format: job.format,
        ...(job.limit === undefined ? {} : { limit: job.limit }),
        fields: job.fields,
        ...(job.connectionId === undefined
          ? {}
          : { connection: databaseConnection.name }),
        created_at: new Date(job.createdAt).toISOString(),
        id: job.id,
      };
      if (status === 'processing') {
        const working = (job.durationMs * 3) / 4;
        const done = now - job.createdAt - job.durationMs / 4;
        described.percentage_done = Math.min(
          99,
          Math.floor((done / working) * 100),
        );
        described.time_left_seconds = Math.ceil(
          (job.durationMs - (now - job.createdAt)) / 1000,
        );
      } else if (status === 'completed') {
        const path = `/export-downloads/${job.id}/${fileName(job)}`;
        const expires = Math.floor(now / 1000) + downloadLinkSeconds;
        const url = new URL(path, options.origin);
        url.searchParams.set('Expires', String(expires));
        url.searchParams.set('Key-Pair-Id', keyPairId);
        url.searchParams.set('Signature', signature(path, expires));
        described.location = url.href;
      } else if (status === 'failed') {
        described.status_details =
          'auth0-dev-server: the failExportJobs knob is on, so this export failed';
      }
      return described;
    },

    async download(path, query, now = Date.now()) {
      const match = /^\/export-downloads\/(job_[A-Za-z0-9]+)\/([^/]+)$/.exec(
        path,
      );
      const expires = Number(query.get('Expires'));
      const given = Buffer.from(query.get('Signature') ?? '');
      const expected = Buffer.from(signature(path, expires));
      if (
        !match ||
        !Number.isInteger(expires) ||
        query.get('Key-Pair-Id') !== keyPairId ||
        given.length !== expected.length ||
        !timingSafeEqual(given, expected)
      ) {
        return { ok: false, reason: 'Access denied' };
      }
      if (expires * 1000 <= now) {
        return { ok: false, reason: 'Request has expired' };
      }
      forget(now);
      const job = jobs.get(match[1]);
      if (!job || state(job, now) !== 'completed') {
        return { ok: false, reason: 'Access denied' };
      }
      let file = files.get(job.id);
      if (!file) {
        file = exportFile(job, options.origin);
        files.set(job.id, file);
        while (files.size > cachedFiles) {
          files.delete(files.keys().next().value as string);
        }
      }
      return { ok: true, fileName: match[2], body: await file };
    },
  };
}

async function exportFile(job: ExportJob, origin: string): Promise<Buffer> {
  const people =
    job.limit === undefined ? job.people : job.people.slice(0, job.limit);
  const lines: string[] =
    job.format === 'csv'
      ? [
          job.fields
            .map(field => csvCell(field.export_as ?? field.name))
            .join(','),
        ]
      : [];
  for (const person of people) {
    const profile = userProfile(person, origin);
    if (job.format === 'json') {
      const line: Record<string, unknown> = {};
      for (const field of job.fields) {
        const value = valueAtPath(profile, field.name);
        if (value !== undefined) line[field.export_as ?? field.name] = value;
      }
      lines.push(JSON.stringify(line));
    } else {
      lines.push(
        job.fields
          .map(field => csvValue(valueAtPath(profile, field.name)))
          .join(','),
      );
    }
  }
  return gzipAsync(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
}

const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * A CSV value escaped as Auth0 documents it (OWASP CSV-injection mitigation): strings get a
 * leading single quote and double quotes around them, with inner double quotes doubled.
 * Auth0's own ISO 8601 dates, numbers and booleans go as they are.
 */
function csvValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  if (typeof value === 'string' && isoDate.test(value)) return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return csvCell(`'${text}`);
}

function csvCell(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

function randomId(length: number): string {
  const alphabet =
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(length)]
    .map(byte => alphabet[byte % alphabet.length])
    .join('');
}
