//! The plugin catalog and lint rules.
