//! Numbers and dates printed the way the JVM prints them, so files and outputs match Kestra's.

/// Java's `Double.toString(d)` (JDK ≥ 19, shortest round-trip digits): `1.0`, `1.5`, `100.0`,
/// `1.0E7`, `1.2345E-5`, `NaN`, `Infinity`.
pub fn double_to_string(value: f64) -> String {
    if value.is_nan() {
        return "NaN".into();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .into();
    }
    let (negative, digits, exponent) = shortest_digits(value);
    let sign = if negative { "-" } else { "" };
    // `exponent` is the power of ten of the first digit: value = 0.d1d2… × 10^(exponent+1).
    let abs = value.abs();
    if (1e-3..1e7).contains(&abs) {
        let point = exponent + 1; // digits before the decimal point
        let text = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if point as usize >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            format!(
                "{}.{}",
                &digits[..point as usize],
                &digits[point as usize..]
            )
        };
        format!("{sign}{text}")
    } else {
        let mantissa = if digits.len() == 1 {
            format!("{digits}.0")
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        format!("{sign}{mantissa}E{exponent}")
    }
}

/// Java's `Float.toString(f)` for a 32-bit float, through the same rules.
pub fn float_to_string(value: f32) -> String {
    // Shortest digits of the f32, then laid out as Java does for doubles.
    let shortest: f64 = format!("{value:e}").parse().unwrap_or(value as f64);
    double_to_string(shortest)
}

/// Sign, significant digits (no trailing zeros) and decimal exponent of the first digit, from
/// Rust's shortest round-trip formatting (same digits as the JDK's since 19).
fn shortest_digits(value: f64) -> (bool, String, i32) {
    let text = format!("{:e}", value.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    (
        value.is_sign_negative(),
        digits.to_string(),
        exponent.parse().unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_like_java() {
        let cases = [
            (1.0, "1.0"),
            (1.5, "1.5"),
            (100.0, "100.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (12345678.0, "1.2345678E7"),
            (1e10, "1.0E10"),
            (-2.5e-7, "-2.5E-7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1783477.3480111, "1783477.3480111"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (value, java) in cases {
            assert_eq!(double_to_string(value), java, "{value:?}");
        }
        assert_eq!(float_to_string(0.1), "0.1");
        assert_eq!(float_to_string(3.0), "3.0");
    }
}

/// Calendar fields for [`format_pattern`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Fields {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    /// `None` for local values: offset letters then print nothing inside `[]`, and fail outside.
    pub offset_minutes: Option<i32>,
}

/// A `DateTimeFormatter.ofPattern` subset: `y M d H h m s S a X x Z` letters, `'quoted'`
/// literals and `[optional]` sections (dropped when they need a missing offset).
pub fn format_pattern(pattern: &str, f: &Fields) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let (text, _) = format_section(&chars, 0, f, false)?;
    Ok(text)
}

fn format_section(
    chars: &[char],
    mut i: usize,
    f: &Fields,
    optional: bool,
) -> Result<(String, usize), String> {
    let mut out = String::new();
    let mut missing = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '[' => {
                let (inner, next) = format_section(chars, i + 1, f, true)?;
                out.push_str(&inner);
                i = next;
            }
            ']' if optional => {
                return Ok((if missing { String::new() } else { out }, i + 1));
            }
            '\'' => {
                let end = chars[i + 1..].iter().position(|&q| q == '\'');
                match end {
                    Some(0) => {
                        out.push('\'');
                        i += 2;
                    }
                    Some(len) => {
                        out.extend(&chars[i + 1..i + 1 + len]);
                        i += len + 2;
                    }
                    None => {
                        return Err(format!(
                            "unterminated quote in pattern '{}'",
                            chars.iter().collect::<String>()
                        ))
                    }
                }
            }
            c if c.is_ascii_alphabetic() => {
                let run = chars[i..].iter().take_while(|&&x| x == c).count();
                match field(c, run, f) {
                    Some(text) => out.push_str(&text),
                    None if optional => missing = true,
                    None => {
                        return Err(format!(
                            "pattern letter '{c}' cannot be printed for this value"
                        ))
                    }
                }
                i += run;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok((out, i))
}

fn field(letter: char, run: usize, f: &Fields) -> Option<String> {
    let pad = |v: i64, width: usize| format!("{v:0width$}");
    Some(match letter {
        'y' | 'u' if run == 2 => pad(f.year.rem_euclid(100), 2),
        'y' | 'u' => pad(f.year, run),
        'M' if run >= 4 => MONTHS[(f.month.max(1) - 1) as usize].to_string(),
        'M' if run == 3 => MONTHS[(f.month.max(1) - 1) as usize][..3].to_string(),
        'M' => pad(f.month as i64, run),
        'd' => pad(f.day as i64, run),
        'H' => pad(f.hour as i64, run),
        'h' => pad(((f.hour + 11) % 12 + 1) as i64, run),
        'a' => (if f.hour < 12 { "AM" } else { "PM" }).to_string(),
        'm' => pad(f.minute as i64, run),
        's' => pad(f.second as i64, run),
        'S' => format!("{:09}", f.nanos)[..run.min(9)].to_string(),
        'X' | 'x' | 'Z' => {
            let minutes = f.offset_minutes?;
            if minutes == 0 && letter == 'X' {
                "Z".to_string()
            } else {
                let sign = if minutes < 0 { '-' } else { '+' };
                let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
                match (letter, run) {
                    ('Z', _) | (_, 2) => format!("{sign}{h:02}{m:02}"),
                    (_, 1) if m == 0 => format!("{sign}{h:02}"),
                    _ => format!("{sign}{h:02}:{m:02}"),
                }
            }
        }
        _ => return None,
    })
}

/// English month names (Java's default locale for `MMM`/`MMMM`).
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
mod pattern_tests {
    use super::*;

    #[test]
    fn kestra_default_patterns() {
        let f = Fields {
            year: 2024,
            month: 1,
            day: 31,
            hour: 10,
            minute: 5,
            second: 7,
            nanos: 120_000_000,
            offset_minutes: Some(0),
        };
        assert_eq!(
            format_pattern("yyyy-MM-dd'T'HH:mm:ss.SSS[XXX]", &f).unwrap(),
            "2024-01-31T10:05:07.120Z"
        );
        assert_eq!(format_pattern("yyyy-MM-dd", &f).unwrap(), "2024-01-31");
        let local = Fields {
            offset_minutes: None,
            ..f
        };
        assert_eq!(format_pattern("HH:mm:ss[XXX]", &local).unwrap(), "10:05:07");
        let paris = Fields {
            offset_minutes: Some(60),
            ..f
        };
        assert_eq!(format_pattern("HH:mm[XXX]", &paris).unwrap(), "10:05+01:00");
        assert!(format_pattern("HH:mm XXX", &local).is_err());
    }
}
