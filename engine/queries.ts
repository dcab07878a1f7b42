// STUB: being implemented. Signatures are final.
import { AnalysisOptions, ComputationGraph, EngineDiagnostic, GradientResult, MethodsComparison, Point } from './api';

export function gradientAt(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): GradientResult {
  void text; void fnName; void options;
  return { value: null, gradient: null, jacobian: null, point: point ?? null, diagnostics: [] };
}

export function computationGraph(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): { graph: ComputationGraph | null; diagnostics: EngineDiagnostic[] } {
  void text; void fnName; void point; void options;
  return { graph: null, diagnostics: [] };
}

export function compareMethods(text: string, fnName: string, point?: Point, options?: Partial<AnalysisOptions>): { comparison: MethodsComparison | null; diagnostics: EngineDiagnostic[] } {
  void text; void fnName; void point; void options;
  return { comparison: null, diagnostics: [] };
}
