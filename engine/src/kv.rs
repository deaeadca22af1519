//! Kestra's KV store on the internal storage: `kestra:///<ns path>/_kv/<key>.ion` holds the
//! value as Ion, `<key>.ion.metadata` an Ion map with `expirationDate` (an ISO instant).

use crate::serdes::ion::{self, Ion, Timestamp};
use crate::storage::uri::kv_prefix;
use crate::storage::{Storage, StorageError};
use crate::task::TaskError;
use crate::time::{Instant, JavaDuration};

/// `kvType` of kv.Set: how a rendered string is converted before storing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KvType {
    String,
    Number,
    Boolean,
    Datetime,
    Date,
    Duration,
    Json,
}

impl KvType {
    pub fn parse(text: &str) -> Result<KvType, TaskError> {
        Ok(match text {
            "STRING" => KvType::String,
            "NUMBER" => KvType::Number,
            "BOOLEAN" => KvType::Boolean,
            "DATETIME" => KvType::Datetime,
            "DATE" => KvType::Date,
            "DURATION" => KvType::Duration,
            "JSON" => KvType::Json,
            other => {
                return Err(TaskError::new(format!(
                    "kvType '{other}' is not one of STRING, NUMBER, BOOLEAN, DATETIME, DATE, DURATION, JSON"
                )))
            }
        })
    }
}

#[derive(Debug, PartialEq)]
pub enum KvError {
    /// The key does not match `[a-zA-Z0-9][a-zA-Z0-9._-]*`.
    InvalidKey(String),
    /// The entry exists but its ttl elapsed (it is deleted on this read).
    Expired {
        namespace: String,
        key: String,
    },
    Exists {
        key: String,
    },
    Storage(String),
}

impl std::fmt::Display for KvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KvError::InvalidKey(key) => write!(f, "invalid KV key '{key}': a key must start with a letter or digit and contain only letters, digits, '.', '_' and '-'"),
            KvError::Expired { namespace, key } => write!(f, "the value of key '{key}' in namespace '{namespace}' has expired"),
            KvError::Exists { key } => write!(f, "Cannot set value for key '{key}'. Key already exists and `overwrite` is set to `false`."),
            KvError::Storage(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for KvError {}

impl From<StorageError> for KvError {
    fn from(e: StorageError) -> KvError {
        KvError::Storage(e.to_string())
    }
}

impl From<KvError> for TaskError {
    fn from(e: KvError) -> TaskError {
        TaskError::new(e.to_string())
    }
}

/// A value read back, with where it was found.
#[derive(Clone, Debug, PartialEq)]
pub struct KvValue {
    pub namespace: String,
    /// As JSON for expressions and outputs (timestamps and durations as ISO text).
    pub value: serde_json::Value,
    pub expiration: Option<Instant>,
}

pub struct KvStore {
    storage: Storage,
}

pub fn validate_key(key: &str) -> Result<(), KvError> {
    let mut chars = key.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(KvError::InvalidKey(key.to_string()))
    }
}

fn value_uri(namespace: &str, key: &str) -> String {
    format!("kestra://{}/{key}.ion", kv_prefix(namespace))
}

fn metadata_uri(namespace: &str, key: &str) -> String {
    format!("{}.metadata", value_uri(namespace, key))
}

/// Kestra's `DURATION_PATTERN`: a stored string that looks like a duration reads back as one.
fn looks_like_duration(text: &str) -> bool {
    text.starts_with('P') && !text.contains(['.', '-']) && JavaDuration::parse(text).is_ok()
}

impl KvStore {
    pub fn new(storage: Storage) -> KvStore {
        KvStore { storage }
    }

    /// kv.Set: `value` is the rendered value (a string unless the property was typed).
    pub async fn set(
        &self,
        namespace: &str,
        key: &str,
        value: &serde_json::Value,
        kv_type: Option<KvType>,
        ttl: Option<JavaDuration>,
        overwrite: bool,
    ) -> Result<(), TaskError> {
        validate_key(key)?;
        if ttl.is_some_and(|t| t.is_negative()) {
            return Err(TaskError::new("ttl cannot be negative"));
        }
        if !overwrite && self.entry_exists(namespace, key).await? {
            return Err(KvError::Exists { key: key.into() }.into());
        }
        let ion_value = typed_value(value, kv_type)?;
        let metadata = match ttl {
            Some(ttl) => Ion::Struct(vec![(
                "expirationDate".into(),
                Ion::String(Instant::now().plus(&ttl).to_iso()),
            )]),
            None => Ion::Struct(Vec::new()),
        };
        self.storage
            .put_bytes(
                &metadata_uri(namespace, key),
                ion::to_text(&metadata).as_bytes(),
            )
            .await?;
        self.storage
            .put_bytes(
                &value_uri(namespace, key),
                ion::to_text(&ion_value).as_bytes(),
            )
            .await?;
        Ok(())
    }

    async fn expiration(&self, namespace: &str, key: &str) -> Result<Option<Instant>, KvError> {
        let bytes = match self.storage.read(&metadata_uri(namespace, key)).await {
            Ok(bytes) => bytes,
            Err(StorageError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let text = String::from_utf8_lossy(&bytes);
        let parsed = ion::parse_all(&text)
            .map_err(|e| KvError::Storage(format!("corrupt KV metadata for '{key}': {e}")))?;
        let date = parsed.first().and_then(|m| match m {
            Ion::Struct(fields) => fields
                .iter()
                .find(|(k, _)| k == "expirationDate")
                .and_then(|(_, v)| v.as_str().map(str::to_string)),
            _ => None,
        });
        Ok(date.and_then(|d| Instant::parse(&d).ok()))
    }

    async fn entry_exists(&self, namespace: &str, key: &str) -> Result<bool, KvError> {
        if !self.storage.exists(&value_uri(namespace, key)).await? {
            return Ok(false);
        }
        Ok(self
            .expiration(namespace, key)
            .await?
            .is_none_or(|e| e >= Instant::now()))
    }

    /// kv.Get in one namespace: `Ok(None)` when missing, `Expired` when the ttl elapsed.
    pub async fn get(&self, namespace: &str, key: &str) -> Result<Option<KvValue>, KvError> {
        validate_key(key)?;
        let bytes = match self.storage.read(&value_uri(namespace, key)).await {
            Ok(bytes) => bytes,
            Err(StorageError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let expiration = self.expiration(namespace, key).await?;
        if expiration.is_some_and(|e| Instant::now() > e) {
            self.delete(namespace, key).await?;
            return Err(KvError::Expired {
                namespace: namespace.into(),
                key: key.into(),
            });
        }
        let text = String::from_utf8_lossy(&bytes);
        let value = ion::parse_all(&text)
            .map_err(|e| KvError::Storage(format!("corrupt KV value for '{key}': {e}")))?
            .into_iter()
            .next()
            .unwrap_or(Ion::Null);
        let json = match &value {
            Ion::String(s) if looks_like_duration(s) => serde_json::Value::String(
                JavaDuration::parse(s)
                    .map(|d| d.to_iso())
                    .unwrap_or_else(|_| s.clone()),
            ),
            other => ion::to_json_value(other),
        };
        Ok(Some(KvValue {
            namespace: namespace.into(),
            value: json,
            expiration,
        }))
    }

    /// Looks in `namespace`, then its parents (`a.b.c`, `a.b`, `a`): the first found wins.
    pub async fn get_inherited(
        &self,
        namespace: &str,
        key: &str,
    ) -> Result<Option<KvValue>, KvError> {
        let mut current = namespace.to_string();
        loop {
            if let Some(found) = self.get(&current, key).await? {
                return Ok(Some(found));
            }
            match current.rfind('.') {
                Some(at) => current.truncate(at),
                None => return Ok(None),
            }
        }
    }

    /// kv.Delete: `Ok(false)` when there was nothing.
    pub async fn delete(&self, namespace: &str, key: &str) -> Result<bool, KvError> {
        validate_key(key)?;
        let deleted = self.storage.delete(&value_uri(namespace, key)).await?;
        self.storage.delete(&metadata_uri(namespace, key)).await?;
        Ok(deleted)
    }

    /// kv.GetKeys: live keys of the namespace starting with `prefix`, sorted.
    pub async fn keys(
        &self,
        namespace: &str,
        prefix: Option<&str>,
    ) -> Result<Vec<String>, KvError> {
        let dir = format!("kestra://{}", kv_prefix(namespace));
        let now = Instant::now();
        let mut keys = Vec::new();
        for uri in self.storage.list(&dir).await? {
            let Some(key) = uri
                .strip_prefix(&dir)
                .map(|k| k.trim_start_matches('/'))
                .and_then(|k| k.strip_suffix(".ion"))
            else {
                continue;
            };
            if key.contains('/') || !prefix.is_none_or(|p| key.starts_with(p)) {
                continue;
            }
            if self
                .expiration(namespace, key)
                .await?
                .is_some_and(|e| now > e)
            {
                continue;
            }
            keys.push(key.to_string());
        }
        Ok(keys)
    }
}

/// kv.Set's conversion of a rendered string according to `kvType`.
fn typed_value(value: &serde_json::Value, kv_type: Option<KvType>) -> Result<Ion, TaskError> {
    let (Some(kind), serde_json::Value::String(text)) = (kv_type, value) else {
        return Ok(ion::from_json_value(value));
    };
    let bad = |what: &str, e: String| {
        TaskError::new(format!("kvType {what}: cannot convert '{text}': {e}"))
    };
    Ok(match kind {
        KvType::String => Ion::String(text.clone()),
        KvType::Number => match serde_json::from_str::<serde_json::Value>(text.trim()) {
            Ok(n @ serde_json::Value::Number(_)) => ion::from_json_value(&n),
            _ => return Err(bad("NUMBER", "not a number".into())),
        },
        KvType::Boolean => Ion::Bool(text.eq_ignore_ascii_case("true")),
        KvType::Datetime | KvType::Date => Ion::Timestamp(Timestamp::from_instant(
            Instant::parse(text).map_err(|e| bad("DATETIME", e))?,
        )),
        KvType::Duration => Ion::String(
            JavaDuration::parse(text)
                .map_err(|e| bad("DURATION", e))?
                .to_iso(),
        ),
        KvType::Json => ion::from_json(text).map_err(|e| bad("JSON", e.to_string()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::TempDir;
    use serde_json::json;

    fn store() -> (TempDir, KvStore, Storage) {
        let dir = TempDir::new("kv");
        let storage = Storage::open(dir.path()).unwrap();
        (dir, KvStore::new(storage.clone()), storage)
    }

    #[tokio::test]
    async fn set_get_delete_and_files_like_kestra() {
        let (_d, kv, storage) = store();
        kv.set("company.team", "my_key", &json!("hello"), None, None, true)
            .await
            .unwrap();
        assert_eq!(
            storage
                .read("kestra:///company/team/_kv/my_key.ion")
                .await
                .unwrap(),
            b"\"hello\""
        );
        assert_eq!(
            storage
                .read("kestra:///company/team/_kv/my_key.ion.metadata")
                .await
                .unwrap(),
            b"{}"
        );
        let got = kv.get("company.team", "my_key").await.unwrap().unwrap();
        assert_eq!(got.value, json!("hello"));
        assert!(kv.delete("company.team", "my_key").await.unwrap());
        assert!(!kv.delete("company.team", "my_key").await.unwrap());
        assert_eq!(kv.get("company.team", "my_key").await.unwrap(), None);
    }

    #[tokio::test]
    async fn kv_types() {
        let (_d, kv, storage) = store();
        let ns = "ns";
        let cases = [
            ("n", "42", KvType::Number, json!(42), "42"),
            ("f", "1.5", KvType::Number, json!(1.5), "1.5e0"),
            ("b", "TRUE", KvType::Boolean, json!(true), "true"),
            (
                "t",
                "2024-01-31T10:00:00Z",
                KvType::Datetime,
                json!("2024-01-31T10:00:00Z"),
                "2024-01-31T10:00:00.000Z",
            ),
            (
                "d",
                "PT90M",
                KvType::Duration,
                json!("PT1H30M"),
                "\"PT1H30M\"",
            ),
            (
                "j",
                r#"{"a":[1,2]}"#,
                KvType::Json,
                json!({"a": [1, 2]}),
                "{a:[1,2]}",
            ),
        ];
        for (key, raw, kind, expected, stored) in cases {
            kv.set(ns, key, &json!(raw), Some(kind), None, true)
                .await
                .unwrap();
            assert_eq!(
                kv.get(ns, key).await.unwrap().unwrap().value,
                expected,
                "{key}"
            );
            let text = storage
                .read(&format!("kestra:///ns/_kv/{key}.ion"))
                .await
                .unwrap();
            assert_eq!(String::from_utf8(text).unwrap(), stored, "{key}");
        }
        let err = kv
            .set(ns, "x", &json!("abc"), Some(KvType::Number), None, true)
            .await
            .unwrap_err();
        assert!(err.message.contains("NUMBER"));
        // Typed values (already numbers) are stored as they are.
        kv.set(ns, "typed", &json!(7), None, None, true)
            .await
            .unwrap();
        assert_eq!(kv.get(ns, "typed").await.unwrap().unwrap().value, json!(7));
    }

    #[tokio::test]
    async fn ttl_overwrite_keys_and_parents() {
        let (_d, kv, _s) = store();
        kv.set(
            "a.b",
            "short",
            &json!("x"),
            None,
            Some(JavaDuration::parse("PT0.05S").unwrap()),
            true,
        )
        .await
        .unwrap();
        kv.set(
            "a.b",
            "long",
            &json!("y"),
            None,
            Some(JavaDuration::parse("PT1H").unwrap()),
            true,
        )
        .await
        .unwrap();
        kv.set("a.b", "other", &json!("z"), None, None, true)
            .await
            .unwrap();
        let err = kv
            .set("a.b", "long", &json!("n"), None, None, false)
            .await
            .unwrap_err();
        assert!(err.message.contains("overwrite"), "{err}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(kv.keys("a.b", None).await.unwrap(), vec!["long", "other"]);
        assert_eq!(kv.keys("a.b", Some("lo")).await.unwrap(), vec!["long"]);
        assert!(matches!(
            kv.get("a.b", "short").await,
            Err(KvError::Expired { .. })
        ));
        assert_eq!(
            kv.get("a.b", "short").await.unwrap(),
            None,
            "deleted on expiry"
        );
        // An expired key may be set again without overwrite.
        kv.set("a", "shared", &json!("from a"), None, None, true)
            .await
            .unwrap();
        let found = kv.get_inherited("a.b.c", "shared").await.unwrap().unwrap();
        assert_eq!(
            (found.namespace.as_str(), found.value.clone()),
            ("a", json!("from a"))
        );
        kv.set("a.b", "shared", &json!("from a.b"), None, None, true)
            .await
            .unwrap();
        let found = kv.get_inherited("a.b.c", "shared").await.unwrap().unwrap();
        assert_eq!(found.value, json!("from a.b"));
        assert_eq!(kv.get_inherited("a.b.c", "nothing").await.unwrap(), None);
        assert!(matches!(
            kv.get("a", "../x").await,
            Err(KvError::InvalidKey(_))
        ));
        assert!(kv
            .set("a", "-bad", &json!(1), None, None, true)
            .await
            .is_err());
        assert!(kv
            .set(
                "a",
                "neg",
                &json!(1),
                None,
                Some(-JavaDuration::parse("PT1S").unwrap()),
                true
            )
            .await
            .is_err());
    }
}
