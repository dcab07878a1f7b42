// The custom requests gradlens/graph and gradlens/methods, on the document's current text (the
// webview shows what is on screen). Calls the engine, so it runs in the analysis worker.

import { compareMethods, computationGraph } from '../engine';
import { boundMessage } from '../engine/format';
import type { AnalysisOptions } from '../engine/api';
import type { GraphParams, GraphResult, MethodsResult } from './protocol';
import { locateFunctions } from './sourceLocate';

export interface GraphTask {
  text: string;
  /** The annotated functions of the last analysis. */
  functions: string[];
  params: GraphParams;
  /** `params.position` as an offset into `text`. */
  offset: number | null;
  options: AnalysisOptions;
}

/** The function the request is about: by name, else the annotated one around the position. */
export function pickFunction(task: GraphTask): string | null {
  const { params, functions, offset, text } = task;
  if (params.functionName) return params.functionName;
  if (offset === null) return functions[0] ?? null;
  const located = locateFunctions(text).filter((f) => functions.length === 0 || functions.includes(f.name));
  return located.find((f) => (f.jsDoc?.start ?? f.statementStart) <= offset && offset <= f.statementEnd)?.name ?? null;
}

export function graphFor(task: GraphTask): GraphResult {
  const fn = pickFunction(task);
  if (!fn) return { graph: null, message: 'No annotated function here.', diagnostics: [], functions: task.functions };
  const { graph, diagnostics } = computationGraph(task.text, fn, task.params.point, task.options);
  const result: GraphResult = { graph, diagnostics, functions: task.functions };
  if (!graph) result.message = diagnostics[0] ? boundMessage(diagnostics[0].message) : `No graph for ${fn}.`;
  return result;
}

export function methodsFor(task: GraphTask): MethodsResult {
  const fn = pickFunction(task);
  if (!fn) return { comparison: null, message: 'No annotated function here.' };
  const { comparison, diagnostics } = compareMethods(task.text, fn, task.params.point, task.options);
  const result: MethodsResult = { comparison };
  if (!comparison) result.message = diagnostics[0] ? boundMessage(diagnostics[0].message) : `No comparison for ${fn}.`;
  return result;
}
