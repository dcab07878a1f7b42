// `gradlens.insertCode` (linked from hovers, and in the command palette): asks the server for the
// same edit its code action makes (gradlens/insertCode), so the inserted code, its placement and the
// `@gradient` tag added to the JSDoc are exactly what the light-bulb menu would do. Without a
// function name (the palette), it runs the code action at the cursor. The client generates nothing.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { CodegenMode } from '../../engine/api';
import { InsertCodeRequest } from '../../server/protocol';

/** The server's code action titles (server/codeActions.ts TITLES). */
export const CODE_ACTION_TITLES: Record<CodegenMode, string> = {
  reverse: 'Insert gradient function (reverse mode)',
  closed: 'Insert gradient function (closed form)',
  jvp: 'Insert forward-mode (JVP) function',
  hessian: 'Insert Hessian function',
};

const MODES = Object.keys(CODE_ACTION_TITLES) as CodegenMode[];

export async function insertCode(client: LanguageClient, uriArg?: string | vscode.Uri, functionName?: string, modeArg?: CodegenMode): Promise<boolean> {
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg ? (typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg) : editor?.document.uri;
  if (!uri) return false;
  let mode = modeArg;
  if (!mode || !MODES.includes(mode)) {
    const pick = await vscode.window.showQuickPick(MODES.map((m) => ({ label: CODE_ACTION_TITLES[m], mode: m })), { placeHolder: 'Gradlens: which derivative code?' });
    if (!pick) return false;
    mode = pick.mode;
  }
  if (functionName) {
    const result = await client.sendRequest(InsertCodeRequest, { uri: uri.toString(), functionName, mode });
    if (!result.edit) {
      void vscode.window.showWarningMessage(`Gradlens: ${result.message ?? `cannot insert ${CODE_ACTION_TITLES[mode].toLowerCase()} for ${functionName}`}.`);
      return false;
    }
    return vscode.workspace.applyEdit(await client.protocol2CodeConverter.asWorkspaceEdit(result.edit));
  }
  const position = editor && editor.document.uri.toString() === uri.toString() ? editor.selection.active : undefined;
  if (!position) {
    void vscode.window.showWarningMessage('Gradlens: put the cursor on a @differentiable function first.');
    return false;
  }
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider', uri, new vscode.Range(position, position), undefined, 20,
  );
  const title = CODE_ACTION_TITLES[mode];
  const action = actions?.find((a) => a.title === title) ?? actions?.find((a) => a.title.startsWith(title));
  if (!action) {
    void vscode.window.showWarningMessage(`Gradlens: "${title}" is not available here.`);
    return false;
  }
  if (action.edit) await vscode.workspace.applyEdit(action.edit);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  return true;
}
