//! String helpers with Java semantics: Java strings are indexed in UTF-16 code units.

/// `String.length()`.
pub fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Byte offset of UTF-16 index `i` (rounded down to a character boundary), or `None` past the
/// end.
fn byte_at_utf16(s: &str, i: usize) -> Option<usize> {
    let mut units = 0;
    for (b, c) in s.char_indices() {
        if units >= i {
            return Some(b);
        }
        units += c.len_utf16();
    }
    (units >= i).then_some(s.len())
}

/// `String.substring(from, to)`; `None` when out of bounds (Java throws).
pub fn utf16_slice(s: &str, from: i64, to: i64) -> Option<&str> {
    let len = utf16_len(s) as i64;
    if from < 0 || to > len || from > to {
        return None;
    }
    let a = byte_at_utf16(s, from as usize)?;
    let b = byte_at_utf16(s, to as usize)?;
    s.get(a..b)
}

/// Apache commons `StringUtils.substringBefore` and friends.
pub fn substring_before<'a>(s: &'a str, sep: &str) -> &'a str {
    if sep.is_empty() {
        return "";
    }
    s.find(sep).map_or(s, |i| &s[..i])
}

pub fn substring_after<'a>(s: &'a str, sep: &str) -> &'a str {
    if sep.is_empty() {
        return s;
    }
    s.find(sep).map_or("", |i| &s[i + sep.len()..])
}

pub fn substring_before_last<'a>(s: &'a str, sep: &str) -> &'a str {
    if sep.is_empty() {
        return s;
    }
    s.rfind(sep).map_or(s, |i| &s[..i])
}

pub fn substring_after_last<'a>(s: &'a str, sep: &str) -> &'a str {
    if sep.is_empty() {
        return "";
    }
    match s.rfind(sep) {
        Some(i) if i + sep.len() < s.len() => &s[i + sep.len()..],
        _ => "",
    }
}

/// `Character.toTitleCase` for the first character.
pub fn title_char(c: char) -> String {
    match c {
        // The few letters whose title case differs from upper case.
        'ǆ' | 'ǅ' | 'Ǆ' => "ǅ".into(),
        'ǉ' | 'ǈ' | 'Ǉ' => "ǈ".into(),
        'ǌ' | 'ǋ' | 'Ǌ' => "ǋ".into(),
        'ǳ' | 'ǲ' | 'Ǳ' => "ǲ".into(),
        _ => {
            let up: String = c.to_uppercase().collect();
            // Java maps one char to one char (e.g. 'ß' stays 'ß').
            if up.chars().count() == 1 {
                up
            } else {
                c.to_string()
            }
        }
    }
}

/// `Character.isWhitespace`.
pub fn is_java_whitespace(c: char) -> bool {
    matches!(c, '\u{1C}'..='\u{1F}')
        || (c.is_whitespace() && !matches!(c, '\u{A0}' | '\u{2007}' | '\u{202F}' | '\u{85}'))
}

/// Removes diacritics from Latin letters (what Kestra's slugify gets from NFD normalisation
/// followed by dropping non-word characters).
pub fn strip_accents(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            let base = match c {
                'À'..='Å' => 'A',
                'à'..='å' => 'a',
                'Ç' => 'C',
                'ç' => 'c',
                'È'..='Ë' => 'E',
                'è'..='ë' => 'e',
                'Ì'..='Ï' => 'I',
                'ì'..='ï' => 'i',
                'Ñ' => 'N',
                'ñ' => 'n',
                'Ò'..='Ö' => 'O',
                'ò'..='ö' => 'o',
                'Ù'..='Ü' => 'U',
                'ù'..='ü' => 'u',
                'Ý' => 'Y',
                'ý' | 'ÿ' => 'y',
                'Ā' | 'Ă' | 'Ą' => 'A',
                'ā' | 'ă' | 'ą' => 'a',
                'Ć' | 'Ĉ' | 'Ċ' | 'Č' => 'C',
                'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
                'Ď' => 'D',
                'ď' => 'd',
                'Ē' | 'Ĕ' | 'Ė' | 'Ę' | 'Ě' => 'E',
                'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
                'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => 'G',
                'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
                'Ĥ' => 'H',
                'ĥ' => 'h',
                'Ĩ' | 'Ī' | 'Ĭ' | 'Į' | 'İ' => 'I',
                'ĩ' | 'ī' | 'ĭ' | 'į' => 'i',
                'Ĵ' => 'J',
                'ĵ' => 'j',
                'Ķ' => 'K',
                'ķ' => 'k',
                'Ĺ' | 'Ļ' | 'Ľ' => 'L',
                'ĺ' | 'ļ' | 'ľ' => 'l',
                'Ń' | 'Ņ' | 'Ň' => 'N',
                'ń' | 'ņ' | 'ň' => 'n',
                'Ō' | 'Ŏ' | 'Ő' => 'O',
                'ō' | 'ŏ' | 'ő' => 'o',
                'Ŕ' | 'Ŗ' | 'Ř' => 'R',
                'ŕ' | 'ŗ' | 'ř' => 'r',
                'Ś' | 'Ŝ' | 'Ş' | 'Š' => 'S',
                'ś' | 'ŝ' | 'ş' | 'š' => 's',
                'Ţ' | 'Ť' => 'T',
                'ţ' | 'ť' => 't',
                'Ũ' | 'Ū' | 'Ŭ' | 'Ů' | 'Ű' | 'Ų' => 'U',
                'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
                'Ŵ' => 'W',
                'ŵ' => 'w',
                'Ŷ' | 'Ÿ' => 'Y',
                'ŷ' => 'y',
                'Ź' | 'Ż' | 'Ž' => 'Z',
                'ź' | 'ż' | 'ž' => 'z',
                // Combining diacritical marks disappear after decomposition.
                '\u{300}'..='\u{36F}' => return None,
                c => c,
            };
            Some(base)
        })
        .collect()
}
