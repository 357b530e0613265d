//! Re-scoring a scenario: the baseline's evaluation, changed only where the scenario changes it. An added arena
//! can only change the children it is now nearer to than their nearest of its kind; a closed one only the children
//! it was nearest to. Only the districts of changed children are summed again. The answer is exactly what
//! [`super::evaluate`] gives on the scenario's facility set (the tests hold it to that, bit for bit).

use rayon::prelude::*;

use super::{children_within, summary, Evaluation, Params, NO_KIND};
use crate::cost::{CostModel, NONE};
use crate::model::facilities::Facilities;
use crate::model::scenario::Scenario;
use crate::model::study::Study;

/// A scenario's facility set and its evaluation.
#[derive(Clone, Debug)]
pub struct Rescored {
    /// The scenario's arenas: the baseline's open ones in order, then the added ones.
    pub facilities: Facilities,
    /// The evaluation, as [`super::evaluate`] would give it.
    pub eval: Evaluation,
    /// The child points whose nearest arena of some kind may differ from the baseline's, ascending (every other
    /// point's nearest arenas are the baseline's).
    pub changed: Vec<u32>,
}

/// Evaluates `scenario` on `study` from the evaluation `base_eval` of the baseline arenas `base`, measuring with the
/// same `cost` model and `params`.
pub fn rescore(
    study: &Study,
    base: &Facilities,
    base_eval: &Evaluation,
    scenario: &Scenario,
    cost: &dyn CostModel,
    params: &Params,
) -> Rescored {
    let facilities = scenario.facilities(base);
    let kinds = study.kinds.len();
    let group: Vec<Option<usize>> = facilities.iter().map(|f| Some(f.kind.index()).filter(|&k| k < kinds)).collect();
    // The baseline's index of each kept arena → its index in the scenario's set; NONE for a closed one.
    let mut renumber = vec![NONE; base.len()];
    let mut closed = scenario.closed.iter().copied().peekable();
    let mut next = 0u32;
    for (i, slot) in renumber.iter_mut().enumerate() {
        if closed.peek() == Some(&i) {
            closed.next();
            continue;
        }
        *slot = next;
        next += 1;
    }
    let open = next as usize;

    // The baseline's table in the scenario's numbering; the rows that named a closed arena are found again.
    let mut nearest = base_eval.nearest.clone();
    let groups = nearest.groups();
    let n = nearest.origins();
    let lost: Vec<u32> = {
        let (_, facility) = nearest.rows_mut();
        let mut lost: Vec<Vec<u32>> = facility
            .par_chunks_mut((8192 * groups).max(1))
            .enumerate()
            .map(|(c, chunk)| {
                let mut lost = Vec::new();
                for (k, row) in chunk.chunks_mut(groups.max(1)).enumerate() {
                    let mut hit = false;
                    for f in row.iter_mut().filter(|f| **f != NONE) {
                        *f = renumber[*f as usize];
                        hit |= *f == NONE;
                    }
                    if hit {
                        lost.push((c * 8192 + k) as u32);
                    }
                }
                lost
            })
            .collect();
        lost.drain(..).flatten().collect()
    };
    if !lost.is_empty() {
        let found = cost.nearest_of(&lost, &facilities, &group, groups);
        for (k, &o) in lost.iter().enumerate() {
            let (c, f) = found.row(k);
            nearest.set_row(o as usize, c, f);
        }
    }
    // Each added arena, in order, takes the children it is strictly nearer to (the rows found again above are
    // final: they were measured against every arena of the scenario).
    let mut is_lost = vec![false; n];
    for &o in &lost {
        is_lost[o as usize] = true;
    }
    let mut changed = is_lost.clone();
    for (a, g) in group.iter().enumerate().skip(open) {
        let Some(g) = *g else { continue };
        let taken = {
            let table = &nearest;
            cost.nearer(&facilities, a, &|o| table.get(o, g))
        };
        for (o, c) in taken {
            if !is_lost[o as usize] {
                nearest.set(o as usize, g, a as u32, c);
                changed[o as usize] = true;
            }
        }
    }
    let changed: Vec<u32> = (0..n as u32).filter(|&o| changed[o as usize]).collect();

    let coverage = &base_eval.coverage;
    let mut any_kind = base_eval.any_kind.clone();
    for &o in &changed {
        any_kind[o as usize] = nearest.nearest_kind_among(o as usize, coverage).map_or(NO_KIND, |k| k as u16);
    }
    let kept = |values: &[f64]| -> Vec<f64> {
        values.iter().zip(&renumber).filter(|(_, r)| **r != NONE).map(|(v, _)| *v).collect()
    };
    let added = Facilities::new(facilities.as_slice()[open..].to_vec());
    let mut children_within_radius = kept(&base_eval.children_within);
    children_within_radius.extend(children_within(study, &added, cost, &base_eval.radius));
    let mut facility_district: Vec<Option<u32>> =
        base_eval.facility_district.iter().zip(&renumber).filter(|(_, r)| **r != NONE).map(|(d, _)| *d).collect();
    facility_district.extend(study.locate_facilities(&added));

    let mut eval = Evaluation {
        nearest,
        any_kind,
        districts: Vec::new(),
        children_within: children_within_radius,
        facility_district,
        outside: base_eval.outside,
        radius_any: params.radius_any,
        radius: base_eval.radius.clone(),
        coverage: base_eval.coverage.clone(),
        unit: cost.unit(),
        cost_model: cost.name(),
    };
    let mut touched: Vec<usize> =
        changed.iter().filter_map(|&o| study.child_district[o as usize]).map(|d| d as usize).collect();
    touched.sort_unstable();
    touched.dedup();
    let mut metrics = base_eval.districts.clone();
    summary::sum_districts(study, &eval, &touched, &mut metrics);
    summary::finish(study, &facilities, &eval, &mut metrics);
    eval.districts = metrics;
    Rescored { facilities, eval, changed }
}

#[cfg(test)]
mod tests {
    use rand::seq::index::sample;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::crs::Crs;
    use crate::index::tests::random_districts;
    use crate::measure::evaluate;
    use crate::model::facilities::Facility;
    use crate::model::kinds::{KindEdit, KindId, Kinds};
    use crate::model::Children;

    /// On a 50 m lattice, so that exact ties between arenas (old and new) happen.
    fn lattice(rng: &mut ChaCha8Rng, extent: f64) -> [f64; 2] {
        [(rng.random_range(0.0..extent) / 50.0).round() * 50.0, (rng.random_range(0.0..extent) / 50.0).round() * 50.0]
    }

    fn arena(rng: &mut ChaCha8Rng, id: String, kinds: usize, extent: f64) -> Facility {
        let kind = KindId(rng.random_range(0..kinds) as u16);
        Facility { name: format!("Arena {id}"), id, kind, position: lattice(rng, extent), capacity: 1.0 }
    }

    fn assert_same(a: &Evaluation, b: &Evaluation, what: &str) {
        assert_eq!((a.nearest.origins(), a.nearest.groups()), (b.nearest.origins(), b.nearest.groups()), "{what}");
        for i in 0..a.nearest.origins() {
            for g in 0..a.nearest.groups() {
                let bits = |e: &Evaluation| e.nearest.get(i, g).map(|(f, c)| (f, c.to_bits()));
                assert_eq!(bits(a), bits(b), "{what}: the nearest of kind {g} to child {i}");
            }
        }
        assert_eq!(a.any_kind, b.any_kind, "{what}: any_kind");
        assert_eq!(a.districts, b.districts, "{what}: districts");
        assert_eq!(a.children_within, b.children_within, "{what}: children_within");
        assert_eq!(a.facility_district, b.facility_district, "{what}: facility_district");
        assert_eq!(a.outside, b.outside, "{what}: outside");
    }

    /// A street grid over the extent, 250 m blocks, one street in eight missing.
    fn streets(rng: &mut ChaCha8Rng, extent: f64) -> crate::network::Graph {
        let n = (extent / 250.0) as u32 + 1;
        let coords = (0..n * n).map(|k| [(k % n) as f64 * 250.0, (k / n) as f64 * 250.0]).collect();
        let mut edges = Vec::new();
        for k in 0..n * n {
            if k % n + 1 < n && rng.random_bool(0.875) {
                edges.push((k, k + 1, 250.0));
            }
            if k / n + 1 < n && rng.random_bool(0.875) {
                edges.push((k, k + n, 250.0 * rng.random_range(1.0..1.2)));
            }
        }
        crate::network::Graph::from_edges(coords, &edges).largest_component().graph
    }

    #[test]
    fn rescoring_a_scenario_equals_evaluating_its_arenas_afresh() {
        rescoring_equals_evaluating_afresh(9, 40, false);
    }

    #[test]
    fn rescoring_along_streets_equals_evaluating_afresh() {
        rescoring_equals_evaluating_afresh(10, 12, true);
    }

    fn rescoring_equals_evaluating_afresh(seed: u64, rounds: usize, network: bool) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for round in 0..rounds {
            let extent = 10_000.0;
            let districts = random_districts(&mut rng, 10, extent);
            let mut kinds = Kinds::defaults();
            kinds.upsert("lekplats", KindEdit { radius: Some(500.0), ..Default::default() }).unwrap();
            // Some rounds have a kind with no arena at all, so that an added one reaches every child.
            let base_kinds = if round % 4 == 0 { 3 } else { 5 };
            let base = Facilities::new(
                (0..rng.random_range(0..25)).map(|i| arena(&mut rng, format!("a{i}"), base_kinds, extent)).collect(),
            );
            let n = rng.random_range(0..3000);
            let children = Children {
                points: (0..n)
                    .map(|i| {
                        if i % 5 == 0 {
                            lattice(&mut rng, extent)
                        } else {
                            [rng.random_range(-500.0..10_500.0), rng.random_range(-500.0..10_500.0)]
                        }
                    })
                    .collect(),
                counts: (0..n).map(|_| rng.random_range(0..5) as f64).collect(),
                footprints: None,
            };
            let need: Vec<f64> = (0..districts.len()).map(|_| rng.random_range(0.5..2.0)).collect();
            let mut study = Study::from_parts(districts, children, kinds, base.clone(), Some(need), Crs::SWEREF99_TM);
            if network {
                study = study.with_network(streets(&mut rng, extent), "grid.osm.pbf".into());
            }
            let model = study.cost_model();
            let model = model.as_ref();
            let params = Params { radius_any: 1000.0 };
            let base_eval = evaluate(&study, &base, model, &params);
            for trial in 0..4 {
                // Adds only, closes only, both, and neither.
                let adds =
                    if trial == 1 { 0 } else { rng.random_range(usize::from(trial != 3)..4) * usize::from(trial != 3) };
                let closes = if trial == 0 || trial == 3 || base.is_empty() {
                    0
                } else {
                    rng.random_range(1..=base.len().min(6))
                };
                let mut added: Vec<Facility> =
                    (0..adds).map(|j| arena(&mut rng, format!("new{j}"), 5, extent)).collect();
                // Sometimes an added arena on top of an existing one: a tie the existing one must win.
                if adds > 0 && !base.is_empty() && rng.random_bool(0.5) {
                    let twin = base.get(rng.random_range(0..base.len()));
                    added[0].position = twin.position;
                    added[0].kind = twin.kind;
                }
                let mut closed: Vec<usize> = sample(&mut rng, base.len(), closes).into_vec();
                closed.sort_unstable();
                let scenario = Scenario { name: format!("round {round} trial {trial}"), added, closed };
                let got = rescore(&study, &base, &base_eval, &scenario, model, &params);
                let want = evaluate(&study, &got.facilities, model, &params);
                assert_eq!(got.facilities, scenario.facilities(&base));
                assert_same(&got.eval, &want, &scenario.name);
                // Every point whose nearest arenas differ from the baseline's is listed as changed.
                for i in 0..study.children.len() {
                    let same_cost = (0..5).all(|k| {
                        base_eval.nearest.cost(i, k).map(f64::to_bits) == want.nearest.cost(i, k).map(f64::to_bits)
                    });
                    if !same_cost {
                        assert!(got.changed.binary_search(&(i as u32)).is_ok(), "{}: child {i}", scenario.name);
                    }
                }
            }
        }
    }
}
