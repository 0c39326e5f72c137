/** Whether a --database or --audit location is a PostgreSQL URL (else: a SQLite file). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A PostgreSQL URL without its credentials, for messages and logs. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
