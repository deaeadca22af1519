// Pure logic of the graph and run-results webviews (no `vscode` import), unit-tested with
// node:test: the run view's model built from an execution record, `kestra://` URIs resolved to
// files of the storage folder, where a task is written in a flow, and the webviews' HTML.

import * as path from "node:path";

// ── Execution records ───────────────────────────────────────────────────────────────────────

export interface RecordTaskRun {
  id?: string;
  taskId?: string;
  parentTaskRunId?: string | null;
  value?: unknown;
  state?: string;
  attempts?: { state?: string; startDate?: string; endDate?: string }[];
  outputs?: unknown;
  startDate?: string;
  endDate?: string;
}

export interface RecordLog {
  taskId?: string | null;
  taskRunId?: string | null;
  level?: string;
  message?: string;
  timestamp?: string;
}

export interface RunRecord {
  id?: string;
  namespace?: string;
  flowId?: string;
  state?: string;
  startDate?: string;
  endDate?: string;
  inputs?: unknown;
  outputs?: unknown;
  taskRuns?: RecordTaskRun[];
  logs?: RecordLog[];
}

/** A `kestra://` URI found in outputs: where it was (`outputs.file.uri`) and its local file. */
export interface FileRef {
  uri: string;
  where: string;
  /** The file in the storage folder; undefined when the URI cannot name one (`..`, authority). */
  path?: string;
  exists?: boolean;
}

export interface TaskRunNode {
  id: string;
  taskId: string;
  /** The loop value (ForEach, EachParallel…), as text. */
  value?: string;
  state: string;
  attempts: number;
  attemptStates: string[];
  durationMs?: number;
  outputs?: unknown;
  files: FileRef[];
  children: TaskRunNode[];
}

export interface LogLine {
  level: string;
  taskId?: string;
  message: string;
  timestamp?: string;
}

export interface RunView {
  title: string;
  id?: string;
  state: string;
  durationMs?: number;
  startDate?: string;
  outputs?: unknown;
  outputFiles: FileRef[];
  tasks: TaskRunNode[];
  taskCount: number;
  stateCounts: Record<string, number>;
  logs: LogLine[];
  /** The log levels present, most verbose first. */
  levels: string[];
  /** Every file link of the view, indexed as the HTML's `data-file` attributes. */
  files: FileRef[];
}

export const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

/** Milliseconds between two ISO dates, when both are valid. */
export function durationMs(start?: string, end?: string): number | undefined {
  if (!start || !end) return undefined;
  const a = Date.parse(start);
  const b = Date.parse(end);
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? b - a : undefined;
}

/** A duration for people: `850 ms`, `2.4 s`, `3 min 5 s`, `1 h 2 min`. */
export function formatDuration(ms?: number): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The storage folder of a flow file run from the editor: `.kflow/` beside it, as `kflow run`. */
export function storageRoot(flowPath: string): string {
  return path.join(path.dirname(flowPath), ".kflow");
}

/**
 * The local file of a `kestra:///a/b/c` URI under `root` (`root/a/b/c`), as kflow's storage
 * maps it; undefined for anything that would name a file outside `root` (an authority, `..`,
 * a NUL, bad percent-encoding) so that a link can never open an arbitrary file.
 */
export function resolveStorageUri(uri: string, root: string): string | undefined {
  if (!uri.startsWith("kestra://")) return undefined;
  const rest = uri.slice("kestra://".length);
  if (!rest.startsWith("/")) return undefined;
  const raw = rest.slice(1).split(/[?#]/)[0];
  const parts: string[] = [];
  for (const segment of raw.split("/")) {
    let s: string;
    try {
      s = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (s === "" || s === ".") continue;
    if (s === ".." || s.includes("\0") || s.includes("/") || s.includes("\\")) return undefined;
    parts.push(s);
  }
  if (parts.length === 0) return undefined;
  return path.join(root, ...parts);
}

/** The `kestra://` strings of an outputs value, with where they are (`prefix.key[0]`). */
export function findStorageUris(value: unknown, prefix: string): { uri: string; where: string }[] {
  const out: { uri: string; where: string }[] = [];
  const walk = (v: unknown, where: string, depth: number) => {
    if (depth > 20) return;
    if (typeof v === "string") {
      if (v.startsWith("kestra://")) out.push({ uri: v, where });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${where}[${i}]`, depth + 1));
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, where ? `${where}.${k}` : k, depth + 1);
    }
  };
  walk(value, prefix, 0);
  return out;
}

function valueText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "object" && Object.keys(v as object).length === 0);
}

/**
 * The run view's model: task runs as a tree (children under their `parentTaskRunId`, in the
 * record's order), flow and task outputs with their storage files, logs and level list.
 */
export function buildRunView(
  record: RunRecord,
  opts: { flowPath?: string; storage?: string; exists?: (p: string) => boolean; fallbackName?: string } = {},
): RunView {
  const root = opts.storage ?? (opts.flowPath ? storageRoot(opts.flowPath) : undefined);
  const files: FileRef[] = [];
  const refs = (value: unknown, prefix: string): FileRef[] =>
    findStorageUris(value, prefix).map(({ uri, where }) => {
      const p = root ? resolveStorageUri(uri, root) : undefined;
      const ref: FileRef = { uri, where, path: p, exists: p && opts.exists ? opts.exists(p) : undefined };
      files.push(ref);
      return ref;
    });

  const runs = Array.isArray(record.taskRuns) ? record.taskRuns : [];
  const nodes = new Map<string, TaskRunNode>();
  const stateCounts: Record<string, number> = {};
  const list: { node: TaskRunNode; parent?: string | null }[] = [];
  runs.forEach((r, i) => {
    const attempts = Array.isArray(r.attempts) ? r.attempts : [];
    const state = r.state ?? "UNKNOWN";
    stateCounts[state] = (stateCounts[state] ?? 0) + 1;
    const taskId = r.taskId ?? "?";
    const node: TaskRunNode = {
      id: r.id ?? `#${i}`,
      taskId,
      value: valueText(r.value),
      state,
      attempts: attempts.length,
      attemptStates: attempts.map((a) => a.state ?? "UNKNOWN"),
      durationMs: durationMs(r.startDate, r.endDate),
      outputs: isEmpty(r.outputs) ? undefined : r.outputs,
      files: [],
      children: [],
    };
    nodes.set(node.id, node);
    list.push({ node, parent: r.parentTaskRunId });
  });
  const tasks: TaskRunNode[] = [];
  for (const { node, parent } of list) {
    const p = parent ? nodes.get(parent) : undefined;
    if (p && p !== node) p.children.push(node);
    else tasks.push(node);
  }
  // Files after the tree so that their indexes follow the page's order: flow outputs first,
  // then task runs depth-first.
  const outputFiles = refs(record.outputs, "outputs");
  const visit = (n: TaskRunNode) => {
    n.files = refs(n.outputs, `outputs.${n.taskId}`);
    n.children.forEach(visit);
  };
  tasks.forEach(visit);

  const logs: LogLine[] = (Array.isArray(record.logs) ? record.logs : []).map((l) => ({
    level: (l.level ?? "INFO").toUpperCase(),
    taskId: l.taskId ?? undefined,
    message: l.message ?? "",
    timestamp: l.timestamp,
  }));
  const present = new Set(logs.map((l) => l.level));
  const levels = [...LEVELS.filter((l) => present.has(l)), ...[...present].filter((l) => !LEVELS.includes(l))];
  const name = record.namespace && record.flowId ? `${record.namespace}.${record.flowId}` : opts.fallbackName ?? "flow";
  return {
    title: `kflow run: ${name}`,
    id: record.id,
    state: record.state ?? "UNKNOWN",
    durationMs: durationMs(record.startDate, record.endDate),
    startDate: record.startDate,
    outputs: isEmpty(record.outputs) ? undefined : record.outputs,
    outputFiles,
    tasks,
    taskCount: runs.length,
    stateCounts,
    logs,
    levels,
    files,
  };
}

// ── Finding a task in the flow's text ───────────────────────────────────────────────────────

/** The parts of a document symbol this needs (vscode.DocumentSymbol has them). */
export interface SymbolLike {
  name: string;
  kind: number;
  range: unknown;
  selectionRange: unknown;
  children?: SymbolLike[];
}

/** VS Code's SymbolKind numbers of kflow's task (Function) and trigger (Event) symbols. */
export const TASK_SYMBOL_KINDS = [11, 23];

/** The first task or trigger symbol named `taskId`, depth-first (the server names them by id). */
export function findTaskSymbol<T extends SymbolLike>(symbols: T[], taskId: string): T | undefined {
  const stack = [...symbols];
  let other: T | undefined;
  while (stack.length) {
    const s = stack.shift()!;
    if (s.name === taskId) {
      if (TASK_SYMBOL_KINDS.includes(s.kind)) return s;
      other ??= s;
    }
    stack.unshift(...((s.children ?? []) as T[]));
  }
  return other;
}

const TASK_SECTIONS = new Set(["tasks", "errors", "finally", "afterExecution", "triggers"]);

/**
 * Where `id: <taskId>` is written (0-based line, and the columns of the id), by reading the
 * text: lines under `tasks`, `errors`, `finally`, `afterExecution` or `triggers` first (an input
 * may have the same id as a task), never the flow's own top-level `id`.
 */
export function findTaskLine(
  text: string,
  taskId: string,
): { line: number; start: number; end: number } | undefined {
  const lines = text.split(/\r?\n/);
  let section = "";
  let fallback: { line: number; start: number; end: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const top = /^([A-Za-z_][\w-]*)\s*:/.exec(line);
    if (top) {
      section = top[1];
      continue;
    }
    const m = /^(\s+(?:-\s+)?id:\s*)(["']?)([^"'#\s]+)\2\s*(?:#.*)?$/.exec(line);
    if (!m || m[3] !== taskId) continue;
    const start = m[1].length + m[2].length;
    const hit = { line: i, start, end: start + m[3].length };
    if (TASK_SECTIONS.has(section)) return hit;
    fallback ??= hit;
  }
  return fallback;
}

// ── HTML ────────────────────────────────────────────────────────────────────────────────────

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A Content-Security-Policy allowing nothing remote: styles and the one script by nonce. */
export function csp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join("; ");
}

const BASE_CSS = `
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); margin: 0; padding: 8px 12px; }
.error { color: var(--vscode-errorForeground); background: var(--vscode-inputValidation-errorBackground); border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-errorForeground)); padding: 6px 8px; margin: 0 0 8px; white-space: pre-wrap; font-family: var(--vscode-editor-font-family); }
.muted { color: var(--vscode-descriptionForeground); }
`;

/**
 * The graph webview: the picture arrives by message (`{type: "graph", svg}` or `{type: "error",
 * message}`); a click (or Enter) on an element with `data-task-id` posts `{type: "reveal",
 * taskId}`. The SVG is parsed as XML and imported, never run: its `<style>` gets the page's
 * nonce so that the CSP lets it apply.
 */
export function graphHtml(opts: { cspSource: string; nonce: string; title: string }): string {
  const { cspSource, nonce } = opts;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<style nonce="${nonce}">${BASE_CSS}
#graph svg { display: block; max-width: none; }
#graph [data-task-id] { cursor: pointer; }
#graph g.node[data-task-id]:hover rect, #graph g.node[data-task-id]:focus rect { stroke-width: 2.5; }
#graph [data-task-id]:focus { outline: none; }
#status:empty { display: none; }
</style>
</head>
<body>
<div id="status" class="error" role="alert"></div>
<div id="graph" class="muted">Drawing the flow…</div>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const nonce = document.currentScript.nonce;
  const graph = document.getElementById("graph");
  const status = document.getElementById("status");
  function show(svgText) {
    const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
    const root = doc.documentElement;
    if (!root || root.nodeName !== "svg" || doc.getElementsByTagName("parsererror").length) {
      status.textContent = "The server's picture could not be read.";
      return;
    }
    for (const s of root.querySelectorAll("script, foreignObject")) s.remove();
    const svg = document.importNode(root, true);
    for (const s of svg.querySelectorAll("style")) s.nonce = nonce;
    for (const g of svg.querySelectorAll("g.node[data-task-id]")) {
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
    }
    graph.classList.remove("muted");
    graph.replaceChildren(svg);
    status.textContent = "";
  }
  function reveal(target) {
    const el = target && target.closest ? target.closest("[data-task-id]") : null;
    if (el) vscode.postMessage({ type: "reveal", taskId: el.getAttribute("data-task-id") });
  }
  graph.addEventListener("click", (e) => reveal(e.target));
  graph.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); reveal(e.target); } });
  window.addEventListener("message", (e) => {
    const m = e.data || {};
    if (m.type === "graph") show(m.svg);
    else if (m.type === "error") {
      // The last good picture stays; the message says why the new text cannot be drawn.
      status.textContent = m.message;
      if (!graph.querySelector("svg")) graph.textContent = "";
    }
  });
  vscode.postMessage({ type: "ready" });
})();
</script>
</body>
</html>`;
}

function json(v: unknown): string {
  return escapeHtml(JSON.stringify(v, null, 2) ?? "null");
}

function stateBadge(state: string): string {
  const cls = /^[A-Z_]+$/.test(state) ? state : "UNKNOWN";
  return `<span class="state state-${cls}">${escapeHtml(state)}</span>`;
}

function fileLinks(files: FileRef[], all: FileRef[]): string {
  if (files.length === 0) return "";
  const items = files.map((f) => {
    const i = all.indexOf(f);
    const label = `<code>${escapeHtml(f.where)}</code>`;
    if (!f.path) return `<li>${label} <span class="muted">${escapeHtml(f.uri)} (not in the storage folder)</span></li>`;
    const missing = f.exists === false ? ` <span class="muted">(file missing)</span>` : "";
    return `<li>${label} <a href="#" class="file" data-file="${i}" title="${escapeHtml(f.path)}">${escapeHtml(path.basename(f.path))}</a>${missing}</li>`;
  });
  return `<ul class="files">${items.join("")}</ul>`;
}

function taskRow(n: TaskRunNode, all: FileRef[]): string {
  const value = n.value !== undefined ? ` <span class="value" title="loop value">[${escapeHtml(n.value)}]</span>` : "";
  const attempts =
    n.attempts > 1
      ? ` <span class="attempts" title="${escapeHtml(n.attemptStates.join(", "))}">${n.attempts} attempts</span>`
      : n.attempts === 1
        ? ` <span class="attempts muted">1 attempt</span>`
        : "";
  const duration = n.durationMs !== undefined ? ` <span class="duration muted">${formatDuration(n.durationMs)}</span>` : "";
  const outputs =
    n.outputs !== undefined
      ? `<details class="outputs"><summary>outputs</summary><pre>${json(n.outputs)}</pre></details>`
      : "";
  const children = n.children.length ? `<ul class="tree">${n.children.map((c) => taskRow(c, all)).join("")}</ul>` : "";
  return `<li class="taskrun" data-task-run="${escapeHtml(n.id)}"><div class="row">${stateBadge(n.state)} <a href="#" class="task-id" data-task="${escapeHtml(n.taskId)}" title="Show ${escapeHtml(n.taskId)} in the flow">${escapeHtml(n.taskId)}</a>${value}${attempts}${duration}</div>${outputs}${fileLinks(n.files, all)}${children}</li>`;
}

/**
 * The run results webview: the task-run tree (a task's name posts `{type: "reveal", taskId}`),
 * flow outputs, task outputs (collapsible), file links (posting `{type: "open", file: index}`; the
 * extension opens only files of the model) and the logs, filtered by minimum level and text.
 */
export function runHtml(view: RunView, opts: { cspSource: string; nonce: string }): string {
  const { cspSource, nonce } = opts;
  const counts = Object.entries(view.stateCounts)
    .map(([s, n]) => `${stateBadge(s)} ${n}`)
    .join(" ");
  const flowOutputs =
    view.outputs !== undefined
      ? `<details class="outputs" open><summary>flow outputs</summary><pre>${json(view.outputs)}</pre></details>${fileLinks(view.outputFiles, view.files)}`
      : `<p class="muted">No flow outputs.</p>`;
  const logs = view.logs
    .map(
      (l) =>
        `<tr class="log level-${escapeHtml(l.level)}" data-level="${escapeHtml(l.level)}"><td class="muted">${escapeHtml(
          (l.timestamp ?? "").replace(/^.*T/, "").replace(/Z$/, ""),
        )}</td><td>${escapeHtml(l.level)}</td><td>${escapeHtml(l.taskId ?? "")}</td><td class="msg">${escapeHtml(l.message)}</td></tr>`,
    )
    .join("");
  const levelOptions = LEVELS.map((l) => `<option value="${l}"${l === "TRACE" ? " selected" : ""}>${l} and above</option>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp(cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(view.title)}</title>
<style nonce="${nonce}">${BASE_CSS}
h1 { font-size: 1.3em; margin: 4px 0 8px; }
h2 { font-size: 1.1em; margin: 16px 0 6px; border-bottom: 1px solid var(--vscode-panel-border, #8884); }
.state { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 0.85em; font-weight: 600; color: #fff; background: #6c757d; }
.state-SUCCESS { background: #2e7d32; } .state-WARNING { background: #b26a00; } .state-FAILED { background: #c62828; }
.state-RUNNING, .state-CREATED, .state-RESTARTED, .state-RETRYING { background: #1565c0; }
.state-KILLED, .state-KILLING, .state-CANCELLED, .state-SKIPPED { background: #616161; } .state-RETRIED { background: #6a1b9a; }
ul.tree { list-style: none; padding-left: 18px; margin: 2px 0; border-left: 1px dotted var(--vscode-tree-indentGuidesStroke, #8886); }
ul.tree.top { padding-left: 0; border-left: none; }
.row { padding: 2px 0; } .task-id { font-weight: 600; font-family: var(--vscode-editor-font-family); color: var(--vscode-foreground); text-decoration: none; }
a.task-id:hover { text-decoration: underline; }
.value { font-family: var(--vscode-editor-font-family); color: var(--vscode-textLink-foreground); }
details.outputs { margin: 0 0 2px 8px; } summary { cursor: pointer; color: var(--vscode-descriptionForeground); }
pre { margin: 2px 0; padding: 4px 6px; background: var(--vscode-textCodeBlock-background); overflow: auto; max-height: 300px; font-family: var(--vscode-editor-font-family); }
ul.files { margin: 0 0 2px 8px; padding-left: 16px; } a { color: var(--vscode-textLink-foreground); }
table.logs { border-collapse: collapse; width: 100%; font-family: var(--vscode-editor-font-family); font-size: 0.95em; }
table.logs td { padding: 1px 6px; vertical-align: top; } td.msg { white-space: pre-wrap; word-break: break-word; }
tr.level-ERROR td { color: var(--vscode-errorForeground); } tr.level-WARN td { color: var(--vscode-editorWarning-foreground, #b26a00); }
tr.level-DEBUG td, tr.level-TRACE td { color: var(--vscode-descriptionForeground); }
.filters { display: flex; gap: 8px; margin-bottom: 6px; }
select, input { background: var(--vscode-input-background); color: var(--vscode-input-foreground); border: 1px solid var(--vscode-input-border, #8886); }
.hidden { display: none; }
</style>
</head>
<body>
<h1>${escapeHtml(view.title)}</h1>
<div class="summary">${stateBadge(view.state).replace('class="state', 'id="run-state" class="state')} <span class="muted">${formatDuration(view.durationMs)}${
    view.id ? ` · execution ${escapeHtml(view.id)}` : ""
  }${view.startDate ? ` · started ${escapeHtml(view.startDate)}` : ""}</span></div>
<h2>Task runs (${view.taskCount})</h2>
<div class="muted">${counts}</div>
${view.tasks.length ? `<ul class="tree top">${view.tasks.map((t) => taskRow(t, view.files)).join("")}</ul>` : `<p class="muted">No task runs.</p>`}
<h2>Outputs</h2>
${flowOutputs}
<h2>Logs (<span id="log-count">${view.logs.length}</span>)</h2>
${
  view.logs.length
    ? `<div class="filters"><label>Level <select id="level">${levelOptions}</select></label><input id="filter" type="search" placeholder="Filter messages"></div><table class="logs"><tbody>${logs}</tbody></table>`
    : `<p class="muted">No logs.</p>`
}
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const order = ${JSON.stringify(LEVELS)};
  document.addEventListener("click", (e) => {
    const a = e.target.closest && e.target.closest("a.file, a.task-id");
    if (!a) return;
    e.preventDefault();
    if (a.classList.contains("file")) vscode.postMessage({ type: "open", file: Number(a.getAttribute("data-file")) });
    else vscode.postMessage({ type: "reveal", taskId: a.getAttribute("data-task") });
  });
  const level = document.getElementById("level");
  const filter = document.getElementById("filter");
  function apply() {
    const min = order.indexOf(level.value);
    const text = filter.value.toLowerCase();
    let shown = 0;
    for (const row of document.querySelectorAll("tr.log")) {
      const l = order.indexOf(row.getAttribute("data-level"));
      const ok = (l < 0 || l >= min) && (!text || row.textContent.toLowerCase().includes(text));
      row.classList.toggle("hidden", !ok);
      if (ok) shown++;
    }
    const total = document.querySelectorAll("tr.log").length;
    document.getElementById("log-count").textContent = shown === total ? String(total) : shown + " of " + total;
  }
  if (level) { level.addEventListener("change", apply); filter.addEventListener("input", apply); }
})();
</script>
</body>
</html>`;
}
