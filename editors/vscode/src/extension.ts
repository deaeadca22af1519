// kflow for VS Code: starts `kflow lsp` once a Kestra flow is open, and adds Run flow (with a
// results view), Run on server and Deploy (`remote.ts`), Cancel run, Show Flow Graph, Explain rule and Restart server. Non-flow YAML files are never sent to the server, so the
// Red Hat YAML extension keeps serving them (and flows too: both run side by side).

import * as fs from "node:fs";
import * as os from "node:os";
import { execFile } from "node:child_process";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  State,
  WorkDoneProgress,
  DidOpenTextDocumentNotification,
  DidChangeConfigurationNotification,
} from "vscode-languageclient/node";
import {
  ExecutionRecord,
  advertises,
  applyEdits,
  findServer,
  isFlowDocument,
  requiredInputs,
  rulesAt,
  runSummary,
  serverOptions,
} from "./logic";
import { GraphPanels, RunPanels, SHOW_GRAPH } from "./panels";
import type { RunRecord } from "./views";
import { RemoteRuns } from "./remote";

let client: LanguageClient | undefined;
let channel: vscode.LogOutputChannel;
let status: vscode.StatusBarItem;
let serverPath: string | undefined;
const opened = new Set<string>(); // documents the server was told about
const running = new Map<string, vscode.CancellationTokenSource>();
const lensChanged = new vscode.EventEmitter<void>();
let graphs: GraphPanels | undefined;
let runViews: RunPanels | undefined;
// Migrated texts shown in the migration preview's diff, by preview URI.
const MIGRATED_SCHEME = "kflow-migrated";
const MIGRATE_KIND = "source.migrate.kflow";
const previews = new Map<string, string>();
let previewSeq = 0;
let remote: RemoteRuns | undefined;
// VS Code commands this extension registers itself although the server lists them too.
const OWN_COMMANDS = [SHOW_GRAPH];

function config() {
  return vscode.workspace.getConfiguration("kflow");
}

function roots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
}

function isFlow(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== "file" && doc.uri.scheme !== "untitled") return false;
  return isFlowDocument(
    { languageId: doc.languageId, fileName: doc.fileName, text: doc.getText() },
    config().get<string[]>("flowGlobs", []),
    roots(),
  );
}

/**
 * "Migrate this file to Kestra 2.0": asks the server for its migration source action, shows the
 * result beside the file in a diff editor, and applies it only when the user says so (and the
 * file has not changed meanwhile).
 */
async function migrateFile(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || !isFlow(editor.document)) {
    void vscode.window.showInformationMessage("kflow: open a Kestra flow to migrate it.");
    return;
  }
  const doc = editor.document;
  const version = doc.version;
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    "vscode.executeCodeActionProvider",
    doc.uri,
    new vscode.Range(0, 0, 0, 0),
    MIGRATE_KIND,
  );
  const action = (actions ?? []).find((a) => a.kind?.value === MIGRATE_KIND && a.edit);
  if (!action?.edit) {
    void vscode.window.showInformationMessage("kflow: nothing in this file to migrate to Kestra 2.0.");
    return;
  }
  const edits = action.edit.get(doc.uri).map((e) => ({
    start: doc.offsetAt(e.range.start),
    end: doc.offsetAt(e.range.end),
    newText: e.newText,
  }));
  const preview = vscode.Uri.from({ scheme: MIGRATED_SCHEME, path: doc.uri.path, query: String(++previewSeq) });
  previews.set(preview.toString(), applyEdits(doc.getText(), edits));
  try {
    const name = doc.uri.path.split("/").pop() ?? "flow";
    await vscode.commands.executeCommand("vscode.diff", doc.uri, preview, `${name} ↔ Kestra 2.0 (preview)`);
    const choice = await vscode.window.showInformationMessage(action.title, "Apply", "Cancel");
    if (choice !== "Apply") return;
    if (doc.version !== version) {
      void vscode.window.showWarningMessage("kflow: the file changed since the preview; migrate it again.");
      return;
    }
    await vscode.workspace.applyEdit(action.edit);
  } finally {
    previews.delete(preview.toString());
  }
}

function options() {
  const c = config();
  return serverOptions({
    debounceMs: c.get<number>("debounceMs"),
    rules: c.get<Record<string, string>>("rules"),
    ruleDocsUrl: c.get<string>("ruleDocsUrl"),
  });
}

function setStatus(text: string, tooltip: string, error = false) {
  status.text = text;
  status.tooltip = tooltip;
  status.backgroundColor = error ? new vscode.ThemeColor("statusBarItem.errorBackground") : undefined;
  status.show();
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  if (client) return;
  const found = findServer({
    configured: config().get<string>("path", ""),
    pathEnv: process.env.PATH ?? "",
    platform: process.platform,
    arch: process.arch,
    extensionPath: context.extensionPath,
    isExecutable,
    home: os.homedir(),
  });
  if ("error" in found) {
    setStatus("$(error) kflow", `${found.error} ${found.fix}`, true);
    const pick = await vscode.window.showErrorMessage(`${found.error} ${found.fix}`, "Set kflow.path", "Retry");
    if (pick === "Set kflow.path") await vscode.commands.executeCommand("workbench.action.openSettings", "kflow.path");
    if (pick === "Retry") return start(context);
    return;
  }
  serverPath = found.path;
  channel.appendLine(`kflow: starting ${found.path} lsp (found via ${found.source})`);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "yaml" },
      { scheme: "untitled", language: "yaml" },
    ],
    initializationOptions: options(),
    outputChannel: channel,
    diagnosticPullOptions: {
      onChange: true,
      onSave: true,
      filter: (doc) => !opened.has(doc.uri.toString()),
    },
    middleware: {
      didOpen: async (doc, next) => {
        if (!isFlow(doc)) return;
        opened.add(doc.uri.toString());
        return next(doc);
      },
      didChange: async (event, next) => {
        const key = event.document.uri.toString();
        if (opened.has(key)) return next(event);
        if (isFlow(event.document) && client) {
          // Became a flow while edited: the server is told about it now, whole.
          opened.add(key);
          await client.sendNotification(DidOpenTextDocumentNotification.type, {
            textDocument: {
              uri: key,
              languageId: "yaml",
              version: event.document.version,
              text: event.document.getText(),
            },
          });
        }
      },
      didClose: async (doc, next) => {
        if (!opened.delete(doc.uri.toString())) return;
        return next(doc);
      },
      didSave: async (doc, next) => (opened.has(doc.uri.toString()) ? next(doc) : undefined),
      willSave: async (e, next) => (opened.has(e.document.uri.toString()) ? next(e) : undefined),
      provideCompletionItem: (d, p, c, t, next) => (opened.has(d.uri.toString()) ? next(d, p, c, t) : undefined),
      provideHover: (d, p, t, next) => (opened.has(d.uri.toString()) ? next(d, p, t) : undefined),
      provideDefinition: (d, p, t, next) => (opened.has(d.uri.toString()) ? next(d, p, t) : undefined),
      provideReferences: (d, p, o, t, next) => (opened.has(d.uri.toString()) ? next(d, p, o, t) : undefined),
      provideRenameEdits: (d, p, n, t, next) => (opened.has(d.uri.toString()) ? next(d, p, n, t) : undefined),
      prepareRename: (d, p, t, next) => (opened.has(d.uri.toString()) ? next(d, p, t) : undefined),
      provideDocumentSymbols: (d, t, next) => (opened.has(d.uri.toString()) ? next(d, t) : undefined),
      provideFoldingRanges: (d, c, t, next) => (opened.has(d.uri.toString()) ? next(d, c, t) : undefined),
      provideDocumentSemanticTokens: (d, t, next) => (opened.has(d.uri.toString()) ? next(d, t) : undefined),
      provideCodeActions: (d, r, c, t, next) => (opened.has(d.uri.toString()) ? next(d, r, c, t) : undefined),
      provideCodeLenses: async (d, t, next) => {
        if (!opened.has(d.uri.toString())) return undefined;
        const lenses = (await next(d, t)) ?? [];
        // The server's "Run flow" lens goes through this extension's prompts and progress.
        for (const lens of lenses) {
          if (lens.command?.command === "kflow.runFlow") {
            lens.command = { title: lens.command.title, command: "kflow.run", arguments: [d.uri] };
          }
        }
        return lenses;
      },
    },
  };
  const c = new LanguageClient("kflow", "kflow", { command: found.path, args: ["lsp"] }, clientOptions);
  leaveOutOwnCommands(c);
  client = c;
  c.onDidChangeState((e) => {
    if (e.newState === State.Running) {
      setStatus("$(check) kflow", `kflow language server running (${found.path})`);
      lensChanged.fire();
      graphs?.refreshAll();
    } else if (e.newState === State.Starting) setStatus("$(sync~spin) kflow", "kflow language server starting");
    else setStatus("$(circle-slash) kflow", "kflow language server stopped: click to restart", true);
  });
  setStatus("$(sync~spin) kflow", "kflow language server starting");
  try {
    await c.start();
  } catch (e) {
    setStatus("$(error) kflow", `kflow failed to start: ${e}`, true);
    vscode.window.showErrorMessage(`kflow: the language server failed to start: ${e}`, "Show log").then((p) => {
      if (p) channel.show();
    });
  }
}

/**
 * The client registers a VS Code command forwarding to the server for every command the server
 * lists (executeCommandProvider). kflow.showGraph is this extension's own VS Code command (it
 * opens the graph view and sends the server command itself), and VS Code refuses a command
 * registered twice, so the client's registration leaves it out.
 */
function leaveOutOwnCommands(c: LanguageClient): void {
  type Registration = { id: string; registerOptions: { commands?: string[] } };
  type Feature = { register(data: Registration): void };
  const feature = (c as unknown as { getFeature(method: string): Feature | undefined }).getFeature(
    ExecuteCommandRequest.method,
  );
  if (!feature || typeof feature.register !== "function") return;
  const register = feature.register.bind(feature);
  feature.register = (data) =>
    register({
      ...data,
      registerOptions: {
        ...data.registerOptions,
        commands: (data.registerOptions.commands ?? []).filter((cmd) => !OWN_COMMANDS.includes(cmd)),
      },
    });
}

/** The running client when it offers `command`, else why not (for the user). */
async function clientFor(command: string): Promise<LanguageClient | string> {
  const c = client;
  if (!c) return "the kflow language server is not running (open a Kestra flow, or kflow: Restart server).";
  if (c.state === State.Starting) {
    // Opened with the command from a fresh window: the server is still starting.
    await new Promise<void>((resolve) => {
      const sub = c.onDidChangeState((e) => {
        if (e.newState !== State.Starting) {
          sub.dispose();
          resolve();
        }
      });
      setTimeout(() => {
        sub.dispose();
        resolve();
      }, 20000);
    });
  }
  if (c.state !== State.Running) return "the kflow language server is not running (see the kflow output).";
  if (!advertises(c.initializeResult?.capabilities, command)) {
    return `this kflow server does not offer ${command}: update kflow.`;
  }
  return c;
}

async function showGraph(arg?: vscode.Uri): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const doc =
    arg instanceof vscode.Uri ? await vscode.workspace.openTextDocument(arg) : editor?.document;
  if (!doc || !isFlow(doc)) {
    vscode.window.showErrorMessage("kflow: open a Kestra flow (a YAML file with id and namespace) to see its graph.");
    return;
  }
  const c = await clientFor(SHOW_GRAPH);
  if (typeof c === "string") {
    vscode.window.showErrorMessage(`kflow: cannot draw the flow: ${c}`);
    return;
  }
  const shown = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === doc.uri.toString());
  await graphs?.show(doc, shown?.viewColumn ?? editor?.viewColumn);
}

function updateActiveFlow(editor = vscode.window.activeTextEditor): void {
  void vscode.commands.executeCommand("setContext", "kflow.activeFlow", !!editor && isFlow(editor.document));
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  opened.clear();
  if (c) await c.stop().catch(() => undefined);
}

function canRun(): boolean {
  return !!client && client.state === State.Running && advertises(client.initializeResult?.capabilities, "kflow.runFlow");
}

function flowName(doc: vscode.TextDocument): string {
  return /^id:\s*["']?([\w.-]+)/m.exec(doc.getText())?.[1] ?? doc.fileName;
}

async function runFlow(arg?: vscode.Uri): Promise<void> {
  const doc = arg ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
  if (!doc || !isFlow(doc)) {
    vscode.window.showErrorMessage("kflow: open a Kestra flow (a YAML file with id and namespace) to run it.");
    return;
  }
  if (!client || !canRun()) {
    vscode.window.showErrorMessage(
      "kflow: this kflow server cannot run flows (it does not offer kflow.runFlow). Update kflow, or check the status bar.",
    );
    return;
  }
  const key = doc.uri.toString();
  if (running.has(key)) {
    vscode.window.showWarningMessage("kflow: this flow is already running (kflow: Cancel run stops it).");
    return;
  }
  const inputs: Record<string, string> = {};
  for (const input of requiredInputs(doc.getText())) {
    const value = await vscode.window.showInputBox({
      title: `Run ${flowName(doc)}: input ${input.id}`,
      prompt: `${input.id}${input.type ? ` (${input.type})` : ""}${input.description ? `: ${input.description}` : ""}`,
      ignoreFocusOut: true,
    });
    if (value === undefined) return;
    inputs[input.id] = value;
  }
  const c = client;
  const name = flowName(doc);
  channel.show(true);
  channel.appendLine(`── run ${name} ──`);
  const cts = new vscode.CancellationTokenSource();
  running.set(key, cts);
  vscode.commands.executeCommand("setContext", "kflow.running", true);
  try {
    const record = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `kflow: running ${name}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => cancelRun(doc.uri));
        const workDoneToken = `kflow-run-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        const sub = c.onProgress(WorkDoneProgress.type, workDoneToken, (v) => {
          if (v.kind === "begin" || v.kind === "report") progress.report({ message: v.message ?? ("title" in v ? v.title : undefined) });
          if (v.message) channel.appendLine(`[progress] ${v.message}`);
        });
        try {
          return (await c.sendRequest(
            ExecuteCommandRequest.type,
            { command: "kflow.runFlow", arguments: [{ uri: key, inputs }], workDoneToken },
            cts.token,
          )) as ExecutionRecord;
        } finally {
          sub.dispose();
        }
      },
    );
    const summary = runSummary(name, record ?? {});
    channel.appendLine(summary.text);
    if (record) {
      try {
        const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === key)?.viewColumn;
        runViews?.show(record as RunRecord, doc, name, column);
      } catch (e) {
        channel.appendLine(`cannot show the run results: ${e}`);
      }
    }
    const show = summary.error ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    const pick = await show(summary.text, "Open execution record");
    if (pick) {
      const rec = await vscode.workspace.openTextDocument({ language: "json", content: JSON.stringify(record, null, 2) });
      await vscode.window.showTextDocument(rec, { preview: false });
    }
  } catch (e) {
    channel.appendLine(`run failed: ${e}`);
    vscode.window.showErrorMessage(`kflow: running ${name} failed: ${e instanceof Error ? e.message : e}`);
  } finally {
    running.delete(key);
    vscode.commands.executeCommand("setContext", "kflow.running", running.size > 0);
  }
}

async function cancelRun(arg?: vscode.Uri): Promise<void> {
  const uri = arg ?? vscode.window.activeTextEditor?.document.uri ?? [...running.keys()].map((k) => vscode.Uri.parse(k))[0];
  if (uri && remote?.isRunning(uri)) {
    remote.cancel(uri);
    return;
  }
  if (!uri || !client) return;
  if (!advertises(client.initializeResult?.capabilities, "kflow.cancelRun")) {
    vscode.window.showErrorMessage("kflow: this kflow server cannot cancel runs (no kflow.cancelRun command).");
    return;
  }
  await client
    .sendRequest(ExecuteCommandRequest.type, { command: "kflow.cancelRun", arguments: [{ uri: uri.toString() }] })
    .catch((e) => vscode.window.showErrorMessage(`kflow: cancel failed: ${e}`));
}

async function explain(rule?: string): Promise<void> {
  if (!rule) {
    const editor = vscode.window.activeTextEditor;
    if (editor) {
      const pos = editor.selection.active;
      const diags = vscode.languages.getDiagnostics(editor.document.uri).map((d) => ({
        source: d.source,
        code: d.code,
        start: [d.range.start.line, d.range.start.character] as [number, number],
        end: [d.range.end.line, d.range.end.character] as [number, number],
      }));
      rule = rulesAt(diags, pos.line, pos.character)[0];
    }
  }
  if (!rule) {
    rule = await vscode.window.showInputBox({ prompt: "kflow rule id (as in kflow rules)" });
    if (!rule) return;
  }
  const exe = serverPath ?? "kflow";
  execFile(exe, ["explain", rule], async (err, stdout, stderr) => {
    if (err) {
      vscode.window.showErrorMessage(`kflow explain ${rule}: ${stderr || err.message}`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument({ language: "markdown", content: stdout });
    await vscode.commands.executeCommand("markdown.showPreviewToSide", doc.uri).then(undefined, () =>
      vscode.window.showTextDocument(doc, vscode.ViewColumn.Beside),
    );
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  channel = vscode.window.createOutputChannel("kflow", { log: true });
  status = vscode.window.createStatusBarItem("kflow.status", vscode.StatusBarAlignment.Right, 100);
  status.name = "kflow";
  status.command = "kflow.restart";
  setStatus("$(circle-outline) kflow", "kflow starts when a Kestra flow is opened");
  graphs = new GraphPanels({ client: () => clientFor(SHOW_GRAPH), log: (l) => channel.appendLine(l) });
  runViews = new RunPanels();
  remote = new RemoteRuns(() => serverPath);
  context.subscriptions.push(channel, status, lensChanged, graphs, runViews, remote);

  const maybeStart = (doc: vscode.TextDocument) => {
    if (!client && isFlow(doc)) void start(context);
  };
  vscode.workspace.textDocuments.forEach(maybeStart);
  updateActiveFlow();
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(maybeStart),
    vscode.workspace.onDidChangeTextDocument((e) => maybeStart(e.document)),
    vscode.commands.registerCommand("kflow.run", runFlow),
    vscode.commands.registerCommand("kflow.cancel", cancelRun),
    vscode.commands.registerCommand("kflow.runOnServer", (uri?: vscode.Uri) => remote?.run(uri)),
    vscode.commands.registerCommand("kflow.deploy", (uri?: vscode.Uri) => remote?.deploy(uri)),
    vscode.commands.registerCommand("kflow.explain", explain),
    vscode.commands.registerCommand(SHOW_GRAPH, showGraph),
    vscode.commands.registerCommand("kflow.migrateFile", migrateFile),
    vscode.workspace.registerTextDocumentContentProvider(MIGRATED_SCHEME, {
      provideTextDocumentContent: (uri) => previews.get(uri.toString()) ?? "",
    }),
    vscode.window.onDidChangeActiveTextEditor((e) => updateActiveFlow(e)),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === vscode.window.activeTextEditor?.document) updateActiveFlow();
    }),
    vscode.commands.registerCommand("kflow.restart", async () => {
      await stop();
      await start(context);
    }),
    // A "Run flow" lens on flows, when the server can run them and has no lens of its own.
    vscode.languages.registerCodeLensProvider(
      { language: "yaml" },
      {
        onDidChangeCodeLenses: lensChanged.event,
        provideCodeLenses(doc) {
          if (!isFlow(doc) || !canRun() || client?.initializeResult?.capabilities.codeLensProvider) return [];
          const range = new vscode.Range(0, 0, 0, 0);
          return [new vscode.CodeLens(range, { title: "▶ Run flow", command: "kflow.run", arguments: [doc.uri] })];
        },
      },
    ),
    // "Run on server" beside "Run flow", on every flow once kflow is started.
    vscode.languages.registerCodeLensProvider(
      { language: "yaml", scheme: "file" },
      {
        onDidChangeCodeLenses: lensChanged.event,
        provideCodeLenses(doc) {
          if (!isFlow(doc) || !serverPath) return [];
          const range = new vscode.Range(0, 0, 0, 0);
          return [new vscode.CodeLens(range, { title: "☁ Run on server", command: "kflow.runOnServer", arguments: [doc.uri] })];
        },
      },
    ),
    // "Explain rule" next to kflow's own quick fixes.
    vscode.languages.registerCodeActionsProvider(
      { language: "yaml" },
      {
        provideCodeActions(doc, _range, ctx) {
          const rules = [...new Set(ctx.diagnostics.filter((d) => d.source === "kflow" && typeof d.code === "string" || (typeof d.code === "object" && d.source === "kflow")).map((d) => String(typeof d.code === "object" ? d.code.value : d.code)))];
          return rules.map((r) => {
            const a = new vscode.CodeAction(`Explain rule ${r}`, vscode.CodeActionKind.Empty);
            a.command = { title: `Explain rule ${r}`, command: "kflow.explain", arguments: [r] };
            return a;
          });
        },
      },
    ),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration("kflow")) return;
      if (client?.state === State.Running) {
        await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { kflow: options() } });
      }
      // The server reads its path and options when it starts.
      if (["kflow.path", "kflow.debounceMs", "kflow.ruleDocsUrl", "kflow.rules"].some((k) => e.affectsConfiguration(k)) && client) {
        await stop();
        await start(context);
      }
    }),
  );
}

export async function deactivate(): Promise<void> {
  for (const cts of running.values()) cts.cancel();
  await stop();
}
