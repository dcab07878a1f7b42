// Every message between the extension host and the graph webview, as one discriminated union per
// direction. Both bundles import this module, so a renamed field breaks the build, not the UI.
// Plain data only: it crosses postMessage (structured clone) unchanged.

import type { ComputationGraph, MethodsComparison, Point, Range } from '../../engine/api';

export type Tab = 'graph' | 'methods';

/** What the webview persists with getState/setState and what the panel serializer restores from. */
export interface WebviewState {
  uri: string | null;
  functionName: string | null;
  /** The point chosen in the picker; null means the function's first check point. */
  point: Point | null;
  tab: Tab;
  followCursor: boolean;
  expandedLoops: number[];
  /** Helper calls shown node by node (by the engine's call ids); the others are one box each. */
  expandedCalls: number[];
  view: { x: number; y: number; scale: number } | null;
}

export const INITIAL_STATE: WebviewState = {
  uri: null,
  functionName: null,
  point: null,
  tab: 'graph',
  followCursor: true,
  expandedLoops: [],
  expandedCalls: [],
  view: null,
};

export type ExportFormat = 'svg' | 'png';

/** The largest export the host accepts (base64 PNG or SVG text), so a runaway page cannot flood it. */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

/** Extension host -> webview. */
export type HostMessage =
  | {
      type: 'graph';
      uri: string;
      /** File name for the header. */
      fileLabel: string;
      functionName: string | null;
      /** Annotated functions of the document, for the function picker. */
      functions: string[];
      graph: ComputationGraph | null;
      /** Why there is no graph. */
      message?: string;
      /** The point the graph was evaluated at (echoes a custom point, else the first check point). */
      customPoint: boolean;
    }
  | { type: 'methods'; functionName: string | null; comparison: MethodsComparison | null; message?: string }
  | { type: 'showTab'; tab: Tab }
  /** The answer to an `export`: where the file was saved, or null if the user cancelled or it failed. */
  | { type: 'exported'; format: ExportFormat; path: string | null; message?: string }
  | { type: 'error'; message: string };

/** Webview -> extension host. */
export type WebviewMessage =
  | { type: 'ready'; state: WebviewState }
  | { type: 'revealRange'; range: Range }
  | { type: 'selectFunction'; name: string }
  | { type: 'setPoint'; point: Point | null }
  | { type: 'setFollowCursor'; enabled: boolean }
  | { type: 'requestMethods' }
  /**
   * Save the graph as a file: the host asks where (a save dialog) and writes it. `data` is the SVG
   * text, or the PNG's bytes in base64 (the webview has no file access under its CSP).
   */
  | { type: 'export'; format: ExportFormat; data: string; fileName: string };

export function isHostMessage(value: unknown): value is HostMessage {
  if (typeof value !== 'object' || value === null) return false;
  const t = (value as { type?: unknown }).type;
  return t === 'graph' || t === 'methods' || t === 'showTab' || t === 'exported' || t === 'error';
}

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { type?: unknown; [k: string]: unknown };
  switch (m.type) {
    case 'ready': return typeof m.state === 'object' && m.state !== null;
    case 'revealRange': {
      const r = m.range as { start?: unknown; end?: unknown } | undefined;
      return !!r && typeof r.start === 'number' && typeof r.end === 'number';
    }
    case 'selectFunction': return typeof m.name === 'string';
    case 'setPoint': return m.point === null || (typeof m.point === 'object' && m.point !== undefined);
    case 'setFollowCursor': return typeof m.enabled === 'boolean';
    case 'requestMethods': return true;
    case 'export':
      return (m.format === 'svg' || m.format === 'png') && typeof m.data === 'string' && m.data.length <= MAX_EXPORT_CHARS
        && typeof m.fileName === 'string' && /^[\w.-]{1,120}$/.test(m.fileName);
    default: return false;
  }
}
