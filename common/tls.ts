import 'reflect-metadata'; // first: @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import type { MemberState } from './member-states.ts';

/**
 * Mutual TLS between the gateway and the member states: the dev certificates `hague dev` mints, the
 * SPKI pin the gateway may check, and reading PEM files with errors that name the flag or key.
 *
 * The dev network has one CA (`network-ca`): it issues every member state's server certificate
 * (extended key usage serverAuth only) and the gateway's client certificate (clientAuth only), so a
 * state's own server certificate is no use as a client certificate. In production each side has
 * its own PKI: a state's --tls-client-ca is the gateway operator's CA, and members.yaml names, per
 * state, the CA that issued that state's certificate.
 */

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** A dev certificate is minted again when it has less than this left. */
const RENEW_BEFORE_MS = 30 * DAY_MS;

/** PEM texts of a certificate and its private key (PKCS #8). */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/** Where the dev certificates live: `<keysDir>/tls/`. */
export function devTlsDir(keysDir: string): string {
  return join(keysDir, 'tls');
}

/** The file paths of the dev network's certificates under `<keysDir>/tls/`. */
export function devTlsFiles(keysDir: string) {
  const dir = devTlsDir(keysDir);
  return {
    dir,
    ca: join(dir, 'network-ca.pem'),
    caKey: join(dir, 'network-ca.key'),
    member: (state: MemberState) => ({ cert: join(dir, `member-${state}.pem`), key: join(dir, `member-${state}.key`) }),
    gateway: { cert: join(dir, 'gateway-client.pem'), key: join(dir, 'gateway-client.key') },
  };
}

export interface DevCertificates {
  /** The network CA's certificate (PEM file): members trust it for the gateway, the gateway for the members. */
  caFile: string;
  members: Record<string, { certFile: string; keyFile: string }>;
  gateway: { certFile: string; keyFile: string };
  /** What was minted this time (empty: all reused). */
  minted: string[];
}

/**
 * The dev network's CA and certificates in `<keysDir>/tls/`, minted on first use and reused after:
 * one server certificate per state (SAN 127.0.0.1, localhost and each of `hosts`), one gateway
 * client certificate. A certificate is minted again when it is missing, lacks one of the hosts,
 * was not issued by the CA on disk, or expires within 30 days; a new CA re-issues everything.
 * Private keys are written 0600. Node crypto and @peculiar/x509 only: no openssl, no network.
 */
export async function ensureDevCertificates(keysDir: string, states: MemberState[], hosts: string[] = []): Promise<DevCertificates> {
  const files = devTlsFiles(keysDir);
  mkdirSync(resolve(keysDir), { recursive: true, mode: 0o700 });
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const minted: string[] = [];
  let ca = await readIssuer(files.ca, files.caKey);
  if (!ca) {
    ca = await mintCa();
    writePem(files.caKey, ca.keyPem, true);
    writePem(files.ca, ca.certPem, false);
    minted.push(files.ca);
  }
  // The hosts as given (even 0.0.0.0: `hague dev --host 0.0.0.0` connects to the states at that address).
  const names = [...new Set(['127.0.0.1', 'localhost', ...hosts.filter((h) => h !== '')])];
  const members: DevCertificates['members'] = {};
  for (const state of states) {
    const paths = files.member(state);
    if (!isCurrent(paths.cert, paths.key, ca, names)) {
      const leaf = await mintLeaf(ca, { commonName: `hague member ${state}`, organization: `Hague member ${state}`, names, usage: 'server' });
      writePem(paths.key, leaf.key, true);
      writePem(paths.cert, leaf.cert, false);
      minted.push(paths.cert);
    }
    members[state] = { certFile: paths.cert, keyFile: paths.key };
  }
  if (!isCurrent(files.gateway.cert, files.gateway.key, ca, [])) {
    const leaf = await mintLeaf(ca, { commonName: 'hague gateway', organization: 'Hague gateway', names: [], usage: 'client' });
    writePem(files.gateway.key, leaf.key, true);
    writePem(files.gateway.cert, leaf.cert, false);
    minted.push(files.gateway.cert);
  }
  return { caFile: files.ca, members, gateway: { certFile: files.gateway.cert, keyFile: files.gateway.key }, minted };
}

/**
 * A fresh CA and certificates in memory, for tests that need a second, unrelated CA: the same code
 * as the dev network's, with nothing written.
 */
export async function mintCertificateAuthority(commonName = 'Hague network CA (dev)'): Promise<{ certPem: string; keyPem: string }> {
  const ca = await mintCa(commonName);
  return { certPem: ca.certPem, keyPem: ca.keyPem };
}

/** A server or client certificate issued by `ca` (PEM texts, as mintCertificateAuthority returns them). */
export async function mintCertificate(
  ca: { certPem: string; keyPem: string },
  o: { commonName: string; names?: string[]; usage: 'server' | 'client' },
): Promise<CertificateFiles> {
  const issuer = await loadIssuer(ca.certPem, ca.keyPem);
  return mintLeaf(issuer, { commonName: o.commonName, organization: o.commonName, names: o.names ?? [], usage: o.usage });
}

/**
 * The pin of a certificate's public key as members.yaml `tls.pin` takes it: SHA-256 of the DER
 * SubjectPublicKeyInfo, base64 (the same value as HPKP's pin-sha256). It survives re-issuing a
 * certificate for the same key, and changes when the key does.
 */
export function spkiPin(certificate: string | Buffer | X509Certificate): string {
  const cert = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  return createHash('sha256')
    .update(cert.publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/** Reads a PEM file that must hold `what` (a certificate or a private key); the error names `source` (a flag or a config key). */
export function readPemFile(file: string, what: 'certificate' | 'private key', source: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${source} ${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`, { cause: error });
  }
  const marker = what === 'certificate' ? /-----BEGIN CERTIFICATE-----/ : /-----BEGIN (?:EC |RSA |ENCRYPTED )?PRIVATE KEY-----/;
  if (!marker.test(text))
    throw new Error(`${source} ${file}: not a PEM ${what} (expected a -----BEGIN ${what === 'certificate' ? 'CERTIFICATE' : 'PRIVATE KEY'}----- block)`);
  if (what === 'certificate') {
    try {
      new X509Certificate(text);
    } catch (error) {
      throw new Error(`${source} ${file}: not a readable certificate (${(error as Error).message})`, { cause: error });
    }
  }
  return text;
}

interface Issuer {
  cert: x509.X509Certificate;
  certPem: string;
  keyPem: string;
  keys: CryptoKeyPair;
}

async function mintCa(commonName = 'Hague network CA (dev)'): Promise<Issuer> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const name = `CN=${commonName}, O=Hague dev network`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 10 * 365 * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, certPem: cert.toString('pem'), keyPem: await exportKey(keys.privateKey), keys };
}

async function mintLeaf(ca: Issuer, o: { commonName: string; organization: string; names: string[]; usage: 'server' | 'client' }): Promise<CertificateFiles> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([o.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth], false),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (o.names.length > 0) {
    extensions.push(new x509.SubjectAlternativeNameExtension(o.names.map((n) => ({ type: isIP(n) ? 'ip' : 'dns', value: n }) as const)));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${o.commonName}, O=${o.organization}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 2 * 365 * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

/** The CA on disk, if both files are there, readable and the CA is not about to expire. */
async function readIssuer(certFile: string, keyFile: string): Promise<Issuer | undefined> {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  try {
    const issuer = await loadIssuer(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
    return issuer.cert.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS ? undefined : issuer;
  } catch {
    return undefined;
  }
}

async function loadIssuer(certPem: string, keyPem: string): Promise<Issuer> {
  const cert = new x509.X509Certificate(certPem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', pemBody(keyPem), ALGORITHM, true, ['sign']);
  const publicKey = await cert.publicKey.export(ALGORITHM, ['verify']);
  return { cert, certPem, keyPem, keys: { privateKey, publicKey } };
}

/** The certificate on disk is there, issued by `ca`, names every one of `names`, and is not about to expire. */
function isCurrent(certFile: string, keyFile: string, ca: Issuer, names: string[]): boolean {
  if (!existsSync(certFile) || !existsSync(keyFile)) return false;
  try {
    const cert = new X509Certificate(readFileSync(certFile));
    if (!cert.verify(new X509Certificate(ca.certPem).publicKey)) return false;
    if (new Date(cert.validTo).getTime() - Date.now() < RENEW_BEFORE_MS) return false;
    const san = cert.subjectAltName ?? '';
    return names.every((n) => san.includes(isIP(n) ? `IP Address:${n}` : `DNS:${n}`));
  } catch {
    return false;
  }
}

/** Writes atomically (a temporary file renamed over the old one); private keys 0600. */
function writePem(file: string, text: string, secret: boolean): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, text.endsWith('\n') ? text : `${text}\n`, { mode: secret ? 0o600 : 0o644 });
  if (secret) chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** A positive random serial number (hex, 16 bytes, first bit clear). */
function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f;
  return Buffer.from(bytes).toString('hex');
}
