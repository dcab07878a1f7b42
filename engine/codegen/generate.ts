// STUB: being implemented. Signature is final.
import { CodegenMode, EngineDiagnostic, GeneratedCode } from '../api';

export function generateDerivative(text: string, fnName: string, mode: CodegenMode, options?: { name?: string }): { generated: GeneratedCode | null; diagnostics: EngineDiagnostic[] } {
  void text; void fnName; void mode; void options;
  return { generated: null, diagnostics: [] };
}
