// Renders the bench's results as markdown: per objective, each method's median time and its
// median paired ratio to the plain function; the SPEC §7 targets; the language-server, engine and
// extension figures; and the machine it ran on.

const fmtMs = (ms) => {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 1e-3) return `${(ms * 1e6).toPrecision(3)} ns`;
  if (ms < 1) return `${(ms * 1e3).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
};
const fmtRatio = (r) => {
  if (r == null || !Number.isFinite(r)) return '—';
  if (r >= 100) return Math.round(r).toLocaleString('en-US') + '×';
  if (r >= 10) return r.toFixed(1) + '×';
  return r.toFixed(2) + '×';
};
const fmtErr = (e) => (e == null ? '—' : e === 0 ? '0' : e.toExponential(1));
const oneLine = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function cell(methodResult, objId) {
  if (methodResult.error) return { status: 'down', text: `does not run: ${oneLine(methodResult.error)}` };
  const e = methodResult.objectives?.[objId];
  if (!e) return { status: 'down', text: 'not run' };
  if (e.status === 'ok') return { status: 'ok', e };
  if (e.status === 'n/a') return { status: 'n/a', text: `n/a: ${oneLine(e.reason)}` };
  if (e.status === 'wrong') return { status: 'wrong', text: `refused, gradient wrong: ${oneLine(e.reason)}` };
  if (e.status === 'not available') return { status: 'na', text: `not available: ${oneLine(e.reason)}` };
  return { status: 'error', text: `failed: ${oneLine(e.reason)}` };
}

const ratioOf = (results, methodId, objId) => {
  const m = results.methods.find((x) => x.id === methodId || x.method === methodId);
  const c = m ? cell(m, objId) : null;
  return c && c.status === 'ok' ? c.e.ratio : null;
};

function gradientTables(results) {
  const out = [];
  for (const obj of results.objectives) {
    out.push(`### ${obj.title}`, '');
    out.push('| method | median time | ÷ function (median of paired batches) | IQR of ratio | precision | rel. error vs hand-written |');
    out.push('|---|---:|---:|---|---|---|');
    for (const m of results.methods) {
      const c = cell(m, obj.id);
      if (c.status === 'n/a') continue;
      if (c.status !== 'ok') {
        out.push(`| ${m.label} | | | ${c.text} | | |`);
        continue;
      }
      const e = c.e;
      const tol = e.tolerance != null ? ` (tol. ${e.tolerance})` : '';
      out.push(`| ${m.label} | ${fmtMs(e.methodMs)} | ${fmtRatio(e.ratio)} | ${fmtRatio(e.ratioQ1)}–${fmtRatio(e.ratioQ3)} | ${e.precision ?? ''} | ${e.relError === undefined ? '—' : fmtErr(e.relError) + tol} |`);
    }
    out.push('');
  }
  return out;
}

function summaryMatrix(results) {
  const objs = results.objectives;
  const out = ['| method | ' + objs.map((o) => o.id).join(' | ') + ' |', '|---|' + objs.map(() => '---:').join('|') + '|'];
  for (const m of results.methods) {
    const cells = objs.map((o) => {
      const c = cell(m, o.id);
      if (c.status === 'ok') return fmtRatio(c.e.ratio);
      return { 'n/a': 'n/a', na: 'not avail.', wrong: 'WRONG', error: 'failed', down: 'does not run' }[c.status];
    });
    out.push(`| ${m.label} | ${cells.join(' | ')} |`);
  }
  return out;
}

function verdict(value, limit) {
  if (value == null || !Number.isFinite(value)) return 'not available';
  return value <= limit ? 'meets' : 'misses';
}

function targets(results) {
  const out = ['| target (SPEC §7) | objective | measured | limit | verdict |', '|---|---|---:|---:|---|'];
  for (const obj of results.objectives.filter((o) => o.id !== 'rosenbrock2')) {
    const rev = ratioOf(results, 'gradlens-reverse', obj.id);
    const hand = ratioOf(results, 'hand', obj.id);
    const jvp = ratioOf(results, 'gradlens-jvp', obj.id);
    out.push(`| generated reverse ÷ function | ${obj.id} | ${fmtRatio(rev)} | 2.5× | ${verdict(rev, 2.5)} |`);
    // Paired with the hand-written gradient in the same process where measured; else the ratio of the two ratios
    const revCell = results.methods.find((x) => x.method === 'gradlens-reverse')?.objectives?.[obj.id];
    const paired = revCell?.status === 'ok' ? revCell.versus?.hand?.ratio ?? null : null;
    const vsHand = paired ?? (rev != null && hand != null ? rev / hand : null);
    out.push(`| generated reverse ÷ hand-written${paired != null ? ' (paired)' : ''} | ${obj.id} | ${fmtRatio(vsHand)} | 1.3× | ${verdict(vsHand, 1.3)} |`);
    out.push(`| generated JVP ÷ function | ${obj.id} | ${fmtRatio(jvp)} | 2× | ${verdict(jvp, 2)} |`);
  }
  const ls = results.languageServer;
  const ok = ls?.available;
  const v = (x) => (ok ? x : null);
  out.push(`| full analysis, 2,000 lines, 100 functions (first open, cold server) | | ${fmtMs(v(ls?.fullAnalysisColdMs))} | 300 ms | ${verdict(v(ls?.fullAnalysisColdMs), 300)} |`);
  out.push(`| full analysis, same size, second file (warm server) | | ${fmtMs(v(ls?.fullAnalysisWarmMs))} | 300 ms | ${verdict(v(ls?.fullAnalysisWarmMs), 300)} |`);
  out.push(`| re-analysis after an edit in one function (median) | | ${fmtMs(v(ls?.reanalysisAfterEditMs))} | 30 ms | ${verdict(v(ls?.reanalysisAfterEditMs), 30)} |`);
  out.push(`| hover p95 | | ${fmtMs(v(ls?.hover?.p95Ms))} | 10 ms | ${verdict(v(ls?.hover?.p95Ms), 10)} |`);
  out.push(`| server memory (RSS, after the run) | | ${ok && ls.memory?.rssMB != null ? ls.memory.rssMB.toFixed(0) + ' MB' : '—'} | 150 MB | ${verdict(v(ls?.memory?.rssMB), 150)} |`);
  return out;
}

function languageServer(results) {
  const ls = results.languageServer;
  if (!ls?.available) return [`Language server: not available: ${oneLine(ls?.reason ?? 'not run')}`];
  const out = [
    `Driving \`node dist/server.js --stdio\` over JSON-RPC (vscode-jsonrpc), push diagnostics, debounce 0, on a generated file of ${ls.file.lines} lines with ${ls.file.annotatedFunctions} annotated functions` +
      ` (the server reported ${ls.functionsAnalysed ?? 'no'} analysed functions and ${ls.file.diagnostics} diagnostics${Object.keys(ls.file.diagnosticsByCode).length ? ': ' + Object.entries(ls.file.diagnosticsByCode).map(([k, n]) => `${n} ${k}`).join(', ') : ''}).`,
    '',
    '| figure | value |',
    '|---|---:|',
    `| initialize round trip | ${fmtMs(ls.initializeMs)} |`,
    `| full analysis, first open (didOpen → publishDiagnostics), cold server${ls.workerCodeCache === false ? ' (no worker code cache yet)' : ''} | ${fmtMs(ls.fullAnalysisColdMs)} |`,
    ...(ls.firstStartColdMs !== undefined ? [`| the same on the first start after a build (the worker's V8 code cache is written then) | ${fmtMs(ls.firstStartColdMs)} |`] : []),
    `| full analysis, second file of the same size, warm server | ${fmtMs(ls.fullAnalysisWarmMs)} |`,
    `| re-analysis after an edit inside \`${ls.edit.function}\` (didChange → publishDiagnostics), median / p95 of ${ls.edit.edits} | ${fmtMs(ls.reanalysisAfterEditMs)} / ${fmtMs(ls.reanalysisAfterEditP95Ms)} |`,
    `| hover on function names, p50 / p95 of ${ls.hover.requests} (${ls.hover.withContent} with content) | ${fmtMs(ls.hover.p50Ms)} / ${fmtMs(ls.hover.p95Ms)} |`,
    `| server RSS after the run / peak (main thread + analysis worker) | ${ls.memory.rssMB?.toFixed(0)} MB / ${ls.memory.peakRssMB?.toFixed(0)} MB |`,
  ];
  if (ls.note) out.push('', `Note: ${ls.note}.`);
  return out;
}

function engineOnly(results) {
  const e = results.engineAnalysis;
  if (!e?.available) return [`Engine only: not available: ${oneLine(e?.reason ?? 'not run')}`];
  const out = [
    `\`analyzeFile\` in-process on the same file (${e.functionsAnalysed} functions analysed), node with the server's node flags (server/processOptions.json):`,
    '',
    '| figure | value |',
    '|---|---:|',
    `| cold (first call in a fresh process) | ${fmtMs(e.coldMs)} |`,
    `| warm, no cache (median of 5) | ${fmtMs(e.warmMs)} |`,
    `| after an edit in one function, with AnalysisCache (median of 15) | ${fmtMs(e.editWithCacheMs)} |`,
  ];
  if (e.note) out.push('', `Note: ${e.note}.`);
  return out;
}

/** A peer's first and second call at row i, ÷ the plain function, or dashes when it did not run. */
function peerCells(rows, i) {
  const r = Array.isArray(rows) ? rows[i] : undefined;
  return r ? `${fmtMs(r.firstMs)} = ${Math.round(r.firstRatio).toLocaleString('en-US')}× | ${fmtMs(r.nextMs)} = ${Math.round(r.nextRatio).toLocaleString('en-US')}×` : '– | –';
}

function live(results) {
  const l = results.live;
  if (!l?.available) return [`Live rows: not available: ${oneLine(l?.reason ?? 'not run')}`];
  const codes = (c) => (c.length ? c.join(', ') : 'none');
  return [
    'What the editor waits for, `analyzeFile` in-process on a function the process has not seen (median of 3,',
    'after one warm-up analysis of another file; node with the server\'s node flags, server/processOptions.json); stepBudget 50,000,000 and timeBudgetMs 10,000 (the ceilings).',
    '',
    'Open → diagnostics ÷ plain function: a logistic-regression loss (d = 100, m samples; operations as the',
    'interpreter counts them, index arithmetic included) with its correct hand-written gradient, divided by one',
    'call of the loss as plain JavaScript on the same data (target: ≤ 100× at 10⁶ operations).',
    '',
    'Beside it, the peers on the same work (same data, float32, each in a process of its own): from defining',
    'the gradient to the first gradient read back (tracing and compiling included), then a second call.',
    '',
    '| operations | samples | plain function | open → diagnostics | ÷ plain | diagnostics | jax-js jit(grad): first ÷ plain | second ÷ plain | TensorFlow.js tf.grad (cpu): first ÷ plain | second ÷ plain |',
    '|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
    ...l.logistic.map((r, i) => `| ${r.operations.toLocaleString('en-US')} | ${r.samples.toLocaleString('en-US')} | ${fmtMs(r.plainMs)} | ${fmtMs(r.analysisMs)} | ${Math.round(r.ratio).toLocaleString('en-US')}× | ${codes(r.diagnostics)} | ${peerCells(l.peers?.['jax-jit'], i)} | ${peerCells(l.peers?.tfjs, i)} |`),
    ...Object.entries(l.peers ?? {}).filter(([, p]) => p && !Array.isArray(p)).map(([k, p]) => `(${k}: not available: ${oneLine(p.error ?? 'no rows')})`),
    '',
    'A wrong hand-written gradient (a term missing on every second component of a chain function): time',
    'until the GL001 (target: 1,000 components within 1 s).',
    '',
    '| components | time to diagnosis | diagnostics |',
    '|---:|---:|---|',
    ...l.wrong.map((r) => `| ${r.components.toLocaleString('en-US')} | ${fmtMs(r.ms)} | ${codes(r.diagnostics)} |`),
  ];
}

function scale(results) {
  const sc = results.scale;
  if (!sc?.sizes?.length) return [`Scale rows: not available: ${oneLine(sc?.reason ?? 'not run')}`];
  const mb = (x) => (x == null || Number.isNaN(x) ? '–' : `${x.toFixed(0)} MB`);
  const out = [
    'The language server over JSON-RPC on generated files of 1k … 50k lines (one annotated function per 20',
    'lines, a new server per size): open → diagnostics, then re-analysis after an edit inside one function',
    '(median of the edits; in the middle of the file and in the first function, keeping the length; typing',
    'in the first function, a character added and removed, which moves every range after it; and typing on, a',
    'character added after the last each time), and the server\'s memory; at 20k lines also a file in which every second',
    'function is a class\'s method or a function of a record type (with its hand-written gradient). Targets (issue "Live checks at the speed of compiled code"): an edit',
    '≤ 30 ms at 20k lines and ≤ 60 ms at 50k; memory ≤ 150 MB at 2k lines and ≤ 300 MB at 50k.',
    '',
    'Server RSS is read right after the edits and, from 20k lines, again after 12 s idle (V8 collects the',
    'edits\' garbage once the process has been idle for some seconds).',
    '',
    '| lines | functions | open → diagnostics | edit in the middle (median / max) | edit in the first function (median / max) | typing in the first function (median / max) | typing on (median / max) | server RSS: after the edits / idle |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of sc.sizes) {
    const size = `${r.lines.toLocaleString('en-US')}${r.style === 'classes' ? ', classes and records' : ''}`;
    if (r.error) { out.push(`| ${size} | ${r.functions ?? '–'} | failed: ${oneLine(r.error)} | | | | | |`); continue; }
    const edits = (e) => (e ? `${fmtMs(e.medianMs)} / ${fmtMs(e.maxMs)}` : '–');
    out.push(`| ${size} | ${r.functions} | ${fmtMs(r.openMs)} | ${edits(r.editMiddle)} | ${edits(r.editFirst)} | ${edits(r.typingFirst)} | ${edits(r.typingOn)} | ${mb(r.memory?.rssMB)}${r.memoryIdle ? ` / ${mb(r.memoryIdle.rssMB)}` : ''} |`);
  }
  if (sc.cli?.length) {
    out.push('', `\`gradlens check\` over generated files of 200 lines (9 annotated functions each): by default (the CLI chooses its threads: on ${sc.cores} cores, ${sc.cores <= 2 ? 'one, since V8\'s own compiler and collector threads take the other core' : 'a thread per 48 files, at most one per core but one'}), on every core, and on one thread; each the median of three runs (target: ≥ 60 files/s over 100 files on two cores):`, '',
      '| files | default (`--jobs` unset): time | files/s | every core (`--jobs ' + sc.cores + '`): time | files/s | one thread (`--jobs 1`): time | files/s |', '|---:|---:|---:|---:|---:|---:|---:|');
    const cell = (r) => (r ? `${fmtMs(r.ms)} | ${r.filesPerSecond.toFixed(1)}` : '– | –');
    for (const c of sc.cli) out.push(`| ${c.files} | ${cell(c.default)} | ${cell(c.all)} | ${cell(c.one)} |`);
  }
  return out;
}

function hostile(results) {
  const h = results.hostile;
  if (!h?.available) return [`Hostile corpus: not available: ${oneLine(h?.reason ?? 'not run')}`];
  const mb = (x) => (x == null || Number.isNaN(x) ? '–' : `${x.toFixed(0)} MB`);
  const out = [
    'Each case of `test/engine/hostileCorpus.ts` (inputs built to stall, bloat or crash the analysis) in a fresh',
    '`node dist/server.js --stdio`, a normal file opened beside it; then `gradlens check` on it. Goal (issue',
    '"Analysis that never stalls"): diagnostics within the per-function budget (2 s) at ≤ 300 MB; bar: 5 s, 600 MB.',
    '',
    '| case | size | server: first diagnostics | server: complete | normal file beside it | server peak RSS | CLI time | CLI exit | CLI peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of h.cases) {
    const s = c.server ?? {};
    const k = c.cli ?? {};
    const size = c.bytes >= 1e6 ? `${(c.bytes / 1e6).toFixed(1)} MB` : `${(c.bytes / 1e3).toFixed(1)} KB`;
    out.push(s.error
      ? `| ${c.name} | ${size} | failed: ${oneLine(s.error)} | | | | ${fmtMs(k.ms)} | ${k.exitCode ?? k.signal} | ${mb(k.peakRssMB)} |`
      : `| ${c.name} | ${size} | ${fmtMs(s.hostileFirstMs)} | ${fmtMs(s.hostileMs)} | ${fmtMs(s.normalMs)} | ${mb(s.peakRssMB)} | ${k.error ? oneLine(k.error) : fmtMs(k.ms)} | ${k.exitCode ?? k.signal} | ${mb(k.peakRssMB)} |`);
  }
  return out;
}

function extension(results) {
  const x = results.extension;
  if (!x) return ['Extension: not run.'];
  const out = [];
  const a = x.activation;
  // Older results (before the activation was measured in code-server) kept the stub figure here
  const bundle = x.bundleLoad ?? (a?.bundleLoadMs != null ? { available: true, bundleLoadMs: a.bundleLoadMs } : null);
  if (a?.available) {
    const n = a.runs.length;
    const m = a.median;
    out.push(
      `Activation in the real VS Code extension host: code-server ${a.codeServer ?? '?'} (VS Code ${a.vscode ?? '?'}) with \`${a.vsix?.file}\` installed` +
        ` (built ${a.vsix?.builtAt}), headless Chromium opening one annotated TypeScript file (the \`${a.runs[0]?.activationEvent ?? 'onLanguage:typescript'}\`` +
        ` activation event); median of ${n} run${n === 1 ? '' : 's'}, each with a fresh user-data dir${a.incomplete ? ` (incomplete: ${oneLine(a.incomplete)})` : ''}.`,
      '',
      '| figure | value |',
      '|---|---:|',
      `| **activate() until it returns** (the client's own performance.now(): everything registered, language client started) | **${fmtMs(m.activateMs)}** |`,
      `| activate() until the language client is ready (server process up, initialize answered) | ${fmtMs(m.languageClientReadyMs)} |`,
      `| VS Code's own activation time (Show Running Extensions: code loading + activate call) | ${fmtMs(m.vscodeActivationMs)} |`,
      `| file opened → activation event (\`ExtensionService#_doActivateExtension\` in the exthost log) | ${fmtMs(m.openToActivationEventMs)} |`,
      `| file opened → Gradlens status-bar item shown | ${fmtMs(m.openToStatusItemMs)} |`,
      `| file opened → the file's check summary in the status bar (first analysis, cold server) | ${fmtMs(m.openToCheckSummaryMs)} |`,
    );
  } else {
    out.push('| figure | value |', '|---|---:|', `| activation in the VS Code extension host (code-server) | not available: ${oneLine(a?.reason ?? 'not run')} |`);
  }
  out.push(
    `| secondary: loading dist/client.js with a stub \`vscode\` module (our bundle parsed and run, no extension host) | ${bundle?.available ? fmtMs(bundle.bundleLoadMs) : `not available: ${oneLine(bundle?.reason ?? 'not run')}`} |`,
    `| .vsix size | ${x.vsix?.available ? `${(x.vsix.bytes / 1024).toFixed(0)} KiB (\`${x.vsix.file}\`, built ${x.vsix.builtAt})` : `not available: ${oneLine(x.vsix?.reason)}`} |`,
  );
  return out;
}

export function renderReport(results) {
  const m = results.machine;
  const p = results.peers;
  const peerLine = p.installed
    ? Object.entries(p.versions).map(([k, v]) => `${k} ${v ?? '(missing)'}`).join(', ')
    : `peers not installed: ${oneLine(p.reason)}`;
  return [
    '# Gradlens benchmarks (`npm run bench`)',
    '',
    `Run ${results.date} on ${m.cpu} (${m.cores} cores, ${m.memoryGB} GB), ${m.os}, Node ${m.node}; ${results.benchSeconds} s in all; load average ${m.loadAverage?.start} at the start, ${m.loadAverage?.end} at the end.`,
    `Peers: ${peerLine}.`,
    '',
    'Each method runs in a process of its own; there, batches of the method alternate with batches of the plain',
    'function, and the ratio reported is the median of the per-batch ratios (absolute times drift with the',
    'machine; the paired ratios do not). Every gradient is first checked against the hand-written one',
    '(normwise relative error, tolerance in brackets): a wrong one is refused, not timed.',
    '',
    '## SPEC §7 targets',
    '',
    ...targets(results),
    '',
    '## Gradient ÷ function, all methods',
    '',
    ...summaryMatrix(results),
    '',
    '## Per objective',
    '',
    ...gradientTables(results),
    '## Language server',
    '',
    ...languageServer(results),
    '',
    '## Engine only',
    '',
    ...engineOnly(results),
    '',
    '## Live checks',
    '',
    ...live(results),
    '',
    '## Scale: file size and CLI throughput',
    '',
    ...scale(results),
    '',
    '## Hostile inputs',
    '',
    ...hostile(results),
    '',
    '## Extension',
    '',
    ...extension(results),
  ].join('\n');
}
