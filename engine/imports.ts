// Names a file imports from other modules of the workspace (engine/modules.ts finds the bindings
// and exports on the syntax tree; a host resolves and reads the files). An imported helper is
// lowered by its own file's program, from its own text, then renamed into the importer's names:
// the name this file calls it by (`f`, `M.f`, `util.f`), and for the helpers it calls in its own
// file, a name no source can write (`$util.sq`), which generated code cannot call (a CodegenError).
// Its ranges are those of the import in the importer (where its problems are shown), so every
// mode, check and generator uses it exactly as a helper of the file. Imported types
// (`import type { Vec2 }`, `V.Vec2`, JSDoc `import('./vec').Vec2`) are found here too (`typeTarget`)
// and resolved by lower/types.ts in the file that declares them; imported constants fold into the
// file's module constants (`importedConstant`).

import ts = require('typescript');
import type { EngineDiagnostic } from './api';
import type { IrFunction, Range } from './ir';
import { forEachExpr } from './irWalk';
import { exportTable, importBindings, packageName, type ExportTable, type ImportBinding, type ImportedRef, type ModuleContext, type ModuleGraph } from './modules';
import { mapRangesInPlace } from './ranges';
import { declaresTypedef, recordClass, type RecordClass } from './lower/types';
import { setOracleContext } from './typeOracle';
import type { Lowered, SourceFunction } from './sourceFunction';

/** What the imports read of a program (engine/program.ts `Program`). */
export interface LinkedProgram {
  readonly text: string;
  readonly sourceFile: ts.SourceFile;
  readonly functions: ReadonlyMap<string, SourceFunction>;
  readonly constants: ReadonlyMap<string, number>;
  readonly imports: FileImports | undefined;
  lower(name: string): Lowered | undefined;
  /** The gate before reading positions of its tree (engine/program.ts). */
  ensurePlacedFor(fns: Iterable<SourceFunction>): void;
}

/** A program's place in the modules of one analysis. */
export interface ModuleLink {
  graph: ModuleGraph<LinkedProgram>;
  file: string;
  depth: number;
}

/** A function of another file, under a name of this one. */
interface Foreign {
  program: LinkedProgram;
  /** Its qualified name in its own file. */
  q: string;
  /** The import in this file its problems and ranges are shown on. */
  site: Range;
  /** How code of this file calls it (`f`, `M.f`), or null: a helper of the other file this one does not import. */
  callee: string | null;
}

type Target = { program: LinkedProgram; local: string } | { why: string; advice: string; missing?: boolean };

const PACKAGE_ADVICE = 'Gradlens reads the modules of the workspace, not packages. Give it a rule: write the function in a helper of your own (with a `@derivative` rule when its body is outside the subset, or `@nondifferentiable` to hold its value constant), or pass its value in as a parameter.';
const FIND_ADVICE = 'Check the path (and tsconfig `paths`/`baseUrl`): Gradlens resolves imports as TypeScript does, among .ts, .tsx, .js, .mjs and .cjs files.';

/** Functions of the analyses in progress (file and qualified name): a call back into one is recursion across files. */
const lowering = new WeakMap<object, Set<string>>();

export class FileImports {
  private bindingsMemo: Map<string, ImportBinding> | undefined;
  private exportsMemo: ExportTable | undefined;
  private typeBindingsMemo: Map<string, ImportBinding> | undefined;
  private typeExportsMemo: ExportTable | undefined;
  /** The bindings the file's module constants were folded from (`const T = 2 * K`), by constant: part of the cache key. */
  readonly constantSources = new Map<string, Set<string>>();
  /** Functions of other files by their name in this one. */
  private readonly foreign = new Map<string, Foreign>();
  /** The name in this file of each function of another (file and qualified name). */
  private readonly names = new Map<string, string>();
  private readonly translated = new Map<string, Lowered>();

  constructor(private readonly program: LinkedProgram, readonly link: ModuleLink) {
    // The type oracle, if this file ever needs one, reads the files the host reads (engine/typeOracle.ts).
    setOracleContext(program.sourceFile, this.context);
  }

  get file(): string { return this.link.file; }

  /** The file and host, to parse another text of this file (a shadow, engine/check/shadow.ts) with the same imports. */
  get context(): ModuleContext { return { file: this.link.file, host: this.link.graph.host }; }

  bindings(): Map<string, ImportBinding> {
    return this.bindingsMemo ??= importBindings(this.program.sourceFile);
  }

  exports(): ExportTable {
    return this.exportsMemo ??= exportTable(this.program.sourceFile);
  }

  /** The bindings with type-only imports (`import type { Vec2 }`) too. */
  typeBindings(): Map<string, ImportBinding> {
    return this.typeBindingsMemo ??= importBindings(this.program.sourceFile, true);
  }

  private typeExports(): ExportTable {
    return this.typeExportsMemo ??= exportTable(this.program.sourceFile, true);
  }

  /**
   * Where a type name this file imports (`Vec2`, `V.Vec2`) is declared: the program of the file
   * that declares it and its name there, following re-exports; undefined when it is not imported
   * or cannot be read (then it is an unknown type, as without a host). Declaration files are read
   * for their types; packages are not.
   */
  typeTarget(chain: readonly string[], specifier?: string): { program: LinkedProgram; local: string } | undefined {
    // `import('./vec').Vec2` (JSDoc): the module named in place.
    if (specifier !== undefined) return chain.length === 1 ? this.typeExport(specifier, chain[0], new Set()) : undefined;
    const b = this.typeBindings().get(chain[0]);
    if (!b) return undefined;
    const props = chain.slice(1);
    if (b.kind === 'namespace' ? props.length !== 1 : props.length !== 0) return undefined;
    const exported = b.kind === 'namespace' ? props[0] : b.kind === 'default' ? 'default' : b.imported!;
    return this.typeExport(b.specifier, exported, new Set());
  }

  private typeExport(specifier: string, name: string, seen: Set<string>): { program: LinkedProgram; local: string } | undefined {
    const r = this.link.graph.resolve(specifier, this.file);
    if (!r || r.kind === 'package') return undefined;
    const loaded = this.link.graph.load(r.file, this.link.depth + 1);
    if ('problem' in loaded) return undefined;
    return loaded.program.imports?.typeExportOf(name, seen);
  }

  private typeExportOf(name: string, seen: Set<string>): { program: LinkedProgram; local: string } | undefined {
    const key = `${this.file}\u0000${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const entry = this.typeExports().names.get(name);
    if (entry && 'from' in entry) return this.typeExport(entry.from, entry.imported, seen);
    if (entry) {
      const b = this.typeBindings().get(entry.local);
      if (!b) return { program: this.program, local: entry.local };
      return b.kind === 'namespace' ? undefined : this.typeExport(b.specifier, b.kind === 'default' ? 'default' : b.imported!, seen);
    }
    if (name === 'default') return undefined;
    for (const star of this.typeExports().stars) {
      const t = this.typeExport(star, name, seen);
      if (t) return t;
    }
    return declaresTypedef(name, this.program.sourceFile) ? { program: this.program, local: name } : undefined;
  }

  /**
   * The record classes this file imports as types (`import { Vector2 } from './vec'`), by their
   * name where they are declared (the name their values' layouts carry), with the import the
   * problems of their methods are shown on (lower/typed.ts calls their methods on records).
   */
  importedRecordClasses(): Map<string, { program: LinkedProgram; cls: RecordClass; site: Range }> {
    if (this.recordClassesMemo) return this.recordClassesMemo;
    const out = new Map<string, { program: LinkedProgram; cls: RecordClass; site: Range }>();
    for (const b of this.typeBindings().values()) {
      if (b.kind === 'namespace') continue;
      const t = this.typeTarget([b.local]);
      const cls = t && recordClass(t.local, t.program.sourceFile);
      if (t && cls && !out.has(t.local)) out.set(t.local, { program: t.program, cls, site: b.range });
    }
    return this.recordClassesMemo = out;
  }

  private recordClassesMemo: Map<string, { program: LinkedProgram; cls: RecordClass; site: Range }> | undefined;

  /** The method `method` of the imported record class `className`, lowered in its file and named in this one. */
  importedMethod(className: string, method: string): ImportedRef | undefined {
    const c = this.importedRecordClasses().get(className);
    const q = `${className}.${method}`;
    if (!c || !c.program.functions.has(q)) return undefined;
    if (this.inProgress(c.program, q)) {
      return { kind: 'problem', name: q, why: 'calls back into the function being read (recursion across modules)', advice: 'Recursion is supported within one file; move the functions that call each other into one module.' };
    }
    const name = this.nameFor(c.program, q, null, c.site);
    const l = this.lower(name);
    return l ? { kind: 'function', name, fn: l.fn } : undefined;
  }

  /**
   * The value of an imported numeric constant (`K`, `M.K`) for folding this file's module
   * constants; only constants are looked at (no function is lowered), undefined otherwise.
   */
  importedConstant(ref: ts.Expression): number | undefined {
    const chain = dotted(ref);
    const b = chain && this.bindings().get(chain[0]);
    if (!chain || !b) return undefined;
    const props = chain.slice(1);
    if (b.kind === 'namespace' ? props.length !== 1 : props.length !== 0) return undefined;
    const target = this.moduleExport(b.specifier, b.kind === 'namespace' ? props[0] : b.kind === 'default' ? 'default' : b.imported!, new Set());
    return 'why' in target ? undefined : target.program.constants.get(target.local);
  }

  /** Runs the lowering of this file's `name`, marked as in progress (recursion across files is found, not followed). */
  lowering<T>(name: string, run: () => T): T {
    let set = lowering.get(this.link.graph);
    if (!set) lowering.set(this.link.graph, set = new Set());
    const key = `${this.file}\u0000${name}`;
    set.add(key);
    try { return run(); } finally { set.delete(key); }
  }

  private inProgress(program: LinkedProgram, q: string): boolean {
    return !!lowering.get(this.link.graph)?.has(`${program.imports?.file}\u0000${q}`);
  }

  /** `f`, `M.f`, `K`, `table.logistic.fn` when its first name is bound by an import. */
  resolve(ref: ts.Expression): ImportedRef | undefined {
    const chain = dotted(ref);
    return chain ? this.resolveChain(chain) : undefined;
  }

  private resolveChain(chain: string[]): ImportedRef | undefined {
    const b = this.bindings().get(chain[0]);
    if (!b) return undefined;
    const text = chain.join('.');
    const props = chain.slice(1);
    const [exported, rest] = b.kind === 'namespace' ? [props[0] ?? 'default', props.slice(1)] : [b.kind === 'default' ? 'default' : b.imported!, props];
    const target = this.moduleExport(b.specifier, exported, new Set());
    if ('why' in target) return { kind: 'problem', name: text, why: target.why, advice: target.advice, unread: true };
    const q = [target.local, ...rest].join('.');
    const origin = target.program.imports?.file ?? '';
    if (target.program.functions.has(q)) {
      if (this.inProgress(target.program, q)) {
        return { kind: 'problem', name: text, why: `is imported from '${b.specifier}' and calls back into the function being read (recursion across modules)`, advice: 'Recursion is supported within one file; move the functions that call each other into one module.' };
      }
      const name = this.nameFor(target.program, q, text, b.range);
      const l = this.lower(name);
      if (!l) return { kind: 'problem', name: text, why: `is imported from '${b.specifier}', which Gradlens could not read`, advice: FIND_ADVICE };
      return { kind: 'function', name, fn: l.fn };
    }
    const value = rest.length === 0 ? target.program.constants.get(target.local) : undefined;
    if (value !== undefined) return { kind: 'constant', value };
    return {
      kind: 'problem', name: text, why: `is imported from '${b.specifier}', where '${q}' is not a function or a numeric constant Gradlens reads ('${baseName(origin)}')`,
      advice: 'Imported functions and numeric constants (`export const K = 2`) are read; pass other values as parameters.',
    };
  }

  /** What `name` exported by the module `specifier` (imported by this file) is. */
  private moduleExport(specifier: string, name: string, seen: Set<string>): Target {
    const r = this.link.graph.resolve(specifier, this.file);
    if (!r) return { why: `is imported from '${specifier}', a module that cannot be found`, advice: FIND_ADVICE };
    if (r.kind === 'package') return { why: `comes from the package '${packageName(specifier)}' (node_modules)`, advice: PACKAGE_ADVICE };
    if (r.kind === 'declaration') return { why: `is imported from '${specifier}', a declaration file (.d.ts) without bodies`, advice: 'Import it from the module that implements it, or write the function in a helper of your own (with a `@derivative` rule when its body is outside the subset, or `@nondifferentiable`), or pass its value in as a parameter.' };
    const loaded = this.link.graph.load(r.file, this.link.depth + 1);
    if ('problem' in loaded) return { why: `is imported from '${specifier}', which Gradlens did not read (${loaded.problem})`, advice: 'Move the helper closer, or pass its value in as a parameter.' };
    const imports = loaded.program.imports;
    if (!imports) return { why: `is imported from '${specifier}', which Gradlens did not read`, advice: FIND_ADVICE };
    return imports.exportTarget(name, seen);
  }

  /** The local name (a qualified one for CommonJS exports) of this file's export `name`, following re-exports. */
  exportTarget(name: string, seen: Set<string>): Target {
    const key = `${this.file}\u0000${name}`;
    if (seen.has(key)) return { why: `is re-exported in a cycle ('${baseName(this.file)}')`, advice: 'Export it from the module that declares it.' };
    seen.add(key);
    const fns = this.program.functions;
    if (name === 'default' && fns.has('module.exports')) return { program: this.program, local: 'module.exports' };
    if (name === 'default' && fns.get('default')?.form === 'top') return { program: this.program, local: 'default' }; // `export default function (x) {…}`
    if (fns.has(`exports.${name}`)) return { program: this.program, local: `exports.${name}` };
    const entry = this.exports().names.get(name);
    if (entry) return 'local' in entry ? this.localTarget(entry.local, seen) : this.moduleExport(entry.from, entry.imported, seen);
    if (name !== 'default') {
      for (const star of this.exports().stars) {
        const t = this.moduleExport(star, name, seen);
        if (!('why' in t) || !t.missing) return t;
      }
    }
    return { why: `is not exported by '${baseName(this.file)}'`, advice: `Export it (\`export function ${name === 'default' ? 'f' : name}(…)\`, \`export { ${name} }\` or \`module.exports = { ${name} }\`).`, missing: true };
  }

  /** A local name of this file, or, when the file imported it, what it is where it comes from. */
  private localTarget(local: string, seen: Set<string>): Target {
    const b = this.bindings().get(local);
    if (!b) return { program: this.program, local };
    if (b.kind === 'namespace') return { why: `is a whole module re-exported ('${b.specifier}')`, advice: 'Import the function itself.' };
    return this.moduleExport(b.specifier, b.kind === 'default' ? 'default' : b.imported!, seen);
  }

  /** The name in this file of `program`'s function `q` (registered on first use). */
  private nameFor(program: LinkedProgram, q: string, callee: string | null, site: Range): string {
    if (program.imports?.file === this.file) return q;
    const key = `${program.imports?.file}\u0000${q}`;
    const known = this.names.get(key);
    if (known !== undefined) {
      const f = this.foreign.get(known)!;
      if (f.callee === null && callee !== null) { this.foreign.set(known, { ...f, callee }); }
      return known;
    }
    callee ??= this.reachable(program, q);
    let name = callee ?? `$${baseName(program.imports?.file ?? 'module').replace(/\.[^.]*$/, '').replace(/[^\w$]/g, '_')}.${q}`;
    for (let i = 2; callee === null && this.foreign.has(name); i++) name = `${name.replace(/\d*$/, '')}${i}`;
    this.names.set(key, name);
    this.foreign.set(name, { program, q, site, callee });
    return name;
  }

  /** How this file can call `program`'s `q` through one of its imports (`sq`, `U.sq`), if it can. */
  private reachable(program: LinkedProgram, q: string): string | null {
    const file = program.imports?.file;
    const same = (t: Target) => !('why' in t) && t.program.imports?.file === file && t.local === q;
    for (const b of this.bindings().values()) {
      if (b.kind !== 'namespace') {
        if (same(this.moduleExport(b.specifier, b.kind === 'default' ? 'default' : b.imported!, new Set()))) return b.local;
        continue;
      }
      const names = new Set([q.replace(/^exports\./, '')]);
      for (const [n, e] of program.imports?.exports().names ?? []) if ('local' in e && e.local === q) names.add(n);
      for (const n of names) if (/^[A-Za-z_$][\w$]*$/.test(n) && same(this.moduleExport(b.specifier, n, new Set()))) return `${b.local}.${n}`;
    }
    return null;
  }

  /** An imported function (or a helper of its file it calls), lowered in its own file and renamed into this one. */
  lower(name: string): Lowered | undefined {
    const done = this.translated.get(name);
    if (done) return done;
    // A name tags give (`@gradient polyGrad`, imported): registered on first use, as a call would.
    if (!this.foreign.has(name) && /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/.test(name) && this.bindings().has(name.split('.')[0])) this.resolveChain(name.split('.'));
    const f = this.foreign.get(name);
    if (!f || this.inProgress(f.program, f.q)) return undefined;
    const l = f.program.lower(f.q);
    if (!l) return undefined;
    const out = this.translate(l, f, name);
    this.translated.set(name, out);
    return out;
  }

  /** The function of another file this file calls `name`. */
  foreignOf(name: string): { program: LinkedProgram; q: string } | undefined {
    return this.foreign.get(name);
  }

  /** How generated code in this file calls `name`: undefined for none of its imports, null for one it cannot call. */
  calleeText(name: string): string | null | undefined {
    return this.foreign.get(name)?.callee;
  }

  private translate(l: Lowered, f: Foreign, name: string): Lowered {
    const fn: IrFunction = structuredClone(l.fn);
    const rename = (c: string): string => {
      const own = f.program.functions.has(c);
      const via = own ? undefined : f.program.imports?.foreignOf(c);
      if (!own && !via) return c;
      return this.nameFor(via ? via.program : f.program, via ? via.q : c, null, f.site);
    };
    fn.name = name;
    fn.calls = fn.calls.map(rename);
    forEachExpr(fn.body, (e) => { if (e.k === 'call') e.fn = rename(e.fn); });
    if (fn.annotations.derivative) fn.annotations.derivative = rename(fn.annotations.derivative);
    if (fn.annotations.gradient) fn.annotations.gradient = rename(fn.annotations.gradient);
    const at = fn.annotations.at;
    fn.annotations.at = [];
    mapRangesInPlace(fn, () => ({ ...f.site }));
    fn.annotations.at = at;
    const where = baseName(f.program.imports?.file ?? '');
    const diagnostics: EngineDiagnostic[] = l.diagnostics.map((d) => ({
      ...d, range: { ...f.site }, functionName: name,
      message: `In '${f.q}' (${where}, imported): ${d.message}`,
    }));
    return { fn, diagnostics };
  }

  /**
   * The files (and their texts) that a function whose text is among `texts` may read through
   * this file's imports: those of the bindings the texts name, and everything they import in
   * turn. Part of an analysis's cache key, so an edit to an imported helper re-analyses its importers.
   */
  involvedTexts(texts: readonly string[]): string {
    const out = new Map<string, string>();
    const visit = (imports: FileImports, names: Iterable<ImportBinding>): void => {
      for (const b of names) {
        const r = imports.link.graph.resolve(b.specifier, imports.file);
        if (!r) { out.set(`?${b.specifier}`, ''); continue; }
        if (r.kind !== 'workspace' || out.has(r.file)) continue;
        const loaded = imports.link.graph.load(r.file, imports.link.depth + 1);
        if ('problem' in loaded) { out.set(r.file, ''); continue; }
        out.set(r.file, loaded.program.text);
        const next = loaded.program.imports;
        if (next) visit(next, [...next.typeBindings().values(), ...next.reexports()]);
      }
    };
    // Type-only imports too: a record type read from another file (`import type { Vec2 }`).
    const bindings = this.typeBindings();
    if (bindings.size === 0 && !texts.some((t) => t.includes('import('))) return '';
    const names = new Set<string>();
    for (const t of texts) for (const m of t.matchAll(/[A-Za-z_$][\w$]*/g)) names.add(m[0]);
    for (const [constant, sources] of this.constantSources) if (names.has(constant)) for (const n of sources) names.add(n);
    const used = [...bindings.values()].filter((b) => names.has(b.local));
    // JSDoc's `{import('./vec').Vec2}` names a module without binding it.
    for (const t of texts) {
      for (const m of t.matchAll(/import\(\s*(['"])([^'"\n]+)\1\s*\)/g)) used.push({ local: '', kind: 'namespace', specifier: m[2], range: { start: 0, end: 0 } });
    }
    if (used.length === 0) return '';
    visit(this, used);
    // Where the imports are: ranges in an imported function are those of its import.
    out.set('@', used.map((b) => `${b.local}:${b.range.start}`).join(','));
    return [...out].map(([file, text]) => `${file}\u0001${text}`).sort().join('\u0002');
  }

  /** `export … from` specifiers (types' too), as bindings (for the cache key's walk). */
  private reexports(): ImportBinding[] {
    const t = this.typeExports();
    const specs = [...t.stars, ...[...t.names.values()].flatMap((e) => ('from' in e ? [e.from] : []))];
    return specs.map((specifier) => ({ local: '', kind: 'namespace' as const, specifier, range: { start: 0, end: 0 } }));
  }
}

/** `a`, `a.b.c` as names; undefined for anything else. */
function dotted(e: ts.Expression): string[] | undefined {
  if (ts.isIdentifier(e)) return [e.text];
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) {
    const head = dotted(e.expression);
    return head ? [...head, e.name.text] : undefined;
  }
  return undefined;
}

function baseName(file: string): string {
  return file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
}
