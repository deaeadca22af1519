//! The filters, functions and tests Kestra's Pebble provides, per Kestra line: one table for the
//! linter (which names exist), the editor (signatures, docs) and the engine (argument names,
//! bound positionally as Pebble does).
//!
//! Sources: Pebble 4.1's `CoreExtension` as Kestra configures it (Kestra drops `escape`, `raw`,
//! `numberformat`…), and Kestra core's `io.kestra.core.runners.pebble.Extension` at the 1.3
//! release branch point and at 2.0, whose `getFilters`/`getFunctions`/`getTests` name every entry;
//! `credential` and `appLink` come from the Enterprise Edition. No official plugin registers a
//! Pebble extension.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::CallKind;

/// A Kestra line as `(major, minor)`.
pub type Line = (u32, u32);

/// One filter, function or test.
#[derive(Clone, Copy, Debug)]
pub struct Builtin {
    pub kind: CallKind,
    pub name: &'static str,
    /// The parameters as documented: `format='iso', timeZone`; `a, b, …` for any number.
    pub params: &'static str,
    pub doc: &'static str,
    /// The first Kestra line that has it (`None`: every supported line).
    pub since: Option<Line>,
    /// The first Kestra line without it, and what to use instead.
    pub removed_in: Option<(Line, &'static str)>,
    /// Only in Kestra's Enterprise Edition.
    pub enterprise: bool,
}

impl Builtin {
    const fn new(
        kind: CallKind,
        name: &'static str,
        params: &'static str,
        doc: &'static str,
    ) -> Self {
        Builtin {
            kind,
            name,
            params,
            doc,
            since: None,
            removed_in: None,
            enterprise: false,
        }
    }

    const fn since(mut self, line: Line) -> Self {
        self.since = Some(line);
        self
    }

    const fn removed_in(mut self, line: Line, instead: &'static str) -> Self {
        self.removed_in = Some((line, instead));
        self
    }

    const fn enterprise(mut self) -> Self {
        self.enterprise = true;
        self
    }

    /// Whether Kestra `line` has it.
    pub fn in_line(&self, line: Line) -> bool {
        self.since.is_none_or(|s| s <= line) && self.removed_in.is_none_or(|(r, _)| line < r)
    }

    /// `name(params)` for functions and for filters and tests with parameters, else `name`.
    pub fn signature(&self) -> String {
        if self.params.is_empty() && self.kind != CallKind::Function {
            self.name.to_string()
        } else {
            format!("{}({})", self.name, self.params)
        }
    }

    /// The argument names positional arguments bind to (empty when any number is accepted).
    pub fn arg_names(&self) -> &'static [&'static str] {
        static NAMES: OnceLock<HashMap<(u8, &'static str), Vec<&'static str>>> = OnceLock::new();
        let names = NAMES.get_or_init(|| {
            BUILTINS
                .iter()
                .map(|b| ((kind_key(b.kind), b.name), parse_params(b.params)))
                .collect()
        });
        names
            .get(&(kind_key(self.kind), self.name))
            .map_or(&[], Vec::as_slice)
    }
}

fn kind_key(kind: CallKind) -> u8 {
    kind as u8
}

fn parse_params(params: &'static str) -> Vec<&'static str> {
    if params.contains('…') {
        return Vec::new();
    }
    params
        .split(',')
        .map(|p| p.split('=').next().unwrap_or_default().trim())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The entry for `name`, in any line.
pub fn get(kind: CallKind, name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.kind == kind && b.name == name)
}

/// Every entry of a kind, in any line.
pub fn all(kind: CallKind) -> impl Iterator<Item = &'static Builtin> {
    BUILTINS.iter().filter(move |b| b.kind == kind)
}

use CallKind::{Filter as F, Function as Fn_, Test as T};

const fn f(name: &'static str, params: &'static str, doc: &'static str) -> Builtin {
    Builtin::new(F, name, params, doc)
}

const fn func(name: &'static str, params: &'static str, doc: &'static str) -> Builtin {
    Builtin::new(Fn_, name, params, doc)
}

const fn t(name: &'static str, doc: &'static str) -> Builtin {
    Builtin::new(T, name, "", doc)
}

const V2: Line = (2, 0);

pub const BUILTINS: &[Builtin] = &[
    // Pebble's filters that Kestra keeps.
    f("abbreviate", "length", "If longer than `length`, cut to `length - 3` characters followed by `...`."),
    f("abs", "", "Absolute value."),
    f("base64decode", "", "Decode Base64 to a string."),
    f("base64encode", "", "Base64 of the string's UTF-8 bytes."),
    f("capitalize", "", "First character upper-case."),
    f("default", "default", "`default` when the input is undefined, null, a blank string, an empty list or an empty map."),
    f("first", "", "First element of a list, first character of a string."),
    f("join", "separator", "Concatenate the elements of a list."),
    f("last", "", "Last element of a list, last character of a string."),
    f("length", "", "Length of a string, list or map."),
    f("lower", "", "Lower-case."),
    f("merge", "items", "Merge two maps (the argument wins) or concatenate lists."),
    f("nl2br", "", "Line breaks to `<br />`."),
    f("numberFormat", "format", "Format a number with a Java DecimalFormat pattern such as `\"#,##0.00\"`."),
    f("replace", "replace_pairs, regexp=false", "Replace each key of the map `{'from': 'to'}` by its value; with `regexp=true` keys are Java regexes."),
    f("reverse", "", "Reverse a list."),
    f("rsort", "", "Sort a list, descending."),
    f("sha256", "", "Lower-case hex SHA-256 of a string."),
    f("slice", "fromIndex, toIndex", "Sub-list or substring; `toIndex` is exclusive."),
    f("sort", "", "Sort a list, ascending."),
    f("split", "delimiter, limit", "Java `String.split`: the delimiter is a regex (`split('\\\\.')` for a dot)."),
    f("title", "", "Capitalise each word."),
    f("trim", "", "Strip surrounding whitespace."),
    f("upper", "", "Upper-case."),
    f("urlencode", "", "URL-encode (UTF-8)."),
    // Kestra's filters.
    f("chunk", "size", "Partition a list into sub-lists of `size`."),
    f("className", "", "Java class name of the value (debugging)."),
    f("date", "format='iso', timeZone, existingFormat, locale", "Format a date."),
    f("dateAdd", "amount, unit, format='iso', timeZone, existingFormat, locale", "Add `amount` of `unit` (SECONDS, MINUTES, HOURS, DAYS…) to a date, then format it."),
    f("timestamp", "timeZone, existingFormat", "Epoch seconds (a number)."),
    f("timestampMilli", "timeZone, existingFormat", "Epoch milliseconds (a number)."),
    f("timestampMicro", "timeZone, existingFormat", "Epoch microseconds (a string)."),
    f("timestampNano", "timeZone, existingFormat", "Epoch nanoseconds (a string)."),
    f("jq", "expression", "Run a jq program on the value (a JSON string is parsed first); returns a list of results: add `| first` for one value."),
    f("toJson", "", "Serialise to JSON."),
    f("json", "", "Deprecated alias of `toJson`.").removed_in(V2, "toJson"),
    f("toIon", "", "Serialise to Amazon Ion text."),
    f("yaml", "", "Serialise to YAML."),
    f("distinct", "", "Remove duplicates from a list."),
    f("flatten", "", "Flatten one level of nested lists."),
    f("keys", "", "Keys of a map, or indices of a list."),
    f("values", "", "Values of a map."),
    f("number", "type", "Parse a string into a number; `type` is INT, FLOAT, LONG, DOUBLE, BIGDECIMAL or BIGINTEGER (default: detected)."),
    f("string", "", "Convert to a string."),
    f("escapeChar", "type", "Escape quotes for embedding: `single`, `double` or `shell`."),
    f("indent", "amount, prefix=' '", "Indent every line but the first by `amount` times `prefix`."),
    f("nindent", "amount, prefix=' '", "Prepend a line break, then indent every line."),
    f("md5", "", "Lower-case hex MD5 of a string."),
    f("sha1", "", "Lower-case hex SHA-1 of a string."),
    f("sha512", "", "Lower-case hex SHA-512 of a string."),
    f("slugify", "", "Lower-case, spaces and `_` to `-`, other characters dropped."),
    f("startsWith", "value", "Whether the string starts with `value`."),
    f("endsWith", "value", "Whether the string ends with `value`."),
    f("substringBefore", "separator", "The part before the first `separator` (the whole string when absent)."),
    f("substringBeforeLast", "separator", "The part before the last `separator` (the whole string when absent)."),
    f("substringAfter", "separator", "The part after the first `separator` (empty when absent)."),
    f("substringAfterLast", "separator", "The part after the last `separator` (empty when absent)."),
    f("urldecode", "", "URL-decode."),
    f("regexMatch", "regex", "Whether a part of the string matches the Java regex (`find`, not a whole match).").since(V2),
    f("regexReplace", "regex, replacement", "Replace every match of the Java regex; `$1`… refer to groups.").since(V2),
    f("regexExtract", "regex, group=0", "The first match of the Java regex (or its `group`); null when none.").since(V2),
    // Pebble's functions.
    func("range", "start, end, increment=1", "Inclusive list of numbers (or characters)."),
    func("max", "a, b, …", "The largest argument."),
    func("min", "a, b, …", "The smallest argument."),
    func("i18n", "bundle, key, params", "A message from a resource bundle."),
    func("block", "name", "Render a block of the template again."),
    func("parent", "", "The parent template's block (template inheritance)."),
    // Kestra's functions.
    func("now", "format='iso', timeZone, existingFormat, locale", "The current time, as a formatted string."),
    func("fromJson", "json", "Parse a JSON string."),
    func("json", "json", "Deprecated alias of `fromJson`.").removed_in(V2, "fromJson"),
    func("yaml", "yaml", "Parse a YAML string."),
    func("fromIon", "ion, allRows=false", "Parse Ion text: the first value, or the list of every row."),
    func("secret", "key, namespace, subkey", "A secret's value (masked in logs); the namespace defaults to the flow's."),
    func("kv", "key, namespace, errorOnMissing=true", "A KV store value, searched in the flow's namespace then its parents."),
    func("read", "path, namespace, version", "The content of a namespace file or of an internal-storage `kestra://` file."),
    func("fileURI", "path, namespace, version", "The URI of a namespace file."),
    func("fileSize", "path, namespace, version", "Size in bytes of an internal-storage or namespace file."),
    func("fileExists", "path, namespace, version", "Whether an internal-storage or namespace file exists."),
    func("isFileEmpty", "path, namespace, version", "Whether an internal-storage or namespace file is empty."),
    func("render", "toRender, recursive=true", "Render a string holding expressions, until stable."),
    func("renderOnce", "toRender", "Render a string holding expressions, once."),
    func("currentEachOutput", "outputs", "Inside ForEach: the entry of a task's outputs for the current loop values.").removed_in(V2, "loopOutputs"),
    func("errorLogs", "", "The ERROR log entries of the current execution."),
    func("tasksWithState", "state", "The `{taskId, state, value}` of the tasks in that state."),
    func("encrypt", "key, plaintext", "AES-encrypt with the given key."),
    func("decrypt", "key, encrypted", "AES-decrypt with the given key."),
    func("printContext", "", "Every context variable, as a map (debugging)."),
    func("fetchContext", "", "Every context variable, as a map (debugging)."),
    func("uuid", "", "A random UUID v4."),
    func("id", "", "A Kestra short id."),
    func("ksuid", "", "A KSUID."),
    func("nanoId", "length=21, alphabet", "A NanoID."),
    func("randomInt", "lower, upper", "A random integer in `[lower, upper)`."),
    func("randomPort", "", "A free local TCP port."),
    func("http", "uri, method='GET', query, body, contentType, headers, options, accept", "Perform an HTTP call while rendering; returns the parsed response body."),
    func("env", "name, default", "An environment variable of the execution (`envs`), or `default` when unset or empty.").since(V2),
    func("subflow", "namespace, id, inputs, revision, labels, timeout", "Run a subflow and wait for it (only to fill a SELECT or MULTISELECT input's `values`).").since(V2),
    func("loopOutputs", "outputs, name", "One output of every iteration of a Loop task: `loopOutputs(outputs.myLoop.outputs, 'name')`.").since(V2),
    func("isPublicHoliday", "date, countryCode, subDivision", "Whether the date is a public holiday in the country (ISO 3166-1 alpha-2 code).").since(V2),
    func("isDayWeekInMonth", "date, dayOfWeek, position", "Whether the date is the FIRST…FOURTH or LAST `dayOfWeek` of its month.").since(V2),
    func("isWeekend", "date", "Whether the date is a Saturday or a Sunday.").since(V2),
    func("isLastWorkingDay", "date, workingDays", "Whether the date is the last working day of its month (Monday to Friday unless `workingDays` says otherwise).").since(V2),
    func("dayOfWeek", "date", "The day of the week as written in the date: `MONDAY`…`SUNDAY`.").since(V2),
    func("hourOfDay", "date", "The hour (0-23) as written in the date-time.").since(V2),
    func("dayOfMonth", "date", "The day of the month (1-31).").since(V2),
    func("monthOfYear", "date", "The month (1-12).").since(V2),
    func("credential", "name", "A credential's value.").enterprise(),
    func("appLink", "appId", "A link to an app.").enterprise(),
    // Pebble's tests and Kestra's.
    t("defined", "The value exists and is not null."),
    t("null", "The value is null."),
    t("empty", "Null, a blank string, an empty list or an empty map."),
    t("even", "An even integer."),
    t("odd", "An odd integer."),
    t("iterable", "A list or another iterable value."),
    t("map", "A map."),
    t("json", "A string that parses as JSON."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_kind_and_parameters_parse() {
        for (i, a) in BUILTINS.iter().enumerate() {
            assert!(
                !BUILTINS[i + 1..]
                    .iter()
                    .any(|b| b.kind == a.kind && b.name == a.name),
                "{} listed twice",
                a.name
            );
        }
        let date = get(F, "date").unwrap();
        assert_eq!(
            date.arg_names(),
            ["format", "timeZone", "existingFormat", "locale"]
        );
        assert_eq!(
            date.signature(),
            "date(format='iso', timeZone, existingFormat, locale)"
        );
        assert!(get(Fn_, "max").unwrap().arg_names().is_empty());
        assert_eq!(get(Fn_, "uuid").unwrap().signature(), "uuid()");
        assert_eq!(get(F, "upper").unwrap().signature(), "upper");
    }

    #[test]
    fn lines_differ_as_kestra_2_0_changed_them() {
        let json = get(F, "json").unwrap();
        assert!(json.in_line((1, 3)) && !json.in_line((2, 0)));
        let regex = get(F, "regexMatch").unwrap();
        assert!(!regex.in_line((1, 3)) && regex.in_line((2, 0)));
        assert!(get(F, "toJson").unwrap().in_line((2, 0)));
    }
}
