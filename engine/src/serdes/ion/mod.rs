//! Ion text: the subset Kestra writes (`FileSerde`) and reads, with a streaming reader.

mod json;
mod read;
mod value;
mod write;

pub use json::{from_json, from_json_value, to_json, to_json_value, JsonStyle};
pub use read::{parse_all, IonError, IonReader};
pub use value::{Decimal, Ion, JavaTemporal, Timestamp};
pub use write::{to_line, to_text, write_value};

#[cfg(test)]
mod tests;
