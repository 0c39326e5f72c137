import { randomUUID } from 'node:crypto';

/**
 * One rule for request ids, shared by the gateway and every member state, so one id joins the
 * gateway's log, each member's log and each member's audit record.
 *
 * The gateway makes the request id itself (a UUID). A client's own `X-Request-Id` is kept apart as
 * a correlation id: logged and echoed back, never the id that audit records join on, so no caller
 * can choose (or collide with) the id under which an owner records a disclosure.
 */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Echoes the client's own X-Request-Id (when it is well formed) next to the gateway's id. */
export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** Letters, digits and `._:-`, 1 to 128 characters: safe in a log line, a header and a file name. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

export function newRequestId(): string {
  return randomUUID();
}

/** The first value of a header, when it is a well-formed id; otherwise undefined. */
export function requestIdHeader(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return isRequestId(value) ? value : undefined;
}
