// `gradlens.insertCode` (linked from hovers): runs the server's own code action for the function,
// so the inserted code, its placement and the `@gradient` tag added to the JSDoc are exactly what
// the light-bulb menu would do. The client generates nothing itself.

import * as vscode from 'vscode';
import type { CodegenMode } from '../../engine/api';

/** The server's code action titles, as SPEC §4 writes them. */
export const CODE_ACTION_TITLES: Record<CodegenMode, string> = {
  reverse: 'Insert gradient function (reverse mode)',
  closed: 'Insert gradient function (closed form)',
  jvp: 'Insert forward-mode (JVP) function',
  hessian: 'Insert Hessian function',
};

const MODES = Object.keys(CODE_ACTION_TITLES) as CodegenMode[];

/** Offset of a function's name in source text: a declaration, or a `const f =` binding. */
export function findFunctionName(text: string, name: string): number | null {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const patterns = [
    new RegExp(`\\bfunction\\s*\\*?\\s*(${escaped})\\s*[<(]`, 'd'),
    new RegExp(`\\b(?:const|let|var)\\s+(${escaped})\\s*(?::[^=]*)?=`, 'd'),
  ];
  for (const re of patterns) {
    const m = re.exec(text);
    if (m?.indices?.[1]) return m.indices[1][0];
  }
  return null;
}

export async function insertCode(uriArg?: string | vscode.Uri, functionName?: string, modeArg?: CodegenMode): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg ? (typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg) : editor?.document.uri;
  if (!uri) return false;
  const doc = await vscode.workspace.openTextDocument(uri);
  let mode = modeArg;
  if (!mode || !MODES.includes(mode)) {
    const pick = await vscode.window.showQuickPick(MODES.map((m) => ({ label: CODE_ACTION_TITLES[m], mode: m })), { placeHolder: 'Gradlens: which derivative code?' });
    if (!pick) return false;
    mode = pick.mode;
  }
  let position: vscode.Position | undefined;
  if (functionName) {
    const offset = findFunctionName(doc.getText(), functionName);
    if (offset !== null) position = doc.positionAt(offset);
  }
  position ??= editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active : undefined;
  if (!position) {
    void vscode.window.showWarningMessage(`Gradlens: cannot find function ${functionName ?? ''} in ${uri.fsPath}.`);
    return false;
  }
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider', uri, new vscode.Range(position, position), undefined, 20,
  );
  const title = CODE_ACTION_TITLES[mode];
  const action = actions?.find((a) => a.title === title) ?? actions?.find((a) => a.title.startsWith(title));
  if (!action) {
    void vscode.window.showWarningMessage(`Gradlens: "${title}" is not available for ${functionName ?? 'this function'}.`);
    return false;
  }
  if (action.edit) await vscode.workspace.applyEdit(action.edit);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  return true;
}
