// End-to-end test in a real VS Code (code-server) driven in headless Chromium by playwright-core.
//   node test/e2e/e2e.mjs --code-server ENTRY.js --vsix kflow.vsix --kflow BIN --examples DIR --chromium BIN --standin URL
// Asserts that the Problems view lists kflow's findings for broken_references.yaml (and shows a
// quick fix); that "Kestra: Show Flow Graph" shows parallel_requests.yaml's task boxes beside
// the editor, that a click on one selects that task in the editor and that the picture follows
// an edit; and, when the server offers kflow.runFlow, that "Run flow" ends in SUCCESS and its
// results view shows the finished run (filtering its logs, opening a storage file). Screenshots go
// to test-artifacts/ (graph.png: the graph webview beside the flow; run-view.png: the results
// view); that "Run on server" (its code lens) runs a flow on the Kestra API stand-in at --standin
// URL and streams its logs into the output channel. Prints "N passed, N failed, N skipped".
import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { chromium } from "playwright-core";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
for (const k of ["code-server", "vsix", "kflow", "examples", "chromium", "standin"]) {
  if (!args[k]) throw new Error(`missing --${k}`);
}
const here = path.dirname(new URL(import.meta.url).pathname);
const artifacts = path.resolve(here, "../../test-artifacts");
fs.mkdirSync(artifacts, { recursive: true });

let passed = 0, failed = 0, skipped = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n${e?.stack ?? e}`);
  }
}

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

// Does this kflow advertise kflow.runFlow? Ask it directly over stdio: send `initialize`, wait
// for its reply, then `exit` (an `exit` sent at once may cancel the pending reply).
function serverCommands(bin) {
  const init = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
  const exit = JSON.stringify({ jsonrpc: "2.0", method: "exit" });
  const frame = (s) => `Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`;
  return new Promise((resolve) => {
    const child = spawn(bin, ["lsp"], { stdio: ["pipe", "pipe", "ignore"] });
    let out = "";
    const timer = setTimeout(() => { child.kill(); resolve([]); }, 20000);
    child.stdout.on("data", (chunk) => {
      out += chunk.toString();
      const start = out.indexOf("{");
      if (start < 0) return;
      try {
        const msg = JSON.parse(out.slice(start, out.lastIndexOf("}") + 1));
        clearTimeout(timer);
        child.stdin.end(frame(exit));
        resolve(msg.result?.capabilities?.executeCommandProvider?.commands ?? []);
      } catch {
        // Not complete yet.
      }
    });
    child.on("error", () => { clearTimeout(timer); resolve([]); });
    child.stdin.write(frame(init));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "kflow-e2e-"));
const userData = path.join(tmp, "user-data");
const extDir = path.join(tmp, "extensions");
const work = path.join(tmp, "project");
fs.mkdirSync(path.join(userData, "User"), { recursive: true });
fs.mkdirSync(path.join(work, "flows"), { recursive: true });
fs.writeFileSync(path.join(work, "kflow.toml"), "");
fs.copyFileSync(path.join(args.examples, "antipatterns/broken_references.yaml"), path.join(work, "flows/broken_references.yaml"));
fs.copyFileSync(path.join(args.examples, "clean/parallel_requests.yaml"), path.join(work, "flows/parallel_requests.yaml"));
fs.writeFileSync(
  path.join(userData, "User/settings.json"),
  JSON.stringify({
    "security.workspace.trust.enabled": false,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "update.mode": "none",
    "kflow.path": path.resolve(args.kflow),
    "kflow.debounceMs": 50,
    // The Kestra API stand-in test.sh started, for "Run on Kestra server".
    "kflow.server": args.standin,
    "window.commandCenter": false,
    "chat.commandCenter.enabled": false,
  }, null, 2),
);

const node = process.execPath;
const cs = path.resolve(args["code-server"]);
execFileSync(node, [cs, "--user-data-dir", userData, "--extensions-dir", extDir, "--install-extension", path.resolve(args.vsix)], {
  stdio: "inherit",
  timeout: 120000,
});

const port = await freePort();
const server = spawn(
  node,
  [cs, "--auth", "none", "--bind-addr", `127.0.0.1:${port}`, "--user-data-dir", userData, "--extensions-dir", extDir,
    "--disable-telemetry", "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override", work],
  {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
    // The stand-in's credentials, as a user exports them before starting VS Code.
    env: { ...process.env, KESTRA_USERNAME: "admin@kestra.io", KESTRA_PASSWORD: "Kestra-2025" },
  },
);
let serverLog = "";
server.stdout.on("data", (d) => (serverLog += d));
server.stderr.on("data", (d) => (serverLog += d));
const stopAll = () => {
  try {
    process.kill(-server.pid, "SIGTERM");
  } catch {}
};
process.on("exit", () => {
  stopAll();
  // code-server's profile and the project: a few hundred megabytes per run
  // (KFLOW_E2E_KEEP=1 keeps them to look at).
  if (!process.env.KFLOW_E2E_KEEP) {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch {}
  }
});

async function waitHttp(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((r) => http.get(url, (res) => { res.resume(); r(res.statusCode < 500); }).on("error", () => r(false)));
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url}\n${serverLog}`);
}
await waitHttp(`http://127.0.0.1:${port}/healthz`, 60000);

const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const mod = "Control";
try {
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(work)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 90000 });
  await page.waitForTimeout(2000);

  const activeEditor = '[id="workbench.parts.editor"] .editor-group-container.active .monaco-editor .view-lines';
  async function command(name) {
    await page.keyboard.press("F1");
    await page.waitForSelector(".quick-input-widget input", { state: "visible" });
    await page.keyboard.type(name);
    await page.waitForTimeout(400);
    await page.keyboard.press("Enter");
  }
  async function openFile(rel) {
    const name = path.basename(rel);
    // Quick Open lists a file only once the file search answers, which takes a while on a busy
    // machine: Enter waits for the file's row, and a miss is tried again.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press(`${mod}+P`);
      await page.waitForSelector(".quick-input-widget input", { state: "visible" });
      await page.keyboard.type(rel);
      await page
        .locator(".quick-input-widget .monaco-list-row", { hasText: name })
        .first()
        .waitFor({ state: "visible", timeout: 15000 })
        .catch(() => undefined);
      await page.waitForTimeout(300);
      await page.keyboard.press("Enter");
      try {
        await page.waitForSelector(`.tab[aria-label*="${name}"]`, { timeout: 15000 });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await page.keyboard.press("Escape");
        await page.waitForTimeout(1000);
      }
    }
    // The opened file's editor, not the Output panel's (also a Monaco editor once a run showed it).
    await page.click(activeEditor);
  }

  await test("Problems view lists kflow's findings for broken_references.yaml", async () => {
    await openFile("flows/broken_references.yaml");
    await command("View: Focus Problems");
    const rules = fs
      .readFileSync(path.join(work, "flows/broken_references.yaml"), "utf8")
      .split("\n")
      .map((l, i) => [/# expect: ([\w-]+)/.exec(l)?.[1], i + 1])
      .filter(([r]) => r)
      .map(([r, n]) => `kflow${r}[Ln${n},`);
    const panel = page.locator(".markers-panel");
    const deadline = Date.now() + 60000;
    let text = "";
    while (Date.now() < deadline) {
      text = ((await panel.innerText().catch(() => "")) ?? "").replace(/[\s()]+/g, "");
      if (rules.every((r) => text.includes(r))) break;
      await page.waitForTimeout(500);
    }
    await page.screenshot({ path: path.join(artifacts, "problems.png") });
    const missing = rules.filter((r) => !text.includes(r));
    if (missing.length) throw new Error(`Problems view lacks ${missing.join(", ")}:\n${text}\n--- code-server log ---\n${serverLog.slice(-3000)}`);
    console.log(`     Problems view lists all ${rules.length} expected findings: ${rules.join(" ")}`);
  });

  await test("a kflow diagnostic offers its quick fix", async () => {
    const lines = fs.readFileSync(path.join(work, "flows/broken_references.yaml"), "utf8").split("\n");
    const i = lines.findIndex((l) => l.includes("expect: deprecated-type"));
    const col = lines[i].indexOf("io.kestra") + 3;
    await page.click(activeEditor);
    await page.keyboard.press(`${mod}+G`);
    await page.keyboard.type(`${i + 1}:${col}`);
    await page.keyboard.press("Enter");
    await page.waitForTimeout(500);
    await page.keyboard.press(`${mod}+.`);
    const widget = page.locator(".action-widget");
    await widget.waitFor({ state: "visible", timeout: 15000 });
    await page.waitForTimeout(500);
    const text = await widget.innerText();
    await page.screenshot({ path: path.join(artifacts, "quickfix.png") });
    if (!/io\.kestra\.plugin\.core\.log\.Log|Replace|Explain rule/i.test(text)) throw new Error(`quick fix menu: ${text}`);
    console.log(`     quick fixes: ${text.split("\n").filter(Boolean).join(" | ")}`);
    await page.keyboard.press("Escape");
  });

  // A webview's page is a frame inside code-server's webview frame: the first frame where
  // `probe` returns a truthy value, polled until `ms` ends.
  async function webviewFrame(probe, ms, arg) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (const frame of page.frames()) {
        const v = await frame.evaluate(probe, arg).catch(() => undefined);
        if (v) return { frame, value: v };
      }
      await page.waitForTimeout(300);
    }
    return undefined;
  }
  const selection = () => page.locator('[id="status.editor.selection"]').innerText().catch(() => "");

  const commands = await serverCommands(args.kflow);
  if (!commands.includes("kflow.showGraph")) {
    skipped++;
    console.log("skip the graph view: the server does not advertise kflow.showGraph");
  } else {
    await test('"Kestra: Show Flow Graph" shows the task boxes; a click selects the task; edits redraw it', async () => {
      const file = path.join(work, "flows/parallel_requests.yaml");
      // The boxes the server draws for this flow, as the command line draws them.
      const svg = execFileSync(args.kflow, ["graph", file], { encoding: "utf8" });
      const expected = [...svg.matchAll(/<g class="node [^"]*" id="n\d+" data-task-id="([^"]+)"/g)].map((m) => m[1]);
      if (expected.length < 5) throw new Error(`kflow graph drew only ${expected.length} task boxes`);
      await openFile("flows/parallel_requests.yaml");
      // The Problems panel closed, so that the screenshot has room for the whole picture.
      await page.keyboard.press(`${mod}+J`);
      await page.waitForTimeout(1000);
      await command("Kestra: Show Flow Graph");
      const found = await webviewFrame(
        (n) => document.querySelectorAll("#graph g.node[data-task-id]").length >= n && document.querySelectorAll("#graph g.node[data-task-id]").length,
        60000,
        expected.length,
      );
      if (!found) {
        await page.screenshot({ path: path.join(artifacts, "graph.png") });
        throw new Error(`no webview with ${expected.length} task boxes\n--- code-server log ---\n${serverLog.slice(-3000)}`);
      }
      const { frame } = found;
      await page.waitForTimeout(500);
      await page.screenshot({ path: path.join(artifacts, "graph.png") });
      // Every box the server drew is in the page, laid out and visible (its style applied: a
      // stroked rectangle, which only happens when the CSP let the SVG's <style> in).
      const ids = await frame.$$eval("#graph g.node[data-task-id]", (els) => els.map((e) => e.getAttribute("data-task-id")));
      const missing = expected.filter((id) => !ids.includes(id));
      if (missing.length) throw new Error(`graph view lacks ${missing.join(", ")} (has ${ids.join(", ")})`);
      let inView = 0;
      for (const id of expected) {
        const box = frame.locator(`#graph g.node[data-task-id="${id}"]`);
        if (!(await box.isVisible())) throw new Error(`task box ${id} is not visible`);
        const b = await box.boundingBox();
        if (!b || b.width < 20 || b.height < 10) throw new Error(`task box ${id} has no size: ${JSON.stringify(b)}`);
        if (b.y + b.height <= 800 && b.x + b.width <= 1280) inView++;
      }
      if (inView < expected.length) throw new Error(`only ${inView} of ${expected.length} task boxes are inside the 1280×800 screenshot`);
      const stroke = await frame.$eval("#graph g.node[data-task-id] rect", (r) => getComputedStyle(r).stroke);
      if (!stroke || stroke === "none") throw new Error(`the SVG's style was not applied (stroke ${stroke})`);
      console.log(`     graph view shows ${expected.length} task boxes (${expected.join(", ")}), all inside the screenshot test-artifacts/graph.png`);

      // A click on a box selects that task's id in the editor.
      const target = "alert";
      const line = fs.readFileSync(file, "utf8").split("\n").findIndex((l) => /^\s*-\s+id:\s*alert\s*$/.test(l)) + 1;
      await frame.locator(`#graph g.node[data-task-id="${target}"]`).click();
      let sel = "";
      const end = Date.now() + 15000;
      while (Date.now() < end) {
        sel = await selection();
        if (sel.includes(`Ln ${line},`) && /selected/.test(sel)) break;
        await page.waitForTimeout(250);
      }
      await page.screenshot({ path: path.join(artifacts, "graph-reveal.png") });
      if (!sel.includes(`Ln ${line},`) || !/selected/.test(sel)) throw new Error(`after a click on ${target} the selection is "${sel}", not on line ${line}`);
      console.log(`     a click on ${target} selected it in the editor: ${sel.trim()}`);

      // The picture follows edits: typing over the selected id renames the box.
      await page.keyboard.type("alert_renamed");
      const renamed = await webviewFrame(() => !!document.querySelector('#graph g.node[data-task-id="alert_renamed"]'), 15000);
      if (!renamed) throw new Error("the graph did not follow the edit (no box alert_renamed)");
      // Text that cannot be drawn: the last picture stays and the server's reason is shown.
      await page.keyboard.press("Escape");
      await page.keyboard.press("End");
      await page.keyboard.type(":");
      const broken = await webviewFrame(
        () => {
          const status = document.querySelector("#status")?.textContent ?? "";
          return status.includes("cannot be drawn") && document.querySelector('#graph g.node[data-task-id="alert_renamed"]') ? status : undefined;
        },
        15000,
      );
      await page.screenshot({ path: path.join(artifacts, "graph-error.png") });
      if (!broken) throw new Error("the graph view shows no error for invalid YAML, or lost its last picture");
      console.log(`     after an edit that cannot be drawn: "${broken.value.trim()}", the last picture kept`);
      await page.keyboard.press("Backspace");
      const fixed = await webviewFrame(() => (document.querySelector("#status")?.textContent ?? "") === "" && !!document.querySelector('#graph g.node[data-task-id="alert_renamed"]'), 15000);
      if (!fixed) throw new Error("the error stayed after the text was fixed");
    });
  }

  if (!commands.includes("kflow.runFlow")) {
    skipped++;
    console.log('skip "Run flow" on a flow pointed at a local HTTP server ends in SUCCESS: the server does not advertise kflow.runFlow in executeCommandProvider.commands yet');
  } else {
    await test('"Run flow" on a flow pointed at a local HTTP server ends in SUCCESS', async () => {
      const hits = [];
      const local = http.createServer((req, res) => {
        hits.push(req.url);
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"ok":true}');
      });
      await new Promise((r) => local.listen(0, "127.0.0.1", r));
      const lport = local.address().port;
      fs.writeFileSync(
        path.join(work, "flows/run_local.yaml"),
        [
          "id: run_local",
          "namespace: company.team",
          "inputs:",
          "  - id: who",
          "    type: STRING",
          "tasks:",
          "  - id: call",
          "    type: io.kestra.plugin.core.http.Request",
          `    uri: http://127.0.0.1:${lport}/ping`,
          "  - id: log",
          "    type: io.kestra.plugin.core.log.Log",
          '    message: "hello {{ inputs.who }} {{ outputs.call.code }}"',
          "",
        ].join("\n"),
      );
      await openFile("flows/run_local.yaml");
      await page.waitForTimeout(1500);
      await command("kflow: Run flow");
      await page.waitForSelector(".quick-input-widget input", { state: "visible", timeout: 15000 });
      await page.keyboard.type("e2e");
      await page.keyboard.press("Enter");
      const toast = page.locator(".notifications-toasts", { hasText: "ended in" });
      await toast.waitFor({ state: "visible", timeout: 120000 });
      const text = await toast.innerText();
      await page.screenshot({ path: path.join(artifacts, "run.png") });
      local.close();
      if (!text.includes("ended in SUCCESS")) throw new Error(`run ended: ${text}`);
      if (hits.length === 0) throw new Error("the local HTTP server was not called");
    });

    await test("the results view shows a finished run: state SUCCESS, its task runs, logs and storage files", async () => {
      fs.writeFileSync(
        path.join(work, "flows/hello_run.yaml"),
        [
          "id: hello_run",
          "namespace: company.team",
          "tasks:",
          "  - id: greet",
          "    type: io.kestra.plugin.core.log.Log",
          "    message: hello from e2e",
          "  - id: answer",
          "    type: io.kestra.plugin.core.debug.Return",
          '    format: "forty-two"',
          "  - id: save",
          "    type: io.kestra.plugin.core.storage.Write",
          '    content: "stored {{ outputs.answer.value }}"',
          "    extension: .txt",
          "",
        ].join("\n"),
      );
      await openFile("flows/hello_run.yaml");
      await page.waitForTimeout(1500);
      await command("kflow: Run flow");
      const found = await webviewFrame(
        () => {
          const h = document.querySelector("h1");
          const s = document.querySelector("#run-state");
          if (!h || !s || !h.textContent.includes("company.team.hello_run")) return undefined;
          return {
            title: h.textContent,
            state: s.textContent,
            tasks: [...document.querySelectorAll(".task-id")].map((e) => e.textContent),
            outputs: [...document.querySelectorAll("details.outputs pre")].map((e) => e.textContent).join("\n"),
            logs: [...document.querySelectorAll("tr.log td.msg")].map((e) => e.textContent),
          };
        },
        120000,
      );
      await page.screenshot({ path: path.join(artifacts, "run-view.png") });
      if (!found) throw new Error(`no results view for company.team.hello_run\n--- code-server log ---\n${serverLog.slice(-3000)}`);
      const v = found.value;
      if (v.state !== "SUCCESS") throw new Error(`results view state: ${v.state}`);
      for (const id of ["greet", "answer", "save"]) if (!v.tasks.includes(id)) throw new Error(`results view lacks task ${id}: ${v.tasks.join(", ")}`);
      if (!v.outputs.includes("forty-two")) throw new Error(`results view lacks the Return output: ${v.outputs}`);
      if (!v.logs.some((l) => l.includes("hello from e2e"))) throw new Error(`results view lacks the log line: ${v.logs.join(" | ")}`);
      console.log(`     results view: "${v.title}" ${v.state}, tasks ${v.tasks.join(", ")}, ${v.logs.length} log line(s); screenshot test-artifacts/run-view.png`);

      // The level filter hides the INFO line at "ERROR and above".
      const { frame } = found;
      await frame.locator("#level").selectOption("ERROR");
      const count = await frame.locator("#log-count").innerText();
      const shown = await frame.locator("tr.log:not(.hidden)").count();
      if (shown !== 0 || count !== "0 of 1") throw new Error(`level filter ERROR: ${shown} rows shown, count "${count}"`);
      await frame.locator("#level").selectOption("TRACE");

      // The Write task's kestra:// output is a link to the file under .kflow/, opened in the editor.
      const link = frame.locator("a.file").first();
      const name = (await link.innerText()).trim();
      if (!name.endsWith(".txt")) throw new Error(`storage link: "${name}"`);
      await link.click();
      await page.waitForSelector(`.tab[aria-label*="${name}"]`, { timeout: 15000 });
      const end = Date.now() + 10000;
      let text = "";
      while (Date.now() < end && !text.includes("stored forty-two")) {
        // Monaco renders spaces as no-break spaces.
        text = (await page.locator(".monaco-editor .view-lines").allInnerTexts()).join("\n").replace(/\u00a0/g, " ");
        await page.waitForTimeout(250);
      }
      await page.screenshot({ path: path.join(artifacts, "run-file.png") });
      if (!text.includes("stored forty-two")) throw new Error(`the storage file ${name} did not open with its content`);
      console.log(`     the storage link opened ${name} ("stored forty-two")`);

      // A task's name selects the task in the flow, back in the editor the file link covered.
      const answerLine = fs.readFileSync(path.join(work, "flows/hello_run.yaml"), "utf8").split("\n").indexOf("  - id: answer") + 1;
      await frame.locator('a.task-id[data-task="answer"]').click();
      let sel = "";
      const until = Date.now() + 15000;
      while (Date.now() < until && !(sel.includes(`Ln ${answerLine},`) && /selected/.test(sel))) {
        await page.waitForTimeout(250);
        sel = await selection();
      }
      if (!sel.includes(`Ln ${answerLine},`)) throw new Error(`after a click on answer in the results view the selection is "${sel}"`);
      console.log(`     a click on answer in the results view selected it in the flow: ${sel.trim()}`);
    });
  }

  await test('"Migrate this file to Kestra 2.0" previews the migration in a diff editor and applies it on demand', async () => {
    const file = path.join(work, "flows/to_migrate.yaml");
    const before = [
      "id: to_migrate",
      "namespace: company.vscode",
      "tasks:",
      "  - id: say # kept through the migration",
      "    type: io.kestra.plugin.core.debug.Echo",
      "    format: hello",
      "",
    ].join("\n");
    fs.writeFileSync(file, before);
    await openFile("flows/to_migrate.yaml");
    await page.waitForTimeout(1500);
    await command("kflow: Migrate this file to Kestra 2.0");
    // The preview: a diff editor beside the file, the migrated text on its right side.
    await page.waitForSelector('.tab[aria-label*="Kestra 2.0 (preview)"]', { timeout: 30000 });
    // Side by side or inline (a narrow group): the modified side's lines, with the removed ones
    // shown in view zones of their own.
    const modified = page.locator(".monaco-diff-editor .editor.modified .view-lines");
    let right = "";
    const until = Date.now() + 15000;
    while (Date.now() < until && !right.includes("io.kestra.plugin.core.log.Log")) {
      right = (await modified.allInnerTexts().catch(() => [])).join("\n").replace(/\u00a0/g, " ");
      await page.waitForTimeout(250);
    }
    await page.screenshot({ path: path.join(artifacts, "migrate-preview.png") });
    if (!right.includes("io.kestra.plugin.core.log.Log") || !right.includes("message: hello")) {
      throw new Error(`the preview's migrated side shows:\n${right}`);
    }
    if (!right.includes("# kept through the migration")) throw new Error(`the preview lost the comment:\n${right}`);
    // Nothing is written before the user says so.
    if (fs.readFileSync(file, "utf8") !== before) throw new Error("the file changed before Apply");
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Migrate this file to Kestra 2.0" }).first();
    await toast.waitFor({ state: "visible", timeout: 15000 });
    await toast.locator(".monaco-button", { hasText: "Apply" }).first().click();
    await page.waitForTimeout(1000);
    await command("File: Save All");
    let after = "";
    const saved = Date.now() + 15000;
    while (Date.now() < saved && !after.includes("io.kestra.plugin.core.log.Log")) {
      after = fs.readFileSync(file, "utf8");
      await page.waitForTimeout(250);
    }
    const want = before.replace("io.kestra.plugin.core.debug.Echo", "io.kestra.plugin.core.log.Log").replace("format: hello", "message: hello");
    if (after !== want) throw new Error(`after Apply the file holds:\n${after}`);
    console.log("     previewed, applied on Apply: Echo → Log, format → message, the comment kept");
  });

  await test('"Run on Kestra server" streams the server run into its output channel and ends in SUCCESS', async () => {
    fs.writeFileSync(
      path.join(work, "flows/on_server.yaml"),
      [
        "id: on_server",
        "namespace: company.vscode",
        "tasks:",
        "  - id: greet",
        "    type: io.kestra.plugin.core.log.Log",
        "    message: Hello from the server",
        "",
      ].join("\n"),
    );
    await openFile("flows/on_server.yaml");
    await page.waitForTimeout(1500);
    const lens = page.locator(".codelens-decoration a", { hasText: "Run on server" });
    await lens.first().waitFor({ state: "visible", timeout: 30000 });
    await lens.first().click();
    // This run's own toast (the local runs' toasts may still show).
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "on_server.yaml on" }).first();
    await toast.waitFor({ state: "visible", timeout: 120000 });
    const text = await toast.innerText();
    const output = await page.locator('[id="workbench.panel.output"] .view-lines').innerText().catch(() => "");
    await page.screenshot({ path: path.join(artifacts, "run-on-server.png") });
    if (!text.includes("ended in SUCCESS")) throw new Error(`server run ended: ${text}\n${output}`);
    if (!/INFO greet: Hello from the server/.test(output.replace(/\u00a0/g, " "))) throw new Error(`the output channel lacks the log line:\n${output}`);
  });
} finally {
  await browser.close();
  stopAll();
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
