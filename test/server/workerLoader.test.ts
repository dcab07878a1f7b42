// dist/workerLoader.js runs the analysis worker's bundle (and the CLI's, for its check workers)
// through V8's code cache: the cache is written after the warm-up, and a broken or stale cache is
// rejected and rewritten, never fatal.
// V8 runs any cache made from a source of the same length, so the cache is kept like code: in a
// private per-user folder, checked (owner, permissions, no symlink, SHA-256 of the exact source)
// before use, and written under a random name with O_EXCL. Each test gets its own
// XDG_CACHE_HOME and TMPDIR (the worker's environment), so nothing here touches the real ones.

import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { WORKER_ROLE } from '../../server/analysisRunner';
import { engineFlags } from '../../server/workerLoader';
import { CHECK_WORKER_ROLE } from '../../cli/parallel';
import { decodeAnalysis, type FileAnalysisDelta } from '../../server/workerProtocol';
import type { FileAnalysis } from '../../engine/api';
import serverProcess from '../../server/processOptions.json';

const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');
const BUNDLE = path.join(DIST, 'analysisWorker.js');
/** The CLI's bundle, run by the loader in the CLI's main thread (dist/cli.js) and check workers. */
const CLI_BUNDLE = path.join(DIST, 'cliMain.js');
const posix = process.platform !== 'win32';
const isRoot = posix && process.getuid?.() === 0;

/** The source the loader compiles: the bundle in Node's CommonJS wrapper. */
function wrappedSource(bundle = BUNDLE): string {
  return `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(bundle, 'utf8')}\n});`;
}

/** The cache file's name and header, as server/workerLoader.ts writes them (`cli-` for the CLI's bundle). */
function cacheFormat(bundle = BUNDLE): { name: string; header: Buffer } {
  const key = crypto.createHash('sha256').update(`${process.version}\0${process.versions.v8}\0${process.arch}\0${v8.cachedDataVersionTag()}\0`).update(wrappedSource(bundle)).digest('hex');
  const prefix = bundle === CLI_BUNDLE ? 'cli-' : 'worker-';
  return { name: `${prefix}${process.version}-${process.arch}-${key.slice(0, 16)}.v8cache`, header: Buffer.from(`gradlens-v8-code-cache 1\n${key}\n`, 'latin1') };
}

/**
 * V8 code cache of a source as long as the real one whose code writes `marker`: what an attacker
 * able to write the cache would plant. V8 checks only the length, so it would run.
 */
function hostileCache(marker: string, bundle = BUNDLE): Buffer {
  const wrapped = wrappedSource(bundle);
  const head = `(function (exports, require, module, __filename, __dirname) { require('fs').writeFileSync(${JSON.stringify(marker)}, 'planted code ran'); /*`;
  const tail = '*/\n});';
  const hostile = head + ' '.repeat(wrapped.length - head.length - tail.length) + tail;
  assert.equal(hostile.length, wrapped.length);
  return new vm.Script(hostile, { filename: bundle }).createCachedData();
}

interface Sandbox {
  root: string;
  /** XDG_CACHE_HOME of the worker. */
  xdg: string;
  /** The loader's cache folder in it. */
  dir: string;
  /** TMPDIR of the worker. */
  tmp: string;
  marker: string;
  env: NodeJS.ProcessEnv;
}

const sandboxes: string[] = [];

function sandbox(): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-loader-'));
  sandboxes.push(root);
  const xdg = path.join(root, 'cache');
  const tmp = path.join(root, 'tmp');
  fs.mkdirSync(xdg);
  fs.mkdirSync(tmp);
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: xdg, TMPDIR: tmp, TMP: tmp, TEMP: tmp, LOCALAPPDATA: xdg };
  const dir = process.platform === 'win32' ? path.join(xdg, 'gradlens', 'Cache') : path.join(xdg, 'gradlens');
  return { root, xdg, dir, tmp, marker: path.join(root, 'marker'), env };
}

type Outcome = { ok: boolean; analysis?: FileAnalysis; delta?: FileAnalysisDelta };
type Run = { answered: true; outcome: Outcome } | { answered: false };

/** Starts a worker through the loader and asks for an analysis: its outcome, or none when the worker exited first. */
async function analyseOnce(env: NodeJS.ProcessEnv): Promise<Run> {
  const worker = new Worker(path.join(DIST, 'workerLoader.js'), { workerData: { role: WORKER_ROLE }, env });
  try {
    return await new Promise<Run>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker neither answered nor exited')), 30_000);
      worker.on('error', (e) => { clearTimeout(timer); reject(e); });
      worker.on('exit', () => { clearTimeout(timer); resolve({ answered: false }); });
      // The worker also reports progress ({ type: 'progress' }); the outcome is the untyped message.
      worker.on('message', (m: { type?: string; outcome: Outcome }) => {
        if (m.type === undefined) { clearTimeout(timer); resolve({ answered: true, outcome: m.outcome }); }
      });
      worker.postMessage({ type: 'analyze', id: 1, job: { uri: 'file:///t.ts', text: '/** @differentiable\n * @at x = 2 */\nfunction f(x: number): number { return x * x; }', options: {} } });
    });
  } finally {
    await worker.terminate();
  }
}

async function assertAnalyses(env: NodeJS.ProcessEnv): Promise<void> {
  const r = await analyseOnce(env);
  assert.ok(r.answered, 'the worker exited without answering (planted code ran instead of the bundle?)');
  assert.ok(r.outcome.ok);
  // The worker sends a document's analysis as a delta (against nothing, the first time).
  const analysis = r.outcome.delta ? decodeAnalysis(r.outcome.delta, undefined)!.analysis : r.outcome.analysis!;
  assert.deepEqual(analysis.functions[0]!.gradient, { x: 4 });
}

function cacheFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.v8cache')) : [];
}

/** Plants `data` as the cache (of `bundle`), with the right header unless told otherwise, mode 0600. */
function plant(s: Sandbox, data: Buffer, header: Buffer | null = cacheFormat().header, at?: string, bundle = BUNDLE): string {
  if (!at) fs.mkdirSync(s.dir, { recursive: true, mode: 0o700 });
  const file = at ?? path.join(s.dir, cacheFormat(bundle).name);
  fs.writeFileSync(file, header ? Buffer.concat([header, data]) : data, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

const CHECKED = '/** @differentiable\n * @gradient fGrad\n * @at x = 2 */\nexport function f(x: number): number { return x * x; }\nexport function fGrad(x: number): number { return 3 * x; }\n';

/** Starts a CLI check worker through the loader (`bundle` in its workerData) and has it check one file: its analysis, or null when the worker exited or failed first. */
async function checkOnce(s: Sandbox, bundle: unknown = 'cli'): Promise<{ analysis: FileAnalysis } | null> {
  const file = path.join(s.root, 'm.ts');
  fs.writeFileSync(file, CHECKED);
  const worker = new Worker(path.join(DIST, 'workerLoader.js'), { workerData: { role: CHECK_WORKER_ROLE, bundle }, env: s.env });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the check worker neither answered nor exited')), 30_000);
      worker.on('error', () => { clearTimeout(timer); resolve(null); });
      worker.on('exit', () => { clearTimeout(timer); resolve(null); });
      worker.on('message', (m: { ready?: true; report?: { analysis: FileAnalysis } }) => {
        if (m.ready) worker.postMessage({ id: 0, file, shown: 'm.ts', options: {} });
        else { clearTimeout(timer); resolve({ analysis: m.report!.analysis }); }
      });
    });
  } finally {
    await worker.terminate();
  }
}

/** The check worker's report of CHECKED: the hand-written gradient is wrong (3x for 2x). */
async function assertChecks(s: Sandbox): Promise<void> {
  const r = await checkOnce(s);
  assert.ok(r, 'the check worker exited without answering (planted code ran instead of the bundle?)');
  assert.deepEqual(r.analysis.functions[0]!.gradient, { x: 4 });
  assert.ok(r.analysis.functions[0]!.diagnostics.some((d) => d.code === 'GL001'), 'the wrong hand-written gradient is reported');
}

describe('server: the analysis worker loader and its code cache', function () {
  this.timeout(120_000);
  after(() => { for (const d of sandboxes) fs.rmSync(d, { recursive: true, force: true }); });

  it('writes the cache in a private per-user folder after a warm-up (0700 folder, 0600 file, SHA-256 header), and works from it', async () => {
    const s = sandbox();
    await assertAnalyses(s.env);
    const { name, header } = cacheFormat();
    const file = path.join(s.dir, name);
    assert.ok(fs.existsSync(file) && fs.statSync(file).size > 100_000, `no code cache was written: ${fs.readdirSync(s.xdg)}`);
    assert.ok(fs.readFileSync(file).subarray(0, header.length).equals(header), 'the cache does not start with the hash of the source');
    if (posix) {
      assert.equal(fs.statSync(s.dir).mode & 0o777, 0o700);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    }
    assert.deepEqual(fs.readdirSync(s.tmp), [], 'the temp folder is not used');
    assert.deepEqual(fs.readdirSync(s.dir).filter((n) => n.endsWith('.tmp')), [], 'a temporary file was left behind');
    const before = fs.statSync(file).mtimeMs;
    await assertAnalyses(s.env);
    assert.equal(fs.statSync(file).mtimeMs, before, 'an accepted cache is not rewritten');
  });

  it('with no cache, a child process makes it before the worker compiles (its parser memory is given back when it exits), once', async () => {
    const s = sandbox();
    // A script every node process of the worker's environment loads first: it notes the priming children.
    const spy = path.join(s.root, 'spy.js');
    const log = path.join(s.root, 'primed.log');
    fs.writeFileSync(spy, `if (process.env.GRADLENS_PRIME_CODE_CACHE) require('fs').appendFileSync(${JSON.stringify(log)}, process.pid + '\\n');`);
    const env = { ...s.env, NODE_OPTIONS: `--require ${spy}` };
    await assertAnalyses(env);
    assert.equal(fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n').length : 0, 1, 'no child process made the cache');
    const file = path.join(s.dir, cacheFormat().name);
    const made = fs.statSync(file).mtimeMs;
    await assertAnalyses(env);
    assert.equal(fs.readFileSync(log, 'utf8').trim().split('\n').length, 1, 'a cache there is used: no child');
    assert.equal(fs.statSync(file).mtimeMs, made, 'the child\'s cache was rejected and written again');
  });

  it('a server started with the client\'s node flags is primed under them and uses that cache; one started without keeps a file of its own', async () => {
    const s = sandbox();
    // A process started as the client starts the server: the loader's worker in it, one analysis.
    const script = `const { Worker } = require('node:worker_threads');
      const w = new Worker(${JSON.stringify(path.join(DIST, 'workerLoader.js'))}, { workerData: { role: ${JSON.stringify(WORKER_ROLE)} } });
      w.on('message', (m) => { if (m.type === undefined) { process.stdout.write(String(m.outcome.ok)); process.exit(0); } });
      w.postMessage({ type: 'analyze', id: 1, job: { uri: 'file:///t.ts', text: 'function f(x: number): number { return x; }', options: {} } });`;
    const asTheClientStartsIt = () => spawnSync(process.execPath, [...serverProcess.nodeArgs, '-e', script], { env: { ...s.env, ...serverProcess.env }, encoding: 'utf8', timeout: 60_000 });
    assert.ok(serverProcess.nodeArgs.length > 0, 'the client passes node flags (else this test checks nothing)');
    assert.equal(asTheClientStartsIt().stdout, 'true');
    // (V8 rejects a cache made under other flags: the priming child's must have had the server's,
    // or the worker compiles the bundle itself and writes a second file)
    const files = cacheFiles(s.dir);
    assert.equal(files.length, 1, `one cache, the priming child's: ${files.join(', ')}`);
    const file = files[0]!;
    const made = fs.statSync(path.join(s.dir, file)).mtimeMs;
    assert.equal(asTheClientStartsIt().stdout, 'true');
    assert.equal(fs.statSync(path.join(s.dir, file)).mtimeMs, made, 'the cache made by the priming child was rejected and written again');
    await assertAnalyses(s.env);
    assert.equal(cacheFiles(s.dir).length, 2, 'a server without the flags shares the file of one with them (and each rejects the other\'s)');
    assert.equal(fs.statSync(path.join(s.dir, file)).mtimeMs, made);
  });

  it('the priming child takes the V8 flags of the process, not an option that runs code or a tool', () => {
    assert.deepEqual(engineFlags(['--max-semi-space-size=2', '-e', 'run()', '--eval', 'x', '--require', 'spy.js', '--require=spy.js', '-r', 'spy.js', '--import=./a.mjs', '--inspect=6011', '--cpu-prof', '--no-lazy', '--stack-size=900']),
      ['--max-semi-space-size=2', '--no-lazy', '--stack-size=900']);
  });

  it('a child that fails to make the cache only means that the worker compiles itself (and writes the cache after its warm-up)', async () => {
    const s = sandbox();
    const spy = path.join(s.root, 'spy.js');
    fs.writeFileSync(spy, `if (process.env.GRADLENS_PRIME_CODE_CACHE) process.exit(3);`);
    await assertAnalyses({ ...s.env, NODE_OPTIONS: `--require ${spy}` });
    assert.equal(cacheFiles(s.dir).length, 1, 'the worker wrote no cache');
  });

  it('a corrupt cache is rejected by V8 and replaced', async () => {
    const s = sandbox();
    const file = plant(s, Buffer.from('not a code cache'));
    await assertAnalyses(s.env);
    assert.ok(fs.statSync(file).size > 100_000, 'the corrupt cache was not rewritten');
  });

  it('control: a planted cache that passes every check runs its code (so the checks below are what protects)', async () => {
    const s = sandbox();
    plant(s, hostileCache(s.marker));
    const r = await analyseOnce(s.env);
    assert.equal(r.answered, false);
    assert.ok(fs.existsSync(s.marker), 'the hostile cache did not run: the tests below would prove nothing');
  });

  it('a planted cache of another source of the same length is not run: no header (the old format), or the hash of another source', async () => {
    for (const header of [null, Buffer.from(`gradlens-v8-code-cache 1\n${crypto.createHash('sha256').update('another source').digest('hex')}\n`, 'latin1')]) {
      const s = sandbox();
      const file = plant(s, hostileCache(s.marker), header);
      await assertAnalyses(s.env);
      assert.ok(!fs.existsSync(s.marker), 'planted bytecode ran');
      assert.ok(fs.readFileSync(file).subarray(0, cacheFormat().header.length).equals(cacheFormat().header), 'the rejected cache was not replaced');
    }
  });

  it('a planted cache that others can write, or that is reached through a symlink, is not run', async function () {
    if (!posix) this.skip();
    // group- and world-writable
    for (const mode of [0o620, 0o606]) {
      const s = sandbox();
      const file = plant(s, hostileCache(s.marker));
      fs.chmodSync(file, mode);
      await assertAnalyses(s.env);
      assert.ok(!fs.existsSync(s.marker), `planted bytecode ran from a file of mode ${mode.toString(8)}`);
    }
    // a symlink at the cache's name, to a file that passes every other check
    const s = sandbox();
    const target = plant(s, hostileCache(s.marker), undefined, path.join(s.root, 'elsewhere.v8cache'));
    const before = fs.readFileSync(target);
    fs.mkdirSync(s.dir, { recursive: true, mode: 0o700 });
    const link = path.join(s.dir, cacheFormat().name);
    fs.symlinkSync(target, link);
    await assertAnalyses(s.env);
    assert.ok(!fs.existsSync(s.marker), 'planted bytecode ran through a symlink');
    assert.ok(fs.readFileSync(target).equals(before), 'the write followed the symlink');
    assert.ok(!fs.lstatSync(link).isSymbolicLink(), 'the symlink was not replaced by the new cache');
  });

  it('a cache folder that is a symlink, or is open to others, or belongs to another user is not used', async function () {
    if (!posix) this.skip();
    // the folder is a symlink to a folder holding a cache that passes every other check
    {
      const s = sandbox();
      const real = path.join(s.root, 'real');
      fs.mkdirSync(real, { mode: 0o700 });
      plant(s, hostileCache(s.marker), undefined, path.join(real, cacheFormat().name));
      fs.symlinkSync(real, s.dir);
      await assertAnalyses(s.env);
      assert.ok(!fs.existsSync(s.marker), 'planted bytecode ran from a symlinked folder');
      assert.deepEqual(fs.readdirSync(real), [cacheFormat().name], 'the loader wrote into the symlinked folder');
    }
    // our own folder left open (0777): closed to 0700 before use
    {
      const s = sandbox();
      fs.mkdirSync(s.dir);
      fs.chmodSync(s.dir, 0o777);
      await assertAnalyses(s.env);
      assert.equal(fs.statSync(s.dir).mode & 0o777, 0o700);
    }
    if (!isRoot) return; // chown needs root
    // a folder or a file of another user (nobody), as another local user would plant them
    for (const what of ['folder', 'file'] as const) {
      const s = sandbox();
      const file = plant(s, hostileCache(s.marker));
      fs.chownSync(what === 'folder' ? s.dir : file, 65534, 65534);
      await assertAnalyses(s.env);
      assert.ok(!fs.existsSync(s.marker), `planted bytecode ran from a ${what} of another user`);
      if (what === 'folder') assert.deepEqual(fs.readdirSync(s.dir), [cacheFormat().name], 'the loader wrote into a folder of another user');
    }
  });

  it('symlinks planted at the old predictable names in the temp folder are not followed (the temp folder is not used)', async function () {
    if (!posix) this.skip();
    const s = sandbox();
    const victim = path.join(s.root, 'victim.txt');
    fs.writeFileSync(victim, 'precious');
    const source = fs.readFileSync(BUNDLE, 'utf8');
    const oldHash = crypto.createHash('sha1').update(source).digest('hex').slice(0, 16);
    const oldCache = path.join(s.tmp, `gradlens-worker-${process.version}-${oldHash}.v8cache`);
    fs.symlinkSync(victim, oldCache);
    fs.symlinkSync(victim, `${oldCache}.${process.pid}.tmp`);
    await assertAnalyses(s.env);
    assert.equal(fs.readFileSync(victim, 'utf8'), 'precious');
    assert.equal(cacheFiles(s.dir).length, 1, 'the cache went to the private folder');
    assert.deepEqual(fs.readdirSync(s.tmp).sort(), [path.basename(oldCache), `${path.basename(oldCache)}.${process.pid}.tmp`].sort());
  });

  it('keeps a few caches of other versions and prunes older ones', async () => {
    const s = sandbox();
    fs.mkdirSync(s.dir, { recursive: true, mode: 0o700 });
    for (let i = 0; i < 6; i++) {
      const f = path.join(s.dir, `worker-v0.0.${i}-x64-0000000000000000.v8cache`);
      fs.writeFileSync(f, 'old', { mode: 0o600 });
      fs.utimesSync(f, new Date(1000 * i), new Date(1000 * i));
    }
    await assertAnalyses(s.env);
    const left = cacheFiles(s.dir).sort();
    assert.equal(left.length, 4, left.join(', '));
    assert.ok(left.includes(cacheFormat().name));
    for (const i of [3, 4, 5]) assert.ok(left.includes(`worker-v0.0.${i}-x64-0000000000000000.v8cache`), `the newest old caches are kept: ${left}`);
  });

  describe('the CLI\'s bundle (the check workers of `gradlens check --jobs`)', () => {
    it('writes its own cache privately after the first file (0600 in the 0700 folder, SHA-256 header), reuses it, and leaves the analysis worker\'s alone', async () => {
      const s = sandbox();
      await assertChecks(s);
      const { name, header } = cacheFormat(CLI_BUNDLE);
      const file = path.join(s.dir, name);
      assert.ok(fs.existsSync(file) && fs.statSync(file).size > 100_000, `no code cache was written for the CLI: ${cacheFiles(s.dir)}`);
      assert.ok(fs.readFileSync(file).subarray(0, header.length).equals(header), 'the cache does not start with the hash of the CLI\'s source');
      if (posix) {
        assert.equal(fs.statSync(s.dir).mode & 0o777, 0o700);
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      }
      assert.deepEqual(fs.readdirSync(s.tmp), [], 'the temp folder is not used');
      const before = fs.statSync(file).mtimeMs;
      await assertChecks(s);
      assert.equal(fs.statSync(file).mtimeMs, before, 'an accepted cache is not rewritten');
      // the analysis worker's cache is another file; each keeps the other
      await assertAnalyses(s.env);
      assert.deepEqual(cacheFiles(s.dir).sort(), [name, cacheFormat().name].sort());
    });

    it('a corrupt cache is rejected and replaced', async () => {
      const s = sandbox();
      const file = plant(s, Buffer.from('not a code cache'), cacheFormat(CLI_BUNDLE).header, undefined, CLI_BUNDLE);
      await assertChecks(s);
      assert.ok(fs.statSync(file).size > 100_000, 'the corrupt cache was not rewritten');
    });

    it('planted bytecode runs under the right header (control), and not under the hash of another source or the analysis worker\'s', async () => {
      const control = sandbox();
      plant(control, hostileCache(control.marker, CLI_BUNDLE), cacheFormat(CLI_BUNDLE).header, undefined, CLI_BUNDLE);
      assert.equal(await checkOnce(control), null);
      assert.ok(fs.existsSync(control.marker), 'the hostile cache did not run: the test below would prove nothing');
      for (const header of [Buffer.from(`gradlens-v8-code-cache 1\n${crypto.createHash('sha256').update('another source').digest('hex')}\n`, 'latin1'), cacheFormat().header]) {
        const s = sandbox();
        plant(s, hostileCache(s.marker, CLI_BUNDLE), header, undefined, CLI_BUNDLE);
        await assertChecks(s);
        assert.ok(!fs.existsSync(s.marker), 'planted bytecode ran');
      }
    });

    it('the `gradlens` command (dist/cli.js) runs the bundle in its main thread through the same cache: written after the first file, then used; planted bytecode under another hash is not run', () => {
      const s = sandbox();
      const file = path.join(s.root, 'm.ts');
      fs.writeFileSync(file, CHECKED);
      const check = () => {
        const r = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'check', file, '--json'], { env: s.env, encoding: 'utf8', timeout: 60_000 });
        assert.equal(r.status, 1, `the wrong gradient fails the check: ${r.stderr}`);
        const report = JSON.parse(r.stdout) as { files: { functions: { gradient: unknown; status: string }[] }[] };
        assert.deepEqual(report.files[0]!.functions[0]!.gradient, { x: 4 });
      };
      check();
      const { name, header } = cacheFormat(CLI_BUNDLE);
      const cache = path.join(s.dir, name);
      assert.ok(fs.existsSync(cache) && fs.readFileSync(cache).subarray(0, header.length).equals(header), `no cache of the CLI's bundle: ${cacheFiles(s.dir)}`);
      if (posix) assert.equal(fs.statSync(cache).mode & 0o777, 0o600);
      const before = fs.statSync(cache).mtimeMs;
      check();
      assert.equal(fs.statSync(cache).mtimeMs, before, 'an accepted cache is not rewritten');
      const hostile = sandbox();
      plant(hostile, hostileCache(hostile.marker, CLI_BUNDLE), Buffer.from(`gradlens-v8-code-cache 1\n${crypto.createHash('sha256').update('another source').digest('hex')}\n`, 'latin1'), undefined, CLI_BUNDLE);
      const r = spawnSync(process.execPath, [path.join(DIST, 'cli.js'), 'check', file, '--json'], { env: hostile.env, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 1, r.stderr);
      assert.ok(!fs.existsSync(hostile.marker), 'planted bytecode ran');
    });

    it('loadBundle, as dist/cli.js calls it, runs only a bundle of its list', () => {
      for (const name of ['../cliMain.js', CLI_BUNDLE, 'cli.js', '__proto__', 'toString']) {
        const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(DIST, 'workerLoader.js'))}).loadBundle(${JSON.stringify(name)})`], { encoding: 'utf8', timeout: 30_000, env: sandbox().env });
        assert.notEqual(r.status, 0, `the loader ran ${name}`);
        assert.match(r.stderr, /no bundle named/);
      }
    });

    it('runs only a bundle of its list: a path or an unknown name in workerData runs nothing', async () => {
      for (const bundle of ['../cliMain.js', CLI_BUNDLE, 'cliMain.js', 'cli.js', 'toString', 7]) {
        const s = sandbox();
        assert.equal(await checkOnce(s, bundle), null, `the loader ran ${String(bundle)}`);
        assert.deepEqual(cacheFiles(s.dir), []);
      }
    });
  });
});
