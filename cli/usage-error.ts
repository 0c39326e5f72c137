import { StoreOpenError } from '../subgraphs/member/store.ts';
import { PolicyError } from '../subgraphs/member/release-policy.ts';

/**
 * A problem the person running the CLI can fix (bad flag, config file, database, port):
 * printed as one line, exit code 2, never a stack trace.
 */
export class UsageError extends Error {}

/** Turns known start-up failures into one-line UsageErrors; anything else stays a bug. */
export function asUsageError(error: unknown, what: string): unknown {
  if (error instanceof UsageError) return error;
  if (error instanceof StoreOpenError || error instanceof PolicyError) return new UsageError(error.message);
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EADDRINUSE') return new UsageError(`${what}: port ${(error as { port?: number }).port ?? ''} is already in use; stop the other process or choose another --port`.replace('port  is', 'the port is'));
  if (code === 'EACCES') return new UsageError(`${what}: permission denied (${(error as Error).message}); choose a port above 1023 or fix file permissions`);
  return error;
}

export function parsePort(value: string, flag = '--port'): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${flag} '${value}' is not a port number (0-65535)`);
  return port;
}

export function parsePositiveInt(value: string, flag: string, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${flag} '${value}' must be a whole number from 0 to ${max}`);
  return n;
}
