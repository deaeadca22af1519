// Pure logic of the extension (no `vscode` import), unit-tested with node:test.

import * as path from "node:path";

/** True when `text` has a top-level `id:` and `namespace:` (a Kestra flow). */
export function looksLikeFlow(text: string): boolean {
  let id = false;
  let ns = false;
  for (const line of text.split(/\r?\n/, 4000)) {
    if (/^id:\s*[^\s#]/.test(line)) id = true;
    else if (/^namespace:\s*[^\s#]/.test(line)) ns = true;
    if (id && ns) return true;
  }
  return false;
}

/** A glob (`**`, `*`, `?`, `{a,b}`) as a regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else re += ".*";
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      inGroup = true;
      re += "(?:";
    } else if (c === "}" && inGroup) {
      inGroup = false;
      re += ")";
    } else if (c === "," && inGroup) re += "|";
    else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** True when `filePath` matches one of `globs`, whole or relative to one of `roots`. */
export function matchesGlobs(filePath: string, globs: string[], roots: string[] = []): boolean {
  const p = filePath.split(path.sep).join("/");
  const candidates = [p];
  for (const root of roots) {
    const r = root.split(path.sep).join("/").replace(/\/$/, "");
    if (p.startsWith(r + "/")) candidates.push(p.slice(r.length + 1));
  }
  return globs.some((g) => {
    const re = globToRegExp(g);
    return candidates.some((c) => re.test(c));
  });
}

/** Whether a YAML document is served by kflow. */
export function isFlowDocument(
  doc: { languageId: string; fileName: string; text: string },
  globs: string[],
  roots: string[] = [],
): boolean {
  if (doc.languageId !== "yaml") return false;
  if (globs.length > 0 && matchesGlobs(doc.fileName, globs, roots)) return true;
  return looksLikeFlow(doc.text);
}

export interface FlowInput {
  id: string;
  type?: string;
  required: boolean;
  hasDefault: boolean;
  description?: string;
}

/** The flow's `inputs` (a line-based reading of the usual block style). */
export function flowInputs(text: string): FlowInput[] {
  const inputs: FlowInput[] = [];
  let inInputs = false;
  let current: FlowInput | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^inputs:/.test(line)) {
      inInputs = true;
      continue;
    }
    if (/^\S/.test(line)) {
      inInputs = false;
      continue;
    }
    if (!inInputs) continue;
    const id = /^\s*-\s+id:\s*["']?([\w.-]+)/.exec(line);
    if (id) {
      current = { id: id[1], required: true, hasDefault: false };
      inputs.push(current);
      continue;
    }
    if (!current) continue;
    if (/^\s+defaults?:/.test(line)) current.hasDefault = true;
    else if (/^\s+required:\s*false/.test(line)) current.required = false;
    else {
      const t = /^\s+type:\s*["']?(\w+)/.exec(line);
      if (t) current.type = t[1];
      const d = /^\s+description:\s*["']?(.*?)["']?\s*$/.exec(line);
      if (d) current.description = d[1];
    }
  }
  return inputs;
}

/** The inputs a run must be given: required and without a default. */
export function requiredInputs(text: string): FlowInput[] {
  return flowInputs(text).filter((i) => i.required && !i.hasDefault);
}

export interface ServerSearch {
  configured: string;
  pathEnv: string;
  platform: NodeJS.Platform;
  arch: string;
  extensionPath: string;
  isExecutable: (p: string) => boolean;
  home?: string;
}

export type Found = { path: string; source: "setting" | "PATH" | "bundled" };
export type NotFound = { error: string; fix: string };

/** Where the server binary is: `kflow.path`, else `kflow` on PATH, else the bundled one. */
export function findServer(s: ServerSearch): Found | NotFound {
  const exe = s.platform === "win32" ? "kflow.exe" : "kflow";
  if (s.configured.trim() !== "") {
    let p = s.configured.trim();
    if (p.startsWith("~/") && s.home) p = path.join(s.home, p.slice(2));
    if (s.isExecutable(p)) return { path: p, source: "setting" };
    return {
      error: `kflow.path is set to "${s.configured}", which is not an executable file.`,
      fix: "Fix or clear the kflow.path setting.",
    };
  }
  const sep = s.platform === "win32" ? ";" : ":";
  for (const dir of s.pathEnv.split(sep)) {
    if (!dir) continue;
    const p = path.join(dir, exe);
    if (s.isExecutable(p)) return { path: p, source: "PATH" };
  }
  const bundled = path.join(s.extensionPath, "bin", `${s.platform}-${s.arch}`, exe);
  if (s.isExecutable(bundled)) return { path: bundled, source: "bundled" };
  return {
    error: `The kflow language server was not found: kflow.path is empty, there is no ${exe} on PATH and this extension ships no binary for ${s.platform}-${s.arch}.`,
    fix: "Install kflow (cargo install --path server in the kflow repository) or set kflow.path to the binary.",
  };
}

export interface Settings {
  debounceMs?: number;
  rules?: Record<string, string>;
  ruleDocsUrl?: string;
}

/** The server's options, as initializationOptions and in didChangeConfiguration. */
export function serverOptions(s: Settings): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (typeof s.debounceMs === "number" && Number.isFinite(s.debounceMs)) {
    o.debounceMs = Math.max(0, Math.min(10000, Math.round(s.debounceMs)));
  }
  if (s.rules && Object.keys(s.rules).length > 0) o.rules = { ...s.rules };
  if (s.ruleDocsUrl) o.ruleDocsUrl = s.ruleDocsUrl;
  return o;
}

/** True when the initialize result's executeCommandProvider lists `command`. */
export function advertises(capabilities: unknown, command: string): boolean {
  const caps = capabilities as { executeCommandProvider?: { commands?: string[] } } | undefined;
  return caps?.executeCommandProvider?.commands?.includes(command) ?? false;
}

export interface ExecutionRecord {
  id?: string;
  state?: string;
  outputs?: unknown;
  taskRuns?: unknown[];
  logs?: unknown[];
}

/** The message shown when a run ends, and whether it is an error. */
export function runSummary(flow: string, rec: ExecutionRecord): { text: string; error: boolean } {
  const state = rec.state ?? "UNKNOWN";
  const tasks = Array.isArray(rec.taskRuns) ? `, ${rec.taskRuns.length} task run(s)` : "";
  const ok = state === "SUCCESS";
  const warn = state === "WARNING";
  return {
    text: `kflow: ${flow} ended in ${state}${tasks}${rec.id ? ` (execution ${rec.id})` : ""}`,
    error: !ok && !warn,
  };
}

/** The rule ids of kflow diagnostics (their `code`) at a position, those under it first. */
export function rulesAt(
  diags: { source?: string; code?: unknown; start: [number, number]; end: [number, number] }[],
  line: number,
  character: number,
): string[] {
  const code = (c: unknown): string | undefined =>
    typeof c === "string" ? c : typeof c === "object" && c && "value" in c ? String((c as { value: unknown }).value) : undefined;
  const before = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);
  const kflow = diags.filter((d) => d.source === "kflow" && code(d.code));
  const under = kflow.filter((d) => before(d.start, [line, character]) && before([line, character], d.end));
  const onLine = kflow.filter((d) => d.start[0] <= line && line <= d.end[0]);
  return [...new Set([...under, ...onLine].map((d) => code(d.code)!))];
}

/** A replacement of `[start, end)` (character offsets) by `newText`. */
export interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** `text` with non-overlapping edits applied (in any order): the migration preview's text. */
export function applyEdits(text: string, edits: OffsetEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let out = "";
  let at = 0;
  for (const e of sorted) {
    if (e.start < at || e.end > text.length) throw new Error("overlapping or out-of-range edit");
    out += text.slice(at, e.start) + e.newText;
    at = e.end;
  }
  return out + text.slice(at);
}

/** The final state in the output of `kflow run --server` (its last "execution ID STATE" line). */
export function finalState(output: string): string | undefined {
  const lines = output.split("\n").reverse();
  for (const line of lines) {
    const m = /^execution \S+ ([A-Z]+)\s*$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}
