import { readFileSync, readdirSync } from 'node:fs';
import { SourceMap } from 'node:module';
const map = new SourceMap(JSON.parse(readFileSync('/work/main/dist/app.js.map', 'utf8')));
const dir = process.argv[2]; const files = readdirSync(dir).filter(f => f.endsWith('.cpuprofile'));
const self = new Map(); let total = 0; const fnself = new Map();
for (const f of files) {
  const p = JSON.parse(readFileSync(dir + '/' + f));
  const byId = new Map(p.nodes.map(n => [n.id, n]));
  const src = (cf) => { if (!cf.url.endsWith('app.js')) return cf.url ? 'node:' + cf.url.split('/').slice(-2).join('/') : cf.functionName; const e = map.findEntry(cf.lineNumber, cf.columnNumber); return (e.originalSource ?? '?').replace(/^.*node_modules\//, 'nm/').replace(/^.*\/src\//, 'src/'); };
  for (let i = 0; i < p.samples.length; i++) {
    const t = p.timeDeltas[i]; total += t;
    const cf = byId.get(p.samples[i]).callFrame; const s = src(cf);
    self.set(s, (self.get(s) ?? 0) + t);
    const k = s + ' ' + cf.functionName; fnself.set(k, (fnself.get(k) ?? 0) + t);
  }
}
console.log('total ms', (total / 1000).toFixed(0));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((v / 1000).toFixed(0), k);
console.log('---');
for (const [k, v] of [...fnself].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log((v / 1000).toFixed(0), k);
