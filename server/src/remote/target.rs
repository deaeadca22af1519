//! Which Kestra server a command talks to and how it signs in. `--server` is a URL or the name
//! of a `[server.NAME]` profile of the `kflow.toml` that governs the first path. Credentials are
//! never read from a file: `KESTRA_API_TOKEN` (a bearer token), or `KESTRA_USERNAME` with
//! `KESTRA_PASSWORD` or `--password-stdin` (basic authentication, which Kestra OSS requires
//! since 0.24).

use std::io::Read;
use std::path::Path;

use clap::Args;

/// The options every command that talks to a server shares.
#[derive(Args, Clone, Debug, Default)]
pub struct ServerArgs {
    /// A Kestra server: its URL, or the name of a `[server.NAME]` profile in kflow.toml.
    #[arg(long, value_name = "URL|NAME")]
    pub server: Option<String>,
    /// Read the password for KESTRA_USERNAME from standard input (one line).
    #[arg(long)]
    pub password_stdin: bool,
    /// Accept any TLS certificate from the server (prints a warning: anyone on the way can
    /// read the credentials).
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    None,
    Basic { user: String, password: String },
    Bearer(String),
}

/// A server to talk to, resolved.
#[derive(Clone, Debug)]
pub struct Target {
    /// The base URL, without a trailing slash.
    pub url: String,
    pub tenant: String,
    /// Prepended to every flow's namespace (`prefix.namespace`).
    pub namespace_prefix: Option<String>,
    pub auth: Auth,
    pub insecure: bool,
}

impl Target {
    /// Resolves `args` (whose `server` must be set) for a command working on `anchor` (the
    /// file or folder whose `kflow.toml` names the profiles). `stdin` gives the password when
    /// `--password-stdin` asks for it.
    pub fn resolve(
        args: &ServerArgs,
        anchor: &Path,
        env: impl Fn(&str) -> Option<String>,
        stdin: impl FnOnce() -> std::io::Result<String>,
    ) -> Result<Target, String> {
        let name = args
            .server
            .as_deref()
            .ok_or("--server is needed: a URL or a [server.NAME] profile of kflow.toml")?;
        let (url, tenant, namespace_prefix) = if name.starts_with("http://")
            || name.starts_with("https://")
        {
            (name.to_string(), "main".to_string(), None)
        } else {
            // A folder's own kflow.toml counts: look from a file inside it.
            let inside;
            let anchor = if anchor.is_dir() {
                inside = anchor.join("kflow.toml");
                &inside
            } else {
                anchor
            };
            let mut configs = crate::lint::config::Configs::default();
            configs.load_for(anchor);
            if let Some(e) = configs.first_error() {
                return Err(e.to_string());
            }
            let config = configs.for_file(anchor);
            let Some(profile) = config.servers.get(name) else {
                let known: Vec<&str> = config.servers.keys().map(String::as_str).collect();
                return Err(format!(
                        "--server {name}: not a URL, and no [server.{name}] in the kflow.toml of {} ({})",
                        anchor.display(),
                        if known.is_empty() {
                            "it names no server".to_string()
                        } else {
                            format!("it names {}", known.join(", "))
                        }
                    ));
            };
            (
                profile.url.clone(),
                profile.tenant.clone(),
                profile.namespace_prefix.clone(),
            )
        };
        let auth = credentials(args.password_stdin, env, stdin)?;
        Ok(Target {
            url: url.trim_end_matches('/').to_string(),
            tenant,
            namespace_prefix,
            auth,
            insecure: args.insecure,
        })
    }

    /// The namespace a flow of `namespace` has on this server.
    pub fn namespace(&self, namespace: &str) -> String {
        match &self.namespace_prefix {
            Some(p) if !p.is_empty() => format!("{p}.{namespace}"),
            _ => namespace.to_string(),
        }
    }
}

/// The credentials from the environment (and standard input).
fn credentials(
    password_stdin: bool,
    env: impl Fn(&str) -> Option<String>,
    stdin: impl FnOnce() -> std::io::Result<String>,
) -> Result<Auth, String> {
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    let user = set("KESTRA_USERNAME");
    if password_stdin {
        let user = user.ok_or("--password-stdin needs KESTRA_USERNAME")?;
        let text = stdin().map_err(|e| format!("--password-stdin: {e}"))?;
        let password = text.lines().next().unwrap_or("").to_string();
        return Ok(Auth::Basic { user, password });
    }
    if let Some(token) = set("KESTRA_API_TOKEN") {
        return Ok(Auth::Bearer(token));
    }
    match (user, set("KESTRA_PASSWORD")) {
        (Some(user), Some(password)) => Ok(Auth::Basic { user, password }),
        (Some(_), None) => {
            Err("KESTRA_USERNAME is set without KESTRA_PASSWORD (or --password-stdin)".into())
        }
        _ => Ok(Auth::None),
    }
}

/// Reads standard input whole (for `--password-stdin`).
pub fn read_stdin() -> std::io::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s)
}

/// [`Target::resolve`] with the process's environment and standard input.
pub fn resolve(args: &ServerArgs, anchor: &Path) -> Result<Target, String> {
    Target::resolve(args, anchor, |k| std::env::var(k).ok(), read_stdin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_token_wins_over_nothing_and_a_password_needs_a_user() {
        let none = || Ok(String::new());
        assert_eq!(
            credentials(false, env(&[("KESTRA_API_TOKEN", "t")]), none).unwrap(),
            Auth::Bearer("t".into())
        );
        assert_eq!(
            credentials(
                false,
                env(&[("KESTRA_USERNAME", "u"), ("KESTRA_PASSWORD", "p")]),
                none
            )
            .unwrap(),
            Auth::Basic {
                user: "u".into(),
                password: "p".into()
            }
        );
        assert!(credentials(false, env(&[("KESTRA_USERNAME", "u")]), none).is_err());
        assert!(credentials(true, env(&[]), none).is_err());
        assert_eq!(
            credentials(true, env(&[("KESTRA_USERNAME", "u")]), || Ok(
                "secret\n".into()
            ))
            .unwrap(),
            Auth::Basic {
                user: "u".into(),
                password: "secret".into()
            }
        );
        assert_eq!(credentials(false, env(&[]), none).unwrap(), Auth::None);
    }
}
