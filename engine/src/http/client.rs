//! Building the client and the request from a spec.

use super::{FormValue, HttpAuth, HttpCall, HttpOptions};
use crate::storage::Storage;
use crate::task::TaskError;

/// A client configured from `options` (timeouts, redirects, proxy, TLS). Environment proxy
/// variables are ignored, as the JVM ignores them: only `options.proxy` applies.
pub fn build_client(options: &HttpOptions) -> Result<reqwest::Client, TaskError> {
    let mut builder = reqwest::Client::builder()
        .user_agent("Kestra")
        .no_proxy()
        .read_timeout(options.read_idle_timeout)
        .redirect(if options.follow_redirects {
            reqwest::redirect::Policy::limited(10)
        } else {
            reqwest::redirect::Policy::none()
        });
    if let Some(timeout) = options.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    if options.insecure_trust_all_certificates {
        builder = builder.danger_accept_invalid_certs(true);
    }
    if let Some(proxy) = &options.proxy {
        match proxy.kind.to_ascii_uppercase().as_str() {
            "DIRECT" => {}
            "HTTP" => {
                let mut p = reqwest::Proxy::all(format!("http://{}:{}", proxy.address, proxy.port))
                    .map_err(|e| TaskError::new(format!("invalid proxy: {e}")))?;
                if let (Some(user), Some(password)) = (&proxy.username, &proxy.password) {
                    p = p.basic_auth(user, password);
                }
                builder = builder.proxy(p);
            }
            other => {
                return Err(TaskError::new(format!(
                    "proxy type {other} is not supported by kflow (use HTTP or DIRECT)"
                )))
            }
        }
    }
    builder
        .build()
        .map_err(|e| TaskError::new(format!("cannot create the HTTP client: {e}")))
}

/// The final URL: spaces become `%20` (Kestra encodes nothing else), then `params` appended.
pub(super) fn build_url(call: &HttpCall) -> Result<reqwest::Url, TaskError> {
    let raw = call.uri.replace(' ', "%20");
    let mut url = reqwest::Url::parse(&raw)
        .map_err(|e| TaskError::new(format!("invalid uri '{}': {e}", call.uri)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TaskError::new(format!(
            "invalid uri '{}': only http and https are supported",
            call.uri
        )));
    }
    if !call.params.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, values) in &call.params {
            for value in values {
                pairs.append_pair(name, value);
            }
        }
    }
    Ok(url)
}

pub(super) async fn build_request(
    client: &reqwest::Client,
    call: &HttpCall,
    storage: &Storage,
) -> Result<reqwest::RequestBuilder, TaskError> {
    let method = reqwest::Method::from_bytes(call.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| TaskError::new(format!("invalid HTTP method '{}'", call.method)))?;
    let url = build_url(call)?;
    let mut request = client.request(method, url);
    for (name, value) in &call.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    match &call.options.auth {
        Some(HttpAuth::Basic { username, password }) => {
            request = request.basic_auth(username, Some(password));
        }
        Some(HttpAuth::Bearer { token }) => request = request.bearer_auth(token),
        Some(HttpAuth::Digest { .. }) => {
            return Err(TaskError::new(
                "options.auth type DIGEST is not supported by kflow; use BASIC or BEARER",
            ))
        }
        None => {}
    }
    let content_type = call
        .content_type
        .clone()
        .unwrap_or_else(|| "application/json".into());
    if !call.form_data.is_empty() {
        if content_type
            .to_ascii_lowercase()
            .starts_with("multipart/form-data")
        {
            request = request.multipart(multipart(&call.form_data, storage).await?);
        } else {
            let pairs: Vec<(String, String)> = call
                .form_data
                .iter()
                .map(|(k, v)| match v {
                    FormValue::Text(t) => (k.clone(), t.clone()),
                    FormValue::File { uri, .. } => (k.clone(), uri.clone()),
                })
                .collect();
            request = request.form(&pairs);
        }
    } else if let Some(body) = &call.body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body.clone());
    }
    Ok(request)
}

/// Files are streamed from storage, not loaded.
async fn multipart(
    fields: &[(String, FormValue)],
    storage: &Storage,
) -> Result<reqwest::multipart::Form, TaskError> {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = match value {
            FormValue::Text(text) => form.text(name.clone(), text.clone()),
            FormValue::File {
                uri,
                name: file_name,
            } => {
                let file = storage.open_read(uri).await?;
                let length = file.metadata().await.map(|m| m.len()).unwrap_or(0);
                let default_name = uri.rsplit('/').next().unwrap_or("file").to_string();
                let part = reqwest::multipart::Part::stream_with_length(file, length)
                    .file_name(file_name.clone().unwrap_or(default_name));
                form.part(name.clone(), part)
            }
        };
    }
    Ok(form)
}

/// Sends, mapping transport errors to task messages.
pub(super) async fn send(
    request: reqwest::RequestBuilder,
    call: &HttpCall,
) -> Result<reqwest::Response, TaskError> {
    request
        .send()
        .await
        .map_err(|e| transport_error(&call.uri, e))
}

pub(super) fn transport_error(uri: &str, e: reqwest::Error) -> TaskError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else {
        "failed"
    };
    let mut message = format!("HTTP request to '{uri}' {what}: {e}");
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    TaskError::new(message)
}

/// Status checks common to both tasks.
pub(super) fn check_status(code: u16, options: &HttpOptions) -> Result<(), TaskError> {
    if let Some(allowed) = &options.allowed_response_codes {
        if !allowed.contains(&code) {
            return Err(TaskError::new(format!(
                "Failed http request with response code '{code}' (not in allowedResponseCodes {allowed:?})"
            )));
        }
    }
    if code >= 400 && !options.allow_failed {
        return Err(TaskError::new(format!(
            "Failed http request with response code '{code}'"
        )));
    }
    Ok(())
}
