//! "Did you mean …?": the closest known name to a misspelt one.
//!
//! Bounded so that no input can stall a check: names longer than [`MAX_LEN`] get no suggestion
//! (string distances are quadratic in length), and a large candidate set is searched through a
//! deletion index ([`Suggester`]) instead of compared name by name. Ties go to the smallest
//! name, so the answer never depends on the order candidates come in.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// Names (misspelt or candidate) longer than this are not compared.
pub const MAX_LEN: usize = 128;

/// From this many candidates on, [`Suggester`] searches an index.
const INDEX_FROM: usize = 512;

/// How far an indexed search looks (edits, case-insensitive).
const INDEX_DISTANCE: usize = 2;

/// How close `candidate` is to `name` (lower-cased as `lower`), if close enough to suggest:
/// (similarity, edit distance).
fn score(name: &str, lower: &str, candidate: &str, candidate_lower: &str) -> Option<(f64, usize)> {
    if candidate.len() > MAX_LEN {
        return None;
    }
    let similarity = if candidate_lower == lower {
        1.0
    } else {
        strsim::jaro_winkler(lower, candidate_lower)
    };
    let dist = strsim::levenshtein(name, candidate);
    (similarity >= 0.88 || dist <= 2.min(candidate.len() / 3)).then_some((similarity, dist))
}

/// The best of the scored candidates: most similar, then fewest edits, then smallest name.
fn best<'c>(scored: impl Iterator<Item = (&'c str, (f64, usize))>) -> Option<&'c str> {
    scored
        .min_by(|(a, (sa, da)), (b, (sb, db))| sb.total_cmp(sa).then(da.cmp(db)).then(a.cmp(b)))
        .map(|(c, _)| c)
}

/// The closest of a few candidates (a type's properties, an enum's values…).
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    if name.len() > MAX_LEN {
        return None;
    }
    let lower = name.to_lowercase();
    best(
        candidates
            .into_iter()
            .filter_map(|c| score(name, &lower, c, &c.to_lowercase()).map(|s| (c, s))),
    )
}

/// The closest dotted type name: the class names must be close, then the package decides.
pub fn closest_type<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if name.len() > MAX_LEN * 2 {
        return None;
    }
    let (package, class) = name.rsplit_once('.').unwrap_or(("", name));
    let lower = class.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| c.len() <= MAX_LEN * 2)
        .filter_map(|c| {
            let (c_package, c_class) = c.rsplit_once('.').unwrap_or(("", c));
            let dist = strsim::levenshtein(&lower, &c_class.to_lowercase());
            let close = dist <= 2.min(c_class.len().max(3) / 3)
                || strsim::jaro_winkler(&lower, &c_class.to_lowercase()) >= 0.92;
            close.then(|| (c, dist, strsim::levenshtein(package, c_package)))
        })
        .min_by_key(|&(c, dist, package_dist)| (dist, package_dist, c.len(), c))
        .map(|(c, _, _)| c)
}

/// Candidates prepared once for many questions (the task ids of a flow with thousands of
/// references). Below [`INDEX_FROM`] candidates it answers exactly as [`closest`]; from there
/// on it only considers candidates within [`INDEX_DISTANCE`] edits (case-insensitive), found
/// through an index of their deletions, so a question costs about the same whatever the
/// number of candidates.
pub struct Suggester<'c> {
    names: Vec<(&'c str, String)>,
    /// Hash of a lower-cased name with up to two characters deleted → names it comes from.
    index: Option<HashMap<u64, Vec<u32>>>,
}

impl<'c> Suggester<'c> {
    pub fn new(candidates: impl IntoIterator<Item = &'c str>) -> Suggester<'c> {
        let mut names: Vec<(&'c str, String)> = candidates
            .into_iter()
            .filter(|c| c.len() <= MAX_LEN)
            .map(|c| (c, c.to_lowercase()))
            .collect();
        names.sort_unstable();
        names.dedup_by(|a, b| a.0 == b.0);
        let index = (names.len() >= INDEX_FROM).then(|| {
            let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
            for (i, (_, lower)) in names.iter().enumerate() {
                for key in deletions(lower) {
                    let ids = index.entry(key).or_default();
                    if ids.last() != Some(&(i as u32)) {
                        ids.push(i as u32);
                    }
                }
            }
            index
        });
        Suggester { names, index }
    }

    pub fn closest(&self, name: &str) -> Option<&'c str> {
        if name.len() > MAX_LEN {
            return None;
        }
        let lower = name.to_lowercase();
        let Some(index) = &self.index else {
            return best(
                self.names
                    .iter()
                    .filter_map(|(c, cl)| score(name, &lower, c, cl).map(|s| (*c, s))),
            );
        };
        let mut ids: Vec<u32> = deletions(&lower)
            .filter_map(|key| index.get(&key))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let chars = lower.chars().count();
        best(ids.into_iter().filter_map(|i| {
            let (c, cl) = &self.names[i as usize];
            // Cheap first: more than two characters apart in length is more than two edits.
            if cl.chars().count().abs_diff(chars) > INDEX_DISTANCE
                || strsim::levenshtein(&lower, cl) > INDEX_DISTANCE
            {
                return None;
            }
            score(name, &lower, c, cl).map(|s| (*c, s))
        }))
    }
}

/// Hashes of `s` with zero, one and two characters deleted: two strings within two edits of
/// each other share one of them.
fn deletions(s: &str) -> impl Iterator<Item = u64> + '_ {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let hash = move |skip: [usize; 2]| {
        let mut h = DefaultHasher::new();
        for (i, c) in chars.iter().enumerate() {
            if i != skip[0] && i != skip[1] {
                c.hash(&mut h);
            }
        }
        h.finish()
    };
    let none = usize::MAX;
    std::iter::once([none, none])
        .chain((0..n).map(move |i| [i, none]))
        .chain((0..n).flat_map(move |i| (i + 1..n).map(move |j| [i, j])))
        .map(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_types_by_class_name_then_package() {
        let names = [
            "io.kestra.plugin.core.log.Log",
            "io.kestra.core.tasks.log.Log",
            "io.kestra.core.tasks.states.Set",
        ];
        assert_eq!(
            closest_type("io.kestra.plugin.core.log.Logg", names),
            Some("io.kestra.plugin.core.log.Log")
        );
        assert_eq!(
            closest_type("io.kestra.core.tasks.test.DynamicTask", names),
            None
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("levle", ["level", "message"]), Some("level"));
        assert_eq!(closest("mesage", ["level", "message"]), Some("message"));
        assert_eq!(closest("regoin", ["region"]), Some("region"));
        assert_eq!(closest("zzz", ["level", "message"]), None);
    }

    #[test]
    fn ties_do_not_depend_on_the_order_of_candidates() {
        assert_eq!(closest("tsk_b", ["task_a", "task_b"]), Some("task_b"));
        assert_eq!(closest("tak", ["tab", "tac"]), Some("tab"));
        assert_eq!(closest("tak", ["tac", "tab"]), Some("tab"));
    }

    #[test]
    fn a_large_set_is_searched_through_the_index_with_the_same_answers() {
        let ids: Vec<String> = (0..5000).map(|i| format!("task_{i:04}")).collect();
        let s = Suggester::new(ids.iter().map(String::as_str));
        assert!(s.index.is_some());
        for q in [
            "tsak_1234",
            "task_123",
            "Task_0042",
            "task_00042",
            "ask_4999",
        ] {
            assert_eq!(
                s.closest(q),
                closest(q, ids.iter().map(String::as_str)),
                "{q}"
            );
        }
        assert_eq!(s.closest("completely_different"), None);
        let small = Suggester::new(["level", "message"]);
        assert_eq!(small.closest("levle"), Some("level"));
    }

    #[test]
    fn long_names_get_no_suggestion() {
        let long = "a".repeat(100_000);
        assert_eq!(closest(&long, ["a", "aa"]), None);
        assert_eq!(closest("aa", [long.as_str()]), None);
        assert_eq!(closest_type(&long, ["a.B"]), None);
    }
}
