//! Java `DecimalFormat` (used by `numberFormat`), for the usual pattern features: `0`, `#`,
//! grouping `,`, fraction `.`, `%` / `‰` multipliers, quoted literals, prefixes, suffixes,
//! negative sub-patterns and `E` exponents. Rounding is HALF_EVEN on the exact binary value,
//! like Java 8+. Symbols are those of the `en_US` locale.

use super::value::Val;

struct Pattern {
    prefix: String,
    suffix: String,
    neg: Option<(String, String)>,
    min_int: usize,
    min_frac: usize,
    max_frac: usize,
    grouping: usize,
    multiplier: f64,
    min_exp: Option<usize>,
    /// `#` count before the first `0` of the integer part (scientific notation only).
    max_int: usize,
}

fn parse(pattern: &str) -> Result<Pattern, String> {
    let (pos, neg) = split_subpatterns(pattern);
    let mut p = parse_one(&pos)?;
    if let Some(neg) = neg {
        let n = parse_one(&neg)?;
        p.neg = Some((n.prefix, n.suffix));
    }
    Ok(p)
}

/// Splits at an unquoted `;`.
fn split_subpatterns(pattern: &str) -> (String, Option<String>) {
    let mut quoted = false;
    for (i, c) in pattern.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            ';' if !quoted => {
                return (pattern[..i].to_string(), Some(pattern[i + 1..].to_string()))
            }
            _ => {}
        }
    }
    (pattern.to_string(), None)
}

fn parse_one(pattern: &str) -> Result<Pattern, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut p = Pattern {
        prefix: String::new(),
        suffix: String::new(),
        neg: None,
        min_int: 0,
        min_frac: 0,
        max_frac: 0,
        grouping: 0,
        multiplier: 1.0,
        min_exp: None,
        max_int: 0,
    };
    #[derive(PartialEq)]
    enum Phase {
        Prefix,
        Int,
        Frac,
        Exp,
        Suffix,
    }
    let mut phase = Phase::Prefix;
    let mut last_group: Option<usize> = None;
    let mut int_digits = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let is_num = matches!(c, '#' | '0' | ',' | '.');
        let literal = phase == Phase::Suffix || (phase == Phase::Prefix && !is_num);
        if literal {
            {
                let target = if phase == Phase::Prefix {
                    &mut p.prefix
                } else {
                    &mut p.suffix
                };
                match c {
                    '\'' => {
                        // Quoted literal; '' is a quote.
                        if chars.get(i + 1) == Some(&'\'') {
                            target.push('\'');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        while i < chars.len() && chars[i] != '\'' {
                            target.push(chars[i]);
                            i += 1;
                        }
                    }
                    '%' => {
                        p.multiplier = 100.0;
                        target.push('%');
                    }
                    '\u{2030}' => {
                        p.multiplier = 1000.0;
                        target.push('\u{2030}');
                    }
                    '\u{a4}' => target.push('$'),
                    _ => target.push(c),
                }
            }
        } else {
            match phase {
                Phase::Suffix => {}
                Phase::Prefix | Phase::Int => {
                    phase = Phase::Int;
                    match c {
                        '#' => {
                            if p.min_int > 0 {
                                return Err(format!("Unexpected '0' in pattern \"{pattern}\""));
                            }
                            int_digits += 1;
                            p.max_int += 1;
                        }
                        '0' => {
                            p.min_int += 1;
                            int_digits += 1;
                        }
                        ',' => last_group = Some(int_digits),
                        '.' => phase = Phase::Frac,
                        'E' => {
                            phase = Phase::Exp;
                            p.min_exp = Some(0);
                        }
                        _ => {
                            phase = Phase::Suffix;
                            continue;
                        }
                    }
                }
                Phase::Frac => match c {
                    '0' => {
                        if p.max_frac > p.min_frac {
                            return Err(format!("Unexpected '0' in pattern \"{pattern}\""));
                        }
                        p.min_frac += 1;
                        p.max_frac += 1;
                    }
                    '#' => p.max_frac += 1,
                    'E' => {
                        phase = Phase::Exp;
                        p.min_exp = Some(0);
                    }
                    '.' | ',' => return Err(format!("Malformed pattern \"{pattern}\"")),
                    _ => {
                        phase = Phase::Suffix;
                        continue;
                    }
                },
                Phase::Exp => match c {
                    '0' => *p.min_exp.get_or_insert(0) += 1,
                    _ => {
                        phase = Phase::Suffix;
                        continue;
                    }
                },
            }
        }
        i += 1;
    }
    if let Some(g) = last_group {
        p.grouping = int_digits - g;
    }
    Ok(p)
}

pub fn format(v: &Val, pattern: &str) -> Result<String, String> {
    let p = parse(pattern)?;
    let x = match v {
        Val::Int(i) => *i as f64,
        Val::Float(f) => *f,
        Val::Float32(f) => f64::from(*f),
        _ => return Err("The input for the 'NumberFormat' filter has to be a number.".into()),
    };
    let negative = x < 0.0
        || (x == 0.0 && x.is_sign_negative() && matches!(v, Val::Float(_) | Val::Float32(_)));
    let (prefix, suffix) = match (&p.neg, negative) {
        (Some((np, ns)), true) => (np.clone(), ns.clone()),
        (None, true) => (format!("-{}", p.prefix), p.suffix.clone()),
        _ => (p.prefix.clone(), p.suffix.clone()),
    };
    if x.is_nan() {
        return Ok("NaN".into());
    }
    if x.is_infinite() {
        return Ok(format!("{prefix}\u{221e}{suffix}"));
    }
    let body = match (v, p.min_exp) {
        (_, Some(min_exp)) => scientific((x * p.multiplier).abs(), &p, min_exp),
        (Val::Int(i), None) if p.multiplier == 1.0 => {
            let digits = i.unsigned_abs().to_string();
            assemble(&digits, "", &p)
        }
        _ => {
            let abs = (x * p.multiplier).abs();
            let fixed = format!("{abs:.prec$}", prec = p.max_frac);
            let (int_part, frac_part) = fixed.split_once('.').unwrap_or((&fixed, ""));
            let mut frac = frac_part.to_string();
            while frac.len() > p.min_frac && frac.ends_with('0') {
                frac.pop();
            }
            assemble(int_part, &frac, &p)
        }
    };
    // A value that rounds to zero loses its sign in Java only for "-0" with no digits shown;
    // keep Java's behaviour of printing "-0" for negative values rounding to zero.
    Ok(format!("{prefix}{body}{suffix}"))
}

fn assemble(int_part: &str, frac: &str, p: &Pattern) -> String {
    let mut int_digits = int_part.trim_start_matches('0').to_string();
    while int_digits.len() < p.min_int {
        int_digits.insert(0, '0');
    }
    if int_digits.is_empty() && frac.is_empty() {
        int_digits.push('0');
    }
    let grouped = if p.grouping > 0 && int_digits.len() > p.grouping {
        let bytes: Vec<char> = int_digits.chars().collect();
        let mut out = String::new();
        for (i, c) in bytes.iter().enumerate() {
            if i > 0 && (bytes.len() - i).is_multiple_of(p.grouping) {
                out.push(',');
            }
            out.push(*c);
        }
        out
    } else {
        int_digits
    };
    if frac.is_empty() {
        grouped
    } else {
        format!("{grouped}.{frac}")
    }
}

fn scientific(abs: f64, p: &Pattern, min_exp: usize) -> String {
    let int_count = p.min_int.max(1);
    let sig = int_count + p.max_frac;
    let (mantissa, mut exp) = if abs == 0.0 {
        (0.0, 0i32)
    } else {
        let e = abs.log10().floor() as i32 - (int_count as i32 - 1);
        (abs / 10f64.powi(e), e)
    };
    let mut text = format!("{mantissa:.prec$}", prec = sig.saturating_sub(int_count));
    // Rounding may carry into a new integer digit.
    if text.split('.').next().map_or(0, str::len) > int_count {
        exp += 1;
        text = format!(
            "{:.prec$}",
            abs / 10f64.powi(exp),
            prec = sig.saturating_sub(int_count)
        );
    }
    let (i, f) = text.split_once('.').unwrap_or((&text, ""));
    let mut frac = f.to_string();
    while frac.len() > p.min_frac && frac.ends_with('0') {
        frac.pop();
    }
    let exp_digits = format!("{:0width$}", exp.unsigned_abs(), width = min_exp);
    let sign = if exp < 0 { "-" } else { "" };
    if frac.is_empty() {
        format!("{i}E{sign}{exp_digits}")
    } else {
        format!("{i}.{frac}E{sign}{exp_digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64, p: &str) -> String {
        format(&Val::Float(v), p).unwrap()
    }

    #[test]
    fn like_java() {
        assert_eq!(f(1.23456, "#.##"), "1.23");
        assert_eq!(f(12345.6789, "###,###.##"), "12,345.68");
        assert_eq!(f(1234.5, "#,##0.00"), "1,234.50");
        assert_eq!(f(0.5, "#.##"), ".5");
        assert_eq!(f(0.0, "#.##"), "0");
        assert_eq!(f(0.125, "#.##"), ".12");
        assert_eq!(f(2.675, "#.##"), "2.67");
        assert_eq!(f(-1234.567, "#,##0.0"), "-1,234.6");
        assert_eq!(f(0.256, "#%"), "26%");
        assert_eq!(f(1.5, "'$'#,##0.00"), "$1.50");
        assert_eq!(format(&Val::Int(1234567), "#,##0").unwrap(), "1,234,567");
        assert_eq!(f(1234.5678, "#,##0.###"), "1,234.568");
        assert_eq!(f(12345.0, "0.###E0"), "1.234E4");
    }
}
