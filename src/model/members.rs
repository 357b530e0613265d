//! Which child points live in each district: one ascending list per district (and one for the points outside
//! every district), made once when a study is prepared. An evaluation sums a district over its own list, so a
//! scenario that changes a few children re-sums only their districts, and gets the very same numbers as a full
//! evaluation would.

/// The child points of each district, ascending, in compressed rows; the last row holds the points outside every
/// district.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Members {
    starts: Vec<usize>,
    points: Vec<u32>,
}

impl Members {
    /// The members of `districts` districts, point `i` being in `child_district[i]`.
    pub fn new(child_district: &[Option<u32>], districts: usize) -> Self {
        let row = |d: &Option<u32>| d.map_or(districts, |d| (d as usize).min(districts));
        let mut starts = vec![0usize; districts + 2];
        for d in child_district {
            starts[row(d) + 1] += 1;
        }
        for r in 1..starts.len() {
            starts[r] += starts[r - 1];
        }
        let mut next = starts.clone();
        let mut points = vec![0u32; child_district.len()];
        for (i, d) in child_district.iter().enumerate() {
            let r = row(d);
            points[next[r]] = i as u32;
            next[r] += 1;
        }
        Members { starts, points }
    }

    /// How many districts.
    pub fn districts(&self) -> usize {
        self.starts.len().saturating_sub(2)
    }

    /// The child points of district `d`, ascending.
    pub fn of(&self, d: usize) -> &[u32] {
        &self.points[self.starts[d]..self.starts[d + 1]]
    }

    /// The child points outside every district, ascending.
    pub fn outside(&self) -> &[u32] {
        let d = self.districts();
        &self.points[self.starts[d]..self.starts[d + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_ascending_per_district_with_the_outside_last() {
        let m = Members::new(&[Some(1), None, Some(0), Some(1), None, Some(1)], 3);
        assert_eq!(m.districts(), 3);
        assert_eq!(m.of(0), [2]);
        assert_eq!(m.of(1), [0, 3, 5]);
        assert!(m.of(2).is_empty());
        assert_eq!(m.outside(), [1, 4]);
        assert!(Members::new(&[], 0).outside().is_empty());
    }
}
