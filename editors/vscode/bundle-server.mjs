// Copies a kflow binary into bin/<platform>-<arch>/ so that the .vsix ships the server for this
// platform (the extension falls back to it when kflow.path is empty and kflow is not on PATH).
// Source: $KFLOW_BIN, else the workspace's release build, else its debug build.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const exe = process.platform === "win32" ? "kflow.exe" : "kflow";
const candidates = [
  process.env.KFLOW_BIN,
  path.join(here, "..", "..", "target", "release", exe),
  path.join(here, "..", "..", "target", "debug", exe),
].filter(Boolean);
const source = candidates.find((p) => fs.existsSync(p));
const destDir = path.join(here, "bin", `${process.platform}-${process.arch}`);
fs.rmSync(path.join(here, "bin"), { recursive: true, force: true });
if (!source) {
  console.log(`bundle-server: no kflow binary found (${candidates.join(", ")}): the .vsix ships none`);
} else {
  fs.mkdirSync(destDir, { recursive: true });
  fs.copyFileSync(source, path.join(destDir, exe));
  fs.chmodSync(path.join(destDir, exe), 0o755);
  console.log(`bundle-server: ${source} -> ${path.relative(here, path.join(destDir, exe))}`);
}
