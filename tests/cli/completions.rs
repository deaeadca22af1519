//! `kflow completions SHELL`: scripts that the shells load.

use std::process::Command;
use std::time::Duration;

use crate::support::run_with_deadline;

#[test]
fn every_shell_gets_a_script() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run_with_deadline(&["completions", shell], Duration::from_secs(30));
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(script.contains("kflow"), "{shell}: {script}");
        // Every subcommand is offered.
        for sub in ["lint", "graph", "run", "lsp", "completions"] {
            assert!(script.contains(sub), "{shell} script lacks `{sub}`");
        }
    }
    let out = run_with_deadline(&["completions", "tcsh"], Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(2));
}

/// Bash loads the script and then completes `kflow`: `complete -p kflow` names the function.
#[test]
fn the_bash_script_loads_and_completes_kflow() {
    let kflow = env!("CARGO_BIN_EXE_kflow");
    let script = format!(
        "set -e; source <('{kflow}' completions bash); complete -p kflow; \
         COMP_WORDS=(kflow gr); COMP_CWORD=1; COMP_LINE='kflow gr'; COMP_POINT=8; \
         _kflow kflow gr kflow; printf 'reply:%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("-F _kflow kflow"), "{stdout}");
    assert!(stdout.contains("reply:graph"), "{stdout}");
}
