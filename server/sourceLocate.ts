// Finds functions in the *current* text of a document with the TypeScript parser. Code-action
// edits are computed here rather than from the offsets of the last analysis, which may be a
// version behind the text the edit applies to.

import * as ts from 'typescript';

export interface LocatedParam {
  name: string;
  /** The annotation as written (`number`, `readonly number[]`, `[number, number]`), or null. */
  typeText: string | null;
}

export interface LocatedFunction {
  name: string;
  /** Start of the whole statement, `export` and leading JSDoc excluded. */
  statementStart: number;
  /** End of the whole statement (after a `;` of a `const f = …;`). */
  statementEnd: number;
  nameStart: number;
  nameEnd: number;
  params: LocatedParam[];
  returnTypeText: string | null;
  /** The `{ … }` body; null for an expression-bodied arrow. */
  body: { start: number; end: number } | null;
  /** The last JSDoc block attached to the statement. */
  jsDoc: { start: number; end: number } | null;
  exported: boolean;
}

export function parseSource(text: string, fileName = 'file.ts'): ts.SourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** Top-level function-like declarations of the file, in source order. */
export function locateFunctions(text: string): LocatedFunction[] {
  const sf = parseSource(text);
  const out: LocatedFunction[] = [];
  for (const stmt of sf.statements) {
    const exported = hasExport(stmt);
    const jsDoc = lastJsDoc(stmt);
    if (ts.isFunctionDeclaration(stmt) && stmt.name) {
      out.push({
        name: stmt.name.text,
        statementStart: stmt.getStart(sf, false),
        statementEnd: stmt.end,
        nameStart: stmt.name.getStart(sf),
        nameEnd: stmt.name.end,
        params: params(stmt.parameters, sf),
        returnTypeText: stmt.type ? stmt.type.getText(sf) : null,
        body: stmt.body ? { start: stmt.body.getStart(sf), end: stmt.body.end } : null,
        jsDoc,
        exported,
      });
    } else if (ts.isVariableStatement(stmt)) {
      for (const decl of stmt.declarationList.declarations) {
        const init = decl.initializer;
        if (!ts.isIdentifier(decl.name) || !init) continue;
        if (!ts.isArrowFunction(init) && !ts.isFunctionExpression(init)) continue;
        out.push({
          name: decl.name.text,
          statementStart: stmt.getStart(sf, false),
          statementEnd: stmt.end,
          nameStart: decl.name.getStart(sf),
          nameEnd: decl.name.end,
          params: params(init.parameters, sf),
          returnTypeText: init.type ? init.type.getText(sf) : null,
          body: ts.isBlock(init.body) ? { start: init.body.getStart(sf), end: init.body.end } : null,
          jsDoc,
          exported,
        });
      }
    }
  }
  return out;
}

export function locateFunction(text: string, name: string): LocatedFunction | null {
  return locateFunctions(text).find((f) => f.name === name) ?? null;
}

/** Every name declared at the top level of the file (functions, variables, classes, imports). */
export function topLevelNames(text: string): Set<string> {
  const sf = parseSource(text);
  const names = new Set<string>();
  for (const stmt of sf.statements) {
    if ((ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) ||
      ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt)) && stmt.name) {
      names.add(stmt.name.text);
    } else if (ts.isVariableStatement(stmt)) {
      for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    } else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const c = stmt.importClause;
      if (c.name) names.add(c.name.text);
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) names.add(nb.name.text);
      if (nb && ts.isNamedImports(nb)) for (const e of nb.elements) names.add(e.name.text);
    }
  }
  return names;
}

/** `base`, or `base2`, `base3`, … whichever is not declared yet. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}

function params(list: ts.NodeArray<ts.ParameterDeclaration>, sf: ts.SourceFile): LocatedParam[] {
  return list.map((p) => ({
    name: ts.isIdentifier(p.name) ? p.name.text : p.name.getText(sf),
    typeText: p.type ? p.type.getText(sf) : null,
  }));
}

function hasExport(stmt: ts.Statement): boolean {
  const mods = ts.canHaveModifiers(stmt) ? ts.getModifiers(stmt) : undefined;
  return !!mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function lastJsDoc(stmt: ts.Statement): { start: number; end: number } | null {
  const docs = (stmt as unknown as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs || docs.length === 0) return null;
  const d = docs[docs.length - 1];
  return { start: d.pos, end: d.end };
}
