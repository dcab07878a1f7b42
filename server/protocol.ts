// Custom requests and notifications between the Gradlens client and server, declared once here and
// imported by both sides (the lsp-sample / vscode-eslint pattern). Only protocol types: this module
// must stay importable from the client bundle and from tests, so it imports nothing but
// `vscode-languageserver-protocol` and the engine's plain data types.

import { NotificationType, RequestType, type WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { CodegenMode, ComputationGraph, EngineDiagnostic, MethodsComparison, Point } from '../engine/api';

export interface GraphParams {
  uri: string;
  /** A position inside (or on the name of) an annotated function. */
  position?: { line: number; character: number };
  /** Or the function's name. */
  functionName?: string;
  /** Evaluation point; the function's first check point when absent. */
  point?: Point;
}

export interface GraphResult {
  graph: ComputationGraph | null;
  /** Why there is no graph (no annotated function there, a diagnostic in the function). */
  message?: string;
  diagnostics: EngineDiagnostic[];
  /** Names of the annotated functions of the document, for the webview's picker. */
  functions: string[];
}

export const GraphRequest = new RequestType<GraphParams, GraphResult, void>('gradlens/graph');

export interface MethodsResult {
  comparison: MethodsComparison | null;
  message?: string;
}

export const MethodsRequest = new RequestType<GraphParams, MethodsResult, void>('gradlens/methods');

export interface FileStatus {
  uri: string;
  /** Annotated functions, those whose hand-written gradient checks out, and those that fail. */
  functions: number;
  /** Annotated functions left out of this analysis: they do not parse (mid-edit), or their `@differentiable` is on a form the engine does not analyse (a method, a nested function, …). */
  skipped: number;
  checked: number;
  failing: number;
  /** Every diagnostic of the file, counted per code (`GL001`…), in code order, with the code's title. */
  codes: { code: string; count: number; title: string }[];
  /** One-line summary for the status bar. */
  text: string;
}

/** Sent by the server after each analysis of an open document. */
export const StatusNotification = new NotificationType<FileStatus>('gradlens/status');

/** Commands the server's hovers and code lenses link to; the client registers them. */
export const Commands = {
  showGraph: 'gradlens.showGraph',
  showMethods: 'gradlens.showMethods',
  /** args: [uri, functionName, mode] where mode is a CodegenMode */
  insertCode: 'gradlens.insertCode',
  /** args: [uri, range] (LSP positions): select the range and reveal it (the ✗ lens: the wrong component) */
  revealRange: 'gradlens.revealRange',
} as const;

export interface InsertCodeParams {
  uri: string;
  functionName: string;
  mode: CodegenMode;
}

export interface InsertCodeResult {
  /** The same edit as the matching code action: generated code after the function (and `@gradient` in its JSDoc). */
  edit: WorkspaceEdit | null;
  /** Why there is no edit. */
  message?: string;
}

/**
 * What the client's `gradlens.insertCode` command (hover links) asks the server for; the client
 * applies the returned edit with workspace.applyEdit.
 */
export const InsertCodeRequest = new RequestType<InsertCodeParams, InsertCodeResult, void>('gradlens/insertCode');
