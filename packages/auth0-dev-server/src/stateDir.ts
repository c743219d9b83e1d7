import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const lockName = '.lock';
const staleLockMs = 30_000;
const lockTimeoutMs = 20_000;

/**
 * Runs `fn` while holding a lock on the state folder, so that dev servers starting at the
 * same time (parallel tests, `yarn dev` next to a test run) never mix a CA from one with
 * a certificate from another.
 */
export async function withStateDirLock<T>(
  stateDir: string,
  fn: () => Promise<T>,
): Promise<T> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const lockDir = join(stateDir, lockName);
  const deadline = Date.now() + lockTimeoutMs;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await lockAge(lockDir);
      if (age !== undefined && age > staleLockMs) {
        // A dev server that died while creating its files left the lock behind.
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `auth0-dev-server: ${lockDir} has been locked for more than ${
            lockTimeoutMs / 1000
          } s by another dev server that is creating its certificate and keys; if none is running, delete that folder`,
        );
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function lockAge(lockDir: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(lockDir)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Writes a whole file or nothing: readers never see half of a key. */
export async function writeFileAtomically(
  file: string,
  content: string,
  mode: number,
): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, file);
}
