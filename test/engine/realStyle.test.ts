// Real code is the measure. test/fixtures/realStyle/ holds files written in the styles of public
// numeric JavaScript and TypeScript (activation tables, easings, Greeks, optimiser test functions,
// fmin objectives, Vec2 physics, layout energies, Bézier curves, losses, model classes, closures,
// ES5 prototypes), each with the tags a user of Gradlens would add, most derivatives right and
// some with a planted bug. manifest.json records the truth: per file, the functions the tags apply
// to and whether Gradlens analyses them today, every hand-written derivative's true verdict (and
// the components a planted bug makes wrong), and whether Gradlens gives it a verdict today.
//
// What always holds, asserted: every `@differentiable` tag is analysed or has a GL005 on it naming
// the form (never silent); no correct derivative gets a GL001 or GL006 (no false alarm); every
// planted bug whose derivative is checked is a GL001 on exactly its wrong components; a derivative
// not checked has a diagnostic that says why. Coverage is measured against the manifest: what it
// says is analysed or checked must stay so (a regression fails); what became analysed or checked
// since is printed, to be written into the manifest. A summary table is printed at the end:
// tags analysed / tags; functions the tags reach, analysed / listed; derivatives given a verdict
// (right, wrong, or GL008 unverified) / listed; planted bugs reported as GL001 / planted; and the
// functions a tag should reach that nothing reports (known silent gaps).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { analyzeFile } from '../../engine/analyzeFile';
import type { FileAnalysis, FunctionAnalysis, GradientCheck } from '../../engine/api';
import { runCheck } from '../../cli/check';

const ROOT = path.resolve(__dirname, '../../..');
const DIR = path.join(ROOT, 'test/fixtures/realStyle');

interface ManifestFunction {
  name: string;
  analysed: boolean;
  /** No diagnostic says it is not analysed (a known gap, reported). */
  silent?: boolean;
  why?: string;
}

interface ManifestDerivative {
  function: string;
  derivative: string;
  verdict: 'ok' | 'wrong';
  /** The components a planted bug makes wrong (labels as Gradlens writes them: `x`, `w[1]`, `p.y`). */
  components?: string[];
  bug?: string;
  checked: boolean;
  why?: string;
}

interface ManifestFile {
  style: string;
  functions: ManifestFunction[];
  derivatives: ManifestDerivative[];
}

const MANIFEST = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { files: Record<string, ManifestFile> };
const FILES = Object.keys(MANIFEST.files).sort();

/** One `@differentiable` tag: where its `@` is, and the declaration its JSDoc block belongs to. */
interface Tag {
  at: number;
  host: { pos: number; end: number; kind: string };
}

/** Every `@differentiable` tag of a file with the node TypeScript attaches its JSDoc block to. */
function tagsOf(file: string, text: string): Tag[] {
  const kind = file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, kind);
  const byOffset = new Map<number, Tag>();
  const visit = (node: ts.Node): void => {
    const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
    for (const doc of docs) {
      for (const tag of doc.tags ?? []) {
        if (tag.tagName.text !== 'differentiable') continue;
        const at = text.indexOf('@differentiable', tag.pos);
        if (!byOffset.has(at)) byOffset.set(at, { at, host: { pos: node.pos, end: node.end, kind: ts.SyntaxKind[node.kind] } });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return [...byOffset.values()].sort((a, b) => a.at - b.at);
}

/** `@differentiable` at the start of a JSDoc line, counted on the text (so that no tag escapes the walk above). */
function tagCountInText(text: string): number {
  return (text.match(/^[ \t]*(?:\/\*\*|\*)[ \t]*@differentiable\b/gm) ?? []).length;
}

/** The tag whose declaration is the innermost one around an analysed function's name. */
function tagOfFunction(tags: Tag[], fn: FunctionAnalysis): Tag | null {
  let best: Tag | null = null;
  for (const t of tags) {
    if (t.host.pos <= fn.nameRange.start && fn.nameRange.end <= t.host.end) {
      if (!best || t.host.end - t.host.pos < best.host.end - best.host.pos) best = t;
    }
  }
  return best;
}

function checksOf(fn: FunctionAnalysis): GradientCheck[] {
  if (fn.checks && fn.checks.length > 0) return fn.checks;
  return fn.check ? [fn.check] : [];
}

/** Labels of the components a check finds wrong, at any of its points. */
function wrongComponents(check: GradientCheck): string[] {
  const labels = new Set<string>();
  for (const p of check.points) for (const c of p.components) if (c.verdict === 'wrong') labels.add(c.label);
  return [...labels].sort();
}

/** A verdict Gradlens gives: right, wrong, or could not say but claimed nothing (GL008). */
const VERDICT_STATUSES = new Set<GradientCheck['status']>(['ok', 'wrong', 'unverified']);

interface FileResult {
  text: string;
  analysis: FileAnalysis;
  tags: Tag[];
}

interface Row {
  file: string;
  tagsAnalysed: number;
  tags: number;
  functionsAnalysed: number;
  functions: number;
  derivativesChecked: number;
  derivatives: number;
  bugsFound: number;
  bugs: number;
  silent: number;
  notes: string[];
}

const results = new Map<string, FileResult>();
function resultOf(file: string): FileResult {
  let r = results.get(file);
  if (!r) {
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    r = { text, analysis: analyzeFile(text), tags: tagsOf(file, text) };
    results.set(file, r);
  }
  return r;
}

/** Where a hand-written derivative stands in an analysis. */
type Outcome =
  | { kind: 'notAnalysed' }
  | { kind: 'checked'; check: GradientCheck }
  | { kind: 'blocked'; codes: string[] }
  | { kind: 'silent' };

function outcomeOf(a: FileAnalysis, d: ManifestDerivative): Outcome {
  const fn = a.functions.find((f) => f.name === d.function);
  if (!fn) return { kind: 'notAnalysed' };
  const check = checksOf(fn).find((c) => c.name === d.derivative);
  if (check && VERDICT_STATUSES.has(check.status)) return { kind: 'checked', check };
  const codes: string[] = a.diagnostics
    .filter((x) => x.code !== 'GL001' && (x.functionName === d.function || x.functionName === d.derivative))
    .map((x) => x.code);
  if (check) codes.push(`status ${check.status}`);
  return codes.length > 0 ? { kind: 'blocked', codes: [...new Set(codes)] } : { kind: 'silent' };
}

const rows: Row[] = [];

describe('engine: the real-style corpus (test/fixtures/realStyle, manifest.json)', () => {
  it('the manifest lists every fixture file, and every file has tags and derivatives', () => {
    const onDisk = fs.readdirSync(DIR).filter((f) => /\.(ts|js)$/.test(f)).sort();
    assert.deepEqual(FILES, onDisk);
    assert.ok(FILES.length >= 12, `${FILES.length} files`);
    for (const f of FILES) {
      const m = MANIFEST.files[f];
      assert.ok(m.functions.length > 0 && m.derivatives.length > 0, f);
      for (const d of m.derivatives) {
        assert.ok(m.functions.some((fn) => fn.name === d.function), `${f}: ${d.function} is listed among the functions`);
        assert.equal(d.verdict === 'wrong', (d.components ?? []).length > 0, `${f}: ${d.derivative}: a wrong derivative names its components`);
      }
    }
  });

  for (const file of FILES) {
    const m = MANIFEST.files[file];
    describe(file, () => {
      it('every @differentiable tag is analysed or has a GL005 on it naming the form (never silent)', () => {
        const { text, analysis, tags } = resultOf(file);
        assert.equal(tags.length, tagCountInText(text), 'every tag of the text is found by the JSDoc walk');
        assert.ok(tags.length > 0);
        const covered = new Set<Tag>();
        for (const fn of analysis.functions) {
          const t = tagOfFunction(tags, fn);
          if (t) covered.add(t);
        }
        for (const t of tags) {
          if (covered.has(t)) continue;
          const line = text.slice(0, t.at).split('\n').length;
          const gl005 = analysis.diagnostics.find((d) => d.code === 'GL005' && d.range.start === t.at);
          assert.ok(gl005, `${file}:${line}: the tag on a ${t.host.kind} is neither analysed nor reported`);
          assert.match(gl005.message, /^@differentiable on .+ is not analysed/, `${file}:${line}: the GL005 names the form`);
          assert.ok(analysis.skipped.some((x) => x.nameRange.start === t.at), `${file}:${line}: counted as not analysed (FileAnalysis.skipped, at the tag)`);
        }
      });

      it('the functions the tags apply to are analysed as the manifest says, or reported', () => {
        const { analysis } = resultOf(file);
        const names = new Set(analysis.functions.map((f) => f.name));
        for (const fn of m.functions.filter((f) => f.analysed)) {
          assert.ok(names.has(fn.name), `${file}: ${fn.name} was analysed and is no longer (analysed: ${[...names].join(', ')})`);
        }
        // Those not analysed (and not a known silent gap) are counted as skipped; their names are
        // the engine's to choose ('function expression', 'value'), so only their number is held.
        const reported = m.functions.filter((f) => !f.analysed && !f.silent && !names.has(f.name));
        assert.ok(analysis.skipped.length >= reported.length,
          `${file}: ${reported.map((f) => f.name).join(', ')} not analysed; skipped lists only ${analysis.skipped.map((x) => x.name).join(', ') || 'nothing'}`);
      });

      it('no correct hand-written derivative gets a GL001 or GL006 (no false alarm)', () => {
        const { analysis } = resultOf(file);
        for (const d of m.derivatives.filter((x) => x.verdict === 'ok')) {
          const fn = analysis.functions.find((f) => f.name === d.function);
          const check = fn && checksOf(fn).find((c) => c.name === d.derivative);
          if (!check) continue;
          assert.ok(check.status !== 'wrong' && check.status !== 'shape', `${file}: ${d.derivative} is right, Gradlens says ${check.status} (${wrongComponents(check).join(', ')})`);
          assert.deepEqual(wrongComponents(check), [], `${file}: ${d.derivative}`);
        }
        // Every GL001 of the file is on a component that a planted bug makes wrong.
        const planted = m.derivatives.filter((x) => x.verdict === 'wrong');
        for (const diag of analysis.diagnostics.filter((x) => x.code === 'GL001')) {
          const fn = analysis.functions.find((f) => f.name === diag.functionName);
          const onBug = fn !== undefined && checksOf(fn).some((c) => {
            const d = planted.find((x) => x.function === fn.name && x.derivative === c.name);
            return d !== undefined && c.points.some((p) => p.components.some((k) =>
              k.verdict === 'wrong' && (d.components ?? []).includes(k.label) && k.range !== null &&
              k.range.start === diag.range.start && k.range.end === diag.range.end));
          });
          assert.ok(onBug, `${file}: a GL001 on ${diag.functionName} that is not on a planted bug's component: ${diag.message}`);
        }
      });

      it('every planted bug whose derivative is checked is a GL001 on exactly its wrong components', () => {
        const { analysis } = resultOf(file);
        for (const d of m.derivatives.filter((x) => x.verdict === 'wrong')) {
          const o = outcomeOf(analysis, d);
          if (o.kind !== 'checked') continue;
          assert.equal(o.check.status, 'wrong', `${file}: the planted bug in ${d.derivative} (${d.bug}) is missed: ${o.check.status}`);
          assert.deepEqual(wrongComponents(o.check), [...(d.components ?? [])].sort(), `${file}: ${d.derivative}: the wrong components`);
          const gl001 = analysis.diagnostics.filter((x) => x.code === 'GL001' && x.functionName === d.function);
          assert.ok(gl001.length > 0, `${file}: ${d.derivative}: a GL001 is reported`);
        }
      });

      it('each derivative is checked as the manifest says, or a diagnostic says why', () => {
        const { analysis } = resultOf(file);
        for (const d of m.derivatives) {
          const o = outcomeOf(analysis, d);
          assert.notEqual(o.kind, 'silent', `${file}: ${d.derivative} of analysed ${d.function} is not checked and nothing says why`);
          if (d.checked) assert.equal(o.kind, 'checked', `${file}: ${d.derivative} was checked and is no longer (${o.kind === 'blocked' ? o.codes.join(', ') : o.kind})`);
        }
      });

      after(() => {
        const r = results.get(file);
        if (!r) return;
        const { analysis, tags } = r;
        const covered = new Set(analysis.functions.map((f) => tagOfFunction(tags, f)).filter((t) => t !== null));
        const names = new Set(analysis.functions.map((f) => f.name));
        const notes: string[] = [];
        let checked = 0;
        let found = 0;
        for (const d of m.derivatives) {
          const o = outcomeOf(analysis, d);
          if (o.kind === 'checked') {
            checked++;
            if (d.verdict === 'wrong' && o.check.status === 'wrong') found++;
            if (!d.checked) notes.push(`${d.derivative} is checked now: set "checked": true`);
            if (o.check.status === 'unverified') notes.push(`${d.derivative}: GL008 (unverified)`);
          }
        }
        for (const fn of m.functions) {
          if (!fn.analysed && names.has(fn.name)) notes.push(`${fn.name} is analysed now: set "analysed": true`);
        }
        const listed = new Set(m.functions.map((f) => f.name));
        for (const n of names) if (!listed.has(n)) notes.push(`${n} is analysed and not in the manifest`);
        rows.push({
          file,
          tagsAnalysed: covered.size,
          tags: tags.length,
          functionsAnalysed: m.functions.filter((f) => names.has(f.name)).length,
          functions: m.functions.length,
          derivativesChecked: checked,
          derivatives: m.derivatives.length,
          bugsFound: found,
          bugs: m.derivatives.filter((d) => d.verdict === 'wrong').length,
          silent: m.functions.filter((f) => f.silent && !names.has(f.name)).length,
          notes,
        });
      });
    });
  }

  it('gradlens check over the corpus counts what the engine finds and fails on the planted bugs', function () {
    this.timeout(120_000);
    const result = runCheck([DIR], { cwd: ROOT, options: {} });
    assert.deepEqual(result.inputErrors, []);
    assert.deepEqual(result.fileErrors, []);
    assert.equal(result.files.length, FILES.length);
    const analyses = FILES.map((f) => resultOf(f).analysis);
    const sum = (g: (a: FileAnalysis) => number) => analyses.reduce((s, a) => s + g(a), 0);
    assert.equal(result.summary.functions, sum((a) => a.functions.length));
    assert.equal(result.summary.notAnalysed, sum((a) => a.skipped.length));
    assert.equal(result.summary.diagnostics.GL001 ?? 0, sum((a) => a.diagnostics.filter((d) => d.code === 'GL001').length));
    assert.equal(result.failed, true, 'the planted bugs fail the check');
  });

  after(() => {
    if (rows.length === 0) return;
    const total = rows.reduce(
      (t, r) => ({
        ...t,
        tagsAnalysed: t.tagsAnalysed + r.tagsAnalysed, tags: t.tags + r.tags,
        functionsAnalysed: t.functionsAnalysed + r.functionsAnalysed, functions: t.functions + r.functions,
        derivativesChecked: t.derivativesChecked + r.derivativesChecked, derivatives: t.derivatives + r.derivatives,
        bugsFound: t.bugsFound + r.bugsFound, bugs: t.bugs + r.bugs, silent: t.silent + r.silent,
      }),
      { file: 'total', tagsAnalysed: 0, tags: 0, functionsAnalysed: 0, functions: 0, derivativesChecked: 0, derivatives: 0, bugsFound: 0, bugs: 0, silent: 0, notes: [] as string[] },
    );
    const line = (r: Row) =>
      `  ${r.file.padEnd(20)} ${`${r.tagsAnalysed}/${r.tags}`.padStart(7)} ${`${r.functionsAnalysed}/${r.functions}`.padStart(9)} ${`${r.derivativesChecked}/${r.derivatives}`.padStart(11)} ${`${r.bugsFound}/${r.bugs}`.padStart(6)} ${String(r.silent).padStart(6)}`;
    const out = [
      '',
      '  real-style corpus: analysed by Gradlens today',
      `  ${'file'.padEnd(20)} ${'tags'.padStart(7)} ${'functions'.padStart(9)} ${'derivatives'.padStart(11)} ${'bugs'.padStart(6)} ${'silent'.padStart(6)}`,
      ...rows.map(line),
      line(total),
      ...rows.flatMap((r) => r.notes.map((n) => `  note ${r.file}: ${n}`)),
      '',
    ];
    console.log(out.join('\n'));
  });
});
