// `gradlens check --format sarif|github`: SARIF 2.1.0 valid against the official schema (the one
// Microsoft's SARIF SDK ships), one rule per code with its documentation page, results on the
// right lines; GitHub workflow commands with their escaping. Exit codes as for the text output.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import Ajv from 'ajv';
import { run, type CliIo } from '../../cli/main';
import { DIAGNOSTIC_CODES, helpUri } from '../../engine/diagnosticCodes';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = 'test/fixtures/cli';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { NO_COLOR: '1' }, cwd: ROOT };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

function sarifValidator(): (x: unknown) => boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
  const ajv = new Ajv({ allErrors: true, schemaId: 'auto', unknownFormats: 'ignore' } as never);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  try { ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json') as object); } catch { /* already there */ }
  const validate = ajv.compile(schema);
  return (x) => {
    const ok = validate(x) as boolean;
    if (!ok) throw new Error(JSON.stringify(validate.errors?.slice(0, 5), null, 1));
    return ok;
  };
}

interface Sarif {
  version: string;
  runs: { tool: { driver: { rules: { id: string; helpUri: string }[] } }; results: { ruleId: string; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[];
}

describe('cli: check --format sarif and --format github', function () {
  this.timeout(60_000);

  it('SARIF 2.1.0 that validates against the official schema, a rule per code, the wrong component located', async () => {
    const { code, stdout } = await cli('check', '--format', 'sarif', `${FIXTURES}/wrong.ts`, `${FIXTURES}/ok.ts`);
    assert.equal(code, 1);
    const log = JSON.parse(stdout) as Sarif;
    assert.ok(sarifValidator()(log));
    assert.equal(log.version, '2.1.0');
    const rules = log.runs[0].tool.driver.rules;
    assert.deepEqual(rules.map((r) => r.id), [...DIAGNOSTIC_CODES]);
    for (const r of rules) assert.equal(r.helpUri, helpUri(r.id as never));
    const gl001 = log.runs[0].results.filter((r) => r.ruleId === 'GL001');
    assert.ok(gl001.length >= 1, stdout);
    const loc = gl001[0].locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uri, `${FIXTURES}/wrong.ts`);
    assert.ok(loc.region.startLine > 1 && loc.region.startColumn >= 1);
    assert.equal(gl001[0].level, 'warning');
  });

  it('a schema violation is caught (the validator is not a rubber stamp)', async () => {
    const { stdout } = await cli('check', '-f', 'sarif', `${FIXTURES}/wrong.ts`);
    const log = JSON.parse(stdout) as { runs: { tool: { driver: Record<string, unknown> } }[] };
    delete log.runs[0].tool.driver.name;
    assert.throws(() => sarifValidator()(log));
  });

  it('GitHub annotations: one workflow command per diagnostic, properties and data escaped', async () => {
    const { code, stdout } = await cli('check', '--format', 'github', `${FIXTURES}/wrong.ts`);
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n');
    const gl001 = lines.find((l) => l.includes('title=GL001'));
    assert.ok(gl001, stdout);
    assert.match(gl001, /^::warning file=test\/fixtures\/cli\/wrong\.ts,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=GL001 Hand-written gradient component disagrees::/);
    // A message's own newlines and percent signs are escaped, so each annotation is one line.
    for (const l of lines) assert.ok(l.startsWith('::'), l);
  });

  it('--json stays the JSON report, and a clean file gives no annotations and exit 0', async () => {
    const json = await cli('check', '--json', `${FIXTURES}/ok.ts`);
    assert.equal(json.code, 0);
    assert.ok(JSON.parse(json.stdout).summary);
    const gh = await cli('check', '-f', 'github', `${FIXTURES}/ok.ts`);
    assert.equal(gh.code, 0);
    assert.ok(!gh.stdout.includes('::error') && !gh.stdout.includes('::warning'), gh.stdout);
  });
});
