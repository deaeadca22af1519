//! Which library calls fetch over HTTP, write or read files, or are mere boilerplate.
//!
//! Callees are matched in their normalised form: import aliases expanded and constructor
//! arguments dropped (`requests.Session().get`, `boto3.client().download_file`).

use super::Lang;

/// Where an argument is: its position, or one of its keyword names.
#[derive(Clone, Copy, Debug)]
pub(super) struct ArgPos {
    pub index: usize,
    pub names: &'static [&'static str],
}

const URL0: ArgPos = ArgPos {
    index: 0,
    names: &["url", "uri"],
};
const URL1: ArgPos = ArgPos {
    index: 1,
    names: &["url", "uri"],
};
const METHOD0: ArgPos = ArgPos {
    index: 0,
    names: &["method"],
};

#[derive(Clone, Copy, Debug)]
pub(super) enum MethodFrom {
    Fixed(&'static str),
    /// The verb is the called name (`requests.post`).
    Name,
    Arg(ArgPos),
    /// A `method:` key of the options object at this position (JS), default GET.
    Options(usize),
    /// A single config object or a URL followed by options (`axios(config)`, `axios(url, config)`).
    Config,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct HttpApi {
    pub client: &'static str,
    pub method: MethodFrom,
    pub url: ArgPos,
    /// Argument naming the file the body is saved to (`urlretrieve(url, filename)`).
    pub out: Option<ArgPos>,
}

const VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "del",
];

/// Receivers whose verb methods (`.get`, `.post` …) send a request, with the client they belong to.
const PY_VERB_RECEIVERS: &[(&str, &str)] = &[
    ("requests", "requests"),
    ("requests.Session()", "requests"),
    ("requests.session()", "requests"),
    ("requests.sessions.Session()", "requests"),
    ("httpx", "httpx"),
    ("httpx.Client()", "httpx"),
    ("httpx.AsyncClient()", "httpx"),
    ("aiohttp.ClientSession()", "aiohttp"),
];

const JS_VERB_RECEIVERS: &[(&str, &str)] = &[
    ("axios", "axios"),
    ("axios.default", "axios"),
    ("axios.create()", "axios"),
    ("got", "got"),
    ("got.extend()", "got"),
    ("superagent", "superagent"),
    ("needle", "needle"),
    ("ky", "ky"),
    ("ky.create()", "ky"),
];

pub(super) fn http_api(lang: Lang, callee: &str) -> Option<HttpApi> {
    let (receiver, name) = callee.rsplit_once('.').unwrap_or(("", callee));
    let receivers = if lang == Lang::Python {
        PY_VERB_RECEIVERS
    } else {
        JS_VERB_RECEIVERS
    };
    if VERBS.contains(&name) {
        if let Some(&(_, client)) = receivers.iter().find(|(r, _)| *r == receiver) {
            return Some(HttpApi {
                client,
                method: MethodFrom::Name,
                url: URL0,
                out: None,
            });
        }
    }
    let request = |client| {
        Some(HttpApi {
            client,
            method: MethodFrom::Arg(METHOD0),
            url: URL1,
            out: None,
        })
    };
    match lang {
        Lang::Python => match callee {
            "requests.request" | "requests.Session().request" | "requests.session().request" => {
                request("requests")
            }
            "httpx.request"
            | "httpx.stream"
            | "httpx.Client().request"
            | "httpx.Client().stream"
            | "httpx.AsyncClient().request"
            | "httpx.AsyncClient().stream" => request("httpx"),
            "aiohttp.request" | "aiohttp.ClientSession().request" => request("aiohttp"),
            "urllib3.request"
            | "urllib3.PoolManager().request"
            | "urllib3.PoolManager().urlopen" => request("urllib3"),
            "urllib.request.urlopen" | "urllib2.urlopen" => Some(HttpApi {
                client: "urllib",
                method: MethodFrom::Fixed("GET"),
                url: URL0,
                out: None,
            }),
            "urllib.request.urlretrieve" => Some(HttpApi {
                client: "urllib",
                method: MethodFrom::Fixed("GET"),
                url: URL0,
                out: Some(ArgPos {
                    index: 1,
                    names: &["filename"],
                }),
            }),
            "wget.download" => Some(HttpApi {
                client: "wget",
                method: MethodFrom::Fixed("GET"),
                url: URL0,
                out: Some(ArgPos {
                    index: 1,
                    names: &["out"],
                }),
            }),
            _ => None,
        },
        _ => match callee {
            "fetch" | "globalThis.fetch" | "node-fetch" | "node-fetch.default" | "undici.fetch"
            | "cross-fetch" | "isomorphic-fetch" => Some(HttpApi {
                client: "fetch",
                method: MethodFrom::Options(1),
                url: URL0,
                out: None,
            }),
            "axios" | "axios.request" | "axios.default" | "axios.create()" => Some(HttpApi {
                client: "axios",
                method: MethodFrom::Config,
                url: URL0,
                out: None,
            }),
            "got" | "got.stream" => Some(HttpApi {
                client: "got",
                method: MethodFrom::Options(1),
                url: URL0,
                out: None,
            }),
            "undici.request" => Some(HttpApi {
                client: "undici",
                method: MethodFrom::Options(1),
                url: URL0,
                out: None,
            }),
            "https.get" | "http.get" => Some(HttpApi {
                client: client_of(callee),
                method: MethodFrom::Fixed("GET"),
                url: URL0,
                out: None,
            }),
            "https.request" | "http.request" => Some(HttpApi {
                client: client_of(callee),
                method: MethodFrom::Options(0),
                url: URL0,
                out: None,
            }),
            _ => None,
        },
    }
}

fn client_of(callee: &str) -> &'static str {
    if callee.starts_with("https") {
        "https"
    } else {
        "http"
    }
}

/// Calls that hand their (single) argument back unchanged for our purposes: wrappers and decoders.
pub(super) fn is_passthrough(lang: Lang, callee: &str) -> bool {
    match lang {
        Lang::Python => matches!(
            callee,
            "json.loads"
                | "json.dumps"
                | "io.BytesIO"
                | "io.StringIO"
                | "str"
                | "bytes"
                | "bytearray"
                | "dict"
                | "list"
                | "memoryview"
                | "orjson.loads"
                | "orjson.dumps"
                | "ujson.loads"
                | "ujson.dumps"
        ),
        _ => matches!(
            callee,
            "JSON.parse"
                | "JSON.stringify"
                | "Buffer.from"
                | "String"
                | "stream.Readable.fromWeb"
                | "Readable.fromWeb"
                | "stream.Writable.toWeb"
                | "Writable.toWeb"
                | "Uint8Array"
                | "new Uint8Array"
        ),
    }
}

/// Environment lookups: their values are configuration, not computation.
pub(super) fn is_env_lookup(callee: &str) -> bool {
    matches!(
        callee,
        "os.getenv"
            | "os.environ.get"
            | "os.environ.__getitem__"
            | "Deno.env.get"
            | "process.env.get"
    )
}

/// Builtins that convert a value without doing work worth counting.
pub(super) fn is_trivial_builtin(lang: Lang, callee: &str) -> bool {
    match lang {
        Lang::Python => {
            matches!(
                callee,
                "int"
                    | "float"
                    | "bool"
                    | "str"
                    | "len"
                    | "tuple"
                    | "set"
                    | "dict"
                    | "list"
                    | "repr"
                    | "type"
            )
        }
        _ => matches!(
            callee,
            "Number" | "String" | "Boolean" | "parseInt" | "parseFloat" | "encodeURIComponent"
        ),
    }
}

const LOG_LEVELS: &[&str] = &[
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "log",
    "fatal",
    "trace",
    "success",
];

/// Printing and logging.
pub(super) fn is_print(lang: Lang, callee: &str) -> bool {
    let (receiver, name) = callee.rsplit_once('.').unwrap_or(("", callee));
    let holder = receiver
        .rsplit('.')
        .next()
        .unwrap_or("")
        .trim_start_matches('_');
    let is_holder = |s: &str| holder.eq_ignore_ascii_case(s);
    let ends_logger =
        holder.len() >= 6 && holder.as_bytes()[holder.len() - 6..].eq_ignore_ascii_case(b"logger");
    let logger =
        (is_holder("log") || is_holder("logging") || ends_logger) && LOG_LEVELS.contains(&name);
    logger
        || match lang {
            Lang::Python => matches!(
                callee,
                "print"
                    | "pprint"
                    | "pprint.pprint"
                    | "sys.stdout.write"
                    | "sys.stderr.write"
                    | "rich.print"
                    | "click.echo"
                    | "typer.echo"
            ),
            _ => {
                receiver == "console"
                    || matches!(callee, "process.stdout.write" | "process.stderr.write")
            }
        }
}

/// `Kestra.outputs(…)` from the Python `kestra` package or the `@kestra-io/libs` Node package.
pub(super) fn is_kestra_outputs(callee: &str) -> bool {
    callee.ends_with(".outputs") && (callee.contains("kestra") || callee.contains("Kestra"))
}

/// Calls that are the fetch's own boilerplate or program structure.
pub(super) fn is_boilerplate(lang: Lang, callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    if is_print(lang, callee) || is_kestra_outputs(callee) {
        return true;
    }
    if matches!(
        name,
        "raise_for_status"
            | "mkdir"
            | "makedirs"
            | "mkdirSync"
            | "basicConfig"
            | "getLogger"
            | "catch"
            | "finally"
    ) {
        return true;
    }
    if callee
        .get(..6)
        .is_some_and(|p| p.eq_ignore_ascii_case("kestra"))
        || callee.starts_with("@kestra-io/libs")
    {
        return true;
    }
    match lang {
        Lang::Python => matches!(
            callee,
            "sys.exit"
                | "exit"
                | "quit"
                | "os.chdir"
                | "warnings.filterwarnings"
                | "urllib3.disable_warnings"
                | "logging.getLogger"
                | "logging.basicConfig"
        ),
        _ => matches!(
            callee,
            "process.exit" | "process.chdir" | "fs.promises.mkdir" | "fs/promises.mkdir"
        ),
    }
}

/// An exception constructor (`ValueError(…)`, `new Error(…)`): raising is boilerplate.
pub(super) fn is_error_constructor(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    name.ends_with("Error") || name.ends_with("Exception") || name == "Error"
}

/// Opening a file: `(mode argument position)`; the mode decides read or write.
pub(super) fn open_mode_arg(lang: Lang, callee: &str) -> Option<ArgPos> {
    const MODE1: ArgPos = ArgPos {
        index: 1,
        names: &["mode"],
    };
    match lang {
        Lang::Python => matches!(
            callee,
            "open"
                | "io.open"
                | "codecs.open"
                | "gzip.open"
                | "bz2.open"
                | "lzma.open"
                | "aiofiles.open"
                | "smart_open.open"
                | "fsspec.open"
                | "tarfile.open"
                | "zipfile.ZipFile"
        )
        .then_some(MODE1),
        _ => None,
    }
}

/// JS calls that write a whole file: `(path position, data position, append)`.
pub(super) fn js_write_file(callee: &str) -> Option<(usize, Option<usize>, bool)> {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    let fs = is_js_fs(callee);
    match name {
        "writeFileSync" | "writeFile" if fs => Some((0, Some(1), false)),
        "appendFileSync" | "appendFile" if fs => Some((0, Some(1), true)),
        "createWriteStream" if fs => Some((0, None, false)),
        "copyFileSync" | "copyFile" | "renameSync" | "rename" if fs => Some((1, None, false)),
        _ => None,
    }
}

/// JS calls that read a file: path position.
pub(super) fn js_read_file(callee: &str) -> Option<usize> {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    (is_js_fs(callee)
        && matches!(
            name,
            "readFileSync" | "readFile" | "createReadStream" | "copyFileSync" | "copyFile"
        ))
    .then_some(0)
}

fn is_js_fs(callee: &str) -> bool {
    let receiver = callee.rsplit_once('.').map_or("", |(r, _)| r);
    matches!(
        receiver,
        "fs" | "fs.promises" | "fs/promises" | "fs-extra" | "fsPromises" | ""
    )
}

/// DataFrame-style writers: `df.to_csv(path)`, `df.write_parquet(path)`, `fig.savefig(path)`.
pub(super) fn is_frame_writer(method: &str) -> bool {
    matches!(
        method,
        "to_csv"
            | "to_parquet"
            | "to_json"
            | "to_excel"
            | "to_feather"
            | "to_pickle"
            | "to_xml"
            | "to_orc"
            | "to_hdf"
            | "to_stata"
            | "to_file"
            | "write_csv"
            | "write_parquet"
            | "write_json"
            | "write_ndjson"
            | "write_excel"
            | "write_ipc"
            | "write_avro"
            | "write_delta"
            | "savefig"
            | "write_image"
            | "write_html"
    )
}

/// Readers taking a path (or URL) first: `pd.read_csv(p)`, `pl.scan_parquet(p)`, `np.load(p)`.
pub(super) fn is_path_reader(callee: &str) -> bool {
    let (receiver, name) = callee.rsplit_once('.').unwrap_or(("", callee));
    (name.starts_with("read_")
        && !receiver.is_empty()
        && name != "read_sql"
        && name != "read_sql_query")
        || name.starts_with("scan_")
        || matches!(callee, "numpy.load" | "numpy.loadtxt" | "numpy.genfromtxt")
}

/// Serialisers writing an object into a handle: `json.dump(obj, f)` → (object position, handle position).
pub(super) fn dump_into_handle(callee: &str) -> Option<(usize, usize)> {
    match callee {
        "json.dump" | "pickle.dump" | "yaml.dump" | "yaml.safe_dump" | "toml.dump"
        | "marshal.dump" | "orjson.dump" | "ujson.dump" | "shutil.copyfileobj" | "tomli_w.dump" => {
            Some((0, 1))
        }
        _ => None,
    }
}

/// SDK methods downloading to a local path (the last positional argument or a `Filename`-like keyword).
pub(super) fn is_sdk_download_to_path(method: &str) -> bool {
    matches!(
        method,
        "download_file" | "download_to_filename" | "fget_object"
    )
}

pub(super) const SDK_FILENAME_KEYS: &[&str] = &[
    "Filename",
    "filename",
    "file_path",
    "localpath",
    "local_path",
];

/// Names that show a request is signed rather than just authenticated.
pub(super) fn is_signing_name(name: &str) -> bool {
    matches!(
        name,
        "hmac"
            | "AWS4Auth"
            | "AWSRequestsAuth"
            | "OAuth1"
            | "OAuth1Session"
            | "SigV4Auth"
            | "requests_aws4auth"
            | "aws_requests_auth"
            | "createHmac"
            | "createSign"
            | "aws4"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_http_clients() {
        assert_eq!(
            http_api(Lang::Python, "requests.get").map(|a| a.client),
            Some("requests")
        );
        assert_eq!(
            http_api(Lang::Python, "requests.Session().post").map(|a| a.client),
            Some("requests")
        );
        assert!(http_api(Lang::Python, "requests.Session().headers.update").is_none());
        assert!(http_api(Lang::Python, "dict.get").is_none());
        assert_eq!(
            http_api(Lang::JavaScript, "fetch").map(|a| a.client),
            Some("fetch")
        );
        assert_eq!(
            http_api(Lang::JavaScript, "axios.get").map(|a| a.client),
            Some("axios")
        );
        assert_eq!(
            http_api(Lang::JavaScript, "https.get").map(|a| a.client),
            Some("https")
        );
    }

    #[test]
    fn prints_and_boilerplate() {
        assert!(is_print(Lang::Python, "logger.info"));
        assert!(is_print(Lang::JavaScript, "console.log"));
        assert!(!is_print(Lang::Python, "catalog.info"));
        assert!(is_boilerplate(Lang::Python, "response().raise_for_status"));
        assert!(is_kestra_outputs("kestra.Kestra.outputs"));
        assert!(is_kestra_outputs("@kestra-io/libs.outputs"));
    }
}
