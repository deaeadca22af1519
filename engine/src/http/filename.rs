//! The stored file name of a download, as Kestra's Download picks it: `saveAs`, else the
//! Content-Disposition filename (both URL-encoded the Java way: `my file.csv` → `my+file.csv`),
//! else a Java temp name: random digits + the URL's last segment from its first dot
//! (`archive.tar.gz` → `…​.tar.gz`), or `.tmp` when it has none.

use crate::ids::random_digits;
use crate::storage::uri::{decode_percent, encode_segment, java_url_encode};

/// The last URI segment of the stored file, already encoded for the URI.
pub fn download_name(
    save_as: Option<&str>,
    disposition: Option<&str>,
    url: &reqwest::Url,
) -> String {
    if let Some(name) = save_as.map(sanitize).filter(|n| !n.is_empty()) {
        return java_url_encode(&name);
    }
    if let Some(name) = disposition.and_then(content_disposition_filename) {
        return java_url_encode(&name);
    }
    let last = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .unwrap_or("");
    let last = decode_percent(last).unwrap_or_default();
    let extension = match last.find('.') {
        Some(dot) => sanitize(&last[dot..]),
        None => ".tmp".to_string(),
    };
    format!("{}{}", random_digits(), encode_segment(&extension))
}

/// `filename*=UTF-8''…` wins over `filename="…"`; path parts are stripped.
pub fn content_disposition_filename(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for part in split_params(header) {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let value = value.trim();
        if key == "filename*" {
            let encoded = value.splitn(3, '\'').nth(2).unwrap_or(value);
            extended = decode_percent(encoded);
        } else if key == "filename" {
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .map(|v| v.replace("\\\"", "\"").replace("\\\\", "\\"))
                .unwrap_or_else(|| value.to_string());
            plain = Some(unquoted);
        }
    }
    extended
        .or(plain)
        .map(|name| sanitize(name.rsplit(['/', '\\']).next().unwrap_or("")))
        .filter(|name| !name.is_empty() && name != "." && name != "..")
}

/// Splits on `;` outside quotes.
fn split_params(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in header.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => {
                parts.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}

/// No separators or control characters in a stored name.
fn sanitize(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_names() {
        let f = content_disposition_filename;
        assert_eq!(
            f("attachment; filename=\"report.csv\"").as_deref(),
            Some("report.csv")
        );
        assert_eq!(
            f("attachment; filename=plain.txt").as_deref(),
            Some("plain.txt")
        );
        assert_eq!(
            f("attachment; filename=\"a.txt\"; filename*=UTF-8''caf%C3%A9.txt").as_deref(),
            Some("café.txt")
        );
        assert_eq!(
            f("attachment; filename=\"../../etc/passwd\"").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            f("attachment; filename=\"semi;colon.txt\"").as_deref(),
            Some("semi;colon.txt")
        );
        assert_eq!(f("inline"), None);
        assert_eq!(f("attachment; filename=\"..\""), None);
    }

    #[test]
    fn names_keep_url_extension() {
        let url = reqwest::Url::parse("https://x.test/data/file.csv?x=1").unwrap();
        let name = download_name(None, None, &url);
        assert!(name.ends_with(".csv") && name.len() > 5, "{name}");
        assert!(name
            .trim_end_matches(".csv")
            .bytes()
            .all(|b| b.is_ascii_digit()));
        let bare = reqwest::Url::parse("https://x.test/").unwrap();
        let tmp = download_name(None, None, &bare);
        assert!(tmp.ends_with(".tmp"), "{tmp}");
        let tgz = reqwest::Url::parse("https://x.test/a/archive.tar.gz").unwrap();
        assert!(download_name(None, None, &tgz).ends_with(".tar.gz"));
        assert_eq!(
            download_name(None, Some("attachment; filename=\"my café.csv\""), &url),
            "my+caf%C3%A9.csv"
        );
        assert_eq!(
            download_name(Some("mine.bin"), Some("attachment; filename=x"), &url),
            "mine.bin"
        );
        assert_eq!(
            download_name(None, Some("attachment; filename=x.json"), &url),
            "x.json"
        );
    }
}
