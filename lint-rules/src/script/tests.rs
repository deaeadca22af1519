//! End-to-end tests: scripts in, facts and classifications out.
