/**
 * RFC 3161 time-stamps: proof from a time-stamp authority (TSA) that some bytes existed at a time,
 * checkable by anyone holding the TSA's certificate. The audit log stamps each signed checkpoint
 * (common/audit-log.ts) when an operator names a TSA, so a checkpoint's time does not rest on the
 * owner's own clock alone.
 *
 *   const token = await requestTimestamp('http://tsa.example/tsr', bytes);   // base64 DER TimeStampToken
 *   await checkTimestamp(token, bytes, [tsaCertificatePem]);                  // { ok, genTime, signerChecked }
 *
 * The request is the standard one (SHA-256 message imprint, a random nonce, certReq), sent as
 * `application/timestamp-query` over HTTP POST (RFC 3161 section 3.4). The answer is accepted only
 * when granted, for the same imprint and nonce. Parsing and CMS verification are pkijs'.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { request } from 'undici';

const ANSWER_LIMIT = 64 * 1024;

/** A TSA that did not give a usable time-stamp: the message says which and why. */
export class TimestampError extends Error {
  override name = 'TimestampError';
}

export interface TimestampOptions {
  /** The whole exchange's budget (default 10 000 ms). */
  timeoutMs?: number;
}

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());
const view = (buffer: ArrayBuffer | ArrayBufferView): Uint8Array =>
  buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const toArrayBuffer = (data: Uint8Array): ArrayBuffer => data.slice().buffer;
/** An INTEGER's bytes as a number's: a DER sign byte (0x00) in front is not part of the value. */
const withoutLeadingZeros = (bytes: Uint8Array): Uint8Array => {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
};

/** Asks the TSA at `url` to stamp `data`; returns the TimeStampToken (CMS SignedData) as base64 DER. */
export async function requestTimestamp(url: string, data: Uint8Array, options: TimestampOptions = {}): Promise<string> {
  const nonce = randomBytes(8);
  // A positive INTEGER in its minimal encoding: no sign bit, and no leading zero byte (a TSA's
  // reply would encode it without that byte, and the nonce would no longer compare equal).
  nonce[0] = nonce[0] & 0x7f || 0x01;
  const query = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: pkijs.id_sha256, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(data)) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(new Uint8Array(nonce)) }),
    certReq: true,
  });
  const body = new Uint8Array(query.toSchema().toBER(false));

  let answer: Uint8Array;
  try {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > ANSWER_LIMIT) throw new TimestampError(`time-stamp authority ${url} answered more than ${ANSWER_LIMIT} bytes`);
      chunks.push(chunk);
    }
    if (response.statusCode !== 200) throw new TimestampError(`time-stamp authority ${url} answered HTTP ${response.statusCode}`);
    answer = new Uint8Array(Buffer.concat(chunks));
  } catch (error) {
    if (error instanceof TimestampError) throw error;
    throw new TimestampError(`time-stamp authority ${url} is not reachable (${(error as Error).message})`);
  }

  let reply: pkijs.TimeStampResp;
  try {
    reply = pkijs.TimeStampResp.fromBER(toArrayBuffer(answer));
  } catch {
    throw new TimestampError(`time-stamp authority ${url} answered something that is not a TimeStampResp`);
  }
  const status = reply.status.status;
  if (status !== pkijs.PKIStatus.granted && status !== pkijs.PKIStatus.grantedWithMods) {
    const text = reply.status.statusStrings?.map((s) => String(s.valueBlock.value)).join('; ');
    throw new TimestampError(`time-stamp authority ${url} refused the request (PKIStatus ${status}${text ? `: ${text}` : ''})`);
  }
  if (!reply.timeStampToken) throw new TimestampError(`time-stamp authority ${url} granted the request but sent no token`);
  const info = tstInfoOf(reply.timeStampToken);
  if (!(await info.verify({ data: toArrayBuffer(data) }))) throw new TimestampError(`time-stamp authority ${url} stamped other data than was asked`);
  if (!info.nonce || !equal(withoutLeadingZeros(view(info.nonce.valueBlock.valueHexView)), new Uint8Array(nonce))) {
    throw new TimestampError(`time-stamp authority ${url} answered with another nonce (a replayed answer?)`);
  }
  return Buffer.from(reply.timeStampToken.toSchema().toBER(false)).toString('base64');
}

function tstInfoOf(token: pkijs.ContentInfo): pkijs.TSTInfo {
  if (token.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new TimestampError('the time-stamp token is not CMS SignedData');
  const signed = new pkijs.SignedData({ schema: token.content });
  if (signed.encapContentInfo.eContentType !== pkijs.id_eContentType_TSTInfo || !signed.encapContentInfo.eContent) {
    throw new TimestampError('the time-stamp token does not hold a TSTInfo');
  }
  return pkijs.TSTInfo.fromBER(toArrayBuffer(view(signed.encapContentInfo.eContent.getValue())));
}

export type TimestampCheck = { ok: true; genTime: Date; signerChecked: boolean } | { ok: false; reason: string };

/**
 * Checks a stored token against the data it should stamp: always that it is a TSTInfo for exactly
 * these bytes; with `trustedCertificates` (PEM), also the TSA's CMS signature and its certificate
 * chain up to one of them, at the token's time.
 */
export async function checkTimestamp(tokenBase64: string, data: Uint8Array, trustedCertificates: readonly string[] = []): Promise<TimestampCheck> {
  let token: pkijs.ContentInfo;
  let info: pkijs.TSTInfo;
  try {
    token = pkijs.ContentInfo.fromBER(toArrayBuffer(new Uint8Array(Buffer.from(tokenBase64, 'base64'))));
    info = tstInfoOf(token);
  } catch {
    return { ok: false, reason: 'the time-stamp token cannot be read (altered?)' };
  }
  if (!(await info.verify({ data: toArrayBuffer(data) })))
    return { ok: false, reason: 'the time-stamp is for other data (moved from another checkpoint, or the checkpoint altered?)' };
  if (trustedCertificates.length === 0) return { ok: true, genTime: info.genTime, signerChecked: false };
  try {
    const signed = new pkijs.SignedData({ schema: token.content });
    const ok = await signed.verify({
      signer: 0,
      data: toArrayBuffer(data),
      trustedCerts: trustedCertificates.map(certificateOf),
      checkChain: true,
    });
    if (!ok) return { ok: false, reason: 'the time-stamp signature does not verify with the given TSA certificate' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `the time-stamp is not signed by a trusted TSA (${message})` };
  }
  return { ok: true, genTime: info.genTime, signerChecked: true };
}

/** A PEM (or DER) certificate as pkijs wants it; throws TimestampError when it is not one. */
export function certificateOf(pem: string): pkijs.Certificate {
  try {
    const der = new X509Certificate(pem).raw;
    return pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(der)));
  } catch {
    throw new TimestampError('the TSA certificate is not a PEM X.509 certificate');
  }
}
