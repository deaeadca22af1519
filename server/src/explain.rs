//! `kflow rules` and `kflow explain`.

use kflow_lint_rules::rules;

pub fn rules() -> u8 {
    for rule in rules::ALL {
        println!("{:<30} {:<8} {}", rule.id, rule.severity.as_str(), rules::summary(rule.id));
    }
    0
}

pub fn explain(id: &str) -> u8 {
    match rules::get(id) {
        Some(rule) => {
            println!("# {} (default: {})\n", rule.id, rule.severity.as_str());
            println!("{}", rules::doc(rule.id));
            0
        }
        None => {
            eprintln!("error: no rule is named `{id}`; `kflow rules` lists them");
            2
        }
    }
}
