// The engine's public API: source text in, plain data out. Never throws on user input, does no IO.
// The server and the CLI call only what this module exports.

export * from './api';
export { analyzeFile, AnalysisCache } from './analyzeFile';
export { gradientAt, computationGraph, compareMethods, tapeGradient } from './queries';
export { generateDerivative } from './codegen/generate';
export { componentFixes } from './fixGradient';
