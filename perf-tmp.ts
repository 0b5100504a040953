import { modelTable } from './src/semantics/table.ts';
import { threeSocketCases } from './src/semantics/three.ts';
import { KERNELS } from './model/variants/index.ts';
const rows = modelTable(KERNELS);
const t = threeSocketCases(KERNELS, rows);
const by = new Map<string, number>();
for (const c of t.cases) { if (c.call !== 'bind' && t.cases.some(x => x !== c && x.call==='bind' && x.kernel===c.kernel && JSON.stringify([x.a,x.b,x.c])===JSON.stringify([c.a,c.b,c.c]))) continue;
  const k = `${c.kernel} ${c.call} A:${c.a.flags}/${c.a.state} B:${c.b.flags}/${c.b.state} C:${c.c.flags} actual ${c.actual} predicted ${c.predicted}`; by.set(k, (by.get(k) ?? 0) + 1); }
for (const [k, n] of [...by].sort()) console.log(n, k);
for (const c of t.cases.filter(c => c.kernel==='linux-6.18').slice(0,12)) console.log(JSON.stringify(c));
