//! Numbers printed the way the JVM prints them (`Double.toString`, `Float.toString`), so files
//! and outputs match Kestra's. Dates go through the one Java date formatter,
//! `render::dates`.

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
