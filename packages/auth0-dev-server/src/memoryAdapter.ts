import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

type Entry = { payload: AdapterPayload; expiresAt: number };

const sweepEvery = 500;

/** The dev server's storage, and what it needs beyond oidc-provider's adapter interface. */
export type MemoryStore = {
  /** For oidc-provider's `adapter` setting. */
  adapter: AdapterFactory;
  /** The unexpired entries of one model (`RefreshToken`, `Grant`, ...), by id. */
  live(modelName: string): Array<[id: string, payload: AdapterPayload]>;
  destroy(modelName: string, id: string): void;
};

/**
 * oidc-provider's storage (sessions, interactions, codes, tokens, grants) in this
 * process's memory: a restart forgets every session and token, as a fresh tenant would.
 * Unlike oidc-provider's quick-start adapter it has no size cap, so a benchmark never
 * sees tokens vanish, and it drops expired entries as it goes.
 *
 * Auth0's refresh token reuse interval ("leeway") lives here: for `refreshTokenLeeway()`
 * seconds after a refresh token was rotated, it reads as unused, so oidc-provider rotates it
 * again instead of revoking the family. The interval counts from the first rotation.
 */
export function createMemoryStore(
  options: { refreshTokenLeeway?: () => number } = {},
): MemoryStore {
  const models = new Map<string, Map<string, Entry>>();
  let writes = 0;
  const modelEntries = (modelName: string) => {
    let entries = models.get(modelName);
    if (!entries) {
      entries = new Map();
      models.set(modelName, entries);
    }
    return entries;
  };

  const sweep = () => {
    const now = Date.now();
    for (const entries of models.values()) {
      for (const [id, entry] of entries) {
        if (entry.expiresAt <= now) entries.delete(id);
      }
    }
  };

  const adapter = (modelName: string): Adapter => {
    const store = modelEntries(modelName);
    const live = (id: string) => {
      const entry = store.get(id);
      if (!entry) return undefined;
      if (entry.expiresAt <= Date.now()) {
        store.delete(id);
        return undefined;
      }
      return entry.payload;
    };
    const findWhere = (matches: (payload: AdapterPayload) => boolean) => {
      for (const id of store.keys()) {
        const payload = live(id);
        if (payload && matches(payload)) return payload;
      }
      return undefined;
    };

    return {
      async upsert(id, payload, expiresIn) {
        store.set(id, {
          payload,
          expiresAt:
            typeof expiresIn === 'number'
              ? Date.now() + expiresIn * 1000
              : Infinity,
        });
        writes += 1;
        if (writes % sweepEvery === 0) sweep();
      },
      async find(id) {
        const payload = live(id);
        if (
          modelName === 'RefreshToken' &&
          typeof payload?.consumed === 'number' &&
          Date.now() / 1000 - payload.consumed <
            (options.refreshTokenLeeway?.() ?? 0)
        ) {
          return { ...payload, consumed: undefined };
        }
        return payload;
      },
      async findByUid(uid) {
        return findWhere(payload => payload.uid === uid);
      },
      async findByUserCode(userCode) {
        return findWhere(payload => payload.userCode === userCode);
      },
      async consume(id) {
        const payload = live(id);
        if (payload && payload.consumed === undefined) {
          payload.consumed = Math.floor(Date.now() / 1000);
        }
      },
      async destroy(id) {
        store.delete(id);
      },
      async revokeByGrantId(grantId) {
        for (const [id, entry] of store) {
          if (entry.payload.grantId === grantId) store.delete(id);
        }
      },
    };
  };

  return {
    adapter,
    live(modelName) {
      const now = Date.now();
      return [...modelEntries(modelName)]
        .filter(([, entry]) => entry.expiresAt > now)
        .map(([id, entry]) => [id, entry.payload]);
    },
    destroy(modelName, id) {
      modelEntries(modelName).delete(id);
    },
  };
}
