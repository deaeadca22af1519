//! Where a diagnostic's `codeDescription` points. kflow has no web home, so by default each
//! rule's documentation (the text of `kflow explain RULE`) is written once to a Markdown file in
//! the user's cache folder and linked as a `file://` URI; `initializationOptions.ruleDocsUrl`
//! (`"https://…/{rule}"`) points elsewhere instead.

use std::path::PathBuf;
use std::sync::OnceLock;

use kflow_lint_rules::rules;
use tower_lsp_server::ls_types::Uri;

static TEMPLATE: OnceLock<Option<String>> = OnceLock::new();
static FOLDER: OnceLock<Option<PathBuf>> = OnceLock::new();

/// Sets the URL template from the client's options (first call wins).
pub fn configure(template: Option<String>) {
    let _ = TEMPLATE.set(template.filter(|t| t.contains("{rule}")));
}

pub fn link(rule: &str) -> Option<Uri> {
    if let Some(Some(template)) = TEMPLATE.get() {
        return template.replace("{rule}", rule).parse().ok();
    }
    let folder = FOLDER.get_or_init(write_docs).as_ref()?;
    Uri::from_file_path(folder.join(format!("{rule}.md")))
}

fn cache_folder() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("kflow")
        .join(env!("CARGO_PKG_VERSION"))
        .join("rules")
}

fn write_docs() -> Option<PathBuf> {
    let folder = cache_folder();
    std::fs::create_dir_all(&folder).ok()?;
    for rule in rules::ALL {
        let text = format!(
            "# {} (default: {})\n\n{}\n",
            rule.id,
            rule.severity.as_str(),
            rules::doc(rule.id)
        );
        let path = folder.join(format!("{}.md", rule.id));
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&path, text).ok()?;
        }
    }
    Some(folder)
}
