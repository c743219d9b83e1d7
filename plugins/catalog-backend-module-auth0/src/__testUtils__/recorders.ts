import { LoggerService } from '@backstage/backend-plugin-api';
import {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';

/** An `EntityProviderConnection` that keeps every mutation it is given. */
export function recordingConnection() {
  const mutations: EntityProviderMutation[] = [];
  const connection: EntityProviderConnection = {
    async applyMutation(mutation) {
      mutations.push(mutation);
    },
    async refresh() {},
  };
  return { connection, mutations };
}

export type LogLine = { level: string; message: string };

/** A logger that keeps every line, its children included. */
export function recordingLogger() {
  const lines: LogLine[] = [];
  const log =
    (level: string) =>
    (message: string): void => {
      lines.push({ level, message });
    };
  const logger: LoggerService = {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: () => logger,
  };
  return {
    logger,
    lines,
    messages: (level: string) =>
      lines.filter(line => line.level === level).map(line => line.message),
    /** Resolves once a line at `level` matches, for what the provider logs in the background. */
    async waitFor(level: string, pattern: RegExp, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find(
          line => line.level === level && pattern.test(line.message),
        );
        if (found) return found.message;
        if (Date.now() > deadline) {
          throw new Error(
            `No ${level} line matched ${pattern}; the log was:\n${lines
              .map(line => `${line.level}: ${line.message}`)
              .join('\n')}`,
          );
        }
        await new Promise(resolve => setTimeout(resolve, 50));
      }
    },
  };
}
