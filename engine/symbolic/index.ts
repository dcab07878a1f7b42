// The symbolic mode: a hash-consed, simplifying expression DAG, the symbolic algebra the IR
// interpreter runs straight-line code on, symbolic gradients by reverse accumulation, and the
// closed forms printed from them (Unicode math for hovers, TypeScript for generated code).

export { ExprGraph } from './expr';
export type { Node, NodeId, FnName } from './expr';
export { SymbolicAlgebra, NotStraightLine } from './symbolicAlgebra';
export { symbolicGradient, symbolicDerivativeValue } from './differentiate';
export type { SymbolicGradient, SymbolicPartial, SymbolicResult, SymbolicValueResult, SymbolicOptions } from './differentiate';
export { toUnicode, toUnicodeWithin, toCode, toCodeInline, PrintedSizes } from './print';
export { closedFormGradient, closedFormUnicode, closedFormInfo } from './closedForm';
export type { ClosedFormInfo } from './closedForm';
