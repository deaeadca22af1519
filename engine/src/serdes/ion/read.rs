//! An Ion text reader: parses top-level values one at a time from a `BufRead`, reading more
//! input only when a value is not complete yet (Kestra's files hold one value per line, so
//! memory stays at one value).

use std::io::BufRead;

use super::value::{Decimal, Ion, Timestamp};

#[derive(Debug)]
pub enum IonError {
    Io(std::io::Error),
    /// Malformed text: message and the 1-based line where the value started.
    Syntax {
        line: usize,
        message: String,
    },
}

impl std::fmt::Display for IonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IonError::Io(e) => write!(f, "{e}"),
            IonError::Syntax { line, message } => {
                write!(f, "invalid Ion at line {line}: {message}")
            }
        }
    }
}

impl std::error::Error for IonError {}

/// Iterates over the top-level values of an Ion text stream.
pub struct IonReader<R> {
    input: R,
    buffer: Vec<u8>,
    /// Line number of the start of `buffer`.
    line: usize,
    eof: bool,
}

impl<R: BufRead> IonReader<R> {
    pub fn new(input: R) -> IonReader<R> {
        IonReader {
            input,
            buffer: Vec::new(),
            line: 1,
            eof: false,
        }
    }

    /// The next top-level value, `None` at the end.
    pub fn next_value(&mut self) -> Result<Option<Ion>, IonError> {
        loop {
            let mut parser = Parser {
                s: &self.buffer,
                pos: 0,
                eof: self.eof,
                value_start: 0,
            };
            match parser.top_level() {
                Ok(found) => {
                    let consumed = parser.pos;
                    self.line += self.buffer[..consumed]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count();
                    self.buffer.drain(..consumed);
                    return Ok(found);
                }
                Err(ParseError::Incomplete) if !self.eof => {
                    let read = self
                        .input
                        .read_until(b'\n', &mut self.buffer)
                        .map_err(IonError::Io)?;
                    if read == 0 {
                        self.eof = true;
                    }
                }
                Err(error) => {
                    let line = self.line
                        + self.buffer[..parser.value_start]
                            .iter()
                            .filter(|&&b| b == b'\n')
                            .count();
                    let message = match error {
                        ParseError::Syntax(message) => message,
                        ParseError::Incomplete => "unexpected end of input".into(),
                    };
                    return Err(IonError::Syntax { line, message });
                }
            }
        }
    }
}

impl<R: BufRead> Iterator for IonReader<R> {
    type Item = Result<Ion, IonError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_value().transpose()
    }
}

/// Parses every top-level value of a string.
pub fn parse_all(text: &str) -> Result<Vec<Ion>, IonError> {
    IonReader::new(text.as_bytes()).collect()
}

enum ParseError {
    Incomplete,
    Syntax(String),
}

type PResult<T> = Result<T, ParseError>;

fn syntax<T>(message: impl Into<String>) -> PResult<T> {
    Err(ParseError::Syntax(message.into()))
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    eof: bool,
    /// Where the current top-level value starts (for error lines).
    value_start: usize,
}

const OPERATOR_CHARS: &[u8] = b"!#%&*+-./;<=>?@^`|~";

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.s.get(self.pos + offset).copied()
    }

    /// The byte at `pos`, or Incomplete when more input may come.
    fn need(&self) -> PResult<u8> {
        match self.peek() {
            Some(b) => Ok(b),
            None if self.eof => syntax("unexpected end of input"),
            None => Err(ParseError::Incomplete),
        }
    }

    fn starts_with(&self, text: &[u8]) -> PResult<bool> {
        let rest = &self.s[self.pos..];
        if rest.len() < text.len() && !self.eof && text.starts_with(rest) {
            return Err(ParseError::Incomplete);
        }
        Ok(rest.starts_with(text))
    }

    fn top_level(&mut self) -> PResult<Option<Ion>> {
        self.skip_ws()?;
        self.value_start = self.pos;
        if self.peek().is_none() {
            return if self.eof {
                Ok(None)
            } else {
                Err(ParseError::Incomplete)
            };
        }
        let mut value = self.value(false)?;
        // An Ion version marker is not data.
        while value == Ion::Symbol("$ion_1_0".into()) {
            self.skip_ws()?;
            if self.peek().is_none() {
                return if self.eof {
                    Ok(None)
                } else {
                    Err(ParseError::Incomplete)
                };
            }
            self.value_start = self.pos;
            value = self.value(false)?;
        }
        // A bare token at the very end could continue on the next read.
        if self.peek().is_none() && !self.eof {
            return Err(ParseError::Incomplete);
        }
        Ok(Some(value))
    }

    fn skip_ws(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => self.pos += 1,
                Some(b'/') => match self.peek_at(1) {
                    Some(b'/') => {
                        while let Some(b) = self.peek() {
                            if b == b'\n' {
                                break;
                            }
                            self.pos += 1;
                        }
                        if self.peek().is_none() && !self.eof {
                            return Err(ParseError::Incomplete);
                        }
                    }
                    Some(b'*') => {
                        let end = self.s[self.pos + 2..].windows(2).position(|w| w == b"*/");
                        match end {
                            Some(at) => self.pos += 2 + at + 2,
                            None if self.eof => return syntax("unterminated comment"),
                            None => return Err(ParseError::Incomplete),
                        }
                    }
                    None if !self.eof => return Err(ParseError::Incomplete),
                    _ => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
    }

    fn value(&mut self, in_sexp: bool) -> PResult<Ion> {
        self.skip_ws()?;
        let c = self.need()?;
        match c {
            b'{' => {
                if self.starts_with(b"{{")? {
                    self.lob()
                } else {
                    self.structure()
                }
            }
            b'[' => {
                self.pos += 1;
                Ok(Ion::List(self.sequence(b']', false)?))
            }
            b'(' => {
                self.pos += 1;
                Ok(Ion::Sexp(self.sequence(b')', true)?))
            }
            b'"' => {
                self.pos += 1;
                Ok(Ion::String(self.short_string(b'"')?))
            }
            b'\'' => {
                if self.starts_with(b"'''")? {
                    Ok(Ion::String(self.long_strings()?))
                } else {
                    self.pos += 1;
                    let symbol = self.short_string(b'\'')?;
                    self.maybe_annotated(symbol, in_sexp)
                }
            }
            b'0'..=b'9' => self.number_or_timestamp(),
            b'-' | b'+' => {
                let next = self.peek_at(1);
                if next.is_none() && !self.eof {
                    return Err(ParseError::Incomplete);
                }
                if next.is_some_and(|b| b.is_ascii_digit())
                    || self.starts_with(b"-inf")?
                    || self.starts_with(b"+inf")?
                {
                    self.number_or_timestamp()
                } else if in_sexp {
                    Ok(Ion::Symbol(self.operator()?))
                } else {
                    syntax(format!("unexpected '{}'", c as char))
                }
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' => {
                let word = self
                    .token(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.')?;
                self.keyword_or_symbol(word, in_sexp)
            }
            c if in_sexp && OPERATOR_CHARS.contains(&c) => Ok(Ion::Symbol(self.operator()?)),
            c => syntax(format!("unexpected character '{}'", c as char)),
        }
    }

    fn keyword_or_symbol(&mut self, word: String, in_sexp: bool) -> PResult<Ion> {
        if word == "null" || word.starts_with("null.") {
            const TYPES: &[&str] = &[
                "null",
                "bool",
                "int",
                "float",
                "decimal",
                "timestamp",
                "string",
                "symbol",
                "blob",
                "clob",
                "struct",
                "list",
                "sexp",
            ];
            return match word.strip_prefix("null.") {
                None => Ok(Ion::Null),
                Some(t) if TYPES.contains(&t) => Ok(Ion::Null),
                Some(t) => syntax(format!("unknown null type 'null.{t}'")),
            };
        }
        if word.contains('.') {
            return syntax(format!("invalid symbol '{word}'"));
        }
        match word.as_str() {
            "true" => Ok(Ion::Bool(true)),
            "false" => Ok(Ion::Bool(false)),
            "nan" => Ok(Ion::Float(f64::NAN)),
            _ => self.maybe_annotated(word, in_sexp),
        }
    }

    fn maybe_annotated(&mut self, symbol: String, in_sexp: bool) -> PResult<Ion> {
        let save = self.pos;
        self.skip_ws()?;
        if self.starts_with(b"::")? {
            self.pos += 2;
            let inner = self.value(in_sexp)?;
            return Ok(match inner {
                Ion::Annotated(mut more, value) => {
                    more.insert(0, symbol);
                    Ion::Annotated(more, value)
                }
                value => Ion::Annotated(vec![symbol], Box::new(value)),
            });
        }
        self.pos = save;
        Ok(Ion::Symbol(symbol))
    }

    fn operator(&mut self) -> PResult<String> {
        self.token(|b| OPERATOR_CHARS.contains(&b))
    }

    /// A maximal run of bytes accepted by `keep`; Incomplete if it reaches the buffer end.
    fn token(&mut self, keep: impl Fn(u8) -> bool) -> PResult<String> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if !keep(b) {
                break;
            }
            self.pos += 1;
        }
        if self.peek().is_none() && !self.eof {
            return Err(ParseError::Incomplete);
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    fn number_or_timestamp(&mut self) -> PResult<Ion> {
        let token = self.token(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-' | b':' | b'_')
        })?;
        parse_number(&token).map_err(ParseError::Syntax)
    }

    fn sequence(&mut self, close: u8, sexp: bool) -> PResult<Vec<Ion>> {
        let mut items = Vec::new();
        loop {
            self.skip_ws()?;
            if self.need()? == close {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.value(sexp)?);
            if !sexp {
                self.skip_ws()?;
                match self.need()? {
                    b',' => self.pos += 1,
                    b if b == close => {}
                    b => {
                        return syntax(format!(
                            "expected ',' or '{}', found '{}'",
                            close as char, b as char
                        ))
                    }
                }
            }
        }
    }

    fn structure(&mut self) -> PResult<Ion> {
        self.pos += 1;
        let mut fields = Vec::new();
        loop {
            self.skip_ws()?;
            let c = self.need()?;
            if c == b'}' {
                self.pos += 1;
                return Ok(Ion::Struct(fields));
            }
            let name = match c {
                b'"' => {
                    self.pos += 1;
                    self.short_string(b'"')?
                }
                b'\'' if self.starts_with(b"'''")? => self.long_strings()?,
                b'\'' => {
                    self.pos += 1;
                    self.short_string(b'\'')?
                }
                b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' => {
                    self.token(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')?
                }
                b => return syntax(format!("expected a field name, found '{}'", b as char)),
            };
            self.skip_ws()?;
            if self.need()? != b':' {
                return syntax(format!("expected ':' after field '{name}'"));
            }
            self.pos += 1;
            let value = self.value(false)?;
            fields.push((name, value));
            self.skip_ws()?;
            match self.need()? {
                b',' => self.pos += 1,
                b'}' => {}
                b => return syntax(format!("expected ',' or '}}', found '{}'", b as char)),
            }
        }
    }

    fn lob(&mut self) -> PResult<Ion> {
        self.pos += 2;
        self.skip_ws()?;
        let c = self.need()?;
        let value = if c == b'"' {
            self.pos += 1;
            Ion::Clob(
                self.short_string(b'"')?
                    .chars()
                    .map(|c| c as u32 as u8)
                    .collect(),
            )
        } else if self.starts_with(b"'''")? {
            Ion::Clob(
                self.long_strings()?
                    .chars()
                    .map(|c| c as u32 as u8)
                    .collect(),
            )
        } else {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'}' {
                    break;
                }
                self.pos += 1;
            }
            let text: String = String::from_utf8_lossy(&self.s[start..self.pos])
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            Ion::Blob(
                crate::codec::base64_decode(&text)
                    .ok_or_else(|| ParseError::Syntax("invalid base64 in blob".into()))?,
            )
        };
        self.skip_ws()?;
        if !self.starts_with(b"}}")? {
            return syntax("expected '}}' to close a lob");
        }
        self.pos += 2;
        Ok(value)
    }

    /// `'''…'''` segments separated by whitespace are concatenated.
    fn long_strings(&mut self) -> PResult<String> {
        let mut out = String::new();
        loop {
            self.pos += 3;
            loop {
                if self.starts_with(b"'''")? {
                    self.pos += 3;
                    break;
                }
                let c = self.need()?;
                if c == b'\\' {
                    self.escape(&mut out)?;
                } else {
                    self.push_utf8(&mut out)?;
                }
            }
            let save = self.pos;
            self.skip_ws()?;
            if !self.starts_with(b"'''")? {
                self.pos = save;
                return Ok(out);
            }
        }
    }

    fn short_string(&mut self, quote: u8) -> PResult<String> {
        let mut out = String::new();
        loop {
            let c = self.need()?;
            if c == quote {
                self.pos += 1;
                return Ok(out);
            }
            match c {
                b'\\' => self.escape(&mut out)?,
                b'\n' => return syntax("newline inside a quoted string"),
                _ => self.push_utf8(&mut out)?,
            }
        }
    }

    fn push_utf8(&mut self, out: &mut String) -> PResult<()> {
        let first = self.need()?;
        let width = match first {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        if self.pos + width > self.s.len() {
            return if self.eof {
                syntax("truncated UTF-8")
            } else {
                Err(ParseError::Incomplete)
            };
        }
        match std::str::from_utf8(&self.s[self.pos..self.pos + width]) {
            Ok(text) => out.push_str(text),
            Err(_) => return syntax("invalid UTF-8"),
        }
        self.pos += width;
        Ok(())
    }

    fn escape(&mut self, out: &mut String) -> PResult<()> {
        self.pos += 1;
        let c = self.need()?;
        self.pos += 1;
        let simple = match c {
            b'a' => Some('\u{7}'),
            b'b' => Some('\u{8}'),
            b't' => Some('\t'),
            b'n' => Some('\n'),
            b'f' => Some('\u{c}'),
            b'r' => Some('\r'),
            b'v' => Some('\u{b}'),
            b'0' => Some('\0'),
            b'?' | b'\'' | b'"' | b'/' | b'\\' => Some(c as char),
            b'\n' => return Ok(()), // line continuation
            _ => None,
        };
        if let Some(ch) = simple {
            out.push(ch);
            return Ok(());
        }
        let digits = match c {
            b'x' => 2,
            b'u' => 4,
            b'U' => 8,
            _ => return syntax(format!("invalid escape '\\{}'", c as char)),
        };
        if self.pos + digits > self.s.len() {
            return if self.eof {
                syntax("truncated escape")
            } else {
                Err(ParseError::Incomplete)
            };
        }
        let hex = std::str::from_utf8(&self.s[self.pos..self.pos + digits]).unwrap_or("");
        let code = u32::from_str_radix(hex, 16)
            .map_err(|_| ParseError::Syntax(format!("invalid escape '{hex}'")))?;
        self.pos += digits;
        match char::from_u32(code) {
            Some(ch) => out.push(ch),
            None => return syntax(format!("invalid code point {code:#x}")),
        }
        Ok(())
    }
}

fn parse_number(token: &str) -> Result<Ion, String> {
    match token {
        "+inf" => return Ok(Ion::Float(f64::INFINITY)),
        "-inf" => return Ok(Ion::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let bytes = token.as_bytes();
    let unsigned = token.strip_prefix('-').unwrap_or(token);
    let looks_timestamp = unsigned.len() >= 5
        && unsigned.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && matches!(unsigned.as_bytes()[4], b'-' | b'T' | b't')
        && bytes[0] != b'-';
    if looks_timestamp {
        return Timestamp::parse(token).map(Ion::Timestamp);
    }
    let bad = || format!("invalid number '{token}'");
    if token.starts_with('+') {
        return Err(bad());
    }
    let negative = token.starts_with('-');
    let lower = unsigned.to_ascii_lowercase();
    if lower.contains("__") || lower.ends_with('_') || lower.starts_with('_') {
        return Err(bad());
    }
    let clean = lower.replace('_', "");
    let radix = if let Some(hex) = clean.strip_prefix("0x") {
        Some((16, hex))
    } else {
        clean.strip_prefix("0b").map(|bin| (2, bin))
    };
    if let Some((radix, digits)) = radix {
        let value = i128::from_str_radix(digits, radix).map_err(|_| bad())?;
        return Ok(Ion::Int(if negative { -value } else { value }));
    }
    if clean.len() > 1 && clean.starts_with('0') && clean.as_bytes()[1].is_ascii_digit() {
        return Err(bad()); // leading zeros are not allowed
    }
    if clean.contains('e') {
        let value: f64 = clean.parse().map_err(|_| bad())?;
        return Ok(Ion::Float(if negative { -value } else { value }));
    }
    if clean.contains('.') || clean.contains('d') {
        let (mantissa, exponent) = match clean.split_once('d') {
            Some((m, e)) => (m, e.parse::<i64>().map_err(|_| bad())?),
            None => (clean.as_str(), 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if int.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        return Ok(Ion::Decimal(Decimal {
            negative,
            coefficient: if digits.is_empty() {
                "0".into()
            } else {
                digits.into()
            },
            exponent: exponent - frac.len() as i64,
        }));
    }
    if clean.is_empty() || !clean.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let value: i128 = clean
        .parse()
        .map_err(|_| format!("integer '{token}' is too large"))?;
    Ok(Ion::Int(if negative { -value } else { value }))
}
