// Everything besides analyzeFile that needs the engine or the TypeScript parser: code-action edits,
// the graph and the methods comparison. Runs in the analysis worker, so the LSP thread never loads
// the engine (half the server's memory) and never blocks on it.

import type { FunctionAnalysis } from '../engine/api';
import { computeEdits, testFileEdits, type EditAction } from './codeEdits';
import { resolveCodeStyle } from './codeStyle';
import { graphFor, methodsFor, type GraphTask } from './graphRequest';
import type { GraphResult, MethodsResult } from './protocol';
import type { OffsetEdit } from './toLsp';

export type EngineTask =
  /** `uri`: the document the edit is for (its imports are read as its analysis reads them). */
  | { kind: 'edits'; action: EditAction; text: string; fa: FunctionAnalysis | null; uri?: string }
  /** "Insert gradient-check test" as a test file of the project's runner, beside the edits of the source. */
  | { kind: 'testFile'; action: EditAction & { action: 'test' }; text: string; fa: FunctionAnalysis | null; sourcePath: string }
  | { kind: 'graph'; task: GraphTask }
  | { kind: 'methods'; task: GraphTask };

export interface EngineTaskResults {
  edits: OffsetEdit[] | null;
  testFile: { edits: OffsetEdit[]; file: { path: string; text: string } } | null;
  graph: GraphResult;
  methods: MethodsResult;
}

export function runEngineTask(task: EngineTask, log: (message: string) => void): EngineTaskResults[EngineTask['kind']] {
  switch (task.kind) {
    case 'edits': return computeEdits(task.action, task.text, task.fa, log);
    case 'testFile': return testFileEdits(task.text, task.action.fn, task.fa, log, resolveCodeStyle(task.action.style, task.text), task.sourcePath);
    case 'graph': return graphFor(task.task);
    case 'methods': return methodsFor(task.task);
  }
}
