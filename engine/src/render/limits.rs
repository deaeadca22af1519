//! Resource limits. Kestra relies on the JVM (stack overflow, heap exhaustion) to stop runaway
//! templates; here every unbounded construct has an explicit cap with a clear error.

/// Largest output (or intermediate string) a template may produce.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;
/// Largest list `range()` / `..` may build (Kestra's `BoundedRangeFunction` uses the same).
pub const MAX_RANGE: u64 = 1_000_000;
/// Largest list a filter (`merge`, `flatten`, `split`, `jq`…) may build.
pub const MAX_COLLECTION: usize = 1_000_000;
/// Bytes that string concatenation (`~`, `+`) may produce over one render: building a string
/// piece by piece in a loop is quadratic, and this keeps it from running for hours.
pub const MAX_CONCAT_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Loop iterations and macro calls per render.
pub const MAX_STEPS: u64 = 1_000_000;
/// Nested macro calls.
pub const MAX_MACRO_DEPTH: usize = 100;
/// Nested `render()` / `renderOnce()` calls, and passes of one recursive `render()` (Kestra
/// stops after 100 passes with "Too many rendering attempts").
pub const MAX_RENDER_DEPTH: usize = 100;
/// Nesting of evaluation (expressions inside tags inside macros…): keeps the native stack
/// bounded whatever the template.
pub const MAX_EVAL_DEPTH: usize = 500;
/// Nesting of values built by templates (lists of lists…), and of values printed.
pub const MAX_VALUE_DEPTH: usize = 256;
