// The shape of the code, read with the TypeScript compiler's parser: no function outside data
// tables is longer than 80 lines (split it into named pieces), and no export is left that
// nothing imports (dead code, or a name that should be private to its file).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const MAX_LINES = 80;
/** The package's entry points: what they export is for its users. */
const ENTRIES = ['src/index.ts', 'src/vitest.ts'];

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = posix.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

const parse = (file: string) => ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);

/** Every function (declaration, method, arrow, expression) of a file longer than `max` lines, as "file:line name (n lines)". */
function longFunctions(sf: ts.SourceFile, max: number): string[] {
  const found: string[] = [];
  const lineOf = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const lines = lineOf(n.end) - lineOf(n.getStart(sf)) + 1;
      const named = n.name ?? (ts.isVariableDeclaration(n.parent) || ts.isPropertyAssignment(n.parent) ? n.parent.name : undefined);
      if (lines > max) found.push(`${sf.fileName}:${lineOf(n.getStart(sf))} ${named?.getText(sf) ?? '(anonymous)'} (${lines} lines)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

const hasExport = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The names a file exports by declaration (`export function f`, `export const a, b`, `export { x }`). */
function exportsOf(sf: ts.SourceFile): string[] {
  return sf.statements.flatMap((st): string[] => {
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) return st.exportClause.elements.map((e) => e.name.text);
    if (!hasExport(st)) return [];
    if (ts.isVariableStatement(st)) return st.declarationList.declarations.map((d) => d.name.getText(sf));
    const name = (st as ts.DeclarationStatement).name;
    return name && ts.isIdentifier(name) ? [name.text] : [];
  });
}

/** "file#name" for every name a file imports, or re-exports, from another project file ("file#*" for a namespace). */
function importsOf(sf: ts.SourceFile, file: string): string[] {
  return sf.statements.flatMap((st): string[] => {
    const spec = (ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : '';
    if (!spec.startsWith('.')) return [];
    const target = relative(ROOT, join(ROOT, dirname(file), spec)).split('\\').join('/');
    const bindings = ts.isImportDeclaration(st) ? st.importClause?.namedBindings : (st as ts.ExportDeclaration).exportClause;
    if (!bindings || ts.isNamespaceImport(bindings) || ts.isNamespaceExport(bindings)) return [`${target}#*`];
    return (bindings.elements as readonly (ts.ImportSpecifier | ts.ExportSpecifier)[]).map((e) => `${target}#${(e.propertyName ?? e.name).text}`);
  });
}

/** Exports of model/, properties/ and src/ (outside the entry points) that no file imports. */
function unimportedExports(files: readonly string[], readers: readonly string[]): string[] {
  const imported = new Set(readers.flatMap((f) => importsOf(parse(f), f)));
  return files
    .filter((f) => !ENTRIES.includes(f) && !imported.has(`${f}#*`))
    .flatMap((f) => exportsOf(parse(f)).filter((name) => !imported.has(`${f}#${name}`)).map((name) => `${f} ${name}`));
}

describe('the shape of model/, properties/ and src/', () => {
  const files = ['model', 'properties', 'src'].flatMap(tsFiles);

  it(`has no function longer than ${MAX_LINES} lines`, () => {
    expect(files.flatMap((f) => longFunctions(parse(f), MAX_LINES))).toEqual([]);
  });

  it('finds a long function when there is one', () => {
    const body = Array.from({ length: 90 }, (_, i) => `  const x${i} = ${i};`).join('\n');
    const sf = ts.createSourceFile('t.ts', `const short = () => 1;\nexport function long() {\n${body}\n}\n`, ts.ScriptTarget.Latest, true);
    expect(longFunctions(sf, MAX_LINES)).toEqual(['t.ts:2 long (92 lines)']);
  });

  it('exports nothing that no file imports', () => {
    const readers = ['model', 'properties', 'src', 'test', 'examples'].flatMap(tsFiles);
    expect(unimportedExports(files, readers)).toEqual([]);
  });
});
