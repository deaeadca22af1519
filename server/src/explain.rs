//! `kflow rules` and `kflow explain`.

use kflow_lint_rules::rules;

/// A group of rules `kflow rules --group` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Group {
    /// Security rules (TLS, credentials, secrets): those with a `security-severity` in SARIF.
    Security,
}

pub fn rules(markdown: bool, group: Option<Group>) -> u8 {
    if markdown {
        print!("{}", markdown_reference());
        return 0;
    }
    let in_group = |id: &str| match group {
        None => true,
        Some(Group::Security) => rules::security_severity(id).is_some(),
    };
    for rule in rules::ALL.iter().filter(|r| in_group(r.id)) {
        println!(
            "{:<30} {:<8} {}",
            rule.id,
            rule.severity.as_str(),
            rules::summary(rule.id)
        );
    }
    0
}

/// The README's rules reference: a table, then each rule's documentation.
pub fn markdown_reference() -> String {
    let mut out = String::from("| rule | default | what it reports |\n|---|---|---|\n");
    for rule in rules::ALL {
        out.push_str(&format!(
            "| [`{0}`](#{0}) | {1} | {2} |\n",
            rule.id,
            rule.severity.as_str(),
            rules::summary(rule.id)
        ));
    }
    for rule in rules::ALL {
        // Demote the doc's headings under the rule's own heading.
        let doc = rules::doc(rule.id).replace("\n## ", "\n#### ");
        out.push_str(&format!("\n### {}\n\n{}\n", rule.id, doc));
    }
    out
}

pub fn explain(id: &str) -> u8 {
    match rules::get(id) {
        Some(rule) => {
            println!("# {} (default: {})\n", rule.id, rule.severity.as_str());
            println!("{}", rules::doc(rule.id));
            0
        }
        None => {
            let near = kflow_lint_rules::suggest::closest(id, rules::ALL.iter().map(|r| r.id));
            match near {
                Some(near) => eprintln!("error: no rule is named `{id}`; did you mean `{near}`?"),
                None => eprintln!("error: no rule is named `{id}`; `kflow rules` lists them"),
            }
            2
        }
    }
}
