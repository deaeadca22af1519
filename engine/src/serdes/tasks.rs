//! The four conversion tasks. Each reads a storage file and writes a new one under the task
//! run's prefix, streaming row by row (JSON with `newLine: false` is one document and is loaded
//! whole, as in Kestra). Conversions run on a blocking thread; their warnings are logged after.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::csv::{Charset, CsvError, CsvFormat, CsvReader, CsvWriter, CsvWriterFormat, QuoteMode};
use super::ion::{self, Ion, IonReader, JavaTemporal, JsonStyle};
use super::java_fmt::double_to_string;
use crate::storage::{uri::file_uri, Storage, TaskRunKey};
use crate::task::{Level, TaskError, TaskLog};

/// `uri` and `size` (record count) of every conversion.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ConvertOutput {
    pub uri: String,
    pub size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnBadLines {
    Error,
    Warn,
    Skip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnEmptyHeader {
    Drop,
    Rename,
}

#[derive(Clone, Debug)]
pub struct CsvToIonSpec {
    pub from: String,
    pub header: bool,
    pub field_separator: char,
    pub text_delimiter: char,
    pub skip_empty_rows: bool,
    pub on_bad_lines: OnBadLines,
    pub on_empty_header: OnEmptyHeader,
    pub skip_rows: u64,
    pub charset: String,
    pub max_field_size: usize,
    pub allow_extra_chars_after_closing_quote: bool,
}

impl Default for CsvToIonSpec {
    fn default() -> CsvToIonSpec {
        CsvToIonSpec {
            from: String::new(),
            header: true,
            field_separator: ',',
            text_delimiter: '"',
            skip_empty_rows: false,
            on_bad_lines: OnBadLines::Error,
            on_empty_header: OnEmptyHeader::Drop,
            skip_rows: 0,
            charset: "UTF-8".into(),
            max_field_size: 16 * 1024 * 1024,
            allow_extra_chars_after_closing_quote: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct IonToCsvSpec {
    pub from: String,
    pub header: bool,
    pub field_separator: char,
    pub text_delimiter: char,
    pub line_delimiter: String,
    /// `quoteMode`; `None` falls back on `alwaysDelimitText`.
    pub quote_mode: Option<QuoteMode>,
    pub always_delimit_text: bool,
    pub charset: String,
    pub date_format: String,
    pub time_format: String,
    pub date_time_format: String,
    /// `timeZoneId` as a fixed offset in minutes (the executor resolves the zone name).
    pub zone_offset_minutes: i32,
}

impl Default for IonToCsvSpec {
    fn default() -> IonToCsvSpec {
        IonToCsvSpec {
            from: String::new(),
            header: true,
            field_separator: ',',
            text_delimiter: '"',
            line_delimiter: "\n".into(),
            quote_mode: None,
            always_delimit_text: false,
            charset: "UTF-8".into(),
            date_format: "yyyy-MM-dd".into(),
            time_format: "HH:mm:ss[XXX]".into(),
            date_time_format: "yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]".into(),
            zone_offset_minutes: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub struct JsonToIonSpec {
    pub from: String,
    pub charset: String,
    /// true: JSON Lines; false: one document (an array gives one row per item).
    pub new_line: bool,
}

#[derive(Clone, Debug)]
pub struct IonToJsonSpec {
    pub from: String,
    pub charset: String,
    pub new_line: bool,
    pub zone_offset_minutes: i32,
}

type Warnings = Vec<String>;

/// Runs `convert(input, output, warnings)` on a blocking thread, then stores the output file.
async fn run_conversion<F>(
    storage: &Storage,
    key: &TaskRunKey,
    from: &str,
    suffix: &str,
    log: &dyn TaskLog,
    convert: F,
) -> Result<ConvertOutput, TaskError>
where
    F: FnOnce(&Path, &Path, &mut Warnings) -> Result<u64, String> + Send + 'static,
{
    let input = storage.path_of(from)?;
    if !input.is_file() {
        return Err(TaskError::new(format!(
            "no file in internal storage at '{from}'"
        )));
    }
    let scratch = storage
        .scratch_file(suffix)
        .map_err(|e| TaskError::new(format!("cannot create a temporary file: {e}")))?;
    let output: PathBuf = scratch.path().to_path_buf();
    let joined = tokio::task::spawn_blocking(move || {
        let mut warnings = Vec::new();
        let result = convert(&input, &output, &mut warnings);
        (result, warnings)
    })
    .await;
    let (result, warnings) =
        joined.map_err(|e| TaskError::new(format!("conversion thread failed: {e}")))?;
    for warning in &warnings {
        log.log(Level::Warn, warning);
    }
    let size = result.map_err(TaskError::new)?;
    let name = scratch
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let uri = file_uri(&key.prefix(), &name);
    storage.put_file(&uri, scratch.path()).await?;
    let _ = scratch.keep();
    Ok(ConvertOutput { uri, size })
}

fn open_input(path: &Path) -> Result<BufReader<std::fs::File>, String> {
    std::fs::File::open(path)
        .map(|f| BufReader::with_capacity(32 * 1024, f))
        .map_err(|e| format!("cannot read the input file: {e}"))
}

fn create_output(path: &Path) -> Result<BufWriter<std::fs::File>, String> {
    std::fs::File::create(path)
        .map(|f| BufWriter::with_capacity(32 * 1024, f))
        .map_err(|e| format!("cannot write the output file: {e}"))
}

fn finish(mut out: BufWriter<std::fs::File>) -> Result<(), String> {
    out.flush()
        .map_err(|e| format!("cannot write the output file: {e}"))?;
    out.get_ref()
        .sync_all()
        .map_err(|e| format!("cannot write the output file: {e}"))
}

/// `io.kestra.plugin.serdes.csv.CsvToIon`.
pub async fn csv_to_ion(
    spec: &CsvToIonSpec,
    storage: &Storage,
    key: &TaskRunKey,
    log: &dyn TaskLog,
) -> Result<ConvertOutput, TaskError> {
    let charset = Charset::parse(&spec.charset).map_err(TaskError::new)?;
    let spec = spec.clone();
    run_conversion(storage, key, &spec.from.clone(), ".ion", log, move |input, output, warnings| {
        let format = CsvFormat {
            separator: spec.field_separator,
            quote: spec.text_delimiter,
            skip_empty_lines: spec.skip_empty_rows,
            allow_extra_chars_after_closing_quote: spec.allow_extra_chars_after_closing_quote,
            max_field_size: spec.max_field_size,
        };
        let mut reader = CsvReader::new(open_input(input)?, format, charset);
        let mut out = create_output(output)?;
        let mut headers: Option<(Vec<String>, usize)> = None;
        let mut skipped = 0u64;
        let mut count = 0u64;
        loop {
            let record = match reader.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(CsvError::Io(e)) => return Err(format!("cannot read the CSV file: {e}")),
                Err(e @ CsvError::Parse { .. }) => {
                    bad_line(spec.on_bad_lines, e.to_string(), warnings)?;
                    continue;
                }
            };
            if spec.header && record.line == 1 {
                headers = Some((
                    resolve_headers(&record.fields, spec.on_empty_header, warnings),
                    record.fields.len(),
                ));
                continue;
            }
            if skipped < spec.skip_rows {
                skipped += 1;
                continue;
            }
            let row = match &headers {
                Some((names, width)) if spec.header => {
                    if record.fields.len() != *width {
                        let message = format!(
                            "Bad line encountered (field count mismatch): Expected {width}, got {} fields.",
                            record.fields.len()
                        );
                        bad_line(spec.on_bad_lines, message, warnings)?;
                        continue;
                    }
                    let mut fields: Vec<(String, Ion)> = Vec::with_capacity(names.len());
                    for (i, name) in names.iter().enumerate() {
                        let value = csv_value(record.fields.get(i));
                        match fields.iter_mut().find(|(k, _)| k == name) {
                            Some(slot) => slot.1 = value,
                            None => fields.push((name.clone(), value)),
                        }
                    }
                    Ion::Struct(fields)
                }
                _ if spec.header => Ion::Struct(Vec::new()),
                _ => Ion::List(record.fields.iter().map(|f| csv_value(Some(f))).collect()),
            };
            out.write_all(ion::to_line(&row).as_bytes())
                .map_err(|e| format!("cannot write the output file: {e}"))?;
            count += 1;
        }
        finish(out)?;
        Ok(count)
    })
    .await
}

fn csv_value(field: Option<&String>) -> Ion {
    match field {
        Some(f) if f == "\\N" => Ion::Null,
        Some(f) => Ion::String(f.clone()),
        None => Ion::Null,
    }
}

fn bad_line(policy: OnBadLines, message: String, warnings: &mut Warnings) -> Result<(), String> {
    match policy {
        OnBadLines::Error => Err(message),
        OnBadLines::Warn => {
            warnings.push(format!("Bad line encountered (skipped): {message}"));
            Ok(())
        }
        OnBadLines::Skip => Ok(()),
    }
}

/// Header names; DROP removes the trailing run of empty names (keeping one column), RENAME
/// names empty ones `col_<i>` (made unique).
fn resolve_headers(
    names: &[String],
    policy: OnEmptyHeader,
    warnings: &mut Warnings,
) -> Vec<String> {
    match policy {
        OnEmptyHeader::Rename => {
            let mut taken: Vec<String> = names.to_vec();
            names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    if !name.is_empty() {
                        return name.clone();
                    }
                    let unique = (1..)
                        .map(|n| {
                            if n == 1 {
                                format!("col_{i}")
                            } else {
                                format!("col_{i}_{n}")
                            }
                        })
                        .find(|c| !taken.contains(c))
                        .unwrap_or_default();
                    taken.push(unique.clone());
                    unique
                })
                .collect()
        }
        OnEmptyHeader::Drop => {
            let kept = names
                .iter()
                .rposition(|n| !n.is_empty())
                .map(|i| i + 1)
                .unwrap_or(names.len().min(1));
            if kept < names.len() {
                warnings.push(format!(
                    "Dropped {} trailing column(s) with an empty header name",
                    names.len() - kept
                ));
            }
            let mut distinct = names[..kept].to_vec();
            distinct.sort();
            distinct.dedup();
            if distinct.len() < kept {
                warnings.push(format!(
                    "{} column(s) share a header name with another column: only the last value is kept",
                    kept - distinct.len()
                ));
            }
            names[..kept].to_vec()
        }
    }
}

/// `io.kestra.plugin.serdes.csv.IonToCsv`.
pub async fn ion_to_csv(
    spec: &IonToCsvSpec,
    storage: &Storage,
    key: &TaskRunKey,
    log: &dyn TaskLog,
) -> Result<ConvertOutput, TaskError> {
    let charset = Charset::parse(&spec.charset).map_err(TaskError::new)?;
    let spec = spec.clone();
    run_conversion(
        storage,
        key,
        &spec.from.clone(),
        ".csv",
        log,
        move |input, output, _| {
            let quote_mode = match (spec.quote_mode, spec.always_delimit_text) {
                (Some(mode), _) => mode,
                (None, true) => QuoteMode::Always,
                (None, false) => QuoteMode::Required,
            };
            let format = CsvWriterFormat {
                separator: spec.field_separator,
                quote: spec.text_delimiter,
                line_delimiter: spec.line_delimiter.clone(),
                quote_mode,
            };
            let mut writer = CsvWriter::new(create_output(output)?, format, charset);
            let write_err = |e: std::io::Error| format!("cannot write the output file: {e}");
            let mut first = true;
            let mut count = 0u64;
            for (index, row) in IonReader::new(open_input(input)?).enumerate() {
                let row = row.map_err(|e| e.to_string())?;
                match row {
                    Ion::List(items) | Ion::Sexp(items) => {
                        if spec.header {
                            return Err(format!(
                                "Invalid data of type List with header (row {})",
                                index + 1
                            ));
                        }
                        let record: Vec<Option<String>> = items
                            .iter()
                            .map(|v| csv_text(v, &spec))
                            .collect::<Result<_, _>>()?;
                        writer.write_record(&record).map_err(write_err)?;
                    }
                    Ion::Struct(fields) => {
                        if first && spec.header {
                            let names: Vec<Option<String>> =
                                fields.iter().map(|(k, _)| Some(k.clone())).collect();
                            writer.write_record(&names).map_err(write_err)?;
                        }
                        let record: Vec<Option<String>> = fields
                            .iter()
                            .map(|(_, v)| csv_text(v, &spec))
                            .collect::<Result<_, _>>()?;
                        writer.write_record(&record).map_err(write_err)?;
                        first = false;
                    }
                    // Other top-level values are counted but not written, as in plugin-serdes.
                    _ => {}
                }
                count += 1;
            }
            finish(writer.into_inner())?;
            Ok(count)
        },
    )
    .await
}

/// The text plugin-serdes' `convert` gives a value: dates through the patterns, other values
/// through Java's `toString`.
fn csv_text(value: &Ion, spec: &IonToCsvSpec) -> Result<Option<String>, String> {
    use crate::render::dates::{format_local_date, format_pattern, DateTime};
    let at = |instant: crate::time::Instant, offset_minutes: i32| {
        DateTime::at_offset(instant.secs, instant.nanos, offset_minutes * 60)
    };
    Ok(Some(match value {
        Ion::Null => return Ok(None),
        Ion::Timestamp(t) => match t.to_java() {
            JavaTemporal::Date(d) => {
                let date = jiff::civil::Date::new(d.year as i16, d.month as i8, d.day as i8)
                    .map_err(|e| e.to_string())?;
                format_local_date(date, &spec.date_format)?
            }
            // Instants are printed in UTC, zoned values in the configured zone.
            JavaTemporal::Instant(i) => format_pattern(&at(i, 0)?, &spec.date_time_format)?,
            JavaTemporal::Zoned(i, _) => {
                format_pattern(&at(i, spec.zone_offset_minutes)?, &spec.date_time_format)?
            }
        },
        other => java_to_string(other),
    }))
}

/// Java's `toString` of the object Kestra reads from Ion (maps `{a=1, b=x}`, lists `[1, 2]`).
fn java_to_string(value: &Ion) -> String {
    match value {
        Ion::Null => "null".into(),
        Ion::Bool(b) => b.to_string(),
        Ion::Int(i) => i.to_string(),
        Ion::Float(f) => double_to_string(*f),
        Ion::Decimal(d) => d.to_java_string(),
        Ion::Timestamp(t) => match t.to_java() {
            JavaTemporal::Date(d) => d.to_iso(),
            JavaTemporal::Instant(i) => i.to_iso(),
            JavaTemporal::Zoned(i, offset) => i.to_iso_with_offset(offset),
        },
        Ion::String(s) | Ion::Symbol(s) => s.clone(),
        Ion::Blob(_) | Ion::Clob(_) => ion::to_json(value, &JsonStyle::default())
            .trim_matches('"')
            .to_string(),
        Ion::List(items) | Ion::Sexp(items) => format!(
            "[{}]",
            items
                .iter()
                .map(java_to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ion::Struct(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(k, v)| format!("{k}={}", java_to_string(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ion::Annotated(_, inner) => java_to_string(inner),
    }
}

/// `io.kestra.plugin.serdes.json.JsonToIon`.
pub async fn json_to_ion(
    spec: &JsonToIonSpec,
    storage: &Storage,
    key: &TaskRunKey,
    log: &dyn TaskLog,
) -> Result<ConvertOutput, TaskError> {
    let charset = Charset::parse(&spec.charset).map_err(TaskError::new)?;
    let new_line = spec.new_line;
    run_conversion(
        storage,
        key,
        &spec.from,
        ".ion",
        log,
        move |input, output, _| {
            let mut reader = open_input(input)?;
            let mut out = create_output(output)?;
            let mut count = 0u64;
            let mut write_row =
                |row: &Ion, out: &mut BufWriter<std::fs::File>| -> Result<(), String> {
                    // FileSerde skips null rows.
                    if *row != Ion::Null {
                        out.write_all(ion::to_line(row).as_bytes())
                            .map_err(|e| format!("cannot write the output file: {e}"))?;
                        count += 1;
                    }
                    Ok(())
                };
            if new_line {
                let mut raw = Vec::new();
                let mut line_no = 0usize;
                loop {
                    raw.clear();
                    let read = reader
                        .read_until(b'\n', &mut raw)
                        .map_err(|e| format!("cannot read the JSON file: {e}"))?;
                    if read == 0 {
                        break;
                    }
                    line_no += 1;
                    let text = charset.decode(&raw);
                    let text = text.trim_end_matches(['\n', '\r']);
                    let row = ion::from_json(text)
                        .map_err(|e| format!("invalid JSON at line {line_no}: {e}"))?;
                    write_row(&row, &mut out)?;
                }
            } else {
                let mut raw = Vec::new();
                std::io::Read::read_to_end(&mut reader, &mut raw)
                    .map_err(|e| format!("cannot read the JSON file: {e}"))?;
                let doc = ion::from_json(&charset.decode(&raw))
                    .map_err(|e| format!("invalid JSON: {e}"))?;
                match doc {
                    Ion::List(items) => {
                        for item in &items {
                            write_row(item, &mut out)?;
                        }
                    }
                    other => write_row(&other, &mut out)?,
                }
            }
            finish(out)?;
            Ok(count)
        },
    )
    .await
}

/// `io.kestra.plugin.serdes.json.IonToJson`: JSON Lines (`.jsonl`), or with `newLine: false`
/// a `.json` file holding the single row, or an array when there are several.
pub async fn ion_to_json(
    spec: &IonToJsonSpec,
    storage: &Storage,
    key: &TaskRunKey,
    log: &dyn TaskLog,
) -> Result<ConvertOutput, TaskError> {
    let charset = Charset::parse(&spec.charset).map_err(TaskError::new)?;
    let new_line = spec.new_line;
    let style = JsonStyle {
        zone_offset_minutes: spec.zone_offset_minutes,
    };
    let suffix = if new_line { ".jsonl" } else { ".json" };
    run_conversion(
        storage,
        key,
        &spec.from,
        suffix,
        log,
        move |input, output, _| {
            let mut out = create_output(output)?;
            let write_err = |e: std::io::Error| format!("cannot write the output file: {e}");
            let mut count = 0u64;
            let mut first: Option<String> = None;
            for row in IonReader::new(open_input(input)?) {
                let json = ion::to_json(&row.map_err(|e| e.to_string())?, &style);
                count += 1;
                if new_line {
                    out.write_all(&charset.encode(&json)).map_err(write_err)?;
                    out.write_all(b"\n").map_err(write_err)?;
                } else if count == 1 {
                    first = Some(json);
                } else {
                    if let Some(head) = first.take() {
                        out.write_all(b"[").map_err(write_err)?;
                        out.write_all(&charset.encode(&head)).map_err(write_err)?;
                    }
                    out.write_all(b",").map_err(write_err)?;
                    out.write_all(&charset.encode(&json)).map_err(write_err)?;
                }
            }
            if !new_line {
                match first {
                    Some(only) => out.write_all(&charset.encode(&only)).map_err(write_err)?,
                    None if count > 1 => out.write_all(b"]").map_err(write_err)?,
                    None => {}
                }
            }
            finish(out)?;
            Ok(count)
        },
    )
    .await
}

#[cfg(test)]
#[path = "tasks_tests.rs"]
mod tests;
