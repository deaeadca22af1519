import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import {
  advertises,
  applyEdits,
  finalState,
  findServer,
  flowInputs,
  globToRegExp,
  isFlowDocument,
  looksLikeFlow,
  matchesGlobs,
  requiredInputs,
  rulesAt,
  runSummary,
  serverOptions,
} from "../../src/logic";

test("a flow has a top-level id and namespace", () => {
  assert.ok(looksLikeFlow("id: hello\nnamespace: company.team\ntasks: []\n"));
  assert.ok(looksLikeFlow("# comment\r\nnamespace: a\r\nid: b\r\n"));
  assert.ok(!looksLikeFlow("id: hello\ntasks:\n  - namespace: x\n"));
  assert.ok(!looksLikeFlow("services:\n  web:\n    image: nginx\n"));
  assert.ok(!looksLikeFlow("id:\nnamespace:\n"));
});

test("globs select flows without id/namespace", () => {
  assert.ok(globToRegExp("**/flows/*.yaml").test("a/b/flows/x.yaml"));
  assert.ok(globToRegExp("**/flows/*.yaml").test("flows/x.yaml"));
  assert.ok(!globToRegExp("**/flows/*.yaml").test("flows/sub/x.yaml"));
  assert.ok(globToRegExp("*.{yml,yaml}").test("x.yml"));
  assert.ok(matchesGlobs("/w/p/flows/a.yaml", ["flows/*.yaml"], ["/w/p"]));
  assert.ok(!matchesGlobs("/w/p/other/a.yaml", ["flows/*.yaml"], ["/w/p"]));
  const doc = { languageId: "yaml", fileName: "/w/p/flows/a.yaml", text: "tasks: []" };
  assert.ok(isFlowDocument(doc, ["**/flows/**"], []));
  assert.ok(!isFlowDocument(doc, [], []));
  assert.ok(!isFlowDocument({ ...doc, languageId: "json", text: "id: a\nnamespace: b" }, [], []));
});

test("required inputs are those without a default and not required: false", () => {
  const text = [
    "id: f",
    "namespace: n",
    "inputs:",
    "  - id: region",
    "    type: STRING",
    "    description: Where",
    "  - id: limit",
    "    type: INT",
    "    defaults: 10",
    "  - id: note",
    "    type: STRING",
    "    required: false",
    "  - id: day",
    "    type: DATE",
    "tasks: []",
  ].join("\n");
  assert.deepEqual(flowInputs(text).map((i) => i.id), ["region", "limit", "note", "day"]);
  assert.deepEqual(requiredInputs(text).map((i) => [i.id, i.type]), [["region", "STRING"], ["day", "DATE"]]);
  assert.equal(requiredInputs(text)[0].description, "Where");
  assert.deepEqual(requiredInputs("id: f\nnamespace: n\ntasks: []"), []);
});

test("the server is found in kflow.path, then PATH, then the bundled binary", () => {
  const base = { pathEnv: "/usr/bin:/opt/k/bin", platform: "linux" as const, arch: "x64", extensionPath: "/ext", home: "/home/u" };
  const has = (...files: string[]) => (p: string) => files.includes(p);
  assert.deepEqual(findServer({ ...base, configured: "~/bin/kflow", isExecutable: has("/home/u/bin/kflow") }), {
    path: "/home/u/bin/kflow",
    source: "setting",
  });
  const bad = findServer({ ...base, configured: "/nope", isExecutable: has("/opt/k/bin/kflow") });
  assert.ok("error" in bad && bad.error.includes("/nope"));
  assert.deepEqual(findServer({ ...base, configured: "", isExecutable: has("/opt/k/bin/kflow") }), {
    path: "/opt/k/bin/kflow",
    source: "PATH",
  });
  const bundled = path.join("/ext", "bin", "linux-x64", "kflow");
  assert.deepEqual(findServer({ ...base, configured: "", isExecutable: has(bundled) }), { path: bundled, source: "bundled" });
  const none = findServer({ ...base, configured: "", isExecutable: has() });
  assert.ok("fix" in none && none.fix.includes("kflow.path"));
});

test("settings become the server's options", () => {
  assert.deepEqual(serverOptions({ debounceMs: 250.4, rules: { "unknown-property": "warning" }, ruleDocsUrl: "" }), {
    debounceMs: 250,
    rules: { "unknown-property": "warning" },
  });
  assert.deepEqual(serverOptions({ debounceMs: 99999, rules: {} }), { debounceMs: 10000 });
  assert.deepEqual(serverOptions({}), {});
});

test("kflow.runFlow is used only when advertised", () => {
  assert.ok(advertises({ executeCommandProvider: { commands: ["kflow.runFlow"] } }, "kflow.runFlow"));
  assert.ok(!advertises({ executeCommandProvider: { commands: [] } }, "kflow.runFlow"));
  assert.ok(!advertises({}, "kflow.runFlow"));
  assert.ok(!advertises(undefined, "kflow.runFlow"));
});

test("run summaries", () => {
  assert.deepEqual(runSummary("hello", { id: "e1", state: "SUCCESS", taskRuns: [{}, {}] }), {
    text: "kflow: hello ended in SUCCESS, 2 task run(s) (execution e1)",
    error: false,
  });
  assert.equal(runSummary("hello", { state: "FAILED" }).error, true);
  assert.equal(runSummary("hello", {}).text, "kflow: hello ended in UNKNOWN");
});

test("rules at a position, those under the cursor first", () => {
  const diags = [
    { source: "kflow", code: "unknown-property", start: [3, 4] as [number, number], end: [3, 9] as [number, number] },
    { source: "kflow", code: { value: "deprecated-type" }, start: [3, 12] as [number, number], end: [3, 30] as [number, number] },
    { source: "yaml", code: "x", start: [3, 0] as [number, number], end: [3, 40] as [number, number] },
  ];
  assert.deepEqual(rulesAt(diags, 3, 15), ["deprecated-type", "unknown-property"]);
  assert.deepEqual(rulesAt(diags, 3, 5), ["unknown-property", "deprecated-type"]);
  assert.deepEqual(rulesAt(diags, 4, 0), []);
});

test("the migration preview applies the server's edits in any order", () => {
  const text = "id: f\nnamespace: n\ntasks:\n  - id: a\n    type: ForEach\n";
  const at = text.indexOf("ForEach");
  const migrated = applyEdits(text, [
    { start: at, end: at + "ForEach".length, newText: "Loop" },
    { start: 0, end: 0, newText: "# migrated\n" },
  ]);
  assert.equal(migrated, "# migrated\nid: f\nnamespace: n\ntasks:\n  - id: a\n    type: Loop\n");
  assert.throws(() => applyEdits("abc", [{ start: 0, end: 2, newText: "x" }, { start: 1, end: 3, newText: "y" }]));
});

test("a server run's final state is its last execution line", () => {
  const out = "greet RUNNING\n  INFO greet: execution exec1 SUCCESS\nexecution exec7 KILLED\nserver: http://k/ui\n";
  assert.equal(finalState(out), "KILLED");
  assert.equal(finalState("error: 401 /api/v1/configs\n"), undefined);
});
