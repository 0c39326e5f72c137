import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError, shown } from './config-error.ts';

/**
 * A YAML config file read for validation: every complaint names the file, the line, the key path
 * and the bad value, so a person can fix members.yaml or rover.yaml without guessing.
 */
export class YamlFile {
  private constructor(
    readonly file: string,
    readonly data: unknown,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static read(file: string, what: string): YamlFile {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
      throw new ConfigError(`${file}: cannot read the ${what} (${why})`);
    }
    return YamlFile.parse(text, file);
  }

  static parse(text: string, file: string): YamlFile {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const error = doc.errors[0];
      const at = lines.linePos(error.pos[0]);
      throw new ConfigError(`${file}:${at.line}: not valid YAML: ${error.message.split('\n')[0]}`);
    }
    return new YamlFile(file, doc.toJS({ maxAliasCount: 100 }), doc, lines);
  }

  /** `file:line: key.path: message`, the line taken from the node at `path` (or its nearest parent). */
  error(path: (string | number)[], message: string): ConfigError {
    return new ConfigError(`${this.where(path)}: ${message}`);
  }

  /** `file:line: key: 'value' is not ...; expected ...` */
  bad(path: (string | number)[], value: unknown, expected: string): ConfigError {
    return this.error(path, `${shown(value)} ${expected}`);
  }

  where(path: (string | number)[]): string {
    let line: number | undefined;
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (range) line = this.lines.linePos(range[0]).line;
    }
    const key = keyPath(path);
    return `${this.file}${line ? `:${line}` : ''}${key ? `: ${key}` : ''}`;
  }

  /** Rejects keys the format does not have: a typo (timeout for timeoutMs) must not be ignored. */
  onlyKeys(path: (string | number)[], value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        throw this.error([...path, key], `unknown key; allowed here: ${allowed.join(', ')}`);
      }
    }
  }
}

export function keyPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole number within [min, max]. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** An absolute http(s) URL with a host: what members.yaml and rover.yaml accept for every URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
