//! Ion text as Kestra's `JacksonMapper.ofIon()` prints it: compact (`{a:1,b:"x"}`), UTF-8,
//! floats as Java doubles with an `e` exponent (`1.5e0`), one top-level value per line.

use super::value::{Decimal, Ion};
use crate::serdes::java_fmt::double_to_string;

/// One value followed by `\n`, as `FileSerde.write` does for each row.
pub fn to_line(value: &Ion) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out.push('\n');
    out
}

pub fn to_text(value: &Ion) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

pub fn write_value(out: &mut String, value: &Ion) {
    match value {
        Ion::Null => out.push_str("null"),
        Ion::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Ion::Int(i) => out.push_str(&i.to_string()),
        Ion::Float(f) => write_float(out, *f),
        Ion::Decimal(d) => write_decimal(out, d),
        Ion::Timestamp(t) => out.push_str(&t.text),
        Ion::String(s) => write_string(out, s),
        Ion::Symbol(s) => write_symbol(out, s),
        Ion::Blob(bytes) => {
            out.push_str("{{");
            out.push_str(&crate::codec::base64_encode(bytes));
            out.push_str("}}");
        }
        Ion::Clob(bytes) => {
            out.push_str("{{\"");
            for &b in bytes {
                escape_char(out, b as char, '"', true);
            }
            out.push_str("\"}}");
        }
        Ion::List(items) => write_seq(out, items, '[', ']', ','),
        Ion::Sexp(items) => write_seq(out, items, '(', ')', ' '),
        Ion::Struct(fields) => {
            out.push('{');
            for (i, (name, v)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_symbol(out, name);
                out.push(':');
                write_value(out, v);
            }
            out.push('}');
        }
        Ion::Annotated(annotations, inner) => {
            for a in annotations {
                write_symbol(out, a);
                out.push_str("::");
            }
            write_value(out, inner);
        }
    }
}

fn write_seq(out: &mut String, items: &[Ion], open: char, close: char, sep: char) {
    out.push(open);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        write_value(out, v);
    }
    out.push(close);
}

/// ion-java's float printing: `Double.toString`, `.0` dropped before `e0`, an `e0` added when
/// Java printed no exponent; `nan`, `+inf`, `-inf`; zeros as `0e0` / `-0e0`.
fn write_float(out: &mut String, value: f64) {
    if value.is_nan() {
        out.push_str("nan");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "+inf" } else { "-inf" });
    } else if value == 0.0 {
        out.push_str(if value.is_sign_negative() {
            "-0e0"
        } else {
            "0e0"
        });
    } else {
        let java = double_to_string(value);
        if let Some(int) = java.strip_suffix(".0") {
            out.push_str(int);
            out.push_str("e0");
        } else {
            out.push_str(&java);
            if !java.contains('E') {
                out.push_str("e0");
            }
        }
    }
}

/// Decimals: `123.` for integers, `1.50` with a point when the exponent is negative, `12d3`
/// when positive (ion-java's shapes for these cases).
fn write_decimal(out: &mut String, d: &Decimal) {
    if d.negative {
        out.push('-');
    }
    let digits = &d.coefficient;
    if d.exponent == 0 {
        out.push_str(digits);
        out.push('.');
    } else if d.exponent > 0 {
        out.push_str(digits);
        out.push('d');
        out.push_str(&d.exponent.to_string());
    } else {
        let scale = (-d.exponent) as usize;
        if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat(scale - digits.len()));
            out.push_str(digits);
        }
    }
}

pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        escape_char(out, c, '"', false);
    }
    out.push('"');
}

fn escape_char(out: &mut String, c: char, quote: char, ascii_only: bool) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{b}' => out.push_str("\\v"),
        '\u{c}' => out.push_str("\\f"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if (c as u32) < 0x20 || (ascii_only && (c as u32) > 0x7e) => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c => out.push(c),
    }
}

/// Identifiers bare, everything else in single quotes.
pub fn write_symbol(out: &mut String, s: &str) {
    if is_identifier(s) {
        out.push_str(s);
    } else {
        out.push('\'');
        for c in s.chars() {
            escape_char(out, c, '\'', false);
        }
        out.push('\'');
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '$') {
        return false;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        return false;
    }
    // `$12` is a symbol id; keywords would read back as values.
    let symbol_id = s.len() > 1 && s.starts_with('$') && s[1..].bytes().all(|b| b.is_ascii_digit());
    !symbol_id && !matches!(s, "null" | "true" | "false" | "nan")
}
