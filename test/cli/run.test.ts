// The CLI in-process through `run()`, with fake streams: what only a terminal sees (colour,
// progress redrawn in place) without needing a pseudo-terminal.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { run, type CliIo } from '../../cli/main';

const ROOT = path.resolve(__dirname, '../../..');

function fakeIo(tty: boolean, env: NodeJS.ProcessEnv = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (s: string) => out.push(s), isTTY: tty },
    stderr: { write: (s: string) => err.push(s), isTTY: tty },
    env,
    cwd: ROOT,
  };
}

describe('cli: run() on a terminal', function () {
  this.timeout(120_000);
  const fourteenFiles = ['examples', 'test/fixtures/cli']; // 14 files or more

  it('redraws progress in place on a TTY for 10 files or more, and clears it at the end', async () => {
    const io = fakeIo(true);
    const code = await run(['check', ...fourteenFiles], io);
    assert.equal(code, 1);
    const err = io.err.join('');
    assert.ok(err.includes('\r\x1b[K'), 'progress is redrawn with carriage return + erase line');
    // As many as the two folders hold (examples/ grows): every file counted, the last one shown.
    const total = Number(/\[1\/(\d+)\] /.exec(err)?.[1]);
    assert.ok(total >= 14, err);
    assert.ok(err.includes(`[${total}/${total}] `), err);
    assert.ok(err.endsWith('\r\x1b[K'), 'the progress line is cleared');
    assert.ok(!err.includes('\n'), 'no progress lines are left behind');
  });

  it('shows no progress for fewer than 10 files, nor with --no-progress', async () => {
    const few = fakeIo(true);
    await run(['check', 'test/fixtures/cli'], few);
    assert.equal(few.err.join(''), '');
    const off = fakeIo(true);
    await run(['check', '--no-progress', ...fourteenFiles], off);
    assert.equal(off.err.join(''), '');
  });

  it('colours a TTY unless NO_COLOR is set', async () => {
    const tty = fakeIo(true);
    await run(['check', 'test/fixtures/cli/wrong.ts'], tty);
    assert.match(tty.out.join(''), /\x1b\[31m✗\x1b\[39m/);
    const noColor = fakeIo(true, { NO_COLOR: '1' });
    await run(['check', 'test/fixtures/cli/wrong.ts'], noColor);
    assert.doesNotMatch(noColor.out.join(''), /\x1b\[/);
  });

  it('returns 2 and prints usage on stderr with no arguments', async () => {
    const io = fakeIo(false);
    assert.equal(await run([], io), 2);
    assert.match(io.err.join(''), /Usage: gradlens/);
  });
});
