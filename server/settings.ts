// `gradlens.*` settings, read with workspace/configuration per document (a folder may override
// them), cached until the client says they changed. Clients without workspace/configuration get
// the values pushed by didChangeConfiguration or given as initializationOptions.

import type { Connection } from 'vscode-languageserver';
import { AnalysisOptions, DEFAULT_OPTIONS } from '../engine/api';
import { clampBudgets } from '../engine/budget';

export interface GradlensSettings {
  rtol: number;
  /** null: the engine's default, 1e-8 · (1 + max |AD component|). */
  atol: number | null;
  randomPoints: number;
  seed: number;
  stepBudget: number;
  /** Milliseconds of analysis per function before GL007. */
  timeBudgetMs: number;
  codeLens: boolean;
  /** Values and partials of the locals of annotated functions as inlay hints. */
  inlayHints: boolean;
  /** Milliseconds between the last edit and the re-analysis. */
  debounce: number;
  /**
   * `background`: check the workspace's files that are not open at startup and keep their
   * diagnostics up to date as they change on disk (workspaceCheck.ts); `off`: only when the
   * command "Gradlens: Check Workspace" is run.
   */
  workspaceCheck: WorkspaceCheckMode;
}

export type WorkspaceCheckMode = 'off' | 'background';

export const DEFAULT_SETTINGS: GradlensSettings = {
  rtol: DEFAULT_OPTIONS.rtol,
  atol: DEFAULT_OPTIONS.atol,
  randomPoints: DEFAULT_OPTIONS.randomPoints,
  seed: DEFAULT_OPTIONS.seed,
  stepBudget: DEFAULT_OPTIONS.stepBudget,
  timeBudgetMs: DEFAULT_OPTIONS.timeBudgetMs,
  codeLens: true,
  inlayHints: true,
  debounce: 250,
  workspaceCheck: 'off',
};

/** Reads a settings object from whatever the client sent, keeping defaults for missing or bad values. */
export function normalizeSettings(raw: unknown, base: GradlensSettings = DEFAULT_SETTINGS): GradlensSettings {
  const s: GradlensSettings = { ...base };
  if (typeof raw !== 'object' || raw === null) return s;
  const r = raw as Record<string, unknown>;
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const nonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (positive(r.rtol)) s.rtol = r.rtol;
  if (r.atol === null || positive(r.atol)) s.atol = r.atol;
  if (nonNegativeInt(r.randomPoints)) s.randomPoints = Math.min(r.randomPoints, 100);
  if (typeof r.seed === 'number' && Number.isFinite(r.seed)) s.seed = Math.trunc(r.seed);
  // Budgets are clamped to ceilings: a repository's settings must not make the server unsafe.
  if (positive(r.stepBudget)) s.stepBudget = clampBudgets({ stepBudget: r.stepBudget }).stepBudget!;
  if (positive(r.timeBudgetMs)) s.timeBudgetMs = clampBudgets({ timeBudgetMs: r.timeBudgetMs }).timeBudgetMs!;
  // `codeLens` may be a boolean or `{ enabled: boolean }` (the VS Code settings UI nests dotted keys).
  if (typeof r.codeLens === 'boolean') s.codeLens = r.codeLens;
  else if (typeof r.codeLens === 'object' && r.codeLens !== null && typeof (r.codeLens as { enabled?: unknown }).enabled === 'boolean') {
    s.codeLens = (r.codeLens as { enabled: boolean }).enabled;
  }
  // `gradlens.inlayHints.enabled`, nested the same way.
  if (typeof r.inlayHints === 'boolean') s.inlayHints = r.inlayHints;
  else if (typeof r.inlayHints === 'object' && r.inlayHints !== null && typeof (r.inlayHints as { enabled?: unknown }).enabled === 'boolean') {
    s.inlayHints = (r.inlayHints as { enabled: boolean }).enabled;
  }
  // The VS Code setting is `gradlens.debounceMs`; accept both spellings.
  const debounce = r.debounce ?? r.debounceMs;
  if (nonNegativeInt(debounce)) s.debounce = Math.min(debounce, 10_000);
  // A boolean is accepted too (true: background).
  if (r.workspaceCheck === 'off' || r.workspaceCheck === 'background') s.workspaceCheck = r.workspaceCheck;
  else if (typeof r.workspaceCheck === 'boolean') s.workspaceCheck = r.workspaceCheck ? 'background' : 'off';
  return s;
}

export function toAnalysisOptions(s: GradlensSettings): AnalysisOptions {
  return { rtol: s.rtol, atol: s.atol, randomPoints: s.randomPoints, seed: s.seed, stepBudget: s.stepBudget, timeBudgetMs: s.timeBudgetMs };
}

export class SettingsStore {
  private readonly perDocument = new Map<string, Promise<GradlensSettings>>();
  private global: GradlensSettings = DEFAULT_SETTINGS;
  private pullSupported = false;

  constructor(private readonly connection: Connection) {}

  configure(pullSupported: boolean, initializationOptions: unknown): void {
    this.pullSupported = pullSupported;
    const init = initializationOptions as { gradlens?: unknown } | null | undefined;
    this.global = normalizeSettings(init?.gradlens ?? initializationOptions);
  }

  /** Settings for one document; a cached promise, so concurrent callers share one request. */
  get(uri: string): Promise<GradlensSettings> {
    if (!this.pullSupported) return Promise.resolve(this.global);
    let cached = this.perDocument.get(uri);
    if (!cached) {
      cached = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'gradlens' })
        .then((raw: unknown) => normalizeSettings(raw, this.global))
        .catch(() => this.global);
      this.perDocument.set(uri, cached);
    }
    return cached;
  }

  /** didChangeConfiguration: drop the cache; clients that push settings send them here. */
  changed(pushed: unknown): void {
    this.perDocument.clear();
    const p = pushed as { gradlens?: unknown } | null | undefined;
    if (p && typeof p === 'object' && p.gradlens !== undefined) this.global = normalizeSettings(p.gradlens);
  }

  forget(uri: string): void {
    this.perDocument.delete(uri);
  }
}
