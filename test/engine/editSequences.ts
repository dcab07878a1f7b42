// Shared by the incremental tests: a sequence of edits analysed with one cache, each result
// compared with a fresh analysis of the same text.

import * as assert from 'node:assert/strict';
import { analyzeFile, AnalysisCache } from '../../engine/analyzeFile';

/** An edit at `at` (taken modulo the text's length + 1): `del` characters removed, `ins` inserted. */
export interface TextEdit {
  at: number;
  del: number;
  ins: string;
}

/**
 * Analyses `source`, then each edit of it in turn (a `TextEdit`, or a function from the text to the edited text) with the same cache, and asserts that every
 * incremental result is the fresh one; returns the cache (its counters say what was reused).
 */
export function editsAgreeWithFresh(source: string, edits: readonly (TextEdit | ((text: string) => string))[], label = 'the file'): AnalysisCache {
  const cache = new AnalysisCache();
  let text = source;
  analyzeFile(text, {}, cache);
  for (const e of edits) {
    let at = -1;
    if (typeof e === 'function') text = e(text);
    else {
      at = e.at % (text.length + 1);
      text = text.slice(0, at) + e.ins + text.slice(at + e.del);
    }
    assert.deepEqual(analyzeFile(text, {}, cache), analyzeFile(text), `${label} after an edit${at >= 0 ? ` at ${at}` : ''}`);
  }
  return cache;
}
