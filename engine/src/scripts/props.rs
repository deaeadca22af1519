//! Script specs from rendered task properties.

use serde_json::{Map, Value};

use super::{NamespaceFiles, ScriptKind, ScriptSpec};
use crate::props::Props;
use crate::task::TaskError;

impl ScriptSpec {
    /// The script task `type_` (e.g. `io.kestra.plugin.scripts.python.Script`) with its
    /// properties; `namespace` is the flow's (default of `namespaceFiles.namespaces`).
    pub fn from_properties(
        type_: &str,
        map: &Map<String, Value>,
        namespace: &str,
    ) -> Result<ScriptSpec, TaskError> {
        let p = Props::new(map);
        let short = type_
            .strip_prefix("io.kestra.plugin.scripts.")
            .unwrap_or(type_);
        let script = || p.required_string("script");
        let commands = || -> Result<Vec<String>, TaskError> {
            let list = p.string_list("commands")?;
            if list.is_empty() {
                return Err(p.error("commands", "is required (a non-empty list)"));
            }
            Ok(list)
        };
        let kind = match short {
            "python.Script" => ScriptKind::PythonScript(script()?),
            "python.Commands" => ScriptKind::PythonCommands(commands()?),
            "shell.Script" => ScriptKind::ShellScript(script()?),
            "shell.Commands" => ScriptKind::ShellCommands(commands()?),
            "node.Script" => ScriptKind::NodeScript(script()?),
            "node.Commands" => ScriptKind::NodeCommands(commands()?),
            _ => {
                return Err(TaskError::new(format!(
                    "task type '{type_}' is not a script task kflow can run"
                )))
            }
        };
        let mut spec = ScriptSpec::new(kind);
        spec.before_commands = p.string_list("beforeCommands")?;
        spec.env = p.string_map("env")?;
        let interpreter = p.string_list("interpreter")?;
        if !interpreter.is_empty() {
            spec.interpreter = interpreter;
        }
        spec.fail_fast = p.boolean("failFast", true)?;
        spec.input_files = p.string_map("inputFiles")?;
        spec.output_files = p.string_list("outputFiles")?;
        spec.output_directory = p.boolean("outputDirectory", false)?;
        spec.dependencies = p.string_list("dependencies")?;
        spec.container_image = p.string("containerImage")?;
        spec.timeout = p.duration("timeout")?;
        if let Some(ns) = p.object("namespaceFiles")? {
            if ns.boolean("enabled", true)? {
                let mut namespaces = ns.string_list("namespaces")?;
                if namespaces.is_empty() {
                    namespaces.push(namespace.to_string());
                }
                spec.namespace_files = Some(NamespaceFiles {
                    include: ns.string_list("include")?,
                    exclude: ns.string_list("exclude")?,
                    namespaces,
                });
            }
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn script_properties() {
        let map = json!({
            "script": "print(1)",
            "beforeCommands": ["pip list"],
            "env": {"A": "1", "N": 2},
            "inputFiles": "{\"a.txt\": \"x\"}",
            "outputFiles": ["*.csv"],
            "dependencies": ["requests"],
            "namespaceFiles": {"enabled": true, "include": ["scripts/**"]},
            "timeout": "PT10S",
            "failFast": "false"
        });
        let spec = ScriptSpec::from_properties(
            "io.kestra.plugin.scripts.python.Script",
            map.as_object().unwrap(),
            "company.team",
        )
        .unwrap();
        assert!(matches!(spec.kind, ScriptKind::PythonScript(ref s) if s == "print(1)"));
        assert_eq!(
            spec.env,
            vec![("A".into(), "1".into()), ("N".into(), "2".into())]
        );
        assert_eq!(spec.input_files, vec![("a.txt".into(), "x".into())]);
        assert_eq!(
            spec.namespace_files.unwrap().namespaces,
            vec!["company.team"]
        );
        assert_eq!(spec.timeout, Some(std::time::Duration::from_secs(10)));
        assert!(!spec.fail_fast);
        let err = ScriptSpec::from_properties(
            "io.kestra.plugin.scripts.shell.Commands",
            json!({"commands": []}).as_object().unwrap(),
            "n",
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "property 'commands': is required (a non-empty list)"
        );
        assert!(
            ScriptSpec::from_properties("io.kestra.plugin.scripts.r.Script", &Map::new(), "n")
                .is_err()
        );
    }
}
