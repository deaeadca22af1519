//! `kestra://` URIs, shaped exactly as Kestra's `StorageContext` shapes them.

use crate::ids::slugify;

pub const SCHEME: &str = "kestra://";

/// Identifies one execution of one flow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExecutionKey {
    pub namespace: String,
    pub flow_id: String,
    pub execution_id: String,
}

/// Identifies one task run: where its files go.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TaskRunKey {
    pub execution: ExecutionKey,
    pub task_id: String,
    pub task_run_id: String,
}

/// `company.team` → `company/team` (the namespace is not slugified).
pub fn namespace_path(namespace: &str) -> String {
    namespace.replace('.', "/")
}

impl ExecutionKey {
    /// `/<ns path>/<slug(flow)>/executions/<execution id>`
    pub fn prefix(&self) -> String {
        format!(
            "/{}/{}/executions/{}",
            namespace_path(&self.namespace),
            slugify(&self.flow_id),
            self.execution_id
        )
    }

    /// `…/executions/<id>/inputs/<input id>` (the input id is kept as is, like Kestra).
    pub fn input_prefix(&self, input_id: &str) -> String {
        format!("{}/inputs/{input_id}", self.prefix())
    }

    /// `…/executions/<id>/trigger/<slug(trigger id)>`
    pub fn trigger_prefix(&self, trigger_id: &str) -> String {
        format!("{}/trigger/{}", self.prefix(), slugify(trigger_id))
    }
}

impl TaskRunKey {
    /// `…/executions/<id>/tasks/<slug(task id)>/<task run id>`
    pub fn prefix(&self) -> String {
        format!(
            "{}/tasks/{}/{}",
            self.execution.prefix(),
            slugify(&self.task_id),
            self.task_run_id
        )
    }
}

/// `/<ns path>/_files`
pub fn namespace_files_prefix(namespace: &str) -> String {
    format!("/{}/_files", namespace_path(namespace))
}

/// `/<ns path>/_kv`
pub fn kv_prefix(namespace: &str) -> String {
    format!("/{}/_kv", namespace_path(namespace))
}

/// `kestra://` + prefix + `/` + the name, percent-encoded where a URI needs it. Local storage
/// caps the last segment at 255 characters: a longer name keeps its tail behind 5 random
/// characters, as Kestra does.
pub fn file_uri(prefix: &str, name: &str) -> String {
    let name = cap_name(name);
    format!(
        "{SCHEME}{}/{}",
        prefix.trim_end_matches('/'),
        encode_segment(&name)
    )
}

/// Like [`file_uri`] for a name that is already URI-encoded (Kestra's Download encodes
/// Content-Disposition names with Java's `URLEncoder`: `my file.csv` → `my+file.csv`).
pub fn file_uri_encoded(prefix: &str, encoded_name: &str) -> String {
    format!(
        "{SCHEME}{}/{}",
        prefix.trim_end_matches('/'),
        cap_name(encoded_name)
    )
}

/// Java's `URLEncoder.encode(text, UTF_8)`: letters, digits and `.-*_` kept, space → `+`,
/// everything else `%XX`.
pub fn java_url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `kestra://` + a path already shaped as segments.
pub fn uri_of_path(path: &str) -> String {
    let encoded: Vec<String> = path.split('/').map(encode_segment).collect();
    format!("{SCHEME}{}", encoded.join("/"))
}

fn cap_name(name: &str) -> String {
    const MAX: usize = 255;
    if name.chars().count() <= MAX {
        return name.to_string();
    }
    let tail: String = {
        let chars: Vec<char> = name.chars().collect();
        chars[chars.len() - (MAX - 6)..].iter().collect()
    };
    let random: String = crate::ids::new_id().chars().take(5).collect();
    format!("{random}-{tail}")
}

/// Percent-encodes what may not appear raw in a URI path segment (space → `%20`, …).
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; `None` on a malformed escape or invalid UTF-8.
pub fn decode_percent(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TaskRunKey {
        TaskRunKey {
            execution: ExecutionKey {
                namespace: "company.team".into(),
                flow_id: "my_flow".into(),
                execution_id: "4wjtkzwVGBM9yKnjm3yv8r".into(),
            },
            task_id: "http_download".into(),
            task_run_id: "1p9mXyZ".into(),
        }
    }

    #[test]
    fn task_run_uri_like_kestra() {
        assert_eq!(
            file_uri(&key().prefix(), "8274512347811934.csv"),
            "kestra:///company/team/my-flow/executions/4wjtkzwVGBM9yKnjm3yv8r/tasks/http-download/1p9mXyZ/8274512347811934.csv"
        );
    }

    #[test]
    fn other_scopes() {
        let exec = key().execution;
        assert_eq!(
            file_uri(&exec.input_prefix("my_file"), "data.csv"),
            "kestra:///company/team/my-flow/executions/4wjtkzwVGBM9yKnjm3yv8r/inputs/my_file/data.csv"
        );
        assert_eq!(
            exec.trigger_prefix("on_Schedule"),
            "/company/team/my-flow/executions/4wjtkzwVGBM9yKnjm3yv8r/trigger/on-schedule"
        );
        assert_eq!(namespace_files_prefix("a.b"), "/a/b/_files");
        assert_eq!(kv_prefix("a.b"), "/a/b/_kv");
    }

    #[test]
    fn names_are_encoded_and_capped() {
        assert_eq!(file_uri("/p", "a b%.txt"), "kestra:///p/a%20b%25.txt");
        assert_eq!(decode_percent("a%20b%25.txt").as_deref(), Some("a b%.txt"));
        assert_eq!(decode_percent("%zz"), None);
        let long = "x".repeat(300) + ".csv";
        let uri = file_uri("/p", &long);
        let last = uri.rsplit('/').next().unwrap();
        assert_eq!(last.len(), 255);
        assert!(last.ends_with("xx.csv"));
    }
}
