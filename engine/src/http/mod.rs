//! `io.kestra.plugin.core.http.Request` and `Download`, on reqwest (rustls, HTTP/1.1).
//!
//! Specs hold already-rendered property values. One client is built per task run from its
//! `options`, as Kestra does.

mod client;
mod download;
mod filename;
mod props;
mod request;

pub use client::build_client;
pub use download::{download, DownloadOutput, DownloadSpec};
pub use request::{request, RequestOutput, RequestSpec, MAX_REQUEST_BODY};

use std::collections::BTreeMap;
use std::time::Duration;

/// `options` of the HTTP tasks.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// `timeout.connectTimeout` (none by default).
    pub connect_timeout: Option<Duration>,
    /// `timeout.readIdleTimeout`: longest wait for the next bytes (default 5 minutes).
    pub read_idle_timeout: Duration,
    pub follow_redirects: bool,
    /// When false, any status ≥ 400 fails the task.
    pub allow_failed: bool,
    /// When set, any status not listed fails the task (2xx included).
    pub allowed_response_codes: Option<Vec<u16>>,
    pub auth: Option<HttpAuth>,
    pub proxy: Option<ProxyOptions>,
    pub insecure_trust_all_certificates: bool,
}

impl Default for HttpOptions {
    fn default() -> HttpOptions {
        HttpOptions {
            connect_timeout: None,
            read_idle_timeout: Duration::from_secs(300),
            follow_redirects: true,
            allow_failed: false,
            allowed_response_codes: None,
            auth: None,
            proxy: None,
            insecure_trust_all_certificates: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpAuth {
    Basic {
        username: String,
        password: String,
    },
    Bearer {
        token: String,
    },
    /// Accepted by Kestra ≥ 1.x; not implemented by kflow (a clear error is returned).
    Digest {
        username: String,
        password: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyOptions {
    /// `DIRECT`, `HTTP` or `SOCKS`.
    pub kind: String,
    pub address: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// What is sent: request building shared by Request and Download.
#[derive(Clone, Debug)]
pub struct HttpCall {
    pub uri: String,
    pub method: String,
    /// `params`: appended to the query string (values added, never replacing).
    pub params: Vec<(String, Vec<String>)>,
    pub headers: Vec<(String, String)>,
    /// Raw body, used only when `form_data` is empty.
    pub body: Option<String>,
    /// `formData`: url-encoded, or multipart with `contentType: multipart/form-data`.
    pub form_data: Vec<(String, FormValue)>,
    /// Default `application/json`.
    pub content_type: Option<String>,
    pub options: HttpOptions,
}

impl HttpCall {
    pub fn get(uri: impl Into<String>) -> HttpCall {
        HttpCall {
            uri: uri.into(),
            method: "GET".into(),
            params: Vec::new(),
            headers: Vec::new(),
            body: None,
            form_data: Vec::new(),
            content_type: None,
            options: HttpOptions::default(),
        }
    }
}

/// One `formData` value, already classified from the rendered property.
#[derive(Clone, Debug, PartialEq)]
pub enum FormValue {
    Text(String),
    /// A `kestra://` file (a string value, or `{name, content}` naming the upload).
    File {
        uri: String,
        name: Option<String>,
    },
}

impl FormValue {
    /// Kestra's reading of a rendered value: a `kestra://` string or a `{name, content}` map
    /// is a file (multipart only); other non-strings are sent as JSON text.
    pub fn from_json(value: &serde_json::Value, multipart: bool) -> FormValue {
        match value {
            serde_json::Value::String(s) if multipart && s.starts_with("kestra://") => {
                FormValue::File {
                    uri: s.clone(),
                    name: None,
                }
            }
            serde_json::Value::Object(map) if multipart => {
                match (map.get("name"), map.get("content")) {
                    (
                        Some(serde_json::Value::String(name)),
                        Some(serde_json::Value::String(uri)),
                    ) => FormValue::File {
                        uri: uri.clone(),
                        name: Some(name.clone()),
                    },
                    _ => FormValue::Text(value.to_string()),
                }
            }
            serde_json::Value::String(s) => FormValue::Text(s.clone()),
            other => FormValue::Text(other.to_string()),
        }
    }
}

/// Response headers as Kestra exposes them: name (lower-case) → every value, in order.
pub type Headers = BTreeMap<String, Vec<String>>;

fn headers_of(map: &reqwest::header::HeaderMap) -> Headers {
    let mut out = Headers::new();
    for (name, value) in map {
        out.entry(name.as_str().to_string())
            .or_default()
            .push(String::from_utf8_lossy(value.as_bytes()).into_owned());
    }
    out
}

#[cfg(test)]
mod test_server;
#[cfg(test)]
mod tests;
