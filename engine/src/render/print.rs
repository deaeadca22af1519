//! How values become text: Kestra's output writer (`JsonWriter`), Java's `Double.toString`
//! and Jackson's compact JSON serialisation.

use super::limits::{MAX_OUTPUT, MAX_VALUE_DEPTH};
use super::value::Val;

/// Java `Double.toString` (shared with the serdes writers, so files and rendered text agree).
pub fn java_double(d: f64) -> String {
    crate::serdes::java_fmt::double_to_string(d)
}

/// Java's `Float.toString`: the shortest digits that read back as the same float, in plain
/// notation from 10⁻³ up to 10⁷ (at least one digit after the point), else as `d.dddE±n`.
pub fn java_float(f: f32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits: `d[.ddd]e<exp>`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::from(if f < 0.0 { "-" } else { "" });
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let point = exp as usize + 1;
            let padded = format!("{digits:0<point$}");
            let (int, frac) = padded.split_at(point);
            out.push_str(int);
            out.push('.');
            out.push_str(if frac.is_empty() { "0" } else { frac });
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exp - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        out.push('.');
        out.push_str(if rest.is_empty() { "0" } else { rest });
        out.push('E');
        out.push_str(&exp.to_string());
    }
    out
}

/// Text of a value printed by `{{ }}`: null prints nothing, strings raw, lists and maps as
/// compact JSON, numbers the Java way.
pub fn print_val(v: &Val, out: &mut String) -> Result<(), String> {
    match v {
        Val::Null => {}
        Val::Str(s) => out.push_str(s),
        Val::List(_) | Val::JList(_) | Val::Map(_) | Val::JMap(_) => write_json(v, out)?,
        // `Map.Entry` is neither a Map nor a Collection: Kestra's writer prints `toString()`.
        _ => out.push_str(&v.to_java_string()),
    }
    Ok(())
}

/// Jackson's compact JSON (`ObjectMapper.writeValueAsString`) as Kestra configures it.
pub fn to_json_string(v: &Val) -> Result<String, String> {
    let mut out = String::new();
    write_json(v, &mut out)?;
    Ok(out)
}

pub fn write_json(v: &Val, out: &mut String) -> Result<(), String> {
    write_json_depth(v, out, 0)
}

fn write_json_depth(v: &Val, out: &mut String, depth: usize) -> Result<(), String> {
    if depth > MAX_VALUE_DEPTH {
        return Err("value nested too deeply to be serialised".into());
    }
    if out.len() > MAX_OUTPUT {
        return Err(format!(
            "output too large (more than {} MiB)",
            MAX_OUTPUT >> 20
        ));
    }
    match v {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Int(i) => out.push_str(&i.to_string()),
        // Jackson writes NaN and infinities as strings (WRITE_NAN_AS_STRINGS).
        Val::Float(f) if !f.is_finite() => write_json_str(&java_double(*f), out),
        Val::Float(f) => out.push_str(&java_double(*f)),
        Val::Float32(f) if !f.is_finite() => write_json_str(&java_float(*f), out),
        Val::Float32(f) => out.push_str(&java_float(*f)),
        Val::Str(s) => write_json_str(s, out),
        Val::List(_) | Val::JList(_) => {
            out.push('[');
            if let Some(l) = v.as_list() {
                for (i, item) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_depth(&item, out, depth + 1)?;
                }
            }
            out.push(']');
        }
        Val::Map(_) | Val::JMap(_) | Val::Entry(_) => {
            out.push('{');
            if let Some(m) = v.as_map() {
                for (i, (k, item)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_str(&k, out);
                    out.push(':');
                    write_json_depth(&item, out, depth + 1)?;
                }
            }
            out.push('}');
        }
    }
    Ok(())
}

/// Jackson string escaping: `"`, `\`, and control characters (short forms for the usual
/// ones, `\u00XX` with upper-case hex otherwise). Non-ASCII is written as is.
pub fn write_json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::java_double;

    #[test]
    fn java_double_matches_java() {
        let cases = [
            (1.0, "1.0"),
            (3.5, "3.5"),
            (1.123, "1.123"),
            (100.0, "100.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (12345678.0, "1.2345678E7"),
            (1e10, "1.0E10"),
            (-2.5, "-2.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (f64::INFINITY, "Infinity"),
            (f64::NAN, "NaN"),
            (-0.0, "-0.0"),
            (1.5e-7, "1.5E-7"),
            (9999999.0, "9999999.0"),
            (10000000.0, "1.0E7"),
        ];
        for (d, expected) in cases {
            assert_eq!(java_double(d), expected, "{d}");
        }
    }
}
