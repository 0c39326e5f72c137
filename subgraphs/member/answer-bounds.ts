import type { ExecutionResult } from 'graphql';
import { hagueError } from '../../common/errors.ts';
import { deadlineError, deadlinePassed } from './deadline.ts';

/**
 * The size of `value` as JSON, in UTF-8 bytes, counted only until it passes `limit`: the walk
 * stops there, so measuring an oversized answer costs no more than measuring the cap.
 */
export function jsonBytesUpTo(value: unknown, limit: number): number {
  let bytes = 0;
  const walk = (item: unknown): void => {
    if (bytes > limit) return;
    if (item === null || item === undefined || typeof item === 'function' || typeof item === 'symbol') bytes += 4;
    else if (typeof item === 'string') bytes += Buffer.byteLength(JSON.stringify(item));
    else if (typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') bytes += String(item).length;
    else if (Array.isArray(item)) {
      bytes += 2;
      for (let i = 0; i < item.length && bytes <= limit; i++) {
        if (i > 0) bytes++;
        walk(item[i]);
      }
    } else if (typeof (item as { toJSON?: unknown }).toJSON === 'function') walk((item as { toJSON(): unknown }).toJSON());
    else {
      bytes += 2;
      let first = true;
      for (const key in item) {
        if (bytes > limit) break;
        const entry: unknown = (item as Record<string, unknown>)[key];
        if (!Object.hasOwn(item, key) || entry === undefined || typeof entry === 'function' || typeof entry === 'symbol') continue;
        bytes += Buffer.byteLength(JSON.stringify(key)) + (first ? 1 : 2);
        first = false;
        walk(entry);
      }
    }
  };
  walk(value);
  return bytes;
}

export interface AnswerBounds {
  state: string;
  /** The gateway's deadline (epoch ms). */
  deadline: number;
  /** Largest answer sent, in bytes of JSON. */
  maxAnswerBytes: number;
}

/**
 * Replaces an answer that must not leave with one error and no data, in place, before it is
 * audited and sent: an answer completed after the deadline (MEMBER_UNAVAILABLE, TIMEOUT), or one
 * larger than maxAnswerBytes (QUERY_TOO_COMPLEX, nothing of it released). Returns why, or null
 * when the answer goes out as it is.
 */
export function boundAnswer(execution: ExecutionResult, bounds: AnswerBounds): 'deadline' | 'size' | null {
  if (deadlinePassed(bounds.deadline)) {
    execution.data = null;
    execution.errors = [deadlineError(bounds.state)];
    return 'deadline';
  }
  if (jsonBytesUpTo(execution, bounds.maxAnswerBytes) <= bounds.maxAnswerBytes) return null;
  execution.data = null;
  execution.errors = [
    hagueError(
      'QUERY_TOO_COMPLEX',
      `${bounds.state}'s answer would be larger than ${bounds.maxAnswerBytes} bytes: nothing of it is released; ask for fewer records (first) or fewer fields`,
      { maxAnswerBytes: bounds.maxAnswerBytes, memberState: bounds.state },
    ),
  ];
  return 'size';
}
