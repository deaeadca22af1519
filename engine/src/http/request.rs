//! `io.kestra.plugin.core.http.Request`.

use serde::Serialize;

use super::client::{build_client, build_request, check_status, send, transport_error};
use super::{headers_of, Headers, HttpCall};
use crate::storage::Storage;
use crate::task::TaskError;

/// Kestra 1.3 refuses response bodies above 19 MiB (it holds them in memory).
pub const MAX_REQUEST_BODY: u64 = 19 * 1024 * 1024;

pub type RequestSpec = HttpCall;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RequestOutput {
    /// The final request URI (after params and redirects).
    pub uri: String,
    pub code: u16,
    pub headers: Headers,
    /// UTF-8 text, never parsed (absent when empty, as Kestra drops null outputs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// Sends the request and returns its outputs. Files in a multipart `formData` are read from
/// `storage`.
pub async fn request(spec: &RequestSpec, storage: &Storage) -> Result<RequestOutput, TaskError> {
    let client = build_client(&spec.options)?;
    let built = build_request(&client, spec, storage).await?;
    let mut response = send(built, spec).await?;
    let code = response.status().as_u16();
    let uri = response.url().to_string();
    let headers = headers_of(response.headers());
    check_status(code, &spec.options)?;
    let too_large = || {
        TaskError::new(format!(
            "The response body is larger than {MAX_REQUEST_BODY} bytes (19 MiB): use io.kestra.plugin.core.http.Download to store large responses in internal storage"
        ))
    };
    if response
        .content_length()
        .is_some_and(|len| len > MAX_REQUEST_BODY)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(&spec.uri, e))?
    {
        if bytes.len() as u64 + chunk.len() as u64 > MAX_REQUEST_BODY {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    let body = if bytes.is_empty() {
        None
    } else {
        Some(String::from_utf8(bytes).map_err(|_| {
            TaskError::new(
                "The response body is not valid UTF-8 text: use io.kestra.plugin.core.http.Download for binary content",
            )
        })?)
    };
    Ok(RequestOutput {
        uri,
        code,
        headers,
        body,
    })
}
