//! Server-sent events (the `text/event-stream` of Kestra's `…/follow` operations), read from a
//! response as its chunks arrive. Kestra names an event with its `id` field (`progress`,
//! `end`) and carries a JSON document in `data`.

use reqwest::{Method, Response};

use super::client::{ApiError, Client};

/// One event: its `id` (Kestra's `progress` / `end`), `event` name and `data` lines joined.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Event {
    pub id: String,
    pub name: String,
    pub data: String,
}

/// Splits a byte stream into events.
#[derive(Default)]
pub struct Parser {
    buffer: Vec<u8>,
    current: Event,
    has_data: bool,
}

impl Parser {
    /// Feeds bytes; returns the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.buffer.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(end) = self.buffer.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line);
            if line.is_empty() {
                if self.has_data || !self.current.id.is_empty() {
                    events.push(std::mem::take(&mut self.current));
                }
                self.has_data = false;
                continue;
            }
            if line.starts_with(':') {
                continue; // a comment: keep-alive
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (&*line, ""),
            };
            match field {
                "data" => {
                    if self.has_data {
                        self.current.data.push('\n');
                    }
                    self.current.data.push_str(value);
                    self.has_data = true;
                }
                "id" => self.current.id = value.to_string(),
                "event" => self.current.name = value.to_string(),
                _ => {}
            }
        }
        events
    }
}

/// Reads the next events of `response`; `Ok(None)` once the stream ends.
/// Opens a `…/follow` event stream at `url`.
pub async fn open(client: &Client, url: String) -> Result<Response, ApiError> {
    client
        .send(
            client
                .request(Method::GET, url)
                .header("Accept", "text/event-stream"),
        )
        .await
}

pub async fn next(
    response: &mut Response,
    parser: &mut Parser,
) -> Result<Option<Vec<Event>>, reqwest::Error> {
    loop {
        match response.chunk().await? {
            None => return Ok(None),
            Some(bytes) => {
                let events = parser.feed(&bytes);
                if !events.is_empty() {
                    return Ok(Some(events));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_span_chunks_and_comments_are_skipped() {
        let mut p = Parser::default();
        assert!(p.feed(b": keep-alive\n\nid: progress\nda").is_empty());
        let events = p.feed(b"ta: {\"a\":\r\ndata: 1}\n\nid: end\ndata: {}\n\n");
        assert_eq!(
            events,
            vec![
                Event {
                    id: "progress".into(),
                    name: String::new(),
                    data: "{\"a\":\n1}".into()
                },
                Event {
                    id: "end".into(),
                    name: String::new(),
                    data: "{}".into()
                }
            ]
        );
    }
}
