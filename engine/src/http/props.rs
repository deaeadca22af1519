//! HTTP specs from rendered task properties (Kestra's names, deprecated spellings included).

use serde_json::{Map, Value};

use super::{DownloadSpec, FormValue, HttpAuth, HttpCall, HttpOptions, ProxyOptions};
use crate::props::Props;
use crate::task::TaskError;

impl HttpCall {
    /// `io.kestra.plugin.core.http.Request` properties.
    pub fn from_properties(map: &Map<String, Value>) -> Result<HttpCall, TaskError> {
        let p = Props::new(map);
        let content_type = p.string("contentType")?;
        let multipart = content_type
            .as_deref()
            .is_some_and(|c| c.to_ascii_lowercase().starts_with("multipart/form-data"));
        let params = p
            .entries("params")?
            .into_iter()
            .map(|(k, v)| {
                let values = match v {
                    Value::Array(items) => items
                        .into_iter()
                        .map(|i| match i {
                            Value::String(s) => s,
                            other => other.to_string(),
                        })
                        .collect(),
                    Value::String(s) => vec![s],
                    other => vec![other.to_string()],
                };
                (k, values)
            })
            .collect();
        let form_data = p
            .entries("formData")?
            .into_iter()
            .map(|(k, v)| (k, FormValue::from_json(&v, multipart)))
            .collect();
        let mut options = options(&p)?;
        if p.boolean("allowFailed", false)? {
            options.allow_failed = true;
        }
        if let Some(ssl) = p.object("sslOptions")? {
            options.insecure_trust_all_certificates |=
                ssl.boolean("insecureTrustAllCertificates", false)?;
        }
        Ok(HttpCall {
            uri: p.required_string("uri")?,
            method: p.string("method")?.unwrap_or_else(|| "GET".into()),
            params,
            headers: p.string_map("headers")?,
            body: p.string("body")?,
            form_data,
            content_type,
            options,
        })
    }
}

impl DownloadSpec {
    /// `io.kestra.plugin.core.http.Download` properties.
    pub fn from_properties(map: &Map<String, Value>) -> Result<DownloadSpec, TaskError> {
        let p = Props::new(map);
        Ok(DownloadSpec {
            call: HttpCall::from_properties(map)?,
            fail_on_empty_response: p.boolean("failOnEmptyResponse", true)?,
            save_as: p.string("saveAs")?,
        })
    }
}

fn options(task: &Props) -> Result<HttpOptions, TaskError> {
    let mut options = HttpOptions::default();
    let Some(p) = task.object("options")? else {
        return Ok(options);
    };
    // Deprecated flat names first, so the structured ones win.
    if let Some(d) = p.duration("connectTimeout")? {
        options.connect_timeout = Some(d);
    }
    if let Some(d) = p.duration("readTimeout")? {
        options.read_idle_timeout = d;
    }
    if let Some(timeout) = p.object("timeout")? {
        if let Some(d) = timeout.duration("connectTimeout")? {
            options.connect_timeout = Some(d);
        }
        if let Some(d) = timeout.duration("readIdleTimeout")? {
            options.read_idle_timeout = d;
        }
    }
    options.follow_redirects = p.boolean("followRedirects", true)?;
    options.allow_failed = p.boolean("allowFailed", false)?;
    if p.get("allowedResponseCodes").is_some() {
        let codes = p
            .list("allowedResponseCodes")?
            .into_iter()
            .map(|v| {
                match &v {
                    Value::Number(n) => n.as_u64().and_then(|c| u16::try_from(c).ok()),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                }
                .ok_or_else(|| {
                    p.error(
                        "allowedResponseCodes",
                        format!("'{v}' is not a status code"),
                    )
                })
            })
            .collect::<Result<Vec<u16>, TaskError>>()?;
        options.allowed_response_codes = Some(codes);
    }
    if let (Some(user), password) = (p.string("basicAuthUser")?, p.string("basicAuthPassword")?) {
        options.auth = Some(HttpAuth::Basic {
            username: user,
            password: password.unwrap_or_default(),
        });
    }
    if let Some(auth) = p.object("auth")? {
        let kind = auth
            .string("type")?
            .unwrap_or_default()
            .to_ascii_uppercase();
        let username = auth.string("username")?.unwrap_or_default();
        let password = auth.string("password")?.unwrap_or_default();
        options.auth = Some(match kind.as_str() {
            "BASIC" => HttpAuth::Basic { username, password },
            "BEARER" => HttpAuth::Bearer {
                token: auth.required_string("token")?,
            },
            "DIGEST" => HttpAuth::Digest { username, password },
            other => {
                return Err(auth.error(
                    "type",
                    format!("'{other}' is not one of BASIC, BEARER, DIGEST"),
                ))
            }
        });
    }
    let proxy_from =
        |kind: Option<String>, address: Option<String>, port: Option<i64>, username, password| {
            match (kind, address) {
                (kind, Some(address)) => Ok(Some(ProxyOptions {
                    kind: kind.unwrap_or_else(|| "HTTP".into()),
                    address,
                    port: port
                        .and_then(|p| u16::try_from(p).ok())
                        .ok_or_else(|| p.error("proxy.port", "a valid port is required"))?,
                    username,
                    password,
                })),
                (Some(kind), None) if kind.eq_ignore_ascii_case("DIRECT") => Ok(None),
                (Some(_), None) => Err(p.error("proxy.address", "is required")),
                (None, None) => Ok(None),
            }
        };
    if let Some(proxy) = proxy_from(
        p.string("proxyType")?,
        p.string("proxyAddress")?,
        p.integer("proxyPort")?,
        p.string("proxyUsername")?,
        p.string("proxyPassword")?,
    )? {
        options.proxy = Some(proxy);
    }
    if let Some(proxy) = p.object("proxy")? {
        options.proxy = proxy_from(
            proxy.string("type")?,
            proxy.string("address")?,
            proxy.integer("port")?,
            proxy.string("username")?,
            proxy.string("password")?,
        )?;
    }
    if let Some(ssl) = p.object("ssl")? {
        options.insecure_trust_all_certificates =
            ssl.boolean("insecureTrustAllCertificates", false)?;
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn request_properties() {
        let call = HttpCall::from_properties(&map(json!({
            "uri": "https://api.test/x",
            "method": "POST",
            "params": {"a": ["1", "2"], "b": 3},
            "headers": {"X-A": "1"},
            "body": {"k": "v"},
            "contentType": "multipart/form-data",
            "formData": {"f": "kestra:///a/b.txt", "t": "text"},
            "options": {
                "timeout": {"connectTimeout": "PT5S", "readIdleTimeout": "PT1M"},
                "allowFailed": "true",
                "allowedResponseCodes": [200, "404"],
                "auth": {"type": "BEARER", "token": "tok"},
                "followRedirects": false
            }
        })))
        .unwrap();
        assert_eq!(
            call.params,
            vec![
                ("a".into(), vec!["1".into(), "2".into()]),
                ("b".into(), vec!["3".into()])
            ]
        );
        assert_eq!(call.body.as_deref(), Some(r#"{"k":"v"}"#));
        assert!(
            matches!(&call.form_data[0].1, FormValue::File { uri, .. } if uri == "kestra:///a/b.txt")
        );
        assert_eq!(
            call.options.connect_timeout,
            Some(std::time::Duration::from_secs(5))
        );
        assert_eq!(
            call.options.read_idle_timeout,
            std::time::Duration::from_secs(60)
        );
        assert!(call.options.allow_failed && !call.options.follow_redirects);
        assert_eq!(call.options.allowed_response_codes, Some(vec![200, 404]));
        assert_eq!(
            call.options.auth,
            Some(HttpAuth::Bearer {
                token: "tok".into()
            })
        );
    }

    #[test]
    fn errors_name_the_property() {
        let err = HttpCall::from_properties(&map(json!({}))).unwrap_err();
        assert_eq!(err.message, "property 'uri': is required");
        let err = HttpCall::from_properties(&map(
            json!({"uri": "x", "options": {"timeout": {"connectTimeout": "5s"}}}),
        ))
        .unwrap_err();
        assert!(
            err.message
                .starts_with("property 'options.timeout.connectTimeout'"),
            "{err}"
        );
        let spec = DownloadSpec::from_properties(&map(
            json!({"uri": "x", "failOnEmptyResponse": false, "saveAs": "a.csv"}),
        ))
        .unwrap();
        assert!(!spec.fail_on_empty_response);
        assert_eq!(spec.save_as.as_deref(), Some("a.csv"));
    }
}
