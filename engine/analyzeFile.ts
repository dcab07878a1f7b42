// STUB: being implemented. Signature is final.
import { AnalysisOptions, FileAnalysis } from './api';

export class AnalysisCache {}

export function analyzeFile(text: string, options?: Partial<AnalysisOptions>, cache?: AnalysisCache): FileAnalysis {
  void text; void options; void cache;
  return { functions: [], diagnostics: [], candidates: [] };
}
