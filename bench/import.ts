/**
 * Import rate (`hague import`, subgraphs/member/import/): writes an NDJSON export of N fictitious
 * persons shaped like examples/national-export/nl-export.ndjson (each with a passport, two travel
 * legs, a listing; every tenth a freeze), then imports it through that mapping into a fresh SQLite
 * store with the audit chain and the network key, then imports it again (nothing changes).
 *
 *   npm run bench -- --import [persons]           (default 100000)
 *   npx tsx bench/import.ts [--persons 100000] [--dir .hague/bench-import]
 */
import { mkdirSync, rmSync, createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { once } from 'node:events';
import { generateKeyPair, exportJWK } from 'jose';
import { openStore } from '../subgraphs/member/store.ts';
import { loadMapping } from '../subgraphs/member/import/mapping.ts';
import { importFile } from '../subgraphs/member/import/input.ts';
import { ensureNetworkKeyring } from '../subgraphs/member/match-keys.ts';
import { openAuditLog } from '../common/audit-log.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Writes the export, imports it twice and prints the rates. */
export async function runImportBench(options: { persons: number; dir: string }): Promise<void> {
  const { persons, dir } = options;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const input = join(dir, 'export.ndjson');
  const out = createWriteStream(input);
  for (let i = 1; i <= persons; i++) {
    const day = pad((i % 28) + 1, 2);
    const month = pad((i % 12) + 1, 2);
    const record = {
      registratienummer: `NL-CT-B${pad(i, 7)}`,
      voornaam: ['Youssef', 'Daan', 'Samira', 'Mehmet', 'Lotte', 'Karim', 'Ilse', 'Bilal'][i % 8],
      achternaam: `Achternaam${i % 5000}`,
      geboortedatum: `${day}-${month}-${1960 + (i % 45)}`,
      status: ['FTF', 'VERD', 'TKR', 'VEROORD', 'CONT'][i % 5],
      nationaliteiten: i % 3 ? 'NL' : 'NL;MA',
      behandelcode: 'H1',
      betrouwbaarheid: 'B2',
      dossiernummer: `CT-B-${i}`,
      documenten: [{ nummer: `NB${pad(i, 7)}`, soort: 'PP', land: 'NL', geldigTot: `${day}-${month}-2031` }],
      reizen: [
        {
          datum: `${day}-${month}-2025 06:40`,
          van: 'Amsterdam',
          vanLand: 'NL',
          naar: 'Istanbul',
          naarLand: 'TR',
          wijze: 'VL',
          vervoerder: 'TK',
          bron: 'API/PNR',
        },
        { datum: `${day}-${month}-2025 22:15`, van: 'Istanbul', vanLand: 'TR', naar: 'Gaziantep', naarLand: 'TR', wijze: 'WEG' },
      ],
      signaleringen: [{ lijst: 'NTL', sinds: `${day}-${month}-2024`, reden: 'Uitreiziger' }],
      ...(i % 10 === 0 ? { financieel: [{ soort: 'BEV', sinds: `${day}-${month}-2025`, instelling: 'ING Bank', bedrag: '1000', valuta: 'EUR' }] } : {}),
    };
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');

  const mapping = loadMapping('examples/national-export/mapping.yaml');
  const store = await openStore(join(dir, 'NL.db'), 'NL');
  const keyring = ensureNetworkKeyring(join(dir, 'network-pseudonym.key'));
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const audit = await openAuditLog(join(dir, 'NL.audit.db'), { owner: 'NL', signingKey: { ...(await exportJWK(privateKey)), alg: 'ES256', kid: 'bench' } });

  for (const pass of ['first import', 'same file again']) {
    const started = performance.now();
    const result = await importFile(store, { mapping, input, keyring, audit });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${pass}: ${result.read} persons in ${seconds.toFixed(1)} s = ${Math.round((result.read / seconds) * 60).toLocaleString('en')} persons/min ` +
        `(${result.inserted} inserted, ${result.changed} changed, ${result.unchanged} unchanged, ${result.rejected.length} rejected)`,
    );
  }
  await audit.close();
  await store.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  await runImportBench({ persons: Number(flag('--persons', '100000')), dir: flag('--dir', '.hague/bench-import') });
}
