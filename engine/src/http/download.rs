//! `io.kestra.plugin.core.http.Download`: the body is streamed chunk by chunk into a hidden
//! temporary file beside its final place in storage, then renamed. A failure or cancellation
//! at any point (reset, timeout, length mismatch, the task future dropped) leaves nothing at
//! the URI.

use serde::Serialize;

use super::client::{build_client, build_request, check_status, send, transport_error};
use super::filename::download_name;
use super::{headers_of, Headers, HttpCall};
use crate::storage::uri::file_uri_encoded;
use crate::storage::{Storage, TaskRunKey};
use crate::task::{Level, TaskError, TaskLog};

#[derive(Clone, Debug)]
pub struct DownloadSpec {
    pub call: HttpCall,
    /// Default true: 0 bytes received fails the task (a warning when false).
    pub fail_on_empty_response: bool,
    pub save_as: Option<String>,
}

impl DownloadSpec {
    pub fn new(call: HttpCall) -> DownloadSpec {
        DownloadSpec {
            call,
            fail_on_empty_response: true,
            save_as: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DownloadOutput {
    pub uri: String,
    pub code: u16,
    pub length: u64,
    pub headers: Headers,
}

pub async fn download(
    spec: &DownloadSpec,
    storage: &Storage,
    key: &TaskRunKey,
    log: &dyn TaskLog,
) -> Result<DownloadOutput, TaskError> {
    let call = &spec.call;
    let client = build_client(&call.options)?;
    let built = build_request(&client, call, storage).await?;
    let mut response = send(built, call).await?;
    let code = response.status().as_u16();
    let headers = headers_of(response.headers());
    check_status(code, &call.options)?;
    let expected = response
        .headers()
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let disposition = response
        .headers()
        .get(reqwest::header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let name = download_name(
        spec.save_as.as_deref(),
        disposition.as_deref(),
        response.url(),
    );
    let uri = file_uri_encoded(&key.prefix(), &name);
    let mut file = storage.create(&uri).await?;
    let write_error = |e: std::io::Error| TaskError::new(format!("cannot write the download: {e}"));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(&call.uri, e))?
    {
        file.write_all(&chunk).await.map_err(write_error)?;
    }
    let length = file.written();
    if let Some(expected) = expected {
        if expected != length {
            return Err(TaskError::new(format!(
                "Invalid size, got {length}, expected {expected} (Content-Length)"
            )));
        }
    }
    if length == 0 && !call.options.allow_failed {
        if spec.fail_on_empty_response {
            return Err(TaskError::new(format!(
                "No response from server for '{}' (0 bytes received); set failOnEmptyResponse: false to accept an empty file",
                call.uri
            )));
        }
        log.log(Level::Warn, &format!("File '{}' is empty", call.uri));
    }
    file.commit().await.map_err(write_error)?;
    Ok(DownloadOutput {
        uri,
        code,
        length,
        headers,
    })
}
