// `gradlens check` on every core and in shards: the same report as one core, file for file; the
// shards of a run partition its files.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { run, type CliIo } from '../../cli/main';
import { parseShard, shardOf } from '../../cli/parallel';

const ROOT = path.resolve(__dirname, '../../..');

async function cli(...argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const io: CliIo = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => undefined }, env: { NO_COLOR: '1' }, cwd: ROOT };
  return { code: await run(argv, io), stdout };
}

interface Report { failed: boolean; summary: { files: number }; files: { file: string }[] }

describe('cli: check on every core, and in shards', function () {
  this.timeout(120_000);

  it('reports with 3 workers exactly what one core reports', async () => {
    const one = await cli('check', '--json', '-j', '1', 'examples', 'test/fixtures/cli');
    const three = await cli('check', '--json', '-j', '3', 'examples', 'test/fixtures/cli');
    assert.equal(three.code, one.code);
    const a = JSON.parse(one.stdout) as Report;
    const b = JSON.parse(three.stdout) as Report;
    assert.ok(a.summary.files >= 8, `only ${a.summary.files} files`);
    assert.deepEqual(b, a);
  });

  it('the shards of a run partition its files, and their failures add up', async () => {
    const whole = JSON.parse((await cli('check', '--json', 'examples')).stdout) as Report;
    const parts = await Promise.all([1, 2, 3].map((i) => cli('check', '--json', '--shard', `${i}/3`, 'examples')));
    const reports = parts.map((p) => JSON.parse(p.stdout) as Report);
    const files = reports.flatMap((r) => r.files.map((f) => f.file)).sort();
    assert.deepEqual(files, whole.files.map((f) => f.file).sort());
    assert.equal(new Set(files).size, files.length);
    assert.equal(reports.filter((r) => r.failed).length, 1, 'the one wrong gradient (Black–Scholes rho) fails exactly one shard');
    assert.deepEqual(parts.map((p) => p.code).sort(), [0, 0, 1]);
  });

  it('--shard takes i/n with 1 ≤ i ≤ n', async () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.equal(typeof parseShard('0/4'), 'string');
    assert.equal(typeof parseShard('5/4'), 'string');
    assert.equal(typeof parseShard('x'), 'string');
    assert.deepEqual(shardOf(['c', 'a', 'b', 'd'], { index: 1, count: 2 }), ['a', 'c']);
    assert.equal((await cli('check', '--shard', '3/2', 'examples')).code, 2);
  });
});
