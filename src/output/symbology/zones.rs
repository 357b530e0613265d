//! How a gap zone is drawn: a light white wash, a hatch and an outline, the zones of the lowest gap ranks (the
//! largest gaps) in red and the others in grey. The QGIS gaps style (a rule on `gap_rank`, in the style file, the
//! project and the GeoPackage) and the map picture draw from here, so that a zone looks the same in both.
//!
//! Sizes are millimetres on paper, as QGIS measures them; the picture turns them into pixels at its own scale.

use super::text;
use crate::model::kinds::Rgb;

/// The zones of gap rank 1 to this are drawn as the largest.
pub const LARGEST_ZONES: u32 = 3;

/// One class of gap zone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoneSymbol {
    /// The legend label, Swedish and its English gloss.
    pub label: (&'static str, &'static str),
    /// The outline's colour.
    pub outline: Rgb,
    /// The outline's width, mm.
    pub outline_mm: f64,
    /// The hatch lines' colour.
    pub hatch: Rgb,
    /// The hatch lines' width, mm.
    pub hatch_mm: f64,
}

/// The hatch: lines this far apart, mm …
pub const HATCH_SPACING_MM: f64 = 2.0;
/// … at this angle, degrees counter-clockwise from the horizontal (QGIS's line pattern angle).
pub const HATCH_ANGLE: f64 = 45.0;
/// The wash under the hatch: white at this opacity (0–255), so that the zone reads over any district fill.
pub const WASH_ALPHA: u8 = 40;

/// The zones of the largest gaps ([`LARGEST_ZONES`]).
pub const LARGEST: ZoneSymbol = ZoneSymbol {
    label: text::LARGEST_ZONE_LABEL,
    outline: Rgb([0x67, 0x00, 0x0d]),
    outline_mm: 1.0,
    hatch: Rgb([0xcb, 0x18, 0x1d]),
    hatch_mm: 0.3,
};

/// Every other zone.
pub const OTHER: ZoneSymbol = ZoneSymbol {
    label: text::ZONE_LABEL,
    outline: Rgb([0x3f, 0x3f, 0x3f]),
    outline_mm: 0.7,
    hatch: Rgb([0x73, 0x73, 0x73]),
    hatch_mm: 0.3,
};

/// The classes in the legend's order.
pub const ZONE_CLASSES: [ZoneSymbol; 2] = [LARGEST, OTHER];

/// The class of a zone of gap rank `rank` (`None` when it has none).
pub fn zone_symbol(rank: Option<f64>) -> &'static ZoneSymbol {
    match rank {
        Some(r) if r >= 1.0 && r <= f64::from(LARGEST_ZONES) => &LARGEST,
        _ => &OTHER,
    }
}

/// The QGIS rule filter of [`LARGEST`].
pub fn largest_filter() -> String {
    format!("\"gap_rank\" <= {LARGEST_ZONES}")
}

/// A class's legend label as QGIS shows it: `Glappzon (gap zone)`.
pub fn legend_label(symbol: &ZoneSymbol) -> String {
    format!("{} {}", symbol.label.0, symbol.label.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_ranks_are_the_largest() {
        assert_eq!(zone_symbol(Some(1.0)), &LARGEST);
        assert_eq!(zone_symbol(Some(3.0)), &LARGEST);
        assert_eq!(zone_symbol(Some(4.0)), &OTHER);
        assert_eq!(zone_symbol(None), &OTHER);
        assert_eq!(zone_symbol(Some(f64::NAN)), &OTHER);
        assert_eq!(largest_filter(), "\"gap_rank\" <= 3");
        assert_eq!(legend_label(&LARGEST), "Glappzon, störst glapp (1.–3.) (gap zone, three largest)");
    }
}
