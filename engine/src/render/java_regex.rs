//! Java regular expressions (`split`, `replace(…, regexp=true)`, `replaceAll`) on top of
//! `regex-bites` (already in the dependency tree through jaq). Java-only syntax is translated
//! where there is an equivalent (`\Q…\E`, POSIX classes); look-around, back-references,
//! possessive quantifiers and atomic groups are refused with a clear message.

use regex_bites::Regex;

pub fn compile(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern)?;
    Regex::new(&translated).map_err(|e| format!("invalid regular expression `{pattern}`: {e}"))
}

/// For `String.matches`, which must match the whole input.
pub fn compile_anchored(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern)?;
    Regex::new(&format!("^(?:{translated})$"))
        .map_err(|e| format!("invalid regular expression `{pattern}`: {e}"))
}

fn unsupported(pattern: &str, what: &str) -> String {
    format!("regular expression `{pattern}` uses {what}, which kflow's renderer does not support")
}

fn translate(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len());
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err(format!(
                        "invalid regular expression `{pattern}`: trailing backslash"
                    ));
                };
                match next {
                    'Q' => {
                        // Literal up to `\E`.
                        let rest: String = chars[i + 2..].iter().collect();
                        let (lit, consumed) = match rest.find("\\E") {
                            Some(end) => (&rest[..end], end + 2),
                            None => (rest.as_str(), rest.len()),
                        };
                        for ch in lit.chars() {
                            if ch.is_ascii_punctuation() || ch == ' ' {
                                out.push('\\');
                            }
                            out.push(ch);
                        }
                        i += 2 + rest[..consumed].chars().count();
                        continue;
                    }
                    '1'..='9' if !in_class => {
                        return Err(unsupported(pattern, "a back-reference"));
                    }
                    'p' | 'P' => {
                        let rest: String = chars[i + 2..].iter().collect();
                        let name = rest
                            .strip_prefix('{')
                            .and_then(|r| r.split_once('}'))
                            .map(|(n, _)| n.to_string());
                        let Some(name) = name else {
                            return Err(unsupported(pattern, "a Unicode property"));
                        };
                        let Some(class) = posix_class(&name) else {
                            return Err(unsupported(pattern, &format!("the class \\p{{{name}}}")));
                        };
                        let body = if in_class {
                            class.to_string()
                        } else {
                            format!("[{class}]")
                        };
                        if next == 'P' {
                            if in_class {
                                return Err(unsupported(pattern, "a negated class inside a class"));
                            }
                            out.push_str(&format!("[^{class}]"));
                        } else {
                            out.push_str(&body);
                        }
                        i += 2 + name.chars().count() + 2;
                        continue;
                    }
                    'h' => out.push_str(if in_class { " \\t" } else { "[ \\t]" }),
                    'Z' => out.push_str("(?:\\n?\\z)"),
                    _ => {
                        out.push('\\');
                        out.push(next);
                    }
                }
                i += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                // A `]` right after `[` or `[^` is literal in Java.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '[' => {
                // Java allows nested classes (unions); regex-bites does too for simple cases.
                out.push_str("\\[");
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                let rest: String = chars[i + 2..].iter().take(2).collect();
                if rest.starts_with('=')
                    || rest.starts_with('!')
                    || rest.starts_with("<=")
                    || rest.starts_with("<!")
                {
                    return Err(unsupported(pattern, "a look-around assertion"));
                }
                if rest.starts_with('>') {
                    return Err(unsupported(pattern, "an atomic group"));
                }
                out.push(c);
            }
            '+' if !in_class && i > 0 && is_quantifier_end(&chars, i - 1) => {
                return Err(unsupported(pattern, "a possessive quantifier"));
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// True when the character at `i` ends a quantifier (`*`, `+`, `?`, `}`), so that a `+`
/// right after it makes the quantifier possessive.
fn is_quantifier_end(chars: &[char], i: usize) -> bool {
    let escaped = i > 0 && chars[i - 1] == '\\';
    matches!(chars[i], '*' | '+' | '?' | '}') && !escaped
}

fn posix_class(name: &str) -> Option<&'static str> {
    Some(match name {
        "Lower" | "javaLowerCase" => "a-z",
        "Upper" | "javaUpperCase" => "A-Z",
        "ASCII" => "\\x00-\\x7F",
        "Alpha" | "L" | "IsAlphabetic" => "a-zA-Z",
        "Digit" | "Nd" | "IsDigit" => "0-9",
        "Alnum" => "a-zA-Z0-9",
        "Punct" => "!-/:-@\\[-`{-~",
        "Space" | "javaWhitespace" | "IsWhite_Space" => " \\t\\n\\x0B\\f\\r",
        "XDigit" => "0-9a-fA-F",
        "Blank" => " \\t",
        "Cntrl" => "\\x00-\\x1F\\x7F",
        _ => return None,
    })
}

/// `String.split(regex, limit)`; an error past `MAX_COLLECTION` parts.
pub fn split(input: &str, re: &Regex, limit: i64) -> Result<Vec<String>, String> {
    let limited = limit > 0;
    let mut parts: Vec<String> = Vec::new();
    let mut index = 0usize;
    let mut matched = false;
    for m in re.find_iter(input) {
        matched = true;
        if !limited || (parts.len() as i64) < limit - 1 {
            // No leading empty string for a zero-width match at the start.
            if index == 0 && m.start() == 0 && m.end() == 0 {
                continue;
            }
            parts.push(input[index..m.start()].to_string());
            index = m.end();
            if parts.len() > super::limits::MAX_COLLECTION {
                return Err(format!(
                    "split produces more than {} parts",
                    super::limits::MAX_COLLECTION
                ));
            }
        } else {
            break;
        }
    }
    if !matched || (index == 0 && parts.is_empty()) {
        return Ok(vec![input.to_string()]);
    }
    if !limited || (parts.len() as i64) < limit {
        parts.push(input[index..].to_string());
    }
    if limit == 0 {
        while parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
    }
    Ok(parts)
}

/// `Matcher.replaceAll` / `replaceFirst` with Java's replacement syntax (`$1`, `${name}`,
/// `\$` for a literal dollar).
pub fn replace(input: &str, re: &Regex, replacement: &str, all: bool) -> Result<String, String> {
    let mut out = String::with_capacity(input.len());
    let mut last = 0;
    for caps in re.captures_iter(input) {
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&input[last..m.start()]);
        expand(replacement, &caps, re, &mut out)?;
        last = m.end();
        if out.len() > super::limits::MAX_OUTPUT {
            return Err(super::exec::output_too_large());
        }
        if !all {
            break;
        }
    }
    out.push_str(&input[last..]);
    Ok(out)
}

fn expand(
    replacement: &str,
    caps: &regex_bites::Captures,
    re: &Regex,
    out: &mut String,
) -> Result<(), String> {
    let groups = re.captures_len() - 1;
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => out.push(n),
                None => return Err("character to be escaped is missing".into()),
            },
            '$' => match chars.peek() {
                Some('{') => {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    match caps.name(&name) {
                        Some(m) => out.push_str(m.as_str()),
                        None if re.capture_names().flatten().any(|n| n == name) => {}
                        None => return Err(format!("No group with name {{{name}}}")),
                    }
                }
                Some(d) if d.is_ascii_digit() => {
                    // Java takes as many digits as still name an existing group.
                    let mut n = d.to_digit(10).unwrap_or(0) as usize;
                    chars.next();
                    if n > groups {
                        return Err(format!("No group {n}"));
                    }
                    while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                        let next = n * 10 + d as usize;
                        if next > groups {
                            break;
                        }
                        n = next;
                        chars.next();
                    }
                    if let Some(m) = caps.get(n) {
                        out.push_str(m.as_str());
                    }
                }
                _ => return Err("Illegal group reference".into()),
            },
            c => out.push(c),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(s: &str, re: &str, limit: i64) -> Vec<String> {
        split(s, &compile(re).unwrap(), limit).unwrap()
    }

    #[test]
    fn split_like_java() {
        assert_eq!(sp("a,b,c", ",", 0), ["a", "b", "c"]);
        assert_eq!(sp("a.b.c", ".", 0), Vec::<String>::new());
        assert_eq!(sp("a.b.c", "\\.", 0), ["a", "b", "c"]);
        assert_eq!(sp("a,b,,", ",", 0), ["a", "b"]);
        assert_eq!(sp("a,b,,", ",", -1), ["a", "b", "", ""]);
        assert_eq!(sp(",a", ",", 0), ["", "a"]);
        assert_eq!(
            sp("one,two,three,four,five", ",", 3),
            ["one", "two", "three,four,five"]
        );
        assert_eq!(sp("abc", "", 0), ["a", "b", "c"]);
        assert_eq!(sp("abc", "x", 0), ["abc"]);
        assert_eq!(sp("", ",", 0), [""]);
    }

    #[test]
    fn replace_like_java() {
        let re = compile("(\\d)").unwrap();
        assert_eq!(replace("aa1bb2", &re, "-$1-", true).unwrap(), "aa-1-bb-2-");
        assert_eq!(replace("a1", &re, "\\$1", true).unwrap(), "a$1");
        assert_eq!(replace("a1b2", &re, "<$10>", true).unwrap(), "a<10>b<20>");
        assert!(replace("a1", &re, "$2", true).is_err());
        assert!(compile("a(?=b)").is_err());
        assert_eq!(
            replace("a.b", &compile("\\Q.\\E").unwrap(), "!", true).unwrap(),
            "a!b"
        );
    }
}
