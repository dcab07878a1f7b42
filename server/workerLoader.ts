// dist/workerLoader.js runs a bundle of the engine and the TypeScript compiler (several MB) through
// V8's code cache: the language server's analysis worker (dist/analysisWorker.js; a fresh worker
// answers its first analysis ~0.2 s sooner, measured ~190 ms against ~375 ms), and the CLI
// (dist/cliMain.js) in its check workers and, required by dist/cli.js, in its main thread (a
// `gradlens` start takes ~0.25 s, not ~0.55: compiling 5.6 MB of minified JavaScript is most of it).
// The bundle is named from a fixed list (BUNDLES), never a path, and each has its own cache file.
//
// V8 runs whatever bytecode a cache holds as long as the cache was made from a source of the same
// length: it does not checksum the source. So a cache is code, and it is kept and checked like code:
// - in a private per-user folder (cacheDir: $XDG_CACHE_HOME/gradlens or ~/.cache/gradlens;
//   ~/Library/Caches/gradlens on macOS, %LOCALAPPDATA%\gradlens\Cache on Windows), created with
//   mode 0700 and used only when it is a real folder (no symlink) of this user that nobody else can
//   enter; never the shared temp folder;
// - read without following a symlink, and used only when it is a regular file of this user that
//   nobody else can write, with one link, that starts with the SHA-256 of the exact source it was
//   made from (and Node's and V8's versions);
// - written under a random name created exclusively (O_EXCL, mode 0600), then renamed into place.
// Anything else, or any failure, means a plain compile (and no cache written).
//
// With no cache, the analysis worker has a child process of this script make it first (PRIME_ENV),
// then loads it: compiling the bundle takes V8 ~39 MB of malloc'd parser memory, which the worker's
// malloc arena keeps mapped for the rest of the session (+35-50 MB of resident memory with a
// 50,000-line file open, on the first start after every install or upgrade of the extension or of
// the runtime); in a process of its own it is given back when that process exits.

import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { isMainThread, workerData } from 'node:worker_threads';

/** The bundles this loader runs, by the name a starter gives (workerData.bundle, loadBundle), and the prefix of each one's cache file. */
const BUNDLES = {
  analysis: { file: 'analysisWorker.js', cachePrefix: 'worker-' },
  cli: { file: 'cliMain.js', cachePrefix: 'cli-' },
} as const;

export type BundleName = keyof typeof BUNDLES;

/** `name` when it is one of BUNDLES (never a path); throws otherwise. */
function bundleNamed(name: unknown): BundleName {
  if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(BUNDLES, name)) throw new Error(`workerLoader: no bundle named ${String(name)}`);
  return name as BundleName;
}

/** The bundle workerData names; the analysis worker's when it names none (the language server's). */
function chosenBundle(): BundleName {
  return bundleNamed((workerData as { bundle?: unknown } | null)?.bundle ?? 'analysis');
}

/** Set (to '1') in the environment of the child process that makes the analysis worker's cache and exits. */
const PRIME_ENV = 'GRADLENS_PRIME_CODE_CACHE';

const MAGIC = 'gradlens-v8-code-cache 1\n';
const CACHE_SUFFIX = '.v8cache';
/** Cache files of a bundle kept in the folder (other versions of the extension, other Node versions). */
const KEEP = 4;
const MAX_CACHE_BYTES = 256 * 1024 * 1024;
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const posix = process.platform !== 'win32' && typeof process.getuid === 'function';

/** A bundle's cache file: its name, its header (the exact source, Node, V8 and the architecture it belongs to), its bundle's prefix. */
interface CacheFile { name: string; header: Buffer; prefix: string }

/** The per-user cache folder, or null when there is no good place for one. */
function cacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (process.platform === 'win32') {
    const local = env.LOCALAPPDATA;
    return local && path.isAbsolute(local) ? path.join(local, 'gradlens', 'Cache') : null;
  }
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'gradlens');
  let home: string;
  try { home = os.homedir(); } catch { return null; }
  if (!home || !path.isAbsolute(home)) return null;
  return process.platform === 'darwin' ? path.join(home, 'Library', 'Caches', 'gradlens') : path.join(home, '.cache', 'gradlens');
}

/** Owned by this user, and nobody else may write it (`mask` 0o022) or enter it (0o077). */
function ours(st: fs.Stats, mask: number): boolean {
  if (!posix) return true;
  return st.uid === process.getuid!() && (st.mode & mask) === 0;
}

/** Creates the folder (mode 0700) if needed; true when it is a real folder of this user, closed to others. */
function privateFolder(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    let st = fs.lstatSync(dir);
    if (!st.isDirectory() || st.isSymbolicLink()) return false;
    if (posix && st.uid !== process.getuid!()) return false;
    if (!ours(st, 0o077)) {
      // Our own folder, left open by someone's umask or chmod: close it, then look again.
      fs.chmodSync(dir, 0o700);
      st = fs.lstatSync(dir);
      if (!st.isDirectory() || !ours(st, 0o077)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** The cached data in `file`, when every check passes. */
function readCache(file: string, header: Buffer): Buffer | undefined {
  let fd: number;
  try {
    if (fs.lstatSync(file).isSymbolicLink()) return undefined;
    fd = fs.openSync(file, fs.constants.O_RDONLY | NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.nlink !== 1 || !ours(st, 0o022) || st.size <= header.length || st.size > MAX_CACHE_BYTES) return undefined;
    const buf = Buffer.alloc(st.size);
    let n = 0;
    while (n < buf.length) {
      const r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) return undefined;
      n += r;
    }
    if (!buf.subarray(0, header.length).equals(header)) return undefined;
    return buf.subarray(header.length);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the cache under a fresh random name (O_EXCL, 0600) and renames it into place. */
function writeCache(dir: string, cache: CacheFile, data: Buffer): void {
  const file = path.join(dir, cache.name);
  const tmp = path.join(dir, `.${cache.name}.${crypto.randomBytes(12).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | NOFOLLOW, 0o600);
  try {
    try {
      for (const b of [cache.header, data]) {
        for (let n = 0; n < b.length;) n += fs.writeSync(fd, b, n, b.length - n);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
  prune(dir, cache);
}

/** Keeps the KEEP newest cache files of the folder (other versions come and go). */
function prune(dir: string, cache: CacheFile): void {
  const files = fs.readdirSync(dir)
    .filter((n) => n.startsWith(cache.prefix) && n.endsWith(CACHE_SUFFIX) && n !== cache.name)
    .map((n) => {
      try { return { n, t: fs.lstatSync(path.join(dir, n)).mtimeMs }; } catch { return { n, t: 0 }; }
    })
    .sort((a, b) => b.t - a.t);
  for (const f of files.slice(KEEP - 1)) {
    try { fs.unlinkSync(path.join(dir, f.n)); } catch { /* another server got there first */ }
  }
}

/**
 * The options of `execArgv` (a worker thread has its parent's) that the priming child takes: V8
 * checks a cache against the flags it was made under (server/processOptions.json). Only
 * `--name[=value]` options, and none that runs code or attaches a tool (`-e script`, `--require`,
 * `--import`, a debugger, a profiler): the child runs this script and nothing else.
 */
export function engineFlags(execArgv: readonly string[]): string[] {
  return execArgv.filter((a) => /^--[a-z0-9-]+(=.*)?$/.test(a) &&
    !/^--(eval|print|require|import|loader|experimental-loader|input-type|interactive|check|test|watch|env-file|inspect|debug|cpu-prof|heap-prof|prof)(-[a-z0-9-]*)?(=|$)/.test(a));
}

/**
 * Has a child process of this script make the analysis bundle's cache (it compiles and warms up as
 * the worker would, writes the cache, exits: ~0.4 s). A failure only means that the worker compiles
 * itself; so does a child that takes more than 15 s (well within the 30 s after which the language
 * server takes a silent worker for a runaway: analysisRunner.ts).
 */
function primeInChild(): void {
  try {
    spawnSync(process.execPath, [...engineFlags(process.execArgv), __filename], { env: { ...process.env, [PRIME_ENV]: '1' }, stdio: 'ignore', timeout: 15_000, windowsHide: true });
  } catch {
    // (no child: a plain compile)
  }
}

/** Bundle `name`'s source as loadBundle compiles it: in the CommonJS wrapper Node itself puts around a module. */
function wrappedSource(name: BundleName): { bundle: string; wrapped: string } {
  // (checked here too: the functions are exported, and a name is never a path)
  const bundle = path.join(__dirname, BUNDLES[bundleNamed(name)].file);
  // (no bundle of the list has a `#!` line: dist/cli.js, which has, is not one)
  return { bundle, wrapped: `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(bundle, 'utf8')}\n});` };
}

/** The cache file of a bundle's source under V8 flags whose `cachedDataVersionTag` is `versionTag` (this process's by default). */
function cacheFileOf(name: BundleName, wrapped: string, versionTag = v8.cachedDataVersionTag()): CacheFile {
  const key = crypto.createHash('sha256')
    // V8 rejects a cache made under other V8 flags (cachedDataVersionTag hashes them): a server
    // started with the client's options and one started without keep a file each.
    .update(`${process.version}\0${process.versions.v8}\0${process.arch}\0${versionTag}\0`)
    .update(wrapped)
    .digest('hex');
  const prefix = BUNDLES[name].cachePrefix;
  return { name: `${prefix}${process.version}-${process.arch}-${key.slice(0, 16)}${CACHE_SUFFIX}`, header: Buffer.from(`${MAGIC}${key}\n`, 'latin1'), prefix };
}

/**
 * Where loadBundle keeps bundle `name`'s cache for a process whose V8 flags give `versionTag`
 * (null: no usable folder); for the bench, which reports whether a start found one.
 */
export function cachePathOf(name: BundleName, versionTag?: number): string | null {
  const folder = cacheDir();
  return folder === null ? null : path.join(folder, cacheFileOf(name, wrappedSource(name).wrapped, versionTag).name);
}

/**
 * Runs bundle `name` (dist/analysisWorker.js, dist/cliMain.js) as Node would run the module, through
 * its cache when there is a good one: its exports. The bundle calls `gradlensWarmedUp` once its
 * warm-up is done (the analysis worker's warm-up analysis, the CLI's first file), so the functions
 * that work compiled are in the cache it writes then (when it found none).
 */
export function loadBundle(name: BundleName, priming = false): unknown {
  const { bundle, wrapped } = wrappedSource(name);
  const cache = cacheFileOf(name, wrapped);

  const folder = cacheDir();
  const dir = folder !== null && privateFolder(folder) ? folder : null;
  let cached = dir !== null ? readCache(path.join(dir, cache.name), cache.header) : undefined;
  if (cached === undefined && dir !== null && !priming && name === 'analysis') {
    primeInChild();
    cached = readCache(path.join(dir, cache.name), cache.header);
  }
  const script = new vm.Script(wrapped, { filename: bundle, cachedData: cached });
  // Whether a cache was used, read now: the closure below must not hold the cache's buffer (MBs).
  const cacheUsed = cached !== undefined && !script.cachedDataRejected;
  cached = undefined;
  (globalThis as { gradlensWarmedUp?: () => void }).gradlensWarmedUp = () => {
    if (dir === null || cacheUsed) return;
    try {
      writeCache(dir, cache, script.createCachedData());
    } catch {
      // A read-only or full cache folder only costs the next start its speed-up.
    }
  };
  const run = script.runInThisContext() as (e: unknown, r: NodeRequire, m: { exports: unknown }, f: string, d: string) => void;
  const mod = { exports: {} };
  run.call(mod.exports, mod.exports, require, mod, bundle, path.dirname(bundle));
  return mod.exports;
}

// As a worker's script: the bundle its workerData names. As the priming child's: the analysis
// bundle, warmed up as the worker would (which writes the cache), and done. Required by dist/cli.js
// (the `gradlens` command) in a main thread: nothing until it calls loadBundle.
if (!isMainThread) {
  loadBundle(chosenBundle());
} else if (require.main === module && process.env[PRIME_ENV] === '1') {
  (loadBundle('analysis', true) as { warmUp?: () => void }).warmUp?.();
  process.exit(0);
}
