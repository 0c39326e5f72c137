/**
 * Summarises V8 CPU profiles (node --cpu-prof, `hague bench --profile ...`): self time by function
 * and by package, to find the hot spots behind the bench's figures.
 *   npx tsx bench/profile.ts bench/results/profiles/gateway-a-1000-5.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function where(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return url;
  const repo = url.indexOf('/work/');
  return url
    ? url
        .replace(/^file:\/\//, '')
        .slice(repo === -1 ? 0 : repo)
        .split('/')
        .slice(3)
        .join('/') || url
    : '(native)';
}

export function summarise(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const name = node.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') {
      byFunction.set(name, (byFunction.get(name) ?? 0) + us);
      byPackage.set(name, (byPackage.get(name) ?? 0) + us);
      continue;
    }
    const pkg = where(node.callFrame.url);
    byFunction.set(`${name}  ${pkg}:${node.callFrame.lineNumber + 1}`, (byFunction.get(`${name}  ${pkg}:${node.callFrame.lineNumber + 1}`) ?? 0) + us);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const busy = total - (byFunction.get('(idle)') ?? 0);
  const fmt = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`,
    '',
    'self time by package:',
    fmt(byPackage),
    '',
    'self time by function:',
    fmt(byFunction),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile.ts')) {
  for (const file of process.argv.slice(2).filter((a) => a.endsWith('.cpuprofile')))
    console.log(summarise(file, Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 25)), '\n');
}
