// The engine's public API, documented here in one place: source text in, plain data out (offsets
// are UTF-16 offsets into that text). No function here throws on user input or does IO; problems
// come back as EngineDiagnostic lists. The server and the CLI call only what this module exports.
//
//   analyzeFile(text, options?, cache?) → FileAnalysis
//       Every @differentiable function: check points, value and gradient (or Jacobian) at the first
//       one, closed-form partials where readable, partials of its locals, the check of its
//       hand-written gradient, and every diagnostic (GL001–GL009). With an AnalysisCache, only
//       functions whose text (or helpers', or hand-written gradient's) changed are re-analysed,
//       and the file is re-parsed incrementally.
//   FileAnalysisJob(text, options?, cache?) — the same, one function per step(), for a scheduler
//       that interleaves files; result() is the analysis so far.
//   DIAGNOSTICS (engine/diagnosticCodes.ts) — the catalogue of codes: severity, title, documentation
//       page, quick fixes, whether a code fails `gradlens check`.
//   Meter, withMeter, BudgetExceeded, clampBudgets — the budgets of engine/budget.ts, for callers
//       that run queries or code generation under a time budget.
//   gradientAt(text, fnName, point?, options?) → GradientResult
//       Value and gradient (or Jacobian) at a point (default: the first @at point, or a random one).
//   tapeGradient(text, fnName, options?) → { gradient: (point) => Gradient }
//       Reverse mode through the interpreter's tape, parsed and lowered once.
//   computationGraph(text, fnName, point?, options?) → { graph: ComputationGraph | null, diagnostics }
//       The tape as nodes (op, source range, forward value, adjoint, loop iteration) and edges.
//   compareMethods(text, fnName, point?, options?) → { comparison: MethodsComparison | null, diagnostics }
//       Forward, reverse, closed form, central differences and the complex step side by side,
//       and the finite-difference error against the step h.
//   generateDerivative(text, fnName, mode, { name? }) → { generated: { name, code } | null, diagnostics }
//       Readable TypeScript: 'reverse' gradient, 'closed' form, 'jvp', 'hessian'.
//   componentFixes(text, fnName, options?) → TextEdit[] | null
//       Replaces only the wrong components of a hand-written gradient with closed-form partials.

export * from './api';
export * from './diagnosticCodes';
export { analyzeFile, AnalysisCache, FileAnalysisJob } from './analyzeFile';
export { BudgetExceeded, clampBudgets, Meter, withMeter } from './budget';
export { gradientAt, computationGraph, compareMethods, tapeGradient } from './queries';
export { generateDerivative } from './codegen/generate';
export { componentFixes } from './fixGradient';
