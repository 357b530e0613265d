//! A scenario: the baseline's facility set with some arenas closed and others added. A scenario is a new facility
//! set for the same prepared study, not a new run: the children, districts and need weights stay.

use super::facilities::{Facilities, Facility};

/// What a scenario changes in the facility set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Scenario {
    /// Its name, as the analyst wrote it.
    pub name: String,
    /// Arenas it adds, in the order given.
    pub added: Vec<Facility>,
    /// Arenas of the baseline it closes, by index into the baseline's facility set, ascending and each once.
    pub closed: Vec<usize>,
}

impl Scenario {
    /// The scenario's facility set: the baseline's arenas that stay open, in their order, then the added ones in
    /// theirs. So among equally near arenas an existing one still comes first, and a scenario that adds nothing
    /// and closes nothing answers exactly as the baseline does.
    pub fn facilities(&self, base: &Facilities) -> Facilities {
        let mut closed = self.closed.iter().copied().peekable();
        let mut list = Vec::with_capacity(base.len() + self.added.len());
        for (i, f) in base.iter().enumerate() {
            if closed.peek() == Some(&i) {
                closed.next();
                continue;
            }
            list.push(f.clone());
        }
        list.extend(self.added.iter().cloned());
        Facilities::new(list)
    }
}

/// The arena of `base` that `key` names: by id, else by name when exactly one arena has it. An unknown key is an
/// error listing the closest ids and names; a name that several arenas share is an error listing their ids.
pub fn find_arena(base: &Facilities, key: &str) -> Result<usize, String> {
    let key = key.trim();
    if let Some(i) = base.iter().position(|f| f.id == key) {
        return Ok(i);
    }
    let named: Vec<usize> = (0..base.len()).filter(|&i| base.get(i).name.trim() == key).collect();
    match named.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!("no arena has the id or name '{key}'{}", closest(base, key))),
        several => {
            let ids: Vec<String> = several.iter().map(|&i| format!("'{}'", base.get(i).id)).collect();
            Err(format!("{} arenas are named '{key}': give one of their ids, {}", several.len(), ids.join(", ")))
        }
    }
}

/// "; the closest are 'a' (id), 'b' (name)": up to three ids or names nearest to `key` in edit distance.
fn closest(base: &Facilities, key: &str) -> String {
    let lower = key.to_lowercase();
    let mut candidates: Vec<(f64, String)> = base
        .iter()
        .flat_map(|f| [(f.id.as_str(), "id"), (f.name.as_str(), "name")])
        .filter(|(text, _)| !text.trim().is_empty())
        .map(|(text, what)| {
            (strsim::normalized_levenshtein(&lower, &text.to_lowercase()), format!("'{text}' ({what})"))
        })
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    candidates.dedup_by(|a, b| a.1 == b.1);
    let best: Vec<String> = candidates.into_iter().take(3).map(|(_, text)| text).collect();
    if best.is_empty() {
        String::new()
    } else {
        format!("; the closest are {}", best.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::Kinds;

    fn arena(id: &str, name: &str, x: f64) -> Facility {
        let kind = Kinds::defaults().find("familjecentral").unwrap();
        Facility { id: id.into(), name: name.into(), kind, position: [x, 0.0], capacity: 1.0 }
    }

    fn base() -> Facilities {
        Facilities::new(vec![
            arena("fc#0", "Familjecentralen Frölunda", 0.0),
            arena("fc#1", "Familjecentralen Gårdsten", 1.0),
            arena("bib#0", "Stadsbiblioteket", 2.0),
            arena("bib#1", "Biblioteket", 3.0),
            arena("bib#2", "Biblioteket", 4.0),
        ])
    }

    #[test]
    fn a_scenario_keeps_order_closes_and_appends() {
        let base = base();
        let none = Scenario::default();
        assert_eq!(none.facilities(&base), base);
        let s = Scenario { name: "x".into(), added: vec![arena("new#0", "Ny", 9.0)], closed: vec![0, 3] };
        let facilities = s.facilities(&base);
        let ids: Vec<&str> = facilities.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids, ["fc#1", "bib#0", "bib#2", "new#0"]);
    }

    #[test]
    fn arenas_are_found_by_id_then_by_a_unique_name() {
        let base = base();
        assert_eq!(find_arena(&base, "bib#0"), Ok(2));
        assert_eq!(find_arena(&base, " Familjecentralen Gårdsten "), Ok(1));
        let shared = find_arena(&base, "Biblioteket").unwrap_err();
        assert_eq!(shared, "2 arenas are named 'Biblioteket': give one of their ids, 'bib#1', 'bib#2'");
        let unknown = find_arena(&base, "Familjecentralen Gårdstn").unwrap_err();
        assert!(
            unknown.starts_with(
                "no arena has the id or name 'Familjecentralen Gårdstn'; the closest are 'Familjecentralen Gårdsten' \
                 (name)"
            ),
            "{unknown}"
        );
        assert!(find_arena(&Facilities::default(), "x").unwrap_err().ends_with("'x'"));
    }
}
