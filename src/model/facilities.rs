//! Arenas as facilities: each with a stable id, a name, a kind, a position and a capacity. A facility set is what
//! a scenario changes; the children and districts stay.

use super::kinds::KindId;

/// One arena.
#[derive(Clone, Debug, PartialEq)]
pub struct Facility {
    /// A stable id: the file's `arena-id` field, else `<file stem>#<feature number>`.
    pub id: String,
    /// Its name (may be empty).
    pub name: String,
    /// Its kind.
    pub kind: KindId,
    /// Its position, in the analysis CRS.
    pub position: [f64; 2],
    /// How many it can serve (places, staff, opening hours: whatever the file's capacity field counts); 1 when
    /// the file gives none.
    pub capacity: f64,
}

/// A set of arenas, in a fixed order: the order of the files as given, then of the features in each file. A
/// facility's index in this order is how the engine names it, and breaks ties between equally near ones.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facilities {
    list: Vec<Facility>,
}

impl Facilities {
    /// A set in the given order.
    pub fn new(list: Vec<Facility>) -> Self {
        Facilities { list }
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Facility `i`.
    pub fn get(&self, i: usize) -> &Facility {
        &self.list[i]
    }

    /// All of them, in order.
    pub fn as_slice(&self) -> &[Facility] {
        &self.list
    }

    /// Iterates in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Facility> {
        self.list.iter()
    }

    /// Their positions, in order.
    pub fn positions(&self) -> Vec<[f64; 2]> {
        self.list.iter().map(|f| f.position).collect()
    }

    /// Points that more than one arena shares exactly (a family centre and the open preschool it houses): how
    /// many such points, and how many arenas stand on them. Each arena still counts for its own kind.
    pub fn shared_points(&self) -> SharedPoints {
        let mut keys: Vec<(u64, u64)> =
            self.list.iter().map(|f| (f.position[0].to_bits(), f.position[1].to_bits())).collect();
        keys.sort_unstable();
        let mut shared = SharedPoints::default();
        for group in keys.chunk_by(|a, b| a == b).filter(|g| g.len() > 1) {
            shared.points += 1;
            shared.arenas += group.len();
        }
        shared
    }

    /// How many of each kind, by [`KindId::index`], for `kinds` kinds.
    pub fn count_by_kind(&self, kinds: usize) -> Vec<usize> {
        let mut counts = vec![0; kinds];
        for f in &self.list {
            if let Some(c) = counts.get_mut(f.kind.index()) {
                *c += 1;
            }
        }
        counts
    }
}

/// Arenas at one point: see [`Facilities::shared_points`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SharedPoints {
    /// Points held by two arenas or more.
    pub points: usize,
    /// The arenas at those points.
    pub arenas: usize,
}

impl<'a> IntoIterator for &'a Facilities {
    type Item = &'a Facility;
    type IntoIter = std::slice::Iter<'a, Facility>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}
