//! The repository's GitHub Action (`action.yml`): its lint step, run as the runner would run
//! it (bash, the inputs in the environment), writes a SARIF report and the exit code output,
//! and stops the job only when there is no report.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::formats::tempdir;

/// The `run` script of the action's step named `name`.
fn step_script(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../action.yml");
    let doc = kflow_syntax::parse_bytes(&std::fs::read(&path).unwrap());
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let tree = &doc.tree;
    let root = tree.root.unwrap();
    assert_eq!(tree.get_str(root, "name"), Some("kflow lint"));
    let runs = tree.get_value(root, "runs").unwrap();
    assert_eq!(tree.get_str(runs, "using"), Some("composite"));
    let steps = tree.items(tree.get_value(runs, "steps").unwrap()).unwrap();
    let uploads = steps
        .iter()
        .filter_map(|&s| tree.get_str(s, "uses"))
        .any(|u| u.starts_with("github/codeql-action/upload-sarif@"));
    assert!(uploads, "no upload-sarif step");
    let step = steps
        .iter()
        .find(|&&s| tree.get_str(s, "name") == Some(name))
        .unwrap_or_else(|| panic!("no step `{name}`"));
    tree.get_str(*step, "run").unwrap().to_string()
}

/// Runs the lint step in `dir`; returns the exit status and the `exit-code` output.
fn lint_step(dir: &Path, paths: &str, args: &str) -> (i32, String) {
    let kflow = PathBuf::from(env!("CARGO_BIN_EXE_kflow"));
    let path_var = format!(
        "{}:{}",
        kflow.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output_file = dir.join("github_output");
    std::fs::write(&output_file, "").unwrap();
    let status = Command::new("bash")
        .args([
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            &step_script("Lint"),
        ])
        .current_dir(dir)
        .env("PATH", path_var)
        .env("PATHS", paths)
        .env("ARGS", args)
        .env("SARIF", "kflow.sarif")
        .env("GITHUB_OUTPUT", &output_file)
        .status()
        .expect("bash runs");
    let outputs = std::fs::read_to_string(&output_file).unwrap();
    (status.code().unwrap_or(-1), outputs)
}

#[test]
fn the_lint_step_writes_sarif_and_the_exit_code() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.join("flows")).unwrap();
    std::fs::write(
        dir.join("flows/bad.yaml"),
        "id: bad\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    mesage: hi\n",
    )
    .unwrap();
    // Findings: the step succeeds (so that the upload runs) and says 1.
    let (code, outputs) = lint_step(&dir, "flows", "");
    assert_eq!(code, 0);
    assert_eq!(outputs, "exit-code=1\n");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kflow.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "unknown-property"));

    // A usage error: no report, the step fails.
    let (code, outputs) = lint_step(&dir, "flows", "--deny bogus");
    assert_eq!(code, 2);
    assert_eq!(outputs, "exit-code=2\n");

    // Clean: 0.
    std::fs::write(
        dir.join("flows/bad.yaml"),
        "id: bad\nnamespace: company.team\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n",
    )
    .unwrap();
    let (code, outputs) = lint_step(&dir, "flows", "--deny error");
    assert_eq!((code, outputs.as_str()), (0, "exit-code=0\n"));
}
