//! How distance was measured, in the words every output uses (map subtitle, QGIS layout, report caveats, the
//! comparison's baseline line): one source, so that a run along streets never says "straight line" anywhere.

use crate::model::study::Study;

/// The words for a study's distance.
#[derive(Clone, Debug, PartialEq)]
pub struct DistanceWords {
    /// English, after "within 1 000 m of an arena, …": `straight line`, `on foot along streets`.
    pub en: &'static str,
    /// The sources line of the print layout: what the distance is, in Swedish and English.
    pub sources: String,
    /// The first caveat of a report, Swedish, without the radius sentence.
    pub caveat: String,
}

impl DistanceWords {
    /// The words for `study`'s cost model.
    pub fn of(study: &Study) -> DistanceWords {
        match &study.network {
            None => DistanceWords {
                en: "straight line",
                sources: "Avstånd fågelvägen (straight-line distance)".into(),
                caveat: "Avstånd är fågelvägen (rak linje) från där barnen bor till arenan, inte gångväg: verkliga \
                         vägar är längre."
                    .into(),
            },
            Some(n) => {
                let file = n
                    .info
                    .path
                    .file_name()
                    .map_or_else(|| n.info.path.display().to_string(), |f| f.to_string_lossy().into_owned());
                DistanceWords {
                    en: "on foot along streets",
                    sources: format!("Avstånd är gångväg längs gatorna (walking distance along the streets of {file})"),
                    caveat: format!(
                        "Avstånd är gångväg längs gatorna i OpenStreetMap ({file}): från barnens position rakt till \
                         närmaste gata, längs gatorna, och rakt från gatan till arenan. Gator och gångvägar som \
                         saknas i kartan gör vägen längre än den är."
                    ),
                }
            }
        }
    }
}
