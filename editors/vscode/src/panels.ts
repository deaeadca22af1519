// The graph webview (kflow.showGraph: the flow's picture beside the editor, redrawn as it is
// edited, a click on a task selecting it in the editor) and the run results webview (the
// execution record of a run from the editor).

import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as vscode from "vscode";
import { ExecuteCommandRequest, LanguageClient } from "vscode-languageclient/node";
import { RunRecord, RunView, buildRunView, findTaskLine, findTaskSymbol, graphHtml, runHtml } from "./views";

export const SHOW_GRAPH = "kflow.showGraph";

function nonce(): string {
  return crypto.randomBytes(18).toString("base64").replace(/[^A-Za-z0-9]/g, "");
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export interface GraphDeps {
  /** The running client that offers kflow.showGraph, or why there is none. */
  client: () => Promise<LanguageClient | string>;
  log: (line: string) => void;
}

/** Where the task `taskId` of `doc` is: the server's symbols first, the text second. */
export async function taskRange(doc: vscode.TextDocument, taskId: string): Promise<vscode.Range | undefined> {
  try {
    const symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[]>(
      "vscode.executeDocumentSymbolProvider",
      doc.uri,
    );
    const nested = (symbols ?? []).filter((s): s is vscode.DocumentSymbol => "selectionRange" in s);
    const found = findTaskSymbol(nested, taskId);
    if (found) return found.selectionRange;
  } catch {
    // No symbol provider answered: the text search below still finds usual flows' tasks.
  }
  const hit = findTaskLine(doc.getText(), taskId);
  return hit ? new vscode.Range(hit.line, hit.start, hit.line, hit.end) : undefined;
}

/** Selects the task `taskId` in an editor of `uri` (the one showing it, else `column`). */
export async function revealTask(uri: vscode.Uri, taskId: string, column?: vscode.ViewColumn): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const range = await taskRange(doc, taskId);
  if (!range) {
    vscode.window.showWarningMessage(`kflow: task ${taskId} is not in ${vscode.workspace.asRelativePath(uri)}.`);
    return false;
  }
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: shown?.viewColumn ?? column ?? vscode.ViewColumn.One,
    selection: range,
    preserveFocus: false,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return true;
}

class GraphPanel {
  readonly panel: vscode.WebviewPanel;
  private svg: string | undefined;
  private error: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private serial = 0;

  constructor(
    readonly uri: vscode.Uri,
    private editorColumn: vscode.ViewColumn | undefined,
    private deps: GraphDeps,
    onDispose: () => void,
  ) {
    const name = uri.path.split("/").pop() ?? uri.toString();
    this.panel = vscode.window.createWebviewPanel(
      "kflow.graph",
      `Graph: ${name}`,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      // Scripts only for the click handler; no local or remote resources at all.
      { enableScripts: true, localResourceRoots: [], enableFindWidget: true },
    );
    this.panel.webview.html = graphHtml({ cspSource: this.panel.webview.cspSource, nonce: nonce(), title: name });
    this.panel.webview.onDidReceiveMessage((m: { type?: string; taskId?: unknown }) => {
      if (m?.type === "ready") this.post();
      else if (m?.type === "reveal" && typeof m.taskId === "string") {
        void revealTask(this.uri, m.taskId, this.editorColumn).catch((e) =>
          vscode.window.showErrorMessage(`kflow: cannot reveal ${m.taskId}: ${message(e)}`),
        );
      }
    });
    this.panel.onDidDispose(() => {
      clearTimeout(this.timer);
      onDispose();
    });
  }

  setEditorColumn(c: vscode.ViewColumn | undefined) {
    if (c) this.editorColumn = c;
  }

  /** Redraws after a quiet time, so that typing does not ask for a picture per key. */
  schedule(delayMs = 300) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  async refresh(): Promise<void> {
    const serial = ++this.serial;
    let result: { svg?: unknown } | undefined;
    let error: string | undefined;
    const c = await this.deps.client();
    if (typeof c === "string") error = c;
    else {
      try {
        result = (await c.sendRequest(ExecuteCommandRequest.type, {
          command: SHOW_GRAPH,
          arguments: [{ uri: this.uri.toString() }],
        })) as { svg?: unknown } | undefined;
        if (typeof result?.svg !== "string") error = "the server sent no picture";
      } catch (e) {
        error = message(e);
      }
    }
    // An older request answering late must not replace a newer picture.
    if (serial !== this.serial) return;
    if (error) {
      this.error = `The flow cannot be drawn: ${error}`;
      this.deps.log(`graph ${this.uri.fsPath}: ${error}`);
    } else {
      this.svg = result!.svg as string;
      this.error = undefined;
    }
    this.post();
  }

  private post() {
    if (this.svg !== undefined) void this.panel.webview.postMessage({ type: "graph", svg: this.svg });
    if (this.error !== undefined) void this.panel.webview.postMessage({ type: "error", message: this.error });
  }
}

/** One graph panel per flow document. */
export class GraphPanels implements vscode.Disposable {
  private panels = new Map<string, GraphPanel>();
  private subs: vscode.Disposable[];

  constructor(private deps: GraphDeps) {
    this.subs = [
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) this.panels.get(e.document.uri.toString())?.schedule();
      }),
    ];
  }

  async show(doc: vscode.TextDocument, column?: vscode.ViewColumn): Promise<void> {
    const key = doc.uri.toString();
    let p = this.panels.get(key);
    if (p) {
      p.setEditorColumn(column);
      p.panel.reveal(undefined, true);
    } else {
      p = new GraphPanel(doc.uri, column, this.deps, () => this.panels.delete(key));
      this.panels.set(key, p);
    }
    await p.refresh();
  }

  /** A new server (restart) draws again. */
  refreshAll() {
    for (const p of this.panels.values()) p.schedule(0);
  }

  dispose() {
    for (const p of this.panels.values()) p.panel.dispose();
    this.subs.forEach((s) => s.dispose());
  }
}

/** One results panel per flow (`namespace.flow`), showing its last run from the editor. */
export class RunPanels implements vscode.Disposable {
  private panels = new Map<
    string,
    { panel: vscode.WebviewPanel; view: RunView; flow: vscode.Uri; column?: vscode.ViewColumn }
  >();

  show(record: RunRecord, flow: vscode.TextDocument, fallbackName: string, column?: vscode.ViewColumn): void {
    const view = buildRunView(record, {
      flowPath: flow.uri.scheme === "file" ? flow.uri.fsPath : undefined,
      exists: (p) => fs.existsSync(p),
      fallbackName,
    });
    const key = view.title;
    let entry = this.panels.get(key);
    if (entry) {
      entry.view = view;
      entry.flow = flow.uri;
      entry.column = column ?? entry.column;
      entry.panel.reveal(undefined, true);
    } else {
      const panel = vscode.window.createWebviewPanel(
        "kflow.run",
        view.title,
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        // Scripts for the log filter and the file links; nothing is loaded from anywhere.
        { enableScripts: true, localResourceRoots: [], enableFindWidget: true, retainContextWhenHidden: true },
      );
      const created = { panel, view, flow: flow.uri, column };
      entry = created;
      this.panels.set(key, created);
      panel.onDidDispose(() => this.panels.delete(key));
      panel.webview.onDidReceiveMessage(async (m: { type?: string; file?: unknown; taskId?: unknown }) => {
        if (m?.type === "reveal" && typeof m.taskId === "string") {
          await revealTask(created.flow, m.taskId, created.column).catch((e) =>
            vscode.window.showErrorMessage(`kflow: cannot reveal ${m.taskId}: ${message(e)}`),
          );
          return;
        }
        if (m?.type !== "open" || typeof m.file !== "number") return;
        // Only files of the model can be opened: the page names them by index, not by path.
        const ref = created.view.files[m.file];
        if (!ref?.path) return;
        if (!fs.existsSync(ref.path)) {
          vscode.window.showWarningMessage(`kflow: ${ref.uri} is not in the storage folder (${ref.path}).`);
          return;
        }
        await vscode.commands.executeCommand("vscode.open", vscode.Uri.file(ref.path), {
          viewColumn: created.column ?? vscode.ViewColumn.One,
          preview: true,
        });
      });
    }
    entry.panel.title = view.title;
    entry.panel.webview.html = runHtml(view, { cspSource: entry.panel.webview.cspSource, nonce: nonce() });
  }

  dispose() {
    for (const e of this.panels.values()) e.panel.dispose();
  }
}
