import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../common/config-error.ts';
import { isPostgresUrl } from '../common/postgres-url.ts';
import { isHttpUrl } from '../common/yaml-file.ts';

/** Turns known start-up failures (port taken, no permission) into one-line ConfigErrors; anything else stays as it is. */
export function asConfigError(error: unknown, what: string): unknown {
  if (error instanceof ConfigError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    const port = (error as { port?: number }).port;
    return new ConfigError(`${what}: ${port === undefined ? 'the port' : `port ${port}`} is already in use; stop the other process or choose another --port`);
  }
  if (code === 'EACCES') return new ConfigError(`${what}: permission denied (${(error as Error).message}); choose a port above 1023 or fix file permissions`);
  return error;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function parseLogLevel(value: string, flag = '--log-level'): (typeof LOG_LEVELS)[number] {
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new ConfigError(`${flag} '${value}' is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/** An audit log location from a flag: a postgres:// URL as it is, or a SQLite file whose folder is created. */
export function auditLocation(value: string): string {
  if (isPostgresUrl(value)) return value;
  try {
    mkdirSync(dirname(value), { recursive: true });
  } catch (error) {
    throw new ConfigError(`--audit ${value}: cannot create its folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return value;
}

/** `--audit-tsa <url>`: an RFC 3161 time-stamp authority for the audit log's checkpoints. */
export function timestampAuthority(value: string | undefined): { url: string } | undefined {
  if (value === undefined) return undefined;
  if (!isHttpUrl(value)) throw new ConfigError(`--audit-tsa '${value}' is not an http(s) URL; give the time-stamp authority's RFC 3161 endpoint`);
  return { url: value };
}

export function parsePort(value: string, flag = '--port'): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${flag} '${value}' is not a port number (0-65535)`);
  return port;
}

export function parsePositiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new ConfigError(`${flag} '${value}' must be a whole number from 0 to ${max}`);
  return n;
}
