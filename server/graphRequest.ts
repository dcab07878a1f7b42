// The custom requests gradlens/graph and gradlens/methods: the function is picked by name or by a
// position, on the document's current text (the webview wants the graph of what is on screen).

import type { TextDocument } from 'vscode-languageserver-textdocument';
import { compareMethods, computationGraph } from '../engine';
import type { AnalysisOptions, FunctionAnalysis } from '../engine/api';
import type { AnalysisSnapshot } from './documentAnalysis';
import type { GraphParams, GraphResult, MethodsResult } from './protocol';
import { locateFunctions } from './sourceLocate';
import { contains } from './toLsp';

/** The annotated function the request is about: by name, else the one around the position. */
export function pickFunction(doc: TextDocument, snap: AnalysisSnapshot | null, params: GraphParams): string | null {
  const names = snap?.analysis.functions.map((f) => f.name) ?? [];
  if (params.functionName) return params.functionName;
  if (!params.position) return names[0] ?? null;
  const text = doc.getText();
  const offset = doc.offsetAt(params.position);
  // Current text first (the analysis may be a version behind); only annotated functions count.
  const located = locateFunctions(text).filter((f) => names.length === 0 || names.includes(f.name));
  const around = located.find((f) => (f.jsDoc?.start ?? f.statementStart) <= offset && offset <= f.statementEnd);
  if (around) return around.name;
  const byAnalysis = snap?.analysis.functions.find((f: FunctionAnalysis) => contains(f.range, snap.doc.offsetAt(params.position!)));
  return byAnalysis?.name ?? null;
}

export function graphFor(doc: TextDocument, snap: AnalysisSnapshot | null, params: GraphParams, options: AnalysisOptions): GraphResult {
  const functions = snap?.analysis.functions.map((f) => f.name) ?? [];
  const fn = pickFunction(doc, snap, params);
  if (!fn) return { graph: null, message: 'No annotated function here.', diagnostics: [], functions };
  const { graph, diagnostics } = computationGraph(doc.getText(), fn, params.point, options);
  const result: GraphResult = { graph, diagnostics, functions };
  if (!graph) result.message = diagnostics[0]?.message ?? `No graph for ${fn}.`;
  return result;
}

export function methodsFor(doc: TextDocument, snap: AnalysisSnapshot | null, params: GraphParams, options: AnalysisOptions): MethodsResult {
  const fn = pickFunction(doc, snap, params);
  if (!fn) return { comparison: null, message: 'No annotated function here.' };
  const { comparison, diagnostics } = compareMethods(doc.getText(), fn, params.point, options);
  const result: MethodsResult = { comparison };
  if (!comparison) result.message = diagnostics[0]?.message ?? `No comparison for ${fn}.`;
  return result;
}
