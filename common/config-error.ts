/**
 * The one error type for a problem a person can fix before anything runs: a CLI flag, a config
 * file (rover.yaml, members.yaml, a release policy), a database location, a port. The message names
 * what to fix (file:line: key: value; expected ...). The CLI prints it as one line and exits with 2;
 * anything else that escapes is a bug and keeps its stack trace.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Shows a bad value the way a person typed it, short enough for one line. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
