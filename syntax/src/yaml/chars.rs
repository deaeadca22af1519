//! The YAML parser reports positions in characters; the rest of kflow works in bytes.

/// Converts character indices of one text to byte offsets in O(log n).
pub struct CharToByte {
    /// Character index of every non-ASCII character, with the extra bytes it adds.
    multibyte: Vec<(u32, u32)>,
    /// Running total of extra bytes up to and including each entry of `multibyte`.
    extra_through: Vec<u32>,
    len: usize,
}

impl CharToByte {
    pub fn new(text: &str) -> CharToByte {
        let mut multibyte = Vec::new();
        let mut extra_through = Vec::new();
        let mut total = 0u32;
        if !text.is_ascii() {
            for (ci, c) in text.chars().enumerate() {
                let extra = c.len_utf8() as u32 - 1;
                if extra > 0 {
                    total += extra;
                    multibyte.push((ci as u32, extra));
                    extra_through.push(total);
                }
            }
        }
        CharToByte {
            multibyte,
            extra_through,
            len: text.len(),
        }
    }

    pub fn byte(&self, char_index: usize) -> usize {
        let before = self
            .multibyte
            .partition_point(|&(ci, _)| (ci as usize) < char_index);
        let extra = if before == 0 {
            0
        } else {
            self.extra_through[before - 1] as usize
        };
        (char_index + extra).min(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_char_indices_to_byte_offsets() {
        let text = "aé😀b";
        let map = CharToByte::new(text);
        let expected: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        for (ci, b) in expected.iter().enumerate() {
            assert_eq!(map.byte(ci), *b);
        }
        assert_eq!(map.byte(4), text.len());
        assert_eq!(map.byte(99), text.len());
    }
}
