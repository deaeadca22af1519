//! The Kestra API operations kflow uses, per line, as Kestra's published OpenAPI specifications
//! name them (kestra-io/client-sdk `kestra-ee.yml`: 1.3.26 for the 1.x line, 2.0.0-SNAPSHOT for
//! 2.x). Every path is under `/api/v1/{tenant}` but the configuration's.
//!
//! | operation | 1.3 | 2.0 |
//! |---|---|---|
//! | server version | `GET /api/v1/configs` (`version`) | same |
//! | validate | `POST flows/validate`, `application/x-yaml` | same |
//! | read a flow | `GET flows/{namespace}/{id}?source=true` | same |
//! | create / update | `POST flows` / `PUT flows/{namespace}/{id}`, `application/x-yaml` | same |
//! | list / delete | `GET flows/{namespace}` / `DELETE flows/{namespace}/{id}` | same |
//! | namespace file | `POST namespaces/{namespace}/files?path=`, `multipart/form-data` | same |
//! | execute | `POST executions/{namespace}/{id}?revision=`, `multipart/form-data` | same (`executions/trigger/…` is gone) |
//! | follow | `GET executions/{id}/follow`, `GET logs/{id}/follow` (`text/event-stream`) | same |
//! | logs so far | `GET logs/{id}` | same |
//! | kill | `DELETE executions/{id}/kill` | `DELETE executions/{id}/actions/kill` |
//! | outputs | in the execution's `taskRunList[].outputs` | `GET outputs/{id}`, `GET outputs/{id}/{taskRunId}` |
//! | a file | `GET executions/{id}/file?path=kestra://…` | same |

/// The API line of a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line {
    /// Kestra 1.x (and 0.x): the operations of 1.3.
    V1,
    /// Kestra 2.x and later.
    V2,
}

impl Line {
    /// The line of a server that reports `version` (`1.3.4`, `2.0.0-SNAPSHOT`…); `None` when
    /// it is not a version.
    pub fn of(version: &str) -> Option<Line> {
        let major: u32 = version
            .trim()
            .trim_start_matches('v')
            .split(['.', '-'])
            .next()?
            .parse()
            .ok()?;
        Some(if major >= 2 { Line::V2 } else { Line::V1 })
    }

    /// The path segments, under the tenant, that kill execution `id`.
    pub fn kill(self, id: &str) -> Vec<&str> {
        match self {
            Line::V1 => vec!["executions", id, "kill"],
            Line::V2 => vec!["executions", id, "actions", "kill"],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_pick_their_line() {
        assert_eq!(Line::of("1.3.26"), Some(Line::V1));
        assert_eq!(Line::of("0.24.0"), Some(Line::V1));
        assert_eq!(Line::of("2.0.0-SNAPSHOT"), Some(Line::V2));
        assert_eq!(Line::of("snapshot"), None);
        assert_eq!(Line::V1.kill("e"), ["executions", "e", "kill"]);
        assert_eq!(Line::V2.kill("e"), ["executions", "e", "actions", "kill"]);
    }
}
