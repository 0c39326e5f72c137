import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A real RFC 3161 time-stamp authority for tests: OpenSSL's `ts -reply` behind an HTTP server on
 * 127.0.0.1, with a fresh self-signed TSA certificate (extended key usage timeStamping, critical).
 * Nothing of the project is involved, so a token it issues checks our request and our parsing.
 */
export interface TestTsa {
  url: string;
  /** The certificate of the CA that issued the TSA's (PEM): what a verifier trusts. */
  certificate: string;
  /** A folder to put files in (removed at close). */
  dir: string;
  /** Requests answered so far. */
  readonly served: number;
  /** While true, the TSA answers HTTP 503. */
  down: boolean;
  close(): Promise<void>;
}

export async function startOpensslTsa(): Promise<TestTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'hague-tsa-'));
  const caCertificate = await makeCertificate(dir, 'tsa', 'Hague Test TSA');
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = hague_test',
      '[ hague_test ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.crt',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.99999.1',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = yes',
      'tsa_name = yes',
      'certs = $dir/tsa-ca.crt',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  let served = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const tsa: TestTsa = {
    url: '',
    certificate: caCertificate,
    dir,
    get served() {
      return served;
    },
    down: false,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (tsa.down || req.method !== 'POST') {
        res.writeHead(tsa.down ? 503 : 405).end();
        return;
      }
      // One openssl at a time: they share the serial file.
      queue = queue.then(async () => {
        const id = `${process.pid}-${served}-${Math.random().toString(36).slice(2)}`;
        const query = join(dir, `${id}.tsq`);
        const reply = join(dir, `${id}.tsr`);
        try {
          writeFileSync(query, Buffer.concat(chunks));
          await run('openssl', ['ts', '-reply', '-config', join(dir, 'tsa.cnf'), '-queryfile', query, '-out', reply]);
          served++;
          res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(readFileSync(reply));
        } catch {
          res.writeHead(500).end();
        } finally {
          rmSync(query, { force: true });
          rmSync(reply, { force: true });
        }
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tsa.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsr`;
  tsa.close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await queue.catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  return tsa;
}

/**
 * A CA (`<name>-ca.crt`) and a TSA certificate it issued (`<name>.crt`, `<name>.key`: P-256,
 * extended key usage timeStamping, critical) in dir; returns the CA's PEM, the trust anchor.
 */
export async function makeCertificate(dir: string, name: string, commonName: string): Promise<string> {
  const file = (suffix: string) => join(dir, `${name}${suffix}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('-ca.key'),
    '-out',
    file('-ca.crt'),
    '-days',
    '2',
    '-subj',
    `/CN=${commonName} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', ...ec, '-keyout', file('.key'), '-out', file('.csr'), '-subj', `/CN=${commonName}`]);
  writeFileSync(file('.ext'), 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('.csr'),
    '-CA',
    file('-ca.crt'),
    '-CAkey',
    file('-ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('.ext'),
    '-out',
    file('.crt'),
  ]);
  return readFileSync(file('-ca.crt'), 'utf8');
}
