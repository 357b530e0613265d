//! The terminal summary of `analyze`: the city in one line, the most underserved districts with a legend for their
//! columns, arenas that share a point, districts whose coverage could swing, the gap zones in rank order with their
//! score, and what was written.
//!
//! One number style throughout: counts in whole children with a space between thousands (`38 260`), shares as
//! `76 %`, distances with their unit (`4 352 m`, `2.4 km`), scores with one decimal (`2 563.1`).

use std::path::{Path, PathBuf};

use super::analyze::Outcome;
use super::{terminal_safe, truncate};
use crate::model::kinds::Kinds;
use crate::output::layers::format_count;

/// Districts and gap zones listed unless `--top` says otherwise.
pub const DEFAULT_TOP: usize = 10;

/// Prints the summary of a finished run: `top` districts and zones at most.
pub fn print(outcome: &Outcome, zone_link: f64, out: &Path, written: &[PathBuf], top: usize) {
    let (study, a) = (&outcome.study, &outcome.eval);
    let total: f64 = study.children.total();
    let covered: f64 = a.children_covered();
    println!(
        "{} children at {} points in {} districts; {} arenas; {} children ({}) within {} of an arena",
        format_count(total),
        format_count(study.children.len() as f64),
        study.districts.len(),
        study.facilities.len(),
        format_count(covered),
        share(covered, total, 1),
        metres(a.radius_any)
    );
    println!();

    let mut order: Vec<usize> = (0..study.districts.len()).collect();
    order.sort_by_key(|&i| a.districts[i].gap_rank);
    let shown = top.min(order.len());
    println!("Most underserved districts (gap_rank), {shown} of {}:", order.len());
    // One more column per kind beyond the city's four: the share of children within its radius of one.
    let extra: Vec<(usize, String)> = study
        .kinds
        .iter()
        .filter(|(_, k)| !Kinds::DEFAULT_IDS.contains(&k.id.as_str()))
        .map(|(id, k)| (id.index(), truncate(&format!("{} ≤{}", k.id, k.radius), 14)))
        .collect();
    let mut header = format!(
        "{:>4}  {:<28} {:>8} {:>14} {:>14} {:>10} {:>4} {:>10}",
        "rank", "district", "children", "covered", "uncovered", "mean dist", "FC", "gap score"
    );
    for (_, title) in &extra {
        header.push_str(&format!(" {title:>14}"));
    }
    println!("{header}");
    for &i in order.iter().take(shown) {
        let (d, m) = (&study.districts[i], &a.districts[i]);
        let mut line = format!(
            "{:>4}  {:<28} {:>8} {:>14} {:>14} {:>10} {:>4} {:>10}",
            m.gap_rank,
            truncate(&terminal_safe(&format!("{} {}", d.id, d.name)), 28),
            format_count(m.children),
            count_and_share(m.children - m.children_uncovered(), m.children),
            count_and_share(m.children_uncovered(), m.children),
            m.mean_distance_m.map_or("-".into(), metres),
            if m.has_policy_kind { "yes" } else { "no" },
            score(m.gap_score)
        );
        for (k, _) in &extra {
            line.push_str(&format!(" {:>14}", share(m.children_covered_kind[*k], m.children, 0)));
        }
        println!("{line}");
    }
    let policy = study.kinds.policy_kind().map(|k| study.kinds.get(k).label_sv.to_lowercase());
    println!(
        "covered, uncovered: children within and beyond {} of an arena, and their share; mean dist: to the nearest \
         arena, child-weighted; FC: {}; gap score: uncovered children × their distance ÷ {} (× need weight). \
         --top N lists more.",
        metres(a.radius_any),
        policy.map_or("a family centre in the district".to_string(), |p| format!("a {p} in the district")),
        metres(a.radius_any)
    );

    let shared = study.facilities.shared_points();
    if shared.points > 0 {
        println!(
            "{} arenas share {} points (a family centre and its open preschool, …); each counts for its own kind",
            shared.arenas, shared.points
        );
    }
    let swing: Vec<String> = order
        .iter()
        .filter(|&&i| a.districts[i].coverage_could_swing())
        .map(|&i| {
            let (d, m) = (&study.districts[i], &a.districts[i]);
            format!("{} ({})", terminal_safe(&d.name), share(m.children_near_radius, m.children, 0))
        })
        .collect();
    if !swing.is_empty() {
        println!(
            "Coverage could swing by more than 10 points in {} district(s), with that share of their children \
             within ±10 % of {} (children_near_radius): {}",
            swing.len(),
            metres(a.radius_any),
            truncate(&swing.join(", "), 400)
        );
    }
    println!();

    let zones = &outcome.zones;
    println!(
        "Gap zones (uncovered children within {} of each other), by gap score: {} drawn, {} smaller ones left out",
        metres(zone_link),
        zones.zones.len(),
        zones.dropped
    );
    // Zones come ranked; listed in that order whatever the order they were kept in.
    let mut ranked: Vec<&crate::zones::Zone> = zones.zones.iter().collect();
    ranked.sort_by_key(|z| z.gap_rank);
    for z in ranked.into_iter().take(top) {
        let names: Vec<&str> = z.districts.iter().map(|&d| study.districts[d as usize].name.as_str()).collect();
        println!(
            "{:>4}  {:>6} children, gap score {}, nearest arena {} away on average, in {}",
            z.gap_rank,
            format_count(z.children),
            score(z.gap_score),
            z.nearest_arena_m.map_or("-".into(), kilometres),
            truncate(&terminal_safe(&names.join(", ")), 60)
        );
    }
    println!();
    let names: Vec<String> =
        written.iter().filter_map(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    println!("Wrote {}: {}", terminal_safe(&out.display().to_string()), names.join(", "));
}

/// `part` of `whole` as a percentage with `decimals` (`76 %`); `-` when `whole` is 0.
fn share(part: f64, whole: f64, decimals: usize) -> String {
    if whole > 0.0 {
        format!("{:.*} %", decimals, 100.0 * part / whole)
    } else {
        "-".into()
    }
}

/// A count and its share of `whole`, side by side: `1 012  79 %`.
fn count_and_share(part: f64, whole: f64) -> String {
    format!("{} {:>5}", format_count(part), share(part, whole, 0))
}

/// Metres, whole, grouped: `4 352 m`.
fn metres(m: f64) -> String {
    format!("{} m", format_count(m.round()))
}

/// Kilometres with one decimal: `2.4 km`.
fn kilometres(m: f64) -> String {
    format!("{:.1} km", m / 1000.0)
}

/// A score with one decimal, thousands grouped: `2 563.1`.
fn score(x: f64) -> String {
    let tenths = (x * 10.0).round();
    let whole = format_count((tenths / 10.0).trunc());
    let sign = if tenths < 0.0 && whole == "0" { "-" } else { "" };
    format!("{sign}{whole}.{}", (tenths.abs() as u64) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_style() {
        assert_eq!(score(2563.14), "2 563.1");
        assert_eq!(score(0.0), "0.0");
        assert_eq!(score(7109.96), "7 110.0");
        assert_eq!(score(-0.25), "-0.3");
        assert_eq!(score(12.05), "12.1");
        assert_eq!(metres(4351.68), "4 352 m");
        assert_eq!(metres(1000.0), "1 000 m");
        assert_eq!(kilometres(2439.25), "2.4 km");
        assert_eq!(share(28_983.0, 38_260.0, 1), "75.8 %");
        assert_eq!(share(0.0, 0.0, 0), "-");
        assert_eq!(count_and_share(1012.0, 1283.0), "1 012  79 %");
    }
}
