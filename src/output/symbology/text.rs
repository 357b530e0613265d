//! The words and numbers every output uses: legend headings and labels (Swedish, with the English gloss the
//! picture gives), the labels of gap zones and districts, and Swedish number formatting. The map picture, the QGIS
//! styles (as label expressions), the report and the workbook read them from here, so they cannot drift apart.

/// The legend heading of the district classes, and its gloss.
pub const SCORE_HEADING: (&str, &str) = ("Glappindex per stadsdel", "(gap score per district; higher = worse)");
/// The class of districts with a score of 0.
pub const NO_GAP_LABEL: (&str, &str) = ("Inget glapp (0)", "(no gap)");
/// The class of districts without a score.
pub const NO_DATA_LABEL: (&str, &str) = ("Uppgift saknas", "(no data)");
/// The legend heading of gap zones and the worst districts.
pub const GAPS_HEADING: (&str, &str) = ("Glapp", "(gaps)");
/// A gap zone in the legend ([`super::zones::OTHER`]).
pub const ZONE_LABEL: (&str, &str) = ("Glappzon", "(gap zone)");
/// A gap zone of the largest gaps in the legend ([`super::zones::LARGEST`], ranks 1 to
/// [`super::zones::LARGEST_ZONES`]).
pub const LARGEST_ZONE_LABEL: (&str, &str) = ("Glappzon, störst glapp (1.–3.)", "(gap zone, three largest)");
/// The three worst districts, named on the map with their rank.
pub const WORST_LABEL: (&str, &str) = ("1.–3. Störst glapp", "(three worst districts)");
/// How many of the worst districts are named with their rank.
pub const WORST_NAMED: usize = 3;
/// The legend heading of arenas and children.
pub const ARENAS_HEADING: (&str, &str) = ("Arenor och barn", "(arenas and children)");
/// The legend headings of the layers of the analyze project's print layout, (layer, heading, gloss).
pub const LAYER_HEADINGS: [(&str, &str, &str); 4] = [
    ("arenas", "Arenor", "(arenas)"),
    ("gaps", "Glappzoner", "(gap zones)"),
    ("children", "Var barnen bor", "(where the children live)"),
    ("districts", SCORE_HEADING.0, SCORE_HEADING.1),
];
/// The legend headings of the layers of a scenario's print layout (compare, suggest), (layer, heading, gloss).
pub const CHANGE_HEADINGS: [(&str, &str, &str); 3] = [
    ("arenas", "Arenor i scenariot", "(arenas in the scenario)"),
    ("children_diff", "Barn vars närhet ändras", "(children whose nearness changes)"),
    ("districts_diff", "Områden efter förändring", "(districts by change)"),
];
/// The word after a count of children: `1 080 barn`.
pub const CHILDREN_UNIT: &str = "barn";
/// The word before a district's gap rank: `glapp nr 4`.
pub const RANK_PREFIX: &str = "glapp nr";
/// The thousands separator of every number shown to people: a no-break space, so `1 080` never wraps.
pub const THOUSANDS: char = '\u{a0}';

/// A change the Swedish way, with its sign: `+18`, `−496`, `0`.
pub fn signed_sv(v: f64, decimals: usize) -> String {
    let shown = number_sv(v, decimals);
    if v > 0.0 && shown.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{shown}")
    } else {
        shown
    }
}

/// A number the Swedish way: decimal comma and a no-break space between thousands (`12 345,6`), a true minus.
pub fn number_sv(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('−');
    }
    let digits: Vec<char> = int.chars().collect();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(THOUSANDS);
        }
        out.push(*c);
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// `text` cut to `max` characters, the last of them an ellipsis when it was longer: a title or label that would
/// not fit any page.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A gap zone's label: its children, rounded, `1 080 barn`.
pub fn children_label(children: f64) -> String {
    format!("{} {CHILDREN_UNIT}", number_sv(children.round(), 0))
}

/// The name of one of the worst districts on the map: `1. Billdal`.
pub fn worst_label(rank: usize, name: &str) -> String {
    format!("{rank}. {name}")
}

/// The QGIS label expression of a gap zone: what [`children_label`] gives, built without `format_number` (whose
/// thousands separator is the viewer's locale's), so that every QGIS shows `1 080 barn`.
pub fn zone_label_expression() -> String {
    format!(
        "regexp_replace(to_string(round(\"children\")), '(\\\\d)(?=(\\\\d{{3}})+$)', '\\\\1{THOUSANDS}') || ' {CHILDREN_UNIT}'"
    )
}

/// The QGIS label expression of a district: its name and, where there is a gap, its rank (`glapp nr 4`), with the
/// worst ones numbered as on the map (`1. Billdal`).
pub fn district_label_expression() -> String {
    format!(
        "if(\"gap_score\" > 0 and \"gap_rank\" <= {WORST_NAMED}, \"gap_rank\" || '. ', '') || \"district_name\" \
         || if(\"gap_score\" > 0, '\\n' || '{RANK_PREFIX} ' || \"gap_rank\", '')"
    )
}

/// The suffixes of a comparison's numbers before, after and their change, and how a header says them.
pub const SIDES: [(&str, &str); 3] = [("_before", " före"), ("_after", " efter"), ("_change", ", förändring")];

/// The measure a field of a comparison is of, and its side: `gap_rank_after` → (`gap_rank`, `Some("_after")`); any
/// other field as it is, with `None`.
pub fn split_side(field: &str) -> (&str, Option<&'static str>) {
    SIDES
        .iter()
        .find_map(|(suffix, _)| Some((field.strip_suffix(suffix).filter(|b| !b.is_empty())?, Some(*suffix))))
        .unwrap_or((field, None))
}

/// The Swedish name of an output field, for column headers and QGIS field aliases: `children_uncovered` →
/// `Barn utan arena nära`. Per-kind fields (`arenas_bibliotek`) are named with the kind's Swedish label, from
/// `kinds` as (id, label); a field not known here keeps its own name.
pub fn field_alias(field: &str, kinds: &[(&str, &str)]) -> String {
    let fixed = match field {
        "district_id" => Some("Område, kod"),
        "district_name" => Some("Område"),
        "children" => Some("Barn"),
        "arenas_total" => Some("Arenor"),
        "children_covered" => Some("Barn nära en arena"),
        "children_uncovered" => Some("Barn utan arena nära"),
        "coverage_share" => Some("Andel barn nära en arena"),
        "children_near_radius" => Some("Barn nära räckviddsgränsen"),
        "coverage_could_swing" => Some("Täckningen kan svänga"),
        "mean_distance_m" => Some("Medelavstånd till närmaste arena (m)"),
        "p90_distance_m" => Some("Avstånd för 90 % av barnen (m)"),
        "need_weight" => Some("Behovsvikt"),
        "gap_score" => Some("Glappindex"),
        "gap_rank" => Some("Glapprang"),
        "gap_score_unweighted" => Some("Glappindex utan behovsvikt"),
        "gap_rank_unweighted" => Some("Glapprang utan behovsvikt"),
        "zone_id" => Some("Glappzon"),
        "nearest_arena_m" => Some("Medelavstånd till närmaste arena (m)"),
        "nearest_arena_min_m" => Some("Kortaste avstånd till en arena (m)"),
        "districts" => Some("Områden"),
        "area_km2" => Some("Yta (km²)"),
        "nearest_any_m" => Some("Avstånd till närmaste arena (m)"),
        "nearest_any_id" => Some("Närmaste arena, id"),
        "nearest_any_name" => Some("Närmaste arena"),
        "covered" => Some("Nära en arena"),
        "arena_id" => Some("Arena, id"),
        "name" => Some("Namn"),
        "kind" => Some("Slag av arena"),
        "capacity" => Some("Kapacitet"),
        "radius_m" => Some("Räckvidd (m)"),
        "children_within_radius" => Some("Barn inom räckvidd"),
        // A comparison (compare, suggest).
        "change" => Some("Förändring"),
        "status" => Some("Status i scenariot"),
        "scenario" => Some("Scenario"),
        "folder" => Some("Mapp"),
        "arenas_added" => Some("Nya arenor"),
        "arenas_closed" => Some("Stängda arenor"),
        "population_changed" => Some("Egen befolkning"),
        "children_newly_covered" => Some("Barn som får en arena nära"),
        "children_losing_coverage" => Some("Barn som förlorar sin arena nära"),
        "districts_better" => Some("Områden som blir bättre"),
        "districts_worse" => Some("Områden som blir sämre"),
        "gap_rank_moves" => Some("Områden som byter glapprang"),
        "largest_gap_rank_move" => Some("Största ändring av glapprang"),
        _ => None,
    };
    if let Some(alias) = fixed {
        return alias.to_string();
    }
    // A number before, after and its change: `gap_rank_after` → `Glapprang efter`.
    if let (base, Some(suffix)) = split_side(field) {
        let alias = field_alias(base, kinds);
        if alias != base {
            let said = SIDES.iter().find(|(s, _)| *s == suffix).map_or("", |(_, said)| *said);
            return format!("{alias}{said}");
        }
    }
    for (id, label) in kinds {
        let label = label.trim();
        // In running text: `familjecentral`, but an acronym such as `BVC` as it is.
        let lower =
            if label.chars().skip(1).any(char::is_uppercase) { label.to_string() } else { label.to_lowercase() };
        let per_kind = [
            (format!("arenas_{id}"), format!("Arenor: {lower}")),
            (format!("children_covered_{id}"), format!("Barn nära {lower}")),
            (format!("mean_distance_{id}_m"), format!("Medelavstånd till {lower} (m)")),
            (format!("nearest_{id}_m"), format!("Avstånd till närmaste {lower} (m)")),
            (format!("nearest_{id}_id"), format!("Närmaste {lower}, id")),
            (format!("has_{id}"), format!("Har {lower} i området")),
            (format!("children_newly_covered_{id}"), format!("Barn som får {lower} nära")),
            (format!("districts_gaining_{id}"), format!("Områden som får {lower}")),
            (format!("districts_losing_{id}"), format!("Områden som förlorar {lower}")),
        ];
        if let Some((_, alias)) = per_kind.into_iter().find(|(name, _)| name == field) {
            return alias;
        }
    }
    field.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_swedish_way() {
        assert_eq!(number_sv(1080.0, 0), "1\u{a0}080");
        assert_eq!(number_sv(1234567.891, 2), "1\u{a0}234\u{a0}567,89");
        assert_eq!(number_sv(0.35, 2), "0,35");
        assert_eq!(number_sv(-0.001, 1), "0,0");
        assert_eq!(number_sv(-12.0, 0), "−12");
        assert_eq!(children_label(1079.6), "1\u{a0}080 barn");
        assert_eq!(worst_label(1, "Billdal"), "1. Billdal");
    }

    #[test]
    fn label_expressions_use_the_shared_words() {
        let zone = zone_label_expression();
        assert!(zone.contains("' barn'") && zone.contains('\u{a0}') && !zone.contains("format_number"), "{zone}");
        // In a QGIS string literal `\\d` is the regular expression's `\d`.
        assert!(zone.contains("'(\\\\d)(?=(\\\\d{3})+$)'"), "{zone}");
        let district = district_label_expression();
        assert!(district.contains("'glapp nr '") && district.contains("<= 3"), "{district}");
    }

    #[test]
    fn fields_have_swedish_names_per_kind_too() {
        let kinds = [("familjecentral", "Familjecentral"), ("bvc", "BVC")];
        assert_eq!(field_alias("children_uncovered", &kinds), "Barn utan arena nära");
        assert_eq!(field_alias("arenas_bvc", &kinds), "Arenor: BVC");
        assert_eq!(field_alias("has_familjecentral", &kinds), "Har familjecentral i området");
        assert_eq!(field_alias("mean_distance_familjecentral_m", &kinds), "Medelavstånd till familjecentral (m)");
        assert_eq!(field_alias("something_new", &kinds), "something_new");
        assert_eq!(field_alias("gap_rank_after", &kinds), "Glapprang efter");
        assert_eq!(
            (signed_sv(18.4, 0), signed_sv(-496.0, 0), signed_sv(0.2, 0)),
            ("+18".into(), "−496".into(), "0".into())
        );
        assert_eq!(field_alias("mean_distance_m_change", &kinds), "Medelavstånd till närmaste arena (m), förändring");
        assert_eq!(field_alias("has_familjecentral_before", &kinds), "Har familjecentral i området före");
        assert_eq!(field_alias("children_newly_covered_bvc", &kinds), "Barn som får BVC nära");
        assert_eq!(field_alias("districts_losing_familjecentral", &kinds), "Områden som förlorar familjecentral");
        assert_eq!(field_alias("odd_before", &kinds), "odd_before");
    }
}
