// `npm run bench` (SPEC §7): installs the peers into bench/'s own package, bundles the engine,
// runs every method in a child process of its own (paired with the plain function there), then
// the language-server, engine-only and extension figures, and prints a markdown report, also
// written to bench/results.md and bench/results.json.
//
// Options: --only=method,method (or languageServer, engineAnalysis, live, scale, hostile, extension)  --objectives=id,id
// --skip-install. A partial run prints its report but does not overwrite results.json / results.md.

import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { cpus, totalmem, platform, release, arch, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_DIR, BUILD_DIR, OBJECTIVES, ROOT_DIR } from './lib/objectives.mjs';
import { METHODS } from './lib/methods.mjs';
import { renderReport } from './lib/report.mjs';
import { SERVER_NODE_ARGS } from './lib/serverProcess.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const onlyMethods = flag('only')?.split(',');
const onlyObjectives = flag('objectives');
const started = performance.now();
const loadAtStart = loadavg()[0];
const log = (m) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${m}\n`);
mkdirSync(BUILD_DIR, { recursive: true });

// 1. Peers: their own package (bench/package.json), so ~300 MB of TensorFlow.js stays out of the extension
const peers = { installed: false, reason: null, versions: {} };
function installPeers() {
  const marker = join(BENCH_DIR, 'node_modules', '.package-lock.json');
  const lock = join(BENCH_DIR, 'package-lock.json');
  if (argv.includes('--skip-install') || (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs)) return;
  log('installing the peers (npm ci in bench/)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', BENCH_DIR], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`npm ci in bench/ failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-2).join(' ')}`);
}
try {
  installPeers();
  for (const p of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs', '@jax-js/jax', 'mathjs']) {
    const pj = join(BENCH_DIR, 'node_modules', p, 'package.json');
    peers.versions[p] = existsSync(pj) ? JSON.parse(readFileSync(pj, 'utf8')).version : null;
  }
  peers.installed = true;
} catch (e) {
  peers.reason = e.message;
  log(peers.reason);
}

// 2. The engine, bundled for the children that call it (generateDerivative, gradientAt, analyzeFile)
let engineBundle = { ok: false, reason: null };
try {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [join(ROOT_DIR, 'engine', 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: join(BUILD_DIR, 'engine.cjs'),
    external: ['typescript'],
    logLevel: 'silent',
  });
  engineBundle = { ok: true, reason: null };
} catch (e) {
  engineBundle.reason = `engine/index.ts does not bundle: ${e.message.split('\n')[0]}`;
  log(engineBundle.reason);
}

function runChild(script, args, timeoutMs, nodeArgs = []) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, join(BENCH_DIR, script), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

const readJson = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null);
const lastLine = (s) => s.trim().split('\n').filter((l) => !/^\s*at /.test(l)).slice(-1)[0] ?? '';

// 3. Methods, one process each, in sequence (parallel processes would disturb each other's timings)
const methodResults = [];
for (const m of METHODS) {
  if (onlyMethods && !onlyMethods.includes(m.id)) continue;
  const out = join(BUILD_DIR, `result.${m.id}.json`);
  if (existsSync(out)) writeFileSync(out, '');
  log(`method ${m.id}`);
  const r = await runChild('child.mjs', [m.id, out, ...(onlyObjectives ? [onlyObjectives] : [])], 150_000);
  let res = null;
  try {
    res = readJson(out);
  } catch {
    res = null;
  }
  if (!res) res = { method: m.id, label: m.label, error: null, objectives: {} };
  if (r.code !== 0 || r.signal) {
    res.error = res.error ?? `process ended ${r.signal ? 'by ' + r.signal + ' (time limit?)' : 'with code ' + r.code}: ${lastLine(r.stderr)}`;
  }
  if (!peers.installed && ['tfjs', 'jax-grad', 'jax-jit', 'jax-jit-f64', 'mathjs'].includes(m.id) && res.error) res.error += ` (peers: ${peers.reason})`;
  res.tolerance = m.tolerance;
  methodResults.push(res);
}

// 4. Language server, engine only, extension
const extra = {};
// The engine's in-process rows run with the server's node flags, as the engine runs in the server
// (with node's default heap the live 10^6-operation row moved by 2-3x with the start-up heap: 37cdec4).
for (const [key, script, timeout, nodeArgs] of [
  ['languageServer', 'language-server.mjs', 120_000],
  ['engineAnalysis', 'engine-analysis.mjs', 60_000, SERVER_NODE_ARGS],
  ['live', 'live.mjs', 300_000, SERVER_NODE_ARGS],
  ['scale', 'scale.mjs', 900_000],
  ['hostile', 'hostile.mjs', 600_000],
  ['extension', 'extension.mjs', 150_000],
]) {
  if (onlyMethods && !onlyMethods.includes(key)) continue;
  log(key);
  const out = join(BUILD_DIR, `result.${key}.json`);
  if (existsSync(out)) writeFileSync(out, '');
  const r = await runChild(script, [out], timeout, nodeArgs);
  let res = null;
  try {
    res = readJson(out);
  } catch {
    res = null;
  }
  extra[key] = res ?? { available: false, reason: `${script} ended ${r.signal ? 'by ' + r.signal : 'with code ' + r.code}: ${lastLine(r.stderr)}` };
  if (key === 'languageServer' && res?.available && res.workerCodeCache === false) {
    // The first start after a build writes the analysis worker's V8 code cache; every later start
    // (each time VS Code starts the server) reads it. Measure such a start too, and keep both.
    log('languageServer (again, with the code cache the first start wrote)');
    if (existsSync(out)) writeFileSync(out, '');
    await runChild(script, [out], timeout);
    try {
      const again = readJson(out);
      if (again?.available) extra[key] = { ...again, firstStartColdMs: res.fullAnalysisColdMs };
    } catch {
      // keep the first run's figures
    }
  }
}

const cpuList = cpus();
const results = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    // Other work on the machine during the run widens the ratios' spread (1-minute load averages)
    loadAverage: { start: Number(loadAtStart.toFixed(2)), end: Number(loadavg()[0].toFixed(2)) },
  },
  peers,
  engineBundle,
  objectives: OBJECTIVES.filter((o) => !onlyObjectives || onlyObjectives.split(',').includes(o.id)).map((o) => ({ id: o.id, title: o.title })),
  methods: methodResults,
  ...extra,
  benchSeconds: Math.round((performance.now() - started) / 1000),
};
const report = renderReport(results);
process.stdout.write(report + '\n');
if (!onlyMethods && !onlyObjectives) {
  writeFileSync(join(BENCH_DIR, 'results.json'), JSON.stringify(results, null, 1) + '\n');
  writeFileSync(join(BENCH_DIR, 'results.md'), report + '\n');
  log('wrote bench/results.json and bench/results.md');
}
