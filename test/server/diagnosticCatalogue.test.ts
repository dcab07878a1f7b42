// The catalogue of diagnostics (engine/diagnosticCodes.ts) is the one source of codes, severities,
// documentation links, quick fixes and failing codes: every code has an entry and a page, every
// code the engine emits is catalogued with a severity the catalogue allows, and the server and
// the CLI hard-code no list of codes (they read the catalogue).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DiagnosticCode } from '../../engine/api';
import {
  catalogueSeverity,
  codeOfCheckStatus,
  codesWithQuickFix,
  DIAGNOSTIC_CODES,
  DIAGNOSTICS,
  DOCS_BASE_URL,
  FAILING_CODES,
  helpUri,
  REPOSITORY_URL,
} from '../../engine/diagnosticCodes';
import { FAILING_CODES as CLI_FAILING_CODES } from '../../cli/check';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name)) out.push(p);
    }
  };
  walk(path.join(ROOT, dir));
  return out;
}

const read = (f: string) => fs.readFileSync(f, 'utf8');
const rel = (f: string) => path.relative(ROOT, f);

/** Source without comments (line comments only where `//` does not follow a `:` as in URLs). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

/** The members of the `DiagnosticCode` union, as engine/api.ts declares them. */
function declaredCodes(): string[] {
  const m = /export type DiagnosticCode\s*=([^;]*);/.exec(read(path.join(ROOT, 'engine', 'api.ts')));
  assert.ok(m, 'engine/api.ts declares DiagnosticCode');
  return [...m[1].matchAll(/'(GL\d{3})'/g)].map((x) => x[1]);
}

describe('diagnostic catalogue', () => {
  it('has one entry per DiagnosticCode, in order, each keyed by its own code', () => {
    const declared = declaredCodes();
    assert.ok(declared.length >= 9);
    assert.deepEqual([...DIAGNOSTIC_CODES], [...declared].sort());
    for (const c of DIAGNOSTIC_CODES) {
      const e = DIAGNOSTICS[c];
      assert.equal(e.code, c);
      assert.ok(e.title.length > 0 && e.description.length > 40, `${c} has a title and a description`);
      assert.ok(!e.noteSeverities.includes(e.severity), `${c}: its note severities differ from its severity`);
    }
  });

  it('gives every code a documentation page, which the links point at', () => {
    const pkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as { repository: { url: string } };
    assert.equal(REPOSITORY_URL, pkg.repository.url.replace(/\.git$/, ''), 'the links use package.json repository.url');
    const index = read(path.join(ROOT, 'docs', 'diagnostics', 'README.md'));
    for (const c of DIAGNOSTIC_CODES) {
      const e = DIAGNOSTICS[c];
      assert.equal(e.docPath, `docs/diagnostics/${c}.md`);
      assert.equal(helpUri(c), `https://github.com/gradlens/gradlens/blob/main/docs/diagnostics/${c}.md`);
      assert.equal(helpUri(c), DOCS_BASE_URL + e.docPath);
      const file = path.join(ROOT, e.docPath);
      assert.ok(fs.existsSync(file), `${e.docPath} exists`);
      const page = read(file);
      assert.equal(page.split('\n')[0], `# ${c}: ${e.title}`, `${e.docPath} is headed by its code and title`);
      assert.match(page, new RegExp(`\\*\\*Severity\\*\\* ${e.severity}\\b`), `${e.docPath} states its severity`);
      assert.match(page, new RegExp(`\\*\\*Fails \`gradlens check\`\\*\\* ${e.failsCheck ? 'yes' : 'no'}\\b`), `${e.docPath} says whether it fails the check`);
      for (const heading of ['## What it means', '## Example', '## How to fix', '## Related settings']) {
        assert.ok(page.includes(heading), `${e.docPath} has "${heading}"`);
      }
      for (const s of e.settings) assert.ok(page.includes(s.split(' ')[0]), `${e.docPath} names the setting ${s}`);
      const row = index.split('\n').find((l) => l.startsWith(`| [${c}](${c}.md) |`));
      assert.ok(row, `docs/diagnostics/README.md lists ${c}`);
      assert.ok(row.includes(`| ${e.title} | ${e.severity} | ${e.failsCheck ? 'yes' : 'no'} |`), `the index row of ${c} matches the catalogue: ${row}`);
    }
  });

  it('catalogues every code the engine and the server emit, with a severity it allows', () => {
    const emitted = new Map<string, Set<string>>();
    let literals = 0;
    for (const dir of ['engine', 'server']) {
      for (const f of sources(dir)) {
        const text = code(read(f));
        for (const m of text.matchAll(/code:\s*'(GL\d{3})'(?:\s*,\s*severity:\s*'(\w+)')?|EvalError\(\s*'(GL\d{3})'/g)) {
          const c = (m[1] ?? m[3]) as DiagnosticCode;
          literals++;
          assert.ok(DIAGNOSTIC_CODES.includes(c), `${rel(f)} emits ${c}, which the catalogue lacks`);
          if (m[2]) {
            const allowed = [DIAGNOSTICS[c].severity, ...DIAGNOSTICS[c].noteSeverities];
            assert.ok(allowed.includes(m[2] as never), `${rel(f)} emits ${c} as '${m[2]}'; the catalogue says ${allowed.join(' or ')}`);
          }
          if (!emitted.has(c)) emitted.set(c, new Set());
          emitted.get(c)!.add(rel(f));
        }
      }
    }
    assert.ok(literals > 30, `found ${literals} emitted codes`);
    // Every catalogued code is emitted somewhere (no dead entries).
    for (const c of DIAGNOSTIC_CODES) assert.ok(emitted.has(c), `nothing emits ${c}`);
  });

  it('reads severities, failing codes, quick fixes and check statuses from the entries', () => {
    assert.deepEqual([...FAILING_CODES], ['GL001', 'GL006']);
    assert.deepEqual([...CLI_FAILING_CODES].sort(), [...FAILING_CODES]);
    assert.deepEqual(codesWithQuickFix('fixGradient'), ['GL001', 'GL006']);
    assert.equal(codeOfCheckStatus('wrong'), 'GL001');
    assert.equal(codeOfCheckStatus('shape'), 'GL006');
    assert.equal(codeOfCheckStatus('kink'), 'GL004');
    assert.equal(codeOfCheckStatus('ok'), null);
    assert.equal(catalogueSeverity('GL009', 'error'), 'warning');
    assert.equal(catalogueSeverity('GL007', 'information'), 'information');
    assert.equal(catalogueSeverity('GL007', 'hint'), 'warning');
    assert.equal(catalogueSeverity('GL004'), 'hint');
    assert.equal(catalogueSeverity('GL005', 'warning'), 'error');
  });

  it('server/ and cli/ hard-code no code: they emit (`code: …`) or read the catalogue', () => {
    const offenders: string[] = [];
    for (const dir of ['server', 'cli', 'client']) {
      for (const f of sources(dir)) {
        const lines = code(read(f)).split('\n');
        lines.forEach((line, i) => {
          const rest = line.replace(/code:\s*'GL\d{3}'/g, '').replace(/\bDIAGNOSTICS\.GL\d{3}\b/g, '');
          if (/GL\d{3}/.test(rest)) offenders.push(`${rel(f)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    assert.deepEqual(offenders, [], 'codes written out in server/, cli/ or client/ (use engine/diagnosticCodes.ts)');
  });

  it('the server, the CLI and the code lens import the catalogue', () => {
    for (const f of ['server/toLsp.ts', 'server/codeActions.ts', 'server/codeLens.ts', 'cli/check.ts', 'engine/codegen/generate.ts']) {
      assert.match(read(path.join(ROOT, f)), /from '\.\.?\/(\.\.\/)?(engine\/)?diagnosticCodes'/, `${f} reads the catalogue`);
    }
  });
});
