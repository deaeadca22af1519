//! CSV reading and writing with FastCSV's rules (the library plugin-serdes uses): CR, LF or
//! CRLF ends a record, quoted fields may span lines, `""` is an escaped quote, a quote inside
//! an unquoted field is literal. Streaming: one record in memory at a time.

use std::io::{BufRead, Write};

#[derive(Clone, Debug)]
pub struct CsvFormat {
    pub separator: char,
    pub quote: char,
    pub skip_empty_lines: bool,
    pub allow_extra_chars_after_closing_quote: bool,
    pub max_field_size: usize,
}

impl Default for CsvFormat {
    fn default() -> CsvFormat {
        CsvFormat {
            separator: ',',
            quote: '"',
            skip_empty_lines: false,
            allow_extra_chars_after_closing_quote: false,
            max_field_size: 16 * 1024 * 1024,
        }
    }
}

/// One parsed record and the line it started on (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvRecord {
    pub line: usize,
    pub fields: Vec<String>,
}

#[derive(Debug)]
pub enum CsvError {
    Io(std::io::Error),
    /// A malformed record (FastCSV's `CsvParseException`): the caller may skip it.
    Parse {
        line: usize,
        message: String,
    },
}

impl std::fmt::Display for CsvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvError::Io(e) => write!(f, "{e}"),
            CsvError::Parse { line, message } => write!(f, "CSV line {line}: {message}"),
        }
    }
}

/// Text decoding of the input (the `charset` property).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    Utf8,
    Latin1,
}

impl Charset {
    pub fn parse(name: &str) -> Result<Charset, String> {
        match name.to_ascii_uppercase().replace('_', "-").as_str() {
            "UTF-8" | "UTF8" | "US-ASCII" | "ASCII" => Ok(Charset::Utf8),
            "ISO-8859-1" | "LATIN1" | "ISO8859-1" => Ok(Charset::Latin1),
            other => Err(format!(
                "charset '{other}' is not supported by kflow (UTF-8, US-ASCII, ISO-8859-1)"
            )),
        }
    }

    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Latin1 => bytes.iter().map(|&b| b as char).collect(),
        }
    }

    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            Charset::Latin1 => text
                .chars()
                .map(|c| if (c as u32) < 256 { c as u8 } else { b'?' })
                .collect(),
        }
    }
}

pub struct CsvReader<R> {
    input: R,
    format: CsvFormat,
    charset: Charset,
    /// Current physical line (1-based) of the next unread line.
    line: usize,
    pending: Vec<char>,
    pos: usize,
    first_line: bool,
    done: bool,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(input: R, format: CsvFormat, charset: Charset) -> CsvReader<R> {
        CsvReader {
            input,
            format,
            charset,
            line: 0,
            pending: Vec::new(),
            pos: 0,
            first_line: true,
            done: false,
        }
    }

    /// Loads the next physical line (terminator included); false at end of input.
    fn fill(&mut self) -> Result<bool, CsvError> {
        let mut raw = Vec::new();
        self.input
            .read_until(b'\n', &mut raw)
            .map_err(CsvError::Io)?;
        if raw.is_empty() {
            return Ok(false);
        }
        if self.first_line {
            self.first_line = false;
            if self.charset == Charset::Utf8 && raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
                raw.drain(..3);
            }
        }
        self.pending = self.charset.decode(&raw).chars().collect();
        self.pos = 0;
        self.line += 1;
        Ok(true)
    }

    fn next_char(&mut self) -> Result<Option<char>, CsvError> {
        if self.pos >= self.pending.len() && !self.fill()? {
            return Ok(None);
        }
        let c = self.pending[self.pos];
        self.pos += 1;
        Ok(Some(c))
    }

    fn peek_char(&mut self) -> Option<char> {
        self.pending.get(self.pos).copied()
    }

    /// Consumes the LF of a CRLF.
    fn eat_lf_after_cr(&mut self) {
        if self.peek_char() == Some('\n') {
            self.pos += 1;
        }
    }

    /// The next record, `None` at the end of input.
    pub fn next_record(&mut self) -> Result<Option<CsvRecord>, CsvError> {
        loop {
            if self.done {
                return Ok(None);
            }
            let Some(first) = self.next_char()? else {
                self.done = true;
                return Ok(None);
            };
            let start_line = self.line;
            if matches!(first, '\n' | '\r') {
                if first == '\r' {
                    self.eat_lf_after_cr();
                }
                if self.format.skip_empty_lines {
                    continue;
                }
                return Ok(Some(CsvRecord {
                    line: start_line,
                    fields: vec![String::new()],
                }));
            }
            self.pos -= 1;
            return self.read_fields(start_line).map(Some);
        }
    }

    fn read_fields(&mut self, start_line: usize) -> Result<CsvRecord, CsvError> {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut error: Option<String> = None;
        let sep = self.format.separator;
        let quote = self.format.quote;
        let mut at_field_start = true;
        let mut after_closing_quote = false;
        loop {
            let Some(c) = self.next_char()? else {
                fields.push(std::mem::take(&mut field));
                break;
            };
            if c == sep {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
                after_closing_quote = false;
                continue;
            }
            if c == '\n' || c == '\r' {
                if c == '\r' {
                    self.eat_lf_after_cr();
                }
                fields.push(std::mem::take(&mut field));
                break;
            }
            if at_field_start && c == quote {
                at_field_start = false;
                self.read_quoted(&mut field, start_line, &mut error)?;
                after_closing_quote = true;
                continue;
            }
            if after_closing_quote && !self.format.allow_extra_chars_after_closing_quote {
                error.get_or_insert_with(|| {
                    format!("unexpected character '{c}' after a closing quote")
                });
            }
            at_field_start = false;
            field.push(c);
            self.check_size(&field, start_line)?;
        }
        match error {
            Some(message) => Err(CsvError::Parse {
                line: start_line,
                message,
            }),
            None => Ok(CsvRecord {
                line: start_line,
                fields,
            }),
        }
    }

    /// Reads a quoted section up to its closing quote, across lines.
    fn read_quoted(
        &mut self,
        field: &mut String,
        start_line: usize,
        error: &mut Option<String>,
    ) -> Result<(), CsvError> {
        let quote = self.format.quote;
        loop {
            let Some(q) = self.next_char()? else {
                error.get_or_insert_with(|| "unterminated quoted field".into());
                return Ok(());
            };
            if q == quote {
                if self.peek_char() == Some(quote) {
                    self.pos += 1;
                    field.push(quote);
                } else {
                    return Ok(());
                }
            } else {
                field.push(q);
            }
            self.check_size(field, start_line)?;
        }
    }

    fn check_size(&self, field: &str, line: usize) -> Result<(), CsvError> {
        if field.len() > self.format.max_field_size {
            return Err(CsvError::Parse {
                line,
                message: format!(
                    "field exceeds the maximum size of {} characters",
                    self.format.max_field_size
                ),
            });
        }
        Ok(())
    }
}

/// How the writer decides to quote (`quoteMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuoteMode {
    Always,
    Required,
    NonNumeric,
}

impl QuoteMode {
    pub fn parse(text: &str) -> Result<QuoteMode, String> {
        match text {
            "ALWAYS" => Ok(QuoteMode::Always),
            "REQUIRED" => Ok(QuoteMode::Required),
            "NON_NUMERIC" => Ok(QuoteMode::NonNumeric),
            other => Err(format!(
                "quoteMode '{other}' is not one of ALWAYS, REQUIRED, NON_NUMERIC"
            )),
        }
    }
}

#[derive(Clone, Debug)]
pub struct CsvWriterFormat {
    pub separator: char,
    pub quote: char,
    pub line_delimiter: String,
    pub quote_mode: QuoteMode,
}

impl Default for CsvWriterFormat {
    fn default() -> CsvWriterFormat {
        CsvWriterFormat {
            separator: ',',
            quote: '"',
            line_delimiter: "\n".into(),
            quote_mode: QuoteMode::Required,
        }
    }
}

/// Writes records; `None` fields are written empty and never quoted.
pub struct CsvWriter<W> {
    out: W,
    format: CsvWriterFormat,
    charset: Charset,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, format: CsvWriterFormat, charset: Charset) -> CsvWriter<W> {
        CsvWriter {
            out,
            format,
            charset,
        }
    }

    pub fn write_record(&mut self, fields: &[Option<String>]) -> std::io::Result<()> {
        let mut line = String::new();
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                line.push(self.format.separator);
            }
            let Some(value) = field else { continue };
            if self.needs_quotes(i, value) {
                line.push(self.format.quote);
                for c in value.chars() {
                    if c == self.format.quote {
                        line.push(c);
                    }
                    line.push(c);
                }
                line.push(self.format.quote);
            } else {
                line.push_str(value);
            }
        }
        line.push_str(&self.format.line_delimiter);
        self.out.write_all(&self.charset.encode(&line))
    }

    fn needs_quotes(&self, index: usize, value: &str) -> bool {
        let required = value.contains([self.format.separator, self.format.quote, '\r', '\n'])
            // FastCSV quotes a first field that would read back as a comment.
            || (index == 0 && value.starts_with('#'));
        match self.format.quote_mode {
            QuoteMode::Always => true,
            QuoteMode::Required => required,
            QuoteMode::NonNumeric => required || !is_numeric(value),
        }
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// plugin-serdes' NON_NUMERIC test: optional sign, digits, at most one `.`.
fn is_numeric(value: &str) -> bool {
    let body = value.strip_prefix(['-', '+']).unwrap_or(value);
    if body.is_empty() {
        return false;
    }
    let mut dots = 0;
    body.chars().all(|c| {
        if c == '.' {
            dots += 1;
            dots == 1
        } else {
            c.is_ascii_digit()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str, format: CsvFormat) -> Vec<Result<CsvRecord, String>> {
        let mut reader = CsvReader::new(text.as_bytes(), format, Charset::Utf8);
        let mut out = Vec::new();
        loop {
            match reader.next_record() {
                Ok(Some(r)) => out.push(Ok(r)),
                Ok(None) => return out,
                Err(e) => out.push(Err(e.to_string())),
            }
        }
    }

    fn fields(text: &str) -> Vec<Vec<String>> {
        read_all(text, CsvFormat::default())
            .into_iter()
            .map(|r| r.unwrap().fields)
            .collect()
    }

    #[test]
    fn reads_quotes_newlines_and_line_endings() {
        assert_eq!(
            fields("\u{feff}a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",z\rlast,\n"),
            vec![
                vec!["a", "b"],
                vec!["x,1", "say \"hi\""],
                vec!["multi\nline", "z"],
                vec!["last", ""],
            ]
        );
        assert_eq!(fields("a\"b,c"), vec![vec!["a\"b", "c"]]);
        assert_eq!(fields("a\n\nb\n"), vec![vec!["a"], vec![""], vec!["b"]]);
        let skip = CsvFormat {
            skip_empty_lines: true,
            ..CsvFormat::default()
        };
        assert_eq!(read_all("a\n\nb\n", skip).len(), 2);
    }

    #[test]
    fn line_numbers_and_errors() {
        let records = read_all("h\n\"a\nb\"\n\"x\"y\nok\n", CsvFormat::default());
        assert_eq!(records[1].as_ref().unwrap().line, 2);
        assert!(records[2].as_ref().unwrap_err().contains("line 4"));
        assert_eq!(records[3].as_ref().unwrap().fields, vec!["ok"]);
        let lenient = CsvFormat {
            allow_extra_chars_after_closing_quote: true,
            ..CsvFormat::default()
        };
        assert_eq!(
            read_all("\"x\"y\n", lenient)[0].as_ref().unwrap().fields,
            vec!["xy"]
        );
        let semicolon = CsvFormat {
            separator: ';',
            ..CsvFormat::default()
        };
        assert_eq!(
            read_all("\"a\";\"b;c\"", semicolon)[0]
                .as_ref()
                .unwrap()
                .fields,
            vec!["a", "b;c"]
        );
    }

    #[test]
    fn writes_with_quote_modes() {
        let write = |mode: QuoteMode, fields: &[Option<&str>]| {
            let format = CsvWriterFormat {
                quote_mode: mode,
                ..CsvWriterFormat::default()
            };
            let mut w = CsvWriter::new(Vec::new(), format, Charset::Utf8);
            let owned: Vec<Option<String>> = fields.iter().map(|f| f.map(String::from)).collect();
            w.write_record(&owned).unwrap();
            String::from_utf8(w.into_inner()).unwrap()
        };
        let row = [
            Some("a"),
            Some("x,y"),
            None,
            Some("say \"hi\""),
            Some("-1.5"),
            Some(""),
        ];
        assert_eq!(
            write(QuoteMode::Required, &row),
            "a,\"x,y\",,\"say \"\"hi\"\"\",-1.5,\n"
        );
        assert_eq!(
            write(QuoteMode::Always, &row),
            "\"a\",\"x,y\",,\"say \"\"hi\"\"\",\"-1.5\",\"\"\n"
        );
        assert_eq!(
            write(QuoteMode::NonNumeric, &row),
            "\"a\",\"x,y\",,\"say \"\"hi\"\"\",-1.5,\"\"\n"
        );
        assert_eq!(write(QuoteMode::Required, &[Some("#c")]), "\"#c\"\n");
    }
}
