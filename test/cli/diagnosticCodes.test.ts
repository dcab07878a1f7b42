// The CLI reads the diagnostic catalogue: failing codes, the codes in its status texts, the
// severities it prints, and `helpUri` (each code's documentation page) in its JSON output.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { FAILING_CODES, FAILING_CODES_TEXT, runCheck, type CheckResult } from '../../cli/check';
import { run, type CliIo } from '../../cli/main';
import { DIAGNOSTICS, FAILING_CODES as CATALOGUE_FAILING, helpUri } from '../../engine/diagnosticCodes';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = 'test/fixtures/cli';

interface JsonDiagnostic { code: keyof typeof DIAGNOSTICS; severity: string; helpUri: string | null }
interface CheckJson {
  files: { diagnostics: JsonDiagnostic[]; functions: { diagnostics: JsonDiagnostic[] }[] }[];
}

function check(...inputs: string[]): CheckResult {
  return runCheck(inputs.map((i) => `${FIXTURES}/${i}`), { cwd: ROOT, options: {} });
}

describe('cli: the diagnostic catalogue', () => {
  it('fails on the catalogue\'s failing codes', () => {
    assert.deepEqual([...FAILING_CODES].sort(), [...CATALOGUE_FAILING]);
    assert.equal(FAILING_CODES_TEXT, CATALOGUE_FAILING.join('/'));
    assert.equal(check('wrong.ts').failed, true);
    assert.equal(check('shape.ts').failed, true);
    assert.equal(check('ok.ts').failed, false);
  });

  it('gives every diagnostic of the JSON output its documentation page and catalogue severity', () => {
    const json = check('wrong.ts', 'shape.ts', 'warnings').json as CheckJson;
    const all = json.files.flatMap((f) => [...f.diagnostics, ...f.functions.flatMap((fn) => fn.diagnostics)]);
    assert.ok(all.length >= 4, JSON.stringify(all));
    for (const d of all) {
      assert.equal(d.helpUri, helpUri(d.code));
      assert.match(d.helpUri!, /^https:\/\/github\.com\/gradlens\/gradlens\/blob\/main\/docs\/diagnostics\/GL\d{3}\.md$/);
      assert.ok([DIAGNOSTICS[d.code].severity, ...DIAGNOSTICS[d.code].noteSeverities].includes(d.severity as never), `${d.code} ${d.severity}`);
    }
    assert.ok(all.some((d) => d.code === 'GL001') && all.some((d) => d.code === 'GL006'));
  });

  it('lists the codes, their titles and where they are documented in `check --help`', async () => {
    let out = '';
    const io: CliIo = { stdout: { write: (s: string) => { out += s; } }, stderr: { write: () => undefined }, env: {}, cwd: ROOT };
    assert.equal(await run(['check', '--help'], io), 0);
    assert.ok(out.includes('https://github.com/gradlens/gradlens/blob/main/docs/diagnostics/<code>.md'), out);
    for (const [code, e] of Object.entries(DIAGNOSTICS)) {
      assert.ok(out.includes(`${code}  ${e.title}${e.failsCheck ? ' (fails the check)' : ''}\n`), `${code} in:\n${out}`);
    }
    assert.ok(out.includes(`(${FAILING_CODES_TEXT}, marked`));
  });
});
