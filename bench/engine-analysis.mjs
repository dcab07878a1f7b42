// Engine-only figures: analyzeFile on the generated 2,000-line file, in-process, no LSP: cold
// (first call in a fresh process), warm (same text again, no cache), and after an edit inside one
// function with an AnalysisCache (only that function should be re-analysed).
// Usage: node bench/engine-analysis.mjs <out.json>

import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BUILD_DIR } from './lib/objectives.mjs';
import { generateBigFile } from './lib/bigFile.mjs';
import { median } from './lib/timing.mjs';

const require = createRequire(import.meta.url);
const outPath = process.argv[2];
const result = { available: false, reason: null };

function editedText(text, target, literal) {
  const lines = text.split('\n');
  const line = lines[target.edit.line];
  lines[target.edit.line] = line.slice(0, target.edit.character) + literal + line.slice(target.edit.character + literal.length);
  return lines.join('\n');
}

try {
  const engine = require(join(BUILD_DIR, 'engine.cjs'));
  const { text, functions } = generateBigFile();
  const time = (fn) => {
    const t0 = performance.now();
    const r = fn();
    return { ms: performance.now() - t0, r };
  };
  const cold = time(() => engine.analyzeFile(text));
  result.functionsAnalysed = cold.r.functions.length;
  result.coldMs = cold.ms;
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push(time(() => engine.analyzeFile(text)).ms);
  result.warmMs = median(warm);

  const cache = new engine.AnalysisCache();
  result.withCacheFirstMs = time(() => engine.analyzeFile(text, {}, cache)).ms;
  const target = functions[Math.floor(functions.length / 2)];
  const edits = [];
  for (let e = 0; e < 15; e++) {
    const literal = e % 2 === 0 ? (Number(target.edit.literal) + 0.01).toFixed(2) : target.edit.literal;
    edits.push(time(() => engine.analyzeFile(editedText(text, target, literal), {}, cache)).ms);
  }
  result.editWithCacheMs = median(edits);
  result.available = true;
  if (result.functionsAnalysed === 0) result.note = 'analyzeFile found no functions: the engine is still a stub, these figures measure nothing';
} catch (e) {
  result.reason = e.message.split('\n')[0];
}
writeFileSync(outPath, JSON.stringify(result, null, 1));
