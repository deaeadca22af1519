import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import {
  RunRecord,
  buildRunView,
  csp,
  escapeHtml,
  findStorageUris,
  findTaskLine,
  findTaskSymbol,
  formatDuration,
  graphHtml,
  resolveStorageUri,
  runHtml,
  storageRoot,
} from "../../src/views";

// A record as `kflow run --format json` writes it (trimmed): a Log, a ForEach over two values
// with a Return inside, a Write whose output is a file in storage, and one retried task.
const record: RunRecord = {
  id: "exec1",
  namespace: "company.team",
  flowId: "hello",
  state: "FAILED",
  startDate: "2026-12-05T12:05:32.597Z",
  endDate: "2026-12-05T12:05:34.897Z",
  outputs: { report: "kestra:///company/team/hello/executions/exec1/tasks/file/tr5/out.txt", n: 2 },
  taskRuns: [
    {
      id: "tr1", taskId: "log", parentTaskRunId: null, value: null, state: "SUCCESS",
      attempts: [{ state: "SUCCESS" }], outputs: {},
      startDate: "2026-12-05T12:05:32.598Z", endDate: "2026-12-05T12:05:32.848Z",
    },
    { id: "tr2", taskId: "each", parentTaskRunId: null, value: null, state: "SUCCESS", attempts: [], outputs: {} },
    { id: "tr3", taskId: "ret", parentTaskRunId: "tr2", value: "a", state: "SUCCESS", attempts: [{ state: "SUCCESS" }], outputs: { value: "v a" } },
    { id: "tr4", taskId: "ret", parentTaskRunId: "tr2", value: { k: 1 }, state: "SUCCESS", attempts: [{}], outputs: { value: "v b" } },
    {
      id: "tr5", taskId: "file", parentTaskRunId: null, state: "SUCCESS", attempts: [{ state: "SUCCESS" }],
      outputs: { uri: "kestra:///company/team/hello/executions/exec1/tasks/file/tr5/out.txt" },
    },
    { id: "tr6", taskId: "flaky", parentTaskRunId: "gone", state: "FAILED", attempts: [{ state: "FAILED" }, { state: "FAILED" }] },
  ],
  logs: [
    { taskId: "log", level: "INFO", message: "hi <b>", timestamp: "2026-12-05T12:05:32.598Z" },
    { taskId: "flaky", level: "ERROR", message: "boom", timestamp: "2026-12-05T12:05:34.000Z" },
    { taskId: null, level: "debug", message: "engine", timestamp: "2026-12-05T12:05:32.597Z" },
  ],
};

test("the run view's model: task-run tree, loop values, attempts, durations", () => {
  const v = buildRunView(record, { flowPath: "/w/flows/hello.yaml", exists: (p) => p.endsWith("out.txt") });
  assert.equal(v.title, "kflow run: company.team.hello");
  assert.equal(v.state, "FAILED");
  assert.equal(v.durationMs, 2300);
  assert.equal(v.taskCount, 6);
  assert.deepEqual(v.stateCounts, { SUCCESS: 5, FAILED: 1 });
  // Roots in record order; a parent that is not in the record leaves its child at the top.
  assert.deepEqual(v.tasks.map((t) => t.taskId), ["log", "each", "file", "flaky"]);
  const each = v.tasks[1];
  assert.deepEqual(each.children.map((c) => [c.taskId, c.value]), [["ret", "a"], ["ret", '{"k":1}']]);
  assert.equal(v.tasks[0].durationMs, 250);
  assert.equal(v.tasks[0].value, undefined);
  assert.equal(v.tasks[0].outputs, undefined, "empty outputs are left out");
  assert.equal(v.tasks[3].attempts, 2);
  assert.deepEqual(v.tasks[3].attemptStates, ["FAILED", "FAILED"]);
  assert.deepEqual(each.children[1].attemptStates, ["UNKNOWN"]);
  // Logs: levels upper-cased, the present ones listed most verbose first.
  assert.deepEqual(v.levels, ["DEBUG", "INFO", "ERROR"]);
  assert.equal(v.logs[2].taskId, undefined);
});

test("the run view's files: kestra:// outputs resolved under .kflow/ beside the flow", () => {
  const v = buildRunView(record, { flowPath: "/w/flows/hello.yaml", exists: () => true });
  const local = path.join("/w/flows/.kflow", "company/team/hello/executions/exec1/tasks/file/tr5/out.txt");
  assert.deepEqual(v.outputFiles.map((f) => [f.where, f.path]), [["outputs.report", local]]);
  assert.deepEqual(v.tasks[2].files.map((f) => [f.where, f.path, f.exists]), [["outputs.file.uri", local, true]]);
  // Flow outputs first, then task runs in page order: the indexes the HTML links use.
  assert.equal(v.files.length, 2);
  assert.equal(v.files[0], v.outputFiles[0]);
  assert.equal(v.files[1], v.tasks[2].files[0]);
  // Without a flow file (an untitled document) nothing resolves, but the URIs are still listed.
  const u = buildRunView(record, {});
  assert.equal(u.files.length, 2);
  assert.equal(u.files[0].path, undefined);
});

test("a record missing most fields still makes a view", () => {
  const v = buildRunView({}, { fallbackName: "x" });
  assert.equal(v.title, "kflow run: x");
  assert.equal(v.state, "UNKNOWN");
  assert.deepEqual(v.tasks, []);
  assert.deepEqual(v.logs, []);
  const html = runHtml(v, { cspSource: "vscode-resource:", nonce: "n0" });
  assert.match(html, /No task runs/);
});

test("kestra:// URIs resolve inside the storage folder only", () => {
  const root = "/w/.kflow";
  assert.equal(resolveStorageUri("kestra:///a/b/c.txt", root), path.join(root, "a/b/c.txt"));
  assert.equal(resolveStorageUri("kestra:///a/b%20c/d%2Bx.ion?x=1#y", root), path.join(root, "a/b c/d+x.ion"));
  assert.equal(resolveStorageUri("kestra:///a//./b", root), path.join(root, "a/b"));
  assert.equal(resolveStorageUri("kestra:///a/../../etc/passwd", root), undefined);
  assert.equal(resolveStorageUri("kestra:///a/%2e%2e/x", root), undefined);
  assert.equal(resolveStorageUri("kestra:///a/%2Fetc", root), undefined);
  assert.equal(resolveStorageUri("kestra:///a/%E0%A4%A", root), undefined);
  assert.equal(resolveStorageUri("kestra://host/a", root), undefined);
  assert.equal(resolveStorageUri("kestra:///", root), undefined);
  assert.equal(resolveStorageUri("file:///etc/passwd", root), undefined);
  assert.equal(storageRoot("/w/flows/a.yaml"), path.join("/w/flows", ".kflow"));
  assert.deepEqual(findStorageUris({ a: ["x", "kestra:///p"], b: { c: "kestra:///q" } }, "outputs.t"), [
    { uri: "kestra:///p", where: "outputs.t.a[1]" },
    { uri: "kestra:///q", where: "outputs.t.b.c" },
  ]);
});

test("durations for people", () => {
  assert.equal(formatDuration(undefined), "");
  assert.equal(formatDuration(12), "12 ms");
  assert.equal(formatDuration(2400), "2.4 s");
  assert.equal(formatDuration(42_000), "42 s");
  assert.equal(formatDuration(185_000), "3 min 5 s");
  assert.equal(formatDuration(3_720_000), "1 h 2 min");
});

const flow = [
  "id: hello", // 0
  "namespace: company.team", // 1
  "inputs:", // 2
  "  - id: log", // 3: an input named like a task
  "    type: STRING", // 4
  "tasks:", // 5
  "  - id: log", // 6
  "    type: io.kestra.plugin.core.log.Log", // 7
  "  - type: io.kestra.plugin.core.flow.ForEach", // 8
  '    id: "each"  # loop', // 9
  "    tasks:", // 10
  "      - id: ret", // 11
  "triggers:", // 12
  "  - id: hello", // 13
].join("\n");

test("a task's line: under tasks/triggers first, never the flow's own id", () => {
  assert.deepEqual(findTaskLine(flow, "log"), { line: 6, start: 8, end: 11 });
  assert.deepEqual(findTaskLine(flow, "each"), { line: 9, start: 9, end: 13 });
  assert.deepEqual(findTaskLine(flow, "ret"), { line: 11, start: 12, end: 15 });
  assert.deepEqual(findTaskLine(flow, "hello"), { line: 13, start: 8, end: 13 });
  assert.equal(findTaskLine(flow, "missing"), undefined);
  assert.equal(findTaskLine(flow, "lo"), undefined);
  // Only an input has the id: found as a last resort.
  assert.deepEqual(findTaskLine("id: f\ninputs:\n  - id: x\n", "x"), { line: 2, start: 8, end: 9 });
  assert.deepEqual(findTaskLine("id: f\r\ntasks:\r\n  - id: t\r\n", "t"), { line: 2, start: 8, end: 9 });
});

test("a task's symbol: tasks and triggers before other symbols of that name", () => {
  type Sym = { name: string; kind: number; range: string; selectionRange: string; children: Sym[] };
  const sym = (name: string, kind: number, children: Sym[] = []): Sym => ({ name, kind, range: name, selectionRange: name, children });
  const symbols = [
    sym("inputs", 3, [sym("log", 13)]),
    sym("tasks", 3, [sym("log", 11), sym("each", 11, [sym("ret", 11)])]),
  ];
  assert.equal(findTaskSymbol(symbols, "log")!.kind, 11);
  assert.equal(findTaskSymbol(symbols, "ret")!.name, "ret");
  assert.equal(findTaskSymbol(symbols, "nope"), undefined);
  assert.equal(findTaskSymbol([sym("inputs", 3, [sym("x", 13)])], "x")!.kind, 13);
});

test("the webviews' HTML: strict CSP with a nonce, everything escaped", () => {
  const policy = csp("https://self.invalid", "abc");
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'nonce-abc'/);
  assert.doesNotMatch(policy, /unsafe/);
  const g = graphHtml({ cspSource: "https://self.invalid", nonce: "abc", title: "<x>" });
  assert.match(g, /<script nonce="abc">/);
  assert.match(g, /<title>&lt;x&gt;<\/title>/);
  assert.doesNotMatch(g, /<script>/);
  const v = buildRunView(record, { flowPath: "/w/flows/hello.yaml", exists: () => true });
  const html = runHtml(v, { cspSource: "https://self.invalid", nonce: "abc" });
  assert.match(html, /id="run-state" class="state state-FAILED">FAILED</);
  assert.match(html, /hi &lt;b&gt;/);
  assert.doesNotMatch(html, /hi <b>/);
  assert.match(html, /data-file="0"[^>]*>out\.txt</);
  assert.match(html, /data-file="1"/);
  assert.match(html, /\[a\]/);
  assert.match(html, /2 attempts/);
  assert.match(html, /<a href="#" class="task-id" data-task="log"[^>]*>log<\/a>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.equal(escapeHtml(`<a href="x">'&`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;");
});
