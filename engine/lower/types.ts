// What a function's type annotations say: the IR type of a parameter or return type annotation
// (`paramType`, the one place a new parameter shape is recognised), and a helper's return type
// guessed from its body when it declares none.

import ts from 'typescript';

/** The IR type of a TypeScript parameter/return type annotation, or undefined if unsupported. */
export function paramType(t: ts.TypeNode | undefined, sf: ts.SourceFile): { type: 'num' | 'arr'; depth: number; tupleLength?: number } | undefined {
  if (!t) return { type: 'num', depth: 0 };
  if (t.kind === ts.SyntaxKind.NumberKeyword) return { type: 'num', depth: 0 };
  if (ts.isParenthesizedTypeNode(t)) return paramType(t.type, sf);
  if (ts.isTypeOperatorNode(t) && t.operator === ts.SyntaxKind.ReadonlyKeyword) return paramType(t.type, sf);
  if (ts.isArrayTypeNode(t)) {
    const inner = paramType(t.elementType, sf);
    return inner ? { type: 'arr', depth: inner.depth + 1 } : undefined;
  }
  if (ts.isTupleTypeNode(t)) {
    const els = t.elements.map((el) => paramType(ts.isNamedTupleMember(el) ? el.type : el, sf));
    if (els.some((x) => !x)) return undefined;
    const depth = Math.max(0, ...els.map((x) => x!.depth)) + 1;
    return { type: 'arr', depth, tupleLength: t.elements.length };
  }
  if (ts.isTypeReferenceNode(t)) {
    const name = t.typeName.getText(sf);
    if (name === 'Float64Array' || name === 'Float32Array') return { type: 'arr', depth: 1 };
    if ((name === 'Array' || name === 'ReadonlyArray') && t.typeArguments?.length === 1) {
      const inner = paramType(t.typeArguments[0], sf);
      return inner ? { type: 'arr', depth: inner.depth + 1 } : undefined;
    }
  }
  return undefined;
}

/** A helper's return type when it declares none: an array if some `return` gives an array literal. */
export function guessReturnType(node: ts.FunctionLikeDeclaration): 'num' | 'arr' {
  let found: 'num' | 'arr' = 'num';
  const visit = (n: ts.Node) => {
    if (ts.isReturnStatement(n) && n.expression && ts.isArrayLiteralExpression(n.expression)) found = 'arr';
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  if (node.body) {
    if (ts.isBlock(node.body)) ts.forEachChild(node.body, visit);
    else if (ts.isArrayLiteralExpression(node.body)) found = 'arr';
  }
  return found;
}
