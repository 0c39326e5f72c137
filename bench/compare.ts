/**
 * Before/after table of two bench runs (JSON files written by `hague bench`), for bench/README.md:
 *   npx tsx bench/compare.ts bench/results/before.json bench/results/latest.json [variants]
 */
import { readFileSync } from 'node:fs';
import type { BenchResult, RunRecord } from './run.ts';

const [beforeFile, afterFile, variantList = 'a,b,c'] = process.argv.slice(2);
if (!beforeFile || !afterFile) {
  console.error('usage: npx tsx bench/compare.ts <before.json> <after.json> [variants, default a,b,c]');
  process.exit(2);
}
const before = JSON.parse(readFileSync(beforeFile, 'utf8')) as BenchResult;
const after = JSON.parse(readFileSync(afterFile, 'utf8')) as BenchResult;
const variants = variantList.split(',');
const key = (r: RunRecord) => `${r.size}/${r.states}/${r.variant}/${r.scenario}`;
const old = new Map(before.runs.map((r) => [key(r), r]));
const size = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
const pair = (a: number, b: number, digits = 2) => `${a.toFixed(digits)} → ${b.toFixed(digits)} (${b >= a ? '+' : ''}${((100 * (b - a)) / a).toFixed(0)}%)`;

console.log('| persons/state | scenario | states | variant | gateway CPU ms/q | members CPU ms/q | total CPU ms/q | p50 ms, 1 conn | q/s under load |');
console.log('|---:|---|---:|---|---:|---:|---:|---:|---:|');
for (const r of after.runs) {
  const b = old.get(key(r));
  if (!b || !variants.includes(r.variant)) continue;
  console.log(
    `| ${size(r.size)} | ${r.scenario} | ${r.states} | ${r.variant} | ${pair(b.cpu.server, r.cpu.server)} | ${pair(b.cpu.members, r.cpu.members)} | ${pair(b.cpu.total, r.cpu.total)} | ` +
      `${pair(b.unloaded.p50, r.unloaded.p50, 1)} | ${pair(b.loaded.throughput, r.loaded.throughput, 1)} |`,
  );
}
