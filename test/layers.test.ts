// The layers point one way. Every import of every .ts file under model/, properties/ and src/
// is read with the TypeScript compiler's own pre-processor (not a regex), and the graph must
// have no circle, no import into src/cli/ from outside it, and no import from a higher layer:
//   errors, paths <- model <- properties <- engine, explore, kernel harness <- trace, docs, report <- cli
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Lowest first; a file belongs to the first layer with a matching prefix. */
const LAYERS: { name: string; prefixes: string[] }[] = [
  { name: 'foundation', prefixes: ['src/errors.ts', 'src/paths.ts', 'src/read-json.ts', 'src/json-schema.ts'] },
  { name: 'model', prefixes: ['model/'] },
  { name: 'properties', prefixes: ['properties/'] },
  { name: 'engine', prefixes: ['src/engine/', 'src/explore/', 'src/kernel/', 'src/conform/', 'src/scenarios/', 'src/lines/'] },
  { name: 'output', prefixes: ['src/trace/', 'src/docs/', 'src/report/', 'src/bench/', 'src/diff/', 'src/semantics/'] },
  { name: 'cli', prefixes: ['src/cli/', 'src/index.ts', 'src/vitest.ts'] },
];

/** Edges that break a rule today and are being removed elsewhere; the lead deletes each at merge. */
const ALLOWED: { from: string; to: string; why: string }[] = [
];

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = posix.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** file -> the project files it imports (relative specifiers, resolved), in source order. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of ['model', 'properties', 'src'].flatMap(tsFiles)) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(ROOT, join(ROOT, dirname(file), s)).split('\\').join('/'));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

const layerOf = (file: string) => LAYERS.findIndex((l) => l.prefixes.some((p) => file === p || (p.endsWith('/') && file.startsWith(p))));
const allowed = (from: string, to: string) => ALLOWED.some((a) => a.from === from && a.to === to);

/** One import circle as a path a -> b -> ... -> a, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | null => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') return [...stack.slice(stack.indexOf(g)), g];
      if (!state.has(g)) {
        const c = visit(g);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(f, 'done');
    return null;
  };
  for (const f of [...graph.keys()].sort()) {
    if (state.has(f)) continue;
    const c = visit(f);
    if (c) return c;
  }
  return null;
}

describe('the import graph of model/, properties/ and src/', () => {
  const graph = importGraph();
  const edges = [...graph].flatMap(([from, tos]) => tos.map((to) => ({ from, to })));

  it('reads real imports, and every import names a file that exists', () => {
    // The reader must see the edges it is here to judge, type-only ones too.
    expect(graph.get('src/cli/main.ts')).toContain('src/cli/commands.ts');
    expect(graph.get('src/cli/commands/check.ts')).toContain('src/cli/command.ts');
    expect(edges.length).toBeGreaterThan(200);
    expect(edges.filter((e) => !graph.has(e.to)).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('has no import circle', () => {
    expect(findCycle(graph)?.join(' -> ') ?? 'no circle').toBe('no circle');
    // The check itself finds one when there is one.
    expect(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual(['a', 'b', 'c', 'a']);
  });

  it('puts every file in a layer', () => {
    expect([...graph.keys()].filter((f) => layerOf(f) < 0)).toEqual([]);
  });

  it('imports nothing in src/cli/ from outside it', () => {
    expect(edges.filter((e) => e.to.startsWith('src/cli/') && !e.from.startsWith('src/cli/')).map((e) => `${e.from} -> ${e.to}`)).toEqual([]);
  });

  it('imports only from the same layer or a lower one', () => {
    const upward = edges
      .filter((e) => layerOf(e.to) > layerOf(e.from) && !allowed(e.from, e.to))
      .map((e) => `${e.from} (${LAYERS[layerOf(e.from)].name}) -> ${e.to} (${LAYERS[layerOf(e.to)].name})`);
    expect(upward).toEqual([]);
  });

  it('keeps the kernels free of their mutants and the properties free of any one kernel', () => {
    const bad = edges
      .filter((e) => (e.from.startsWith('model/variants/') && e.to.startsWith('model/mutants/')) || (e.from.startsWith('properties/') && e.to.startsWith('model/variants/')))
      .filter((e) => !allowed(e.from, e.to))
      .map((e) => `${e.from} -> ${e.to}`);
    expect(bad).toEqual([]);
  });
});
