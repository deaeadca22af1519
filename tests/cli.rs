//! End-to-end tests of `kflow lint`, `kflow rules` and `kflow explain`, driving the built binary.

mod support;

#[path = "cli/action.rs"]
mod action;
#[path = "cli/completions.rs"]
mod completions;
#[path = "cli/config.rs"]
mod config;
#[path = "cli/custom_plugins.rs"]
mod custom_plugins;
#[path = "cli/examples.rs"]
mod examples;
#[path = "cli/fetch_patterns.rs"]
mod fetch_patterns;
#[path = "cli/fix.rs"]
mod fix;
#[path = "cli/formats.rs"]
mod formats;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/rules.rs"]
mod rules;
#[path = "cli/usage.rs"]
mod usage;
