/**
 * A configuration problem a person can fix (rover.yaml, members.yaml, supergraph file): the
 * message names the file, the key and the bad value. The CLI prints it alone and exits with 2;
 * gateway/ does not import the CLI, so this class lives here and the CLI maps it to UsageError.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Shows a bad value the way a person typed it, short enough for one line. */
export function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
