//! Kestra's HTTP API: authentication, TLS, the server's version (which picks the operations:
//! `api.rs`), errors that say what the server answered, and retries of reads on a 5xx or a
//! dropped connection. Writes are never retried: a create that timed out may have happened.

use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

use super::api::Line;
use super::target::{Auth, Target};

/// How long an answer may keep kflow waiting without a byte (`KFLOW_SERVER_TIMEOUT`, in
/// seconds, changes it). An event stream that stays quiet that long is opened again, which
/// loses nothing (see `follow.rs`).
const READ_TIMEOUT: Duration = Duration::from_secs(60);

fn read_timeout() -> Duration {
    std::env::var("KFLOW_SERVER_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0 && s.is_finite())
        .map_or(READ_TIMEOUT, Duration::from_secs_f64)
}

/// How often a read is tried before its error is reported, and the wait before the first retry
/// (doubled each time).
const READ_ATTEMPTS: u32 = 3;
const RETRY_WAIT: Duration = Duration::from_millis(200);

pub struct Client {
    http: reqwest::Client,
    pub target: Target,
    /// The version the server reports.
    pub version: String,
    pub line: Line,
}

/// A failed call: the HTTP status when there was an answer, and what to tell the user.
#[derive(Debug)]
pub struct ApiError {
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl ApiError {
    fn new(message: impl Into<String>) -> ApiError {
        ApiError {
            status: None,
            message: message.into(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }
}

impl Client {
    /// Connects: builds the HTTP client and reads the server's version.
    pub async fn connect(target: Target) -> Result<Client, ApiError> {
        if target.insecure {
            eprintln!(
                "warning: --insecure: the certificate of {} is not verified; anyone on the way can read the credentials",
                target.url
            );
        }
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(target.insecure)
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(read_timeout())
            .user_agent(concat!("kflow/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::new(format!("cannot set up the HTTP client: {e}")))?;
        let mut client = Client {
            http,
            target,
            version: String::new(),
            line: Line::V1,
        };
        let url = format!("{}/api/v1/configs", client.target.url);
        let config: Value = client.json(client.request(Method::GET, url)).await?;
        let version = config
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        client.line = Line::of(&version).ok_or_else(|| {
            ApiError::new(format!(
                "{}: the server reports no Kestra version kflow knows (`{version}`)",
                client.target.url
            ))
        })?;
        client.version = version;
        Ok(client)
    }

    /// The URL of a path under the tenant (`/api/v1/{tenant}/{segments…}`), each segment
    /// percent-encoded: a namespace or id may hold any character (`my#flow`).
    pub fn url(&self, segments: &[&str]) -> String {
        let mut url = format!("{}/api/v1/{}", self.target.url, encode(&self.target.tenant));
        for s in segments {
            url.push('/');
            url.push_str(&encode(s));
        }
        url
    }

    /// A request with the credentials.
    pub fn request(&self, method: Method, url: String) -> RequestBuilder {
        let rb = self.http.request(method, url);
        match &self.target.auth {
            Auth::None => rb,
            Auth::Basic { user, password } => rb.basic_auth(user, Some(password)),
            Auth::Bearer(token) => rb.bearer_auth(token),
        }
    }

    /// Sends a request; an answer that is not a success becomes an [`ApiError`] with the
    /// server's message. Reads (GET) are retried on a 5xx or a connection error.
    pub async fn send(&self, rb: RequestBuilder) -> Result<Response, ApiError> {
        let is_read = rb
            .try_clone()
            .and_then(|c| c.build().ok())
            .is_some_and(|r| r.method() == Method::GET);
        if !is_read {
            let response = rb.send().await.map_err(|e| {
                let mut message = self.describe(&e);
                if e.is_timeout() {
                    message.push_str(" (no answer in time: the server may still apply the change)");
                }
                ApiError::new(message)
            })?;
            return check(response).await;
        }
        let mut wait = RETRY_WAIT;
        let mut attempt = 1;
        loop {
            // A GET has no body: it always clones.
            let this = rb
                .try_clone()
                .ok_or_else(|| ApiError::new("cannot repeat the request"))?;
            let result = this.send().await;
            let transient = match &result {
                Ok(r) => r.status().is_server_error(),
                Err(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            };
            if transient && attempt < READ_ATTEMPTS {
                attempt += 1;
                tokio::time::sleep(wait).await;
                wait *= 2;
                continue;
            }
            let response = result.map_err(|e| ApiError::new(self.describe(&e)))?;
            return check(response).await;
        }
    }

    /// Sends a request and reads its JSON answer.
    pub async fn json(&self, rb: RequestBuilder) -> Result<Value, ApiError> {
        let response = self.send(rb).await?;
        let url = response.url().path().to_string();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ApiError::new(format!("{url}: {e}")))?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::new(format!("{url}: the answer is not JSON: {e}")))
    }

    fn describe(&self, e: &reqwest::Error) -> String {
        let mut text = format!("{}: {e}", self.target.url);
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        text
    }
}

/// The response when it is a success; otherwise an error naming the status, the operation and
/// the server's message (Kestra answers `{"message": …}`).
async fn check(response: Response) -> Result<Response, ApiError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let what = format!("{} {}", status.as_u16(), response.url().path());
    let body = response.text().await.unwrap_or_default();
    let said = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| body.trim().chars().take(300).collect());
    let hint = match status {
        StatusCode::UNAUTHORIZED => {
            " (set KESTRA_USERNAME and KESTRA_PASSWORD, or KESTRA_API_TOKEN)"
        }
        StatusCode::FORBIDDEN => " (the credentials lack the permission)",
        _ => "",
    };
    let message = if said.is_empty() {
        format!("{what}{hint}")
    } else {
        format!("{what}: {said}{hint}")
    };
    Err(ApiError {
        status: Some(status.as_u16()),
        message,
    })
}

/// A path segment percent-encoded: everything but RFC 3986's unreserved characters.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_are_encoded_whole() {
        assert_eq!(super::encode("company.team"), "company.team");
        assert_eq!(super::encode("my#flow/x y"), "my%23flow%2Fx%20y");
        assert_eq!(super::encode("é"), "%C3%A9");
    }
}
