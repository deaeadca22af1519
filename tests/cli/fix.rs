//! `kflow lint --fix`: safe fixes applied in place, the rest of the file kept byte for byte.

use std::time::Duration;

use crate::formats::tempdir;
use crate::support::run_with_deadline;

#[test]
fn fix_renames_old_type_names_and_keeps_everything_else() {
    let dir = tempdir();
    let path = dir.join("old.yaml");
    let before = "# header comment\nid: old   # trailing\nnamespace: company.team\ntasks:\n  - id: hello\n    type: io.kestra.core.tasks.log.Log # old name\n    message: 'hi {{ flow.id }}'\n  - id: bye\n    type: \"io.kestra.core.tasks.debugs.Return\"\n    format: bye\n";
    std::fs::write(&path, before).unwrap();
    let out = run_with_deadline(
        &["lint", "--fix", "--format", "json", path.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let after = std::fs::read_to_string(&path).unwrap();
    let expected = before
        .replace(
            "io.kestra.core.tasks.log.Log",
            "io.kestra.plugin.core.log.Log",
        )
        .replace(
            "io.kestra.core.tasks.debugs.Return",
            "io.kestra.plugin.core.debug.Return",
        );
    assert_eq!(after, expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 edit(s)"));
    // The report is of the fixed file: nothing left to fix.
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["rule"] != "deprecated-type"),
        "{json}"
    );
    assert_eq!(out.status.code(), Some(0));
}
