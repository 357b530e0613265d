//! The gap-score classes of a run: computed once from the districts' scores and handed to every output that colours
//! districts (the map picture, the QGIS style in the project, the `.qml` file and the GeoPackage, the report), so
//! that a district has the same colour and its class the same label everywhere.
//!
//! `0` is its own class, "no gap"; the positive scores are split into up to five quantile classes whose bounds are
//! rounded to two significant digits (the last rounded up, so that it holds the largest score), shaded light →
//! dark (ColorBrewer YlOrRd). A class holds the scores above the bound below it up to and including its own bound.

use super::text::{number_sv, NO_DATA_LABEL, NO_GAP_LABEL};

/// Fill of districts with no gap (score 0).
pub const NO_GAP_COLOUR: &str = "#e4e4e4";
/// Fill of districts without a gap score.
pub const NO_DATA_COLOUR: &str = "#ffffff";
/// The sequential ramp for positive gap scores, light → dark (ColorBrewer YlOrRd, 5 classes).
pub const RAMP: [&str; 5] = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"];

/// The most classes of positive scores.
pub const MAX_CLASSES: usize = 5;

/// Which class a district's score falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GapClass {
    /// No score (a district the layer has no value for).
    NoData,
    /// A score of 0: no uncovered children.
    NoGap,
    /// Ramp class `k`, 0 the lightest.
    Ramp(usize),
}

/// One row of the legend: a class, its colour, its label and the scores it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassEntry {
    /// The class.
    pub class: GapClass,
    /// Its fill, `#rrggbb`.
    pub colour: &'static str,
    /// Its Swedish label: `> 120 – 450`, `Inget glapp (0)`.
    pub label: String,
    /// The English gloss, when the label needs one: `(no gap)`.
    pub gloss: Option<&'static str>,
    /// The scores it holds: above `lower` (or equal, for the first ramp class and "no gap"), up to `upper`.
    pub lower: f64,
    /// See `lower`.
    pub upper: f64,
}

/// The classes of one run's gap scores.
#[derive(Clone, Debug, PartialEq)]
pub struct GapClasses {
    /// Upper bounds of the ramp classes, increasing (empty when no score is positive).
    bounds: Vec<f64>,
    /// Whether some district has a score of 0 (or none is positive): the "no gap" class is shown.
    has_no_gap: bool,
    /// Whether some district has no score: the "no data" class is shown.
    has_no_data: bool,
}

impl GapClasses {
    /// The classes of these scores (`None` for a district without one).
    pub fn from_scores(scores: impl IntoIterator<Item = Option<f64>>) -> GapClasses {
        let mut positive = Vec::new();
        let (mut has_zero, mut has_no_data) = (false, false);
        for score in scores {
            match score {
                Some(s) if s > 0.0 && s.is_finite() => positive.push(s),
                Some(_) => has_zero = true,
                None => has_no_data = true,
            }
        }
        let bounds = quantile_bounds(positive);
        GapClasses { has_no_gap: has_zero || bounds.is_empty(), has_no_data, bounds }
    }

    /// The upper bounds of the ramp classes, increasing.
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }

    /// The class of a score.
    pub fn class_of(&self, score: Option<f64>) -> GapClass {
        match score {
            None => GapClass::NoData,
            Some(s) if s.is_nan() || s <= 0.0 => GapClass::NoGap,
            Some(s) => {
                GapClass::Ramp(self.bounds.iter().position(|b| s <= *b).unwrap_or(self.bounds.len().saturating_sub(1)))
            }
        }
    }

    /// The fill of a class.
    pub fn colour(&self, class: GapClass) -> &'static str {
        match class {
            GapClass::NoData => NO_DATA_COLOUR,
            GapClass::NoGap => NO_GAP_COLOUR,
            GapClass::Ramp(k) => ramp_colour(k, self.bounds.len()),
        }
    }

    /// The legend, as every output shows it: the ramp classes worst first, then "no gap" and "no data" when some
    /// district is in them.
    pub fn legend(&self) -> Vec<ClassEntry> {
        let decimals = self.bounds.iter().map(|b| shortest_decimals(*b)).max().unwrap_or(0);
        let mut rows = Vec::new();
        let mut lower = 0.0;
        for (k, upper) in self.bounds.iter().enumerate() {
            let from = if k == 0 { "> 0".to_string() } else { format!("> {}", number_sv(lower, decimals)) };
            rows.push(ClassEntry {
                class: GapClass::Ramp(k),
                colour: self.colour(GapClass::Ramp(k)),
                label: format!("{from} – {}", number_sv(*upper, decimals)),
                gloss: None,
                lower,
                upper: *upper,
            });
            lower = *upper;
        }
        rows.reverse();
        if self.has_no_gap {
            let (label, gloss) = NO_GAP_LABEL;
            rows.push(ClassEntry {
                class: GapClass::NoGap,
                colour: NO_GAP_COLOUR,
                label: label.to_string(),
                gloss: Some(gloss),
                lower: 0.0,
                upper: 0.0,
            });
        }
        if self.has_no_data {
            let (label, gloss) = NO_DATA_LABEL;
            rows.push(ClassEntry {
                class: GapClass::NoData,
                colour: NO_DATA_COLOUR,
                label: label.to_string(),
                gloss: Some(gloss),
                lower: f64::NAN,
                upper: f64::NAN,
            });
        }
        rows
    }
}

/// Upper bounds of the classes of positive scores: up to five quantile classes, bounds rounded to two significant
/// digits, the last rounded up so that it holds the largest score.
fn quantile_bounds(mut positive: Vec<f64>) -> Vec<f64> {
    if positive.is_empty() {
        return vec![];
    }
    positive.sort_by(f64::total_cmp);
    let n = positive.len();
    let top = round_significant(positive[n - 1], true);
    let mut bounds: Vec<f64> = Vec::with_capacity(MAX_CLASSES);
    for k in 1..MAX_CLASSES {
        let bound = round_significant(positive[(k * n / MAX_CLASSES).saturating_sub(1).min(n - 1)], false);
        if bound > 0.0 && bound < top && bounds.last().is_none_or(|last| bound > *last) {
            bounds.push(bound);
        }
    }
    bounds.push(top);
    bounds
}

/// `v` rounded to two significant digits (up, or to nearest).
fn round_significant(v: f64, up: bool) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    let step = 10f64.powi(v.log10().floor() as i32 - 1);
    let r = if up { (v / step - 1e-9).ceil() * step } else { (v / step).round() * step };
    // Tidy the binary noise (0.30000000000000004) so labels and comparisons agree.
    let decimals = decimals_for(r).min(12) as i32;
    let f = 10f64.powi(decimals);
    (r * f).round() / f
}

/// Decimals needed to show two significant digits of `v`.
fn decimals_for(v: f64) -> usize {
    if v <= 0.0 || !v.is_finite() {
        return 0;
    }
    (1 - v.log10().floor() as i32).max(0) as usize
}

/// The fewest decimals that show `v` (a rounded class bound) exactly: `0.04` → 2, `0.5` → 1, `12` → 0.
fn shortest_decimals(v: f64) -> usize {
    let most = decimals_for(v).min(12);
    (0..most)
        .find(|d| {
            let f = 10f64.powi(*d as i32);
            ((v * f).round() / f - v).abs() <= v.abs() * 1e-9
        })
        .unwrap_or(most)
}

/// The colour of class `k` of `n`: with fewer than five classes, spread over the ramp, keeping the darkest.
fn ramp_colour(k: usize, n: usize) -> &'static str {
    if n <= 1 {
        return RAMP[RAMP.len() - 1];
    }
    let i = ((k as f64) * (RAMP.len() - 1) as f64 / (n - 1) as f64).round() as usize;
    RAMP[i.min(RAMP.len() - 1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(scores: &[f64]) -> GapClasses {
        GapClasses::from_scores(scores.iter().map(|s| Some(*s)))
    }

    #[test]
    fn bounds_are_round_increasing_and_hold_the_largest_score() {
        assert_eq!(classes(&[0.0, 0.1, 0.2, 0.3, 0.4, 0.5]).bounds(), [0.1, 0.2, 0.3, 0.4, 0.5]);
        assert!(classes(&[0.0, 0.0]).bounds().is_empty());
        assert_eq!(classes(&[2.0, 2.0, 2.0]).bounds(), [2.0]);
        let c = classes(&[0.123, 0.456, 0.789, 1.234, 5.678, 0.05]);
        let b = c.bounds();
        assert!(b.windows(2).all(|w| w[0] < w[1]) && *b.last().unwrap() >= 5.678, "{b:?}");
        assert_eq!(c.class_of(Some(0.0)), GapClass::NoGap);
        assert_eq!(c.class_of(None), GapClass::NoData);
        assert_eq!(c.class_of(Some(5.678)), GapClass::Ramp(b.len() - 1));
        assert_eq!(c.class_of(Some(b[0])), GapClass::Ramp(0), "a bound belongs to the class below it");
        assert_eq!(shortest_decimals(0.04), 2);
        assert_eq!(shortest_decimals(0.5), 1);
        assert_eq!(shortest_decimals(120.0), 0);
    }

    /// Brute force: on random scores, each score's class is the one whose legend range holds it, and the classes
    /// are in order of score.
    #[test]
    fn every_score_is_in_the_legend_range_of_its_class() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x2545);
        let mut next = || rng.random::<f64>();
        for round in 0..200i32 {
            let n = 1 + round as usize % 40;
            let scale = 10f64.powi(round % 9 - 3);
            let scores: Vec<Option<f64>> = (0..n)
                .map(|_| {
                    let u = next();
                    (u > 0.05).then(|| if u < 0.25 { 0.0 } else { (next() * scale * 1000.0).round() / 1000.0 })
                })
                .collect();
            let c = GapClasses::from_scores(scores.iter().copied());
            let legend = c.legend();
            for s in &scores {
                let class = c.class_of(*s);
                let entry = legend.iter().find(|e| e.class == class).expect("a shown class");
                match (class, s) {
                    (GapClass::Ramp(k), Some(s)) => {
                        assert!(*s <= entry.upper && (*s > entry.lower || (k == 0 && *s > 0.0)), "{s} {entry:?}");
                    }
                    (GapClass::NoGap, Some(s)) => assert!(*s <= 0.0),
                    (GapClass::NoData, None) => {}
                    other => panic!("{other:?}"),
                }
            }
            assert!(c.bounds().len() <= MAX_CLASSES);
        }
    }

    #[test]
    fn legend_is_worst_first_with_no_gap_and_no_data_last() {
        let c = GapClasses::from_scores([Some(0.0), Some(10.0), Some(20.0), None, Some(40.0), Some(80.0), Some(160.0)]);
        let labels: Vec<String> = c.legend().iter().map(|e| e.label.clone()).collect();
        assert_eq!(
            labels,
            ["> 80 – 160", "> 40 – 80", "> 20 – 40", "> 10 – 20", "> 0 – 10", "Inget glapp (0)", "Uppgift saknas"]
        );
        assert_eq!(c.legend()[0].colour, RAMP[4]);
        // Fewer classes spread over the ramp, keeping the darkest.
        let two = classes(&[1.0, 100.0]);
        assert_eq!(two.legend().iter().map(|e| e.colour).collect::<Vec<_>>(), [RAMP[4], RAMP[0]]);
    }
}
