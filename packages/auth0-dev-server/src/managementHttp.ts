import { STATUS_CODES } from 'node:http';

/**
 * The Management API's answers and checks, worded as Auth0's: error bodies
 * (`{statusCode, error, message, errorCode}`), query validation messages, and its two kinds of
 * paging (offset with the 1,000-record cap, and checkpoint with `from`/`take`/`next`).
 */

export type ApiError = {
  status: number;
  body: {
    statusCode: number;
    error: string;
    message: string;
    errorCode?: string;
    attributes?: Record<string, unknown>;
  };
};

export function apiError(
  status: number,
  message: string,
  errorCode?: string,
  attributes?: Record<string, unknown>,
): ApiError {
  return {
    status,
    body: {
      statusCode: status,
      error: STATUS_CODES[status] ?? 'Error',
      message,
      ...(errorCode === undefined ? {} : { errorCode }),
      ...(attributes === undefined ? {} : { attributes }),
    },
  };
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'status' in value &&
    'body' in value &&
    typeof (value as ApiError).body?.statusCode === 'number'
  );
}

/** How Auth0 describes a query parameter; its message quotes the description. */
export type ParamSpec = {
  type: 'integer' | 'boolean' | 'string';
  description: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
};

export type ParamSpecs = Record<string, ParamSpec>;

export type QueryValues = Record<string, string | number | boolean | undefined>;

/** Auth0's query parameter descriptions, as its messages quote them. */
export const params = {
  page: {
    type: 'integer',
    minimum: 0,
    description: 'Page index of the results to return. First page is 0.',
  },
  perPage: (minimum: number) =>
    ({
      type: 'integer',
      minimum,
      maximum: 100,
      description: 'Number of results per page. Defaults to 50.',
    } as const),
  includeTotals: {
    type: 'boolean',
    description:
      'Return results inside an object that contains the total result count (true) or as a direct array of results (false, default).',
  },
  from: {
    type: 'string',
    description: 'Optional Id from which to start selection.',
  },
  take: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description: 'Number of results per page. Defaults to 50.',
  },
  fields: {
    type: 'string',
    description:
      'Comma-separated list of fields to include or exclude (based on value provided for include_fields) in the result. Leave empty to retrieve all fields.',
  },
  includeFields: {
    type: 'boolean',
    description:
      'Whether specified fields are to be included (true) or excluded (false).',
  },
} as const satisfies Record<string, ParamSpec | ((n: number) => ParamSpec)>;

/**
 * Checks a query against the parameters an endpoint takes, as Auth0 does: unknown
 * parameters, a repeated parameter, wrong types and out-of-range values answer 400
 * `invalid_query_string`.
 */
export function validateQuery(
  search: URLSearchParams,
  specs: ParamSpecs,
): QueryValues | ApiError {
  const unknown = [...new Set(search.keys())].filter(name => !(name in specs));
  if (unknown.length > 0) {
    return queryError(
      `'Additional properties not allowed: ${unknown.join(',')}'`,
    );
  }
  const values: QueryValues = {};
  for (const [name, spec] of Object.entries(specs)) {
    const all = search.getAll(name);
    if (all.length === 0) continue;
    const where = ` on property ${name} (${spec.description})`;
    if (all.length > 1) {
      return queryError(
        `'Expected type ${spec.type} but found type array'${where}`,
      );
    }
    const raw = all[0];
    if (spec.type === 'integer') {
      if (!/^-?\d+$/.test(raw)) {
        return queryError(
          `'Expected type integer but found type string'${where}`,
        );
      }
      const value = Number(raw);
      if (spec.minimum !== undefined && value < spec.minimum) {
        return queryError(
          `'Value ${value} is less than minimum ${spec.minimum}'${where}`,
        );
      }
      if (spec.maximum !== undefined && value > spec.maximum) {
        return queryError(
          `'Value ${value} is greater than maximum ${spec.maximum}'${where}`,
        );
      }
      values[name] = value;
    } else if (spec.type === 'boolean') {
      if (raw !== 'true' && raw !== 'false') {
        return queryError(
          `'Expected type boolean but found type string'${where}`,
        );
      }
      values[name] = raw === 'true';
    } else {
      if (spec.enum && !spec.enum.includes(raw)) {
        return queryError(`'No enum match for: "${raw}"'${where}`);
      }
      values[name] = raw;
    }
  }
  return values;
}

function queryError(detail: string): ApiError {
  return apiError(
    400,
    `Query validation error: ${detail}.`,
    'invalid_query_string',
  );
}

/** Offset paging cannot reach past the first 1,000 records. */
export const offsetPagingCap = 1000;

/**
 * `GET /api/v2/users` answers this when `page` and `per_page` reach past record 1,000
 * (`(page + 1) × per_page > 1000`), whatever the number of users.
 */
export function usersPagingCapError(): ApiError {
  return apiError(
    400,
    'You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation',
    'invalid_paging',
  );
}

/** The endpoints that also have checkpoint paging answer this past record 1,000. */
export function checkpointPagingCapError(page: number): ApiError {
  return apiError(
    400,
    `Requesting page ${page} exceeds the allowed maximum of ${offsetPagingCap} records. To fetch results beyond ${offsetPagingCap}, use the checkpoint pagination method.`,
    'invalid_paging',
  );
}

/**
 * Offset paging: `page` (from 0) and `per_page` (default 50); with `include_totals` the
 * items come in `{ <key>, start, limit, length?, total }`, without it as a bare array.
 */
export function offsetPage<T>(
  items: readonly T[],
  query: QueryValues,
  key: string,
  options: {
    capError: (page: number) => ApiError;
    withLength?: boolean;
    render: (item: T) => unknown;
  },
): unknown {
  const page = (query.page as number | undefined) ?? 0;
  const perPage = (query.per_page as number | undefined) ?? 50;
  if (perPage > 0 && (page + 1) * perPage > offsetPagingCap) {
    throw options.capError(page);
  }
  const start = page * perPage;
  const slice = items.slice(start, start + perPage).map(options.render);
  if (query.include_totals !== true) return slice;
  return {
    start,
    limit: perPage,
    ...(options.withLength ? { length: slice.length } : {}),
    [key]: slice,
    total: items.length,
  };
}

/**
 * Checkpoint paging: `take` (default 50) items from the cursor `from`, and `next` (opaque)
 * only when more items follow. `include_totals` does not apply.
 */
export function checkpointPage<T>(
  items: readonly T[],
  query: QueryValues,
  key: string,
  options: { idOf: (item: T) => string; render: (item: T) => unknown },
): Record<string, unknown> {
  const take = (query.take as number | undefined) ?? 50;
  let start = 0;
  if (typeof query.from === 'string' && query.from !== '') {
    const id = decodeCursor(query.from);
    start =
      id === undefined
        ? -1
        : items.findIndex(item => options.idOf(item) === id);
    if (start < 0) {
      throw apiError(
        400,
        `Query validation error: 'Invalid checkpoint' on property from (${params.from.description}).`,
        'invalid_query_string',
      );
    }
  }
  const slice = items.slice(start, start + take);
  const following = items[start + take];
  return {
    [key]: slice.map(options.render),
    ...(following === undefined
      ? {}
      : { next: encodeCursor(options.idOf(following)) }),
  };
}

/** Whether a request asks for checkpoint paging: `from` or `take` given. */
export function wantsCheckpoint(query: QueryValues): boolean {
  return query.from !== undefined || query.take !== undefined;
}

function encodeCursor(id: string): string {
  return Buffer.from(`cp:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return text.startsWith('cp:') ? text.slice(3) : undefined;
}

/** `fields` and `include_fields`: keep (or drop) the named top-level fields. */
export function selectFields(
  object: Record<string, unknown>,
  query: QueryValues,
): Record<string, unknown> {
  if (typeof query.fields !== 'string' || query.fields === '') return object;
  const names = new Set(
    query.fields
      .split(',')
      .map(name => name.trim())
      .filter(Boolean),
  );
  const include = query.include_fields !== false;
  return Object.fromEntries(
    Object.entries(object).filter(([name]) => names.has(name) === include),
  );
}
