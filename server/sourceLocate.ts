// Where the functions of the *current* text of a document are, for the code-action edits (computed
// on the text the edit applies to, not on the offsets of the last analysis, which may be a version
// behind). The discovery itself is the engine's (engine/program.ts, engine/declarationForms.ts): a
// function the engine analyses is one the code actions find, under the same qualified name, with
// the JSDoc the engine reads its tags from and where its form puts generated code (codeEdits.ts).

export {
  locateFunction, locateFunctions, topLevelNames,
  type FunctionLocation as LocatedFunction, type LocatedParam,
} from '../engine/program';

/** `base`, or `base2`, `base3`, … whichever is not declared yet. */
export function freeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}${i}`)) return `${base}${i}`;
}
