// Which open documents may import a file, found on their text alone (no TypeScript, no IO: this
// runs on the LSP thread, server/server.ts), so that a change to an imported open document analyses
// its importers again.

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function fileOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try { return fileURLToPath(uri); } catch { return undefined; }
}

/**
 * Import specifiers written in a text (`from '…'`, `require('…')`, `import('…')`, `import '…'`), for
 * finding importers cheaply. Linear in the text: a line may start with spaces or tabs before
 * `import`, never with `\s*`, which from every line of a run of blank lines would scan the whole
 * run again (80,000 blank lines held the LSP thread 5.5 s).
 */
const SPECIFIER = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^[ \t]*import\s+)(['"])([^'"\n]{1,300})\1/gm;

/**
 * The open documents that may import `changedUri` (a specifier, relative or an alias, whose last
 * name is the file's): the server analyses them again when it changes. Over-approximate by design: an importer's cached functions cost nothing to re-check,
 * and only those whose imported texts changed are analysed again (engine/analyzeFile.ts keys).
 */
export function importersOf(changedUri: string, open: { uri: string; text: string; version?: number }[]): string[] {
  const changed = fileOfUri(changedUri);
  if (!changed) return [];
  const stem = withoutExtension(path.basename(changed));
  // `./lib` names lib/index.ts.
  const names = new Set([stem, ...(stem === 'index' ? [path.basename(path.dirname(changed))] : [])]);
  const out: string[] = [];
  for (const doc of open) {
    if (doc.uri === changedUri) continue;
    const from = fileOfUri(doc.uri);
    if (!from) continue;
    // A relative path, or an alias (`@num/ops`, tsconfig `paths`), whose last name is the file's.
    for (const name of importedNames(doc)) {
      if (names.has(name)) { out.push(doc.uri); break; }
    }
  }
  return out;
}

/** Per open document and version, the last names of what it imports: each text is scanned once, not on every keystroke elsewhere. */
const scanned = new Map<string, { version: number; names: Set<string> }>();
const MAX_SCANNED = 1000;

function importedNames(doc: { uri: string; text: string; version?: number }): Set<string> {
  const hit = doc.version === undefined ? undefined : scanned.get(doc.uri);
  if (hit && hit.version === doc.version) return hit.names;
  const names = new Set<string>();
  SPECIFIER.lastIndex = 0;
  for (let m = SPECIFIER.exec(doc.text); m; m = SPECIFIER.exec(doc.text)) names.add(withoutExtension(path.basename(m[2])));
  if (doc.version !== undefined) {
    if (scanned.size >= MAX_SCANNED) scanned.clear();
    scanned.set(doc.uri, { version: doc.version, names });
  }
  return names;
}

function withoutExtension(name: string): string {
  return name.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
}
