// "Run on server" and "Deploy": `kflow run FILE --server S` and `kflow deploy FILE --server S`
// as child processes, their output streamed into the "kflow: Kestra server" output channel. The
// server (a URL or a [server.NAME] profile of kflow.toml) is the `kflow.server` setting, or
// asked for; credentials come from the environment VS Code was started in (KESTRA_USERNAME /
// KESTRA_PASSWORD or KESTRA_API_TOKEN), never from the settings.

import { spawn, ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as vscode from "vscode";
import { finalState, requiredInputs } from "./logic";

export class RemoteRuns implements vscode.Disposable {
  private readonly out = vscode.window.createOutputChannel("kflow: Kestra server");
  private readonly children = new Map<string, ChildProcess>();

  constructor(private readonly binary: () => string | undefined) {}

  dispose(): void {
    for (const child of this.children.values()) child.kill("SIGINT");
    this.out.dispose();
  }

  /** Whether a server run of this document is under way. */
  isRunning(uri: vscode.Uri): boolean {
    return this.children.has(uri.toString());
  }

  /** Stops a server run: kflow kills the execution on the server, then exits. */
  cancel(uri: vscode.Uri): boolean {
    const child = this.children.get(uri.toString());
    child?.kill("SIGINT");
    return !!child;
  }

  private async server(): Promise<string | undefined> {
    const configured = vscode.workspace.getConfiguration("kflow").get<string>("server", "").trim();
    if (configured) return configured;
    const asked = await vscode.window.showInputBox({
      title: "kflow: Kestra server",
      prompt: "A URL, or the name of a [server.NAME] profile in kflow.toml (set kflow.server to skip this)",
      ignoreFocusOut: true,
    });
    return asked?.trim() || undefined;
  }

  private async document(arg?: vscode.Uri): Promise<vscode.TextDocument | undefined> {
    const doc = arg ? await vscode.workspace.openTextDocument(arg) : vscode.window.activeTextEditor?.document;
    if (!doc || doc.uri.scheme !== "file") {
      vscode.window.showErrorMessage("kflow: open a saved Kestra flow file first.");
      return undefined;
    }
    // kflow reads the file: unsaved edits go in first.
    if (doc.isDirty) await doc.save();
    return doc;
  }

  /** Streams `kflow ARGS` into the channel; resolves with its exit code and output. */
  private exec(args: string[], cwd: string, key: string): Promise<{ code: number; text: string }> {
    const bin = this.binary();
    return new Promise((resolve) => {
      if (!bin) {
        this.out.appendLine("kflow is not started yet (open a flow, or check kflow.path)");
        resolve({ code: 2, text: "" });
        return;
      }
      this.out.show(true);
      this.out.appendLine(`── kflow ${args.join(" ")} ──`);
      const child = spawn(bin, args, { cwd, env: { ...process.env, NO_COLOR: "1" } });
      this.children.set(key, child);
      vscode.commands.executeCommand("setContext", "kflow.serverRunning", true);
      let text = "";
      const write = (d: Buffer) => {
        const s = d.toString();
        text += s;
        this.out.append(s);
      };
      child.stdout.on("data", write);
      child.stderr.on("data", write);
      child.on("error", (e) => write(Buffer.from(`error: ${e.message}\n`)));
      child.on("close", (code) => {
        this.children.delete(key);
        vscode.commands.executeCommand("setContext", "kflow.serverRunning", this.children.size > 0);
        resolve({ code: code ?? 2, text });
      });
    });
  }

  async run(arg?: vscode.Uri): Promise<void> {
    const doc = await this.document(arg);
    if (!doc) return;
    const key = doc.uri.toString();
    if (this.children.has(key)) {
      vscode.window.showWarningMessage("kflow: this flow is already running on the server (kflow: Cancel run stops it).");
      return;
    }
    const server = await this.server();
    if (!server) return;
    const args = ["run", doc.fileName, "--server", server, "--progress", "plain"];
    for (const input of requiredInputs(doc.getText())) {
      const value = await vscode.window.showInputBox({ title: `Run on ${server}: input ${input.id}`, ignoreFocusOut: true });
      if (value === undefined) return;
      args.push("--input", `${input.id}=${value}`);
    }
    const name = path.basename(doc.fileName);
    const { code, text } = await this.exec(args, path.dirname(doc.fileName), key);
    const state = finalState(text);
    const message = state ? `kflow: ${name} on ${server} ended in ${state}` : `kflow: ${name} on ${server} failed (exit ${code})`;
    (code === 0 ? vscode.window.showInformationMessage : vscode.window.showErrorMessage)(message);
  }

  async deploy(arg?: vscode.Uri): Promise<void> {
    const doc = await this.document(arg);
    if (!doc) return;
    const server = await this.server();
    if (!server) return;
    const { code } = await this.exec(["deploy", doc.fileName, "--server", server], path.dirname(doc.fileName), `deploy ${doc.uri}`);
    const name = path.basename(doc.fileName);
    (code === 0 ? vscode.window.showInformationMessage : vscode.window.showErrorMessage)(
      code === 0 ? `kflow: ${name} deployed to ${server}` : `kflow: deploying ${name} to ${server} failed (exit ${code}; see the output)`,
    );
  }
}
