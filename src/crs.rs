//! Coordinate reference systems: which ones arenagap knows, how files declare them, and transforms between them.
//!
//! Supported are WGS 84 (EPSG:4326, longitude/latitude in degrees) and any projected CRS in metres with an EPSG
//! code: SWEREF 99 TM (EPSG:3006) and the twelve SWEREF 99 local zones (EPSG:3007–3018) from definitions of
//! arenagap's own, every other one (EPSG:3067 ETRS-TM35FIN, the UTM zones EPSG:326xx/327xx, EPSG:3035
//! ETRS89-LAEA, RT90 EPSG:3021, …) from the EPSG table of the `crs-definitions` crate (a PROJ string and a WKT 1
//! per code), computed by proj4rs. Longitude/latitude CRSs on the WGS 84 or GRS 1980 ellipsoid with no datum
//! shift (EPSG:4258 ETRS89, EPSG:4619 SWEREF99, …) are read as WGS 84; other geographic CRSs, projected CRSs in
//! feet or other units, geocentric ones and ones that need a datum grid are a clear error (arenagap measures in
//! metres; reproject such data first). Coordinates are always handled easting/longitude first, whatever axis
//! order the EPSG registry lists, because that is how data files store them.
//!
//! SWEREF 99, ETRS89 and WGS 84 are treated as the same datum (a null datum shift), as PROJ and GDAL do: the
//! difference is well under a metre, far below what an accessibility analysis can resolve. Other datums use the
//! 7-parameter shift to WGS 84 the EPSG table gives (`+towgs84`).

use std::fmt;
use std::sync::OnceLock;

use geo::{Coord, Geometry, MapCoordsInPlace};
use proj4rs::Proj;

/// A coordinate reference system arenagap supports, by EPSG code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Crs {
    epsg: u32,
}

/// Why a CRS could not be recognised or a coordinate not transformed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CrsError(pub String);

/// A transverse Mercator projection on the SWEREF 99 datum (GRS 1980 ellipsoid).
struct ProjectedDef {
    epsg: u32,
    name: &'static str,
    /// Longitude of the central meridian, degrees.
    lon0: f64,
    /// Scale factor on the central meridian.
    k: f64,
    /// False easting, metres (false northing is 0 and the latitude of origin 0 for all of them).
    x0: f64,
}

const fn zone(epsg: u32, name: &'static str, lon0: f64) -> ProjectedDef {
    ProjectedDef { epsg, name, lon0, k: 1.0, x0: 150_000.0 }
}

/// The projected CRSs with definitions of arenagap's own (the Swedish ones), in EPSG code order.
const PROJECTED: [ProjectedDef; 13] = [
    ProjectedDef { epsg: 3006, name: "SWEREF99 TM", lon0: 15.0, k: 0.9996, x0: 500_000.0 },
    zone(3007, "SWEREF99 12 00", 12.0),
    zone(3008, "SWEREF99 13 30", 13.5),
    zone(3009, "SWEREF99 15 00", 15.0),
    zone(3010, "SWEREF99 16 30", 16.5),
    zone(3011, "SWEREF99 18 00", 18.0),
    zone(3012, "SWEREF99 14 15", 14.25),
    zone(3013, "SWEREF99 15 45", 15.75),
    zone(3014, "SWEREF99 17 15", 17.25),
    zone(3015, "SWEREF99 18 45", 18.75),
    zone(3016, "SWEREF99 20 15", 20.25),
    zone(3017, "SWEREF99 21 45", 21.75),
    zone(3018, "SWEREF99 23 15", 23.25),
];

/// The CRSs with built-in definitions: WGS 84 first, then the Swedish projected ones in code order.
const SUPPORTED: [Crs; 14] = {
    let mut all = [Crs::WGS84; 14];
    let mut i = 0;
    while i < PROJECTED.len() {
        all[i + 1] = Crs { epsg: PROJECTED[i].epsg };
        i += 1;
    }
    all
};

/// EPSG:4619 (SWEREF99 geographic) is accepted as an alias of WGS 84: same axes, null datum shift.
const SWEREF99_GEOGRAPHIC: u32 = 4619;

/// What to tell a user whose CRS was not recognised.
const SUPPORTED_HINT: &str = "supported CRSs are EPSG:4326 (WGS 84 longitude/latitude, also CRS84) and projected \
     CRSs in metres with an EPSG code (EPSG:3006 SWEREF99 TM and the SWEREF99 local zones EPSG:3007 to EPSG:3018, \
     EPSG:3067, the UTM zones EPSG:326xx and 327xx, EPSG:3035, …); declare the CRS explicitly (e.g. give --crs \
     EPSG:3006) or reproject the data to one of them";

/// Where the definition of a CRS comes from.
#[derive(Clone, Copy)]
enum Source {
    Wgs84,
    Own(&'static ProjectedDef),
    Table(crs_definitions::Def),
}

/// The EPSG table's definition of a code, if it has one.
fn table_def(code: u32) -> Option<crs_definitions::Def> {
    u16::try_from(code).ok().and_then(crs_definitions::from_code)
}

/// The value of `+key=value` in a PROJ string (`Some("")` for a bare `+key`).
fn proj_param<'a>(proj: &'a str, key: &str) -> Option<&'a str> {
    proj.split_whitespace().filter_map(|token| token.strip_prefix('+')).find_map(|token| match token.split_once('=') {
        Some((k, v)) if k == key => Some(v),
        None if token == key => Some(""),
        _ => None,
    })
}

fn proj_number(proj: &str, key: &str) -> Option<f64> {
    proj_param(proj, key).and_then(|v| v.parse().ok())
}

/// The name in a WKT's outer node: `PROJCS["ETRS89 / TM35FIN(E,N)",…` gives `ETRS89 / TM35FIN(E,N)`.
fn wkt_name(wkt: &'static str) -> Option<&'static str> {
    let start = wkt.find("[\"")? + 2;
    let len = wkt[start..].find('"')?;
    Some(&wkt[start..start + len])
}

/// Whether a geographic PROJ string is WGS 84 or a datum arenagap treats as it (GRS 1980 or WGS 84 ellipsoid and
/// no datum shift).
fn is_wgs84_like(proj: &str) -> bool {
    let ellipsoid = matches!(proj_param(proj, "ellps"), Some("GRS80" | "WGS84"));
    let null_shift =
        proj_param(proj, "towgs84").is_none_or(|v| v.split(',').all(|n| n.trim().parse::<f64>() == Ok(0.0)));
    proj_param(proj, "datum") == Some("WGS84") || (ellipsoid && null_shift && proj_param(proj, "nadgrids").is_none())
}

/// Checks that the EPSG table's definition of `code` is one arenagap can use; the CRS (WGS 84 for a lon/lat CRS
/// on its datum) or why not.
fn check_table_def(code: u32, def: &crs_definitions::Def) -> Result<Crs, CrsError> {
    let name = wkt_name(def.wkt).unwrap_or("unnamed");
    let proj = def.proj4;
    let refuse = |why: String| Err(CrsError(format!("unsupported CRS EPSG:{code} ({name}): {why}")));
    match proj_param(proj, "proj") {
        Some("longlat" | "latlong" | "lonlat" | "latlon") if is_wgs84_like(proj) => return Ok(Crs::WGS84),
        Some("longlat" | "latlong" | "lonlat" | "latlon") => {
            return refuse(
                "a longitude/latitude CRS on another datum than WGS 84; reproject the data to EPSG:4326 or to a \
                 projected CRS in metres"
                    .to_string(),
            )
        }
        Some("geocent") => return refuse("a geocentric (x, y, z) CRS, not a map projection".to_string()),
        _ => {}
    }
    let units = proj_param(proj, "units").unwrap_or("m");
    if units != "m" || proj_param(proj, "to_meter").is_some() {
        let unit = match units {
            "us-ft" => "US survey feet",
            "ft" => "feet",
            other => other,
        };
        return refuse(format!(
            "it measures in {unit}, and arenagap measures in metres; reproject the data to a CRS in metres (e.g. \
             with ogr2ogr -t_srs) or give one with --crs"
        ));
    }
    if let Err(e) = Proj::from_proj_string(proj) {
        return refuse(format!("arenagap cannot compute its projection or datum shift ({e})"));
    }
    Ok(Crs { epsg: code })
}

/// Longitude/latitude box (west, south, east, north) around Sweden in which data gets SWEREF 99 TM as the
/// automatic analysis CRS: SWEREF 99 TM's area of use (10.03–24.17° E, 54.96–69.07° N) with some margin.
pub const SWEDEN_LONLAT: [f64; 4] = [10.0, 54.5, 24.5, 69.5];

const WGS84_WKT: &str = concat!(
    r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],"#,
    r#"AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],"#,
    r#"UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]"#
);

const SWEREF99_GEOGCS_WKT: &str = concat!(
    r#"GEOGCS["SWEREF99",DATUM["SWEREF99",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],"#,
    r#"TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6619"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],"#,
    r#"UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4619"]]"#
);

const GRS80_A: f64 = 6_378_137.0;
const GRS80_RF: f64 = 298.257_222_101;
const WGS84_RF: f64 = 298.257_223_563;
const DEGREE: f64 = 0.017_453_292_519_943_3;
/// Tolerance when matching projection parameters (degrees, unitless scale, metres).
const PARAM_TOLERANCE: f64 = 1e-6;

impl Crs {
    /// WGS 84 longitude/latitude (EPSG:4326), axis order lon, lat as in RFC 7946.
    pub const WGS84: Crs = Crs { epsg: 4326 };
    /// SWEREF 99 TM (EPSG:3006), metres, easting first.
    pub const SWEREF99_TM: Crs = Crs { epsg: 3006 };

    /// A supported CRS by EPSG code: WGS 84 (4326, and the lon/lat CRSs on its datum such as 4258 and 4619), the
    /// Swedish ones, or any projected CRS in metres of the EPSG table that proj4rs can compute.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        if code == SWEREF99_GEOGRAPHIC {
            return Ok(Crs::WGS84);
        }
        if let Some(&crs) = SUPPORTED.iter().find(|crs| crs.epsg == code) {
            return Ok(crs);
        }
        match table_def(code) {
            Some(def) => check_table_def(code, &def),
            None => Err(CrsError(format!(
                "unsupported CRS EPSG:{code}: not a code of arenagap's EPSG table; {SUPPORTED_HINT}"
            ))),
        }
    }

    /// The CRSs with built-in definitions (EPSG:4326, 3006, 3007 … 3018); any other EPSG code of the table is
    /// supported too, through [`Crs::from_epsg`].
    pub fn supported() -> &'static [Crs] {
        &SUPPORTED
    }

    /// The WGS 84 UTM zone of a longitude/latitude: EPSG:326zz north of the equator, 327zz south of it. The zone
    /// is the regular 6° one (zone 1 from 180° W), without the Norway and Svalbard exceptions, so that its central
    /// meridian is always the nearest one.
    pub fn utm_zone(lon: f64, lat: f64) -> Crs {
        let lon = if lon.is_finite() { (lon + 180.0).rem_euclid(360.0) } else { 180.0 };
        let zone = ((lon / 6.0).floor() as u32).min(59) + 1;
        Crs { epsg: if lat < 0.0 { 32_700 } else { 32_600 } + zone }
    }

    /// The analysis CRS for data around a longitude/latitude when none is given: SWEREF 99 TM in and near Sweden
    /// ([`SWEDEN_LONLAT`]), else the UTM zone ([`Crs::utm_zone`]), whose scale is true to 0.1 % within 3° of its
    /// central meridian up to 84° of latitude.
    pub fn for_area(lon: f64, lat: f64) -> Crs {
        let [west, south, east, north] = SWEDEN_LONLAT;
        if (west..=east).contains(&lon) && (south..=north).contains(&lat) {
            Crs::SWEREF99_TM
        } else {
            Crs::utm_zone(lon, lat)
        }
    }

    /// Why this CRS cannot be the analysis CRS (where distances are measured), if it cannot: a longitude/latitude
    /// CRS (degrees), or a Mercator projection (its distances grow as 1 / cos latitude: twice the truth at 60°).
    pub fn analysis_problem(self) -> Option<String> {
        if self.is_geographic() {
            return Some("distances need a metric CRS such as EPSG:3006, not degrees".to_string());
        }
        matches!(proj_param(&self.proj4(), "proj"), Some("merc" | "webmerc")).then(|| {
            format!(
                "{self} is a Mercator projection, whose distances grow with latitude (twice the truth at 60°); give a \
                 CRS made for the area, such as its UTM zone"
            )
        })
    }

    /// Parses `EPSG:3006`, `epsg:3006`, `3006`, `urn:ogc:def:crs:EPSG::3006`, `urn:ogc:def:crs:OGC:1.3:CRS84`,
    /// `http://www.opengis.net/def/crs/EPSG/0/3006`.
    ///
    /// Also `EPSG::3006`, `urn:ogc:def:crs:EPSG:6.6:3006`, `urn:x-ogc:def:crs:EPSG:3006`, `OGC:CRS84`, `CRS84`
    /// and `https://` forms of the OGC URIs.
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        let unrecognised = || CrsError(format!("unrecognised CRS \"{trimmed}\": {SUPPORTED_HINT}"));

        let lower = lower.as_str();
        let (authority, code) =
            if let Some(rest) = lower.strip_prefix("urn:ogc:def:crs:").or(lower.strip_prefix("urn:x-ogc:def:crs:")) {
                // authority:version:code, the version possibly empty or absent.
                let mut parts = rest.split(':');
                let authority = parts.next().unwrap_or("");
                let code = parts.next_back().unwrap_or("");
                if parts.count() > 1 {
                    return Err(unrecognised());
                }
                (authority, code)
            } else if let Some(rest) = lower
                .strip_prefix("http://www.opengis.net/def/crs/")
                .or(lower.strip_prefix("https://www.opengis.net/def/crs/"))
            {
                // authority/version/code
                match rest.trim_end_matches('/').split('/').collect::<Vec<_>>()[..] {
                    [authority, _version, code] => (authority, code),
                    _ => return Err(unrecognised()),
                }
            } else if let Some((authority, code)) = lower.split_once(':') {
                // EPSG:3006, EPSG::3006, OGC:CRS84
                (authority, code.trim_start_matches(':'))
            } else if lower == "crs84" {
                ("ogc", lower)
            } else {
                ("epsg", lower)
            };

        match (authority, code) {
            ("ogc", "crs84") => Ok(Crs::WGS84),
            ("epsg", code) if !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()) => {
                Crs::from_epsg(code.parse().map_err(|_| unrecognised())?)
            }
            _ => Err(unrecognised()),
        }
    }

    /// Recognises the CRS of a `.prj` file or any WKT (ESRI or OGC flavour, with or without AUTHORITY codes).
    ///
    /// An outer `AUTHORITY["EPSG",…]` / `ID["EPSG",…]` of a supported code wins; otherwise the projection
    /// parameters and ellipsoid are matched against the supported CRSs, and only when those are missing is the
    /// CRS name used.
    pub fn from_wkt(wkt: &str) -> Result<Crs, CrsError> {
        let text = wkt.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\0');
        if !text.contains(['[', '(']) {
            // Not WKT at all; maybe a plain code like `EPSG:3006`.
            return Crs::parse(text).map_err(|_| {
                CrsError(format!("could not read the CRS definition \"{}\" as WKT: {SUPPORTED_HINT}", excerpt(text)))
            });
        }
        let root = wkt::parse(text)
            .map_err(|why| CrsError(format!("could not read the CRS definition as WKT ({why}): {SUPPORTED_HINT}")))?;
        recognise(&root).ok_or_else(|| {
            // An EPSG code the table knows but arenagap cannot use (feet, another lon/lat datum) says why.
            let refused =
                outer_epsg(&root).filter(|&code| table_def(code).is_some()).and_then(|c| Crs::from_epsg(c).err());
            refused.unwrap_or_else(|| CrsError(format!("{} is not a supported CRS: {SUPPORTED_HINT}", describe(&root))))
        })
    }

    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        self.epsg
    }
    /// `EPSG:3006`.
    pub fn code(self) -> String {
        format!("EPSG:{}", self.epsg)
    }
    /// A human name as in the EPSG registry: `WGS 84`, `SWEREF99 TM`, `SWEREF99 12 00`, `ETRS89 / TM35FIN(E,N)`.
    pub fn name(self) -> &'static str {
        match self.source() {
            Source::Own(def) => def.name,
            Source::Table(def) => wkt_name(def.wkt).unwrap_or("unnamed"),
            Source::Wgs84 => "WGS 84",
        }
    }
    /// Whether coordinates are degrees (lon/lat).
    pub fn is_geographic(self) -> bool {
        self.epsg == 4326
    }
    /// The OGC WKT 1 definition (as in the EPSG registry / gpkg_spatial_ref_sys / a .prj file).
    ///
    /// The axis order is left at the WKT 1 default (easting, northing), which is how coordinates are stored.
    pub fn wkt(self) -> &'static str {
        static PROJECTED_WKT: OnceLock<Vec<String>> = OnceLock::new();
        match self.source() {
            Source::Own(_) => match self.projected_index() {
                Some(index) => &PROJECTED_WKT.get_or_init(|| PROJECTED.iter().map(projected_wkt).collect())[index],
                None => WGS84_WKT,
            },
            Source::Table(def) => def.wkt,
            Source::Wgs84 => WGS84_WKT,
        }
    }
    /// The legacy GeoJSON `crs` member name QGIS and GDAL write: `urn:ogc:def:crs:EPSG::3006`.
    pub fn urn(self) -> String {
        format!("urn:ogc:def:crs:EPSG::{}", self.epsg)
    }
    /// A box (min x, min y, max x, max y) in this CRS's own coordinates that every coordinate must lie in: a range
    /// check that catches swapped axes, degrees given as metres and garbage, not an area of use.
    ///
    /// For the Swedish CRSs it is a generous box around Sweden (well over 1000 km of margin in x). For other
    /// transverse Mercator CRSs (the UTM zones, EPSG:3067, …) it is 3 500 km either side of the central meridian
    /// (about 30° of longitude at the equator) and pole to pole; for every other projection, 21 000 km either side
    /// of the false origin (the size of the world in any projection that shows it). Longitude/latitude: the world.
    pub fn bounds(self) -> [f64; 4] {
        match self.source() {
            // Sweden spans roughly x 180 000..1 090 000, y 6 090 000..7 680 000 in SWEREF99 TM.
            Source::Own(def) if def.epsg == 3006 => [-1_200_000.0, 5_500_000.0, 2_200_000.0, 8_000_000.0],
            // The local zones: Sweden spans roughly x -700 000..950 000 in the outermost zones.
            Source::Own(def) => [def.x0 - 1_700_000.0, 5_500_000.0, def.x0 + 1_700_000.0, 8_000_000.0],
            Source::Table(def) => table_bounds(def.proj4),
            Source::Wgs84 => [-180.0, -90.0, 180.0, 90.0],
        }
    }

    fn source(self) -> Source {
        if self.epsg == 4326 {
            return Source::Wgs84;
        }
        match (self.projected(), table_def(self.epsg)) {
            (Some(def), _) => Source::Own(def),
            (None, Some(def)) => Source::Table(def),
            // Not reached: a Crs is only made from a code of one of the tables.
            (None, None) => Source::Wgs84,
        }
    }

    fn projected_index(self) -> Option<usize> {
        PROJECTED.iter().position(|def| def.epsg == self.epsg)
    }

    fn projected(self) -> Option<&'static ProjectedDef> {
        self.projected_index().map(|index| &PROJECTED[index])
    }

    /// The PROJ string proj4rs builds this CRS from (as QGIS's `<proj4>` holds it).
    pub fn proj4(self) -> String {
        match self.source() {
            Source::Own(def) => format!(
                "+proj=tmerc +lat_0=0 +lon_0={} +k={} +x_0={} +y_0=0 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
                def.lon0, def.k, def.x0
            ),
            Source::Table(def) => def.proj4.to_string(),
            Source::Wgs84 => "+proj=longlat +datum=WGS84 +no_defs".to_string(),
        }
    }
}

/// The range-check box of a projected CRS of the EPSG table (see [`Crs::bounds`]).
fn table_bounds(proj: &str) -> [f64; 4] {
    let number = |key: &str| proj_number(proj, key).unwrap_or(0.0);
    match proj_param(proj, "proj") {
        Some("utm") => {
            let y0 = if proj_param(proj, "south").is_some() { 10_000_000.0 } else { 0.0 };
            [500_000.0 - 3_500_000.0, y0 - 10_100_000.0, 500_000.0 + 3_500_000.0, y0 + 10_100_000.0]
        }
        Some("tmerc" | "etmerc") => {
            // Northing 0 at the latitude of origin: the equator lies about 111 km per degree from it.
            let equator = number("y_0") - number("lat_0") * 111_320.0;
            let x0 = number("x_0");
            [x0 - 3_500_000.0, equator - 10_100_000.0, x0 + 3_500_000.0, equator + 10_100_000.0]
        }
        _ => {
            let (x0, y0) = (number("x_0"), number("y_0"));
            [x0 - 21_000_000.0, y0 - 21_000_000.0, x0 + 21_000_000.0, y0 + 21_000_000.0]
        }
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EPSG:{} ({})", self.epsg, self.name())
    }
}

fn projected_wkt(def: &ProjectedDef) -> String {
    format!(
        concat!(
            r#"PROJCS["{name}",{geogcs},PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],"#,
            r#"PARAMETER["central_meridian",{lon0}],PARAMETER["scale_factor",{k}],PARAMETER["false_easting",{x0}],"#,
            r#"PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","{epsg}"]]"#
        ),
        name = def.name,
        geogcs = SWEREF99_GEOGCS_WKT,
        lon0 = def.lon0,
        k = def.k,
        x0 = def.x0,
        epsg = def.epsg
    )
}

/// The first few characters of some text, for error messages.
fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Recognising a parsed WKT tree
// ---------------------------------------------------------------------------------------------------------------

/// What kind of CRS a WKT node is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Projected,
    Geographic,
    Compound,
    Other,
}

fn kind(node: &wkt::Node) -> Kind {
    match node.keyword.as_str() {
        "PROJCS" | "PROJCRS" | "PROJECTEDCRS" => Kind::Projected,
        "GEOGCS" | "GEOGCRS" | "GEOGRAPHICCRS" => Kind::Geographic,
        "COMPD_CS" | "COMPOUNDCRS" => Kind::Compound,
        _ => Kind::Other,
    }
}

/// The outcome of matching a WKT's parameters against the supported CRSs.
enum Match {
    Found(Crs),
    /// The parameters are all there and describe something unsupported.
    Mismatch,
    /// Not enough information to decide by parameters.
    Incomplete,
}

fn recognise(node: &wkt::Node) -> Option<Crs> {
    let kind = kind(node);
    if kind == Kind::Compound {
        return node
            .nodes()
            .filter(|n| matches!(self::kind(n), Kind::Projected | Kind::Geographic))
            .find_map(recognise);
    }
    if kind == Kind::Other {
        return None;
    }
    if let Some((authority, code)) = node.authority() {
        if authority.eq_ignore_ascii_case("EPSG") {
            if let Some(crs) = code.parse::<u32>().ok().and_then(|code| Crs::from_epsg(code).ok()) {
                return Some(crs);
            }
        }
    }
    let by_parameters = match kind {
        Kind::Projected => match_projected(node),
        _ => match_geographic(node),
    };
    match by_parameters {
        Match::Found(crs) => Some(crs),
        Match::Mismatch if kind == Kind::Projected => match_table(node),
        Match::Mismatch => None,
        Match::Incomplete => match_name(node, kind),
    }
}

/// The EPSG code of the outer `AUTHORITY` / `ID` of a CRS node (or of a compound CRS's projected or geographic part).
fn outer_epsg(node: &wkt::Node) -> Option<u32> {
    let node = match kind(node) {
        Kind::Compound => node.nodes().find(|n| matches!(kind(n), Kind::Projected | Kind::Geographic))?,
        _ => node,
    };
    let (authority, code) = node.authority()?;
    authority.eq_ignore_ascii_case("EPSG").then(|| code.parse().ok()).flatten()
}

/// Lower-case letters and digits only: `SWEREF99_12_00` and `SWEREF99 12 00` both become `sweref991200`.
fn normalise(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= PARAM_TOLERANCE
}

/// The ellipsoid of a CRS node when it is GRS 1980 or WGS 84 (`Ok(None)` when the WKT does not say);
/// `Err` for any other ellipsoid or a prime meridian other than Greenwich.
fn ellipsoid(node: &wkt::Node) -> Result<Option<Ellipsoid>, ()> {
    if let Some(primem) = node.find(&["PRIMEM", "PRIMEMERIDIAN"]) {
        if primem.number(1).is_some_and(|longitude| longitude != 0.0) {
            return Err(());
        }
    }
    let Some(spheroid) = node.find(&["SPHEROID", "ELLIPSOID"]) else {
        // ESRI and OGC WKT always carry the ellipsoid; fall back to the datum name.
        let datum = node.find(&["DATUM", "GEODETICDATUM", "TRF", "ENSEMBLE"]).and_then(wkt::Node::name);
        return Ok(datum.map(normalise).and_then(|datum| match datum.as_str() {
            "sweref99" | "dsweref99" => Some(Ellipsoid::Grs80),
            "wgs1984" | "wgs84" | "dwgs1984" => Some(Ellipsoid::Wgs84),
            _ => None,
        }));
    };
    match (spheroid.number(1), spheroid.number(2)) {
        (Some(a), Some(rf)) if (a - GRS80_A).abs() < 1e-3 && (rf - GRS80_RF).abs() < 5e-7 => Ok(Some(Ellipsoid::Grs80)),
        (Some(a), Some(rf)) if (a - GRS80_A).abs() < 1e-3 && (rf - WGS84_RF).abs() < 5e-7 => Ok(Some(Ellipsoid::Wgs84)),
        (Some(_), Some(_)) => Err(()),
        _ => Ok(None),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ellipsoid {
    Grs80,
    Wgs84,
}

/// The value of a unit node (`UNIT["metre",1]`, `LENGTHUNIT[…]`, `ANGLEUNIT[…]`) among a node's direct children.
fn unit_factor(node: &wkt::Node, keywords: &[&str]) -> Option<f64> {
    node.child(keywords).and_then(|unit| unit.number(1))
}

fn match_projected(node: &wkt::Node) -> Match {
    // WKT 1 has PROJECTION and PARAMETER directly in PROJCS; WKT 2 has them in CONVERSION.
    let conversion = node.child(&["CONVERSION", "DERIVINGCONVERSION"]).unwrap_or(node);
    let method = conversion.child(&["PROJECTION", "METHOD"]).and_then(wkt::Node::name).map(normalise);
    let Some(method) = method else { return Match::Incomplete };
    if !matches!(method.as_str(), "transversemercator" | "gausskruger") {
        return Match::Mismatch;
    }
    if unit_factor(node, &["UNIT", "LENGTHUNIT"]).is_some_and(|factor| !close(factor, 1.0)) {
        return Match::Mismatch;
    }
    match ellipsoid(node) {
        Ok(Some(Ellipsoid::Grs80)) => {}
        Ok(None) => return Match::Incomplete,
        Ok(Some(Ellipsoid::Wgs84)) | Err(()) => return Match::Mismatch,
    }

    let (mut lon0, mut lat0, mut k, mut x0, mut y0) = (None, None, None, None, None);
    for parameter in conversion.children(&["PARAMETER"]) {
        let (Some(name), Some(value)) = (parameter.name(), parameter.number(1)) else { continue };
        let angle = || value * unit_factor(parameter, &["ANGLEUNIT", "UNIT"]).unwrap_or(DEGREE) / DEGREE;
        let length = || value * unit_factor(parameter, &["LENGTHUNIT", "UNIT"]).unwrap_or(1.0);
        match normalise(name).as_str() {
            "centralmeridian" | "longitudeofnaturalorigin" | "longitudeoforigin" | "longitudeofcentralmeridian" => {
                lon0 = Some(angle())
            }
            "latitudeoforigin" | "latitudeofnaturalorigin" => lat0 = Some(angle()),
            "scalefactor" | "scalefactoratnaturalorigin" => k = Some(value),
            "falseeasting" => x0 = Some(length()),
            "falsenorthing" => y0 = Some(length()),
            _ => {}
        }
    }
    let Some(lon0) = lon0 else { return Match::Incomplete };
    let (lat0, k, x0, y0) = (lat0.unwrap_or(0.0), k.unwrap_or(1.0), x0.unwrap_or(0.0), y0.unwrap_or(0.0));
    if !close(lat0, 0.0) || !close(y0, 0.0) {
        return Match::Mismatch;
    }
    PROJECTED
        .iter()
        .find(|def| close(def.lon0, lon0) && close(def.k, k) && close(def.x0, x0))
        .map_or(Match::Mismatch, |def| Match::Found(Crs { epsg: def.epsg }))
}

/// What decides the coordinates of a projected CRS: its projection method, parameters and ellipsoid.
#[derive(Clone, Debug, PartialEq)]
struct Signature {
    /// The method, canonical (`tmerc`, `laea`, `lcc`, …) or else its normalised WKT name.
    method: String,
    /// Latitude of origin, central meridian (degrees), scale factor, false easting, false northing (metres), and
    /// the two standard parallels (degrees, the smaller first; both the latitude of origin when the method has one).
    params: [f64; 7],
    /// Semi-major axis (metres) and inverse flattening (0 for a sphere).
    ellipsoid: (f64, f64),
}

/// The canonical name of a projection method, WKT 1 (OGC or ESRI) or WKT 2.
fn method_name(name: &str) -> String {
    let name = normalise(name);
    let canonical = match name.as_str() {
        "transversemercator" | "gausskruger" => "tmerc",
        "lambertazimuthalequalarea" => "laea",
        "lambertconformalconic" | "lambertconformalconic1sp" | "lambertconformalconic2sp" => "lcc",
        "albersconicequalarea" | "albers" | "albersequalarea" => "aea",
        "mercator" | "mercator1sp" | "mercator2sp" | "mercatorvarianta" | "mercatorvariantb" => "merc",
        "obliquestereographic" | "doublestereographic" => "sterea",
        "polarstereographic" | "stereographicnorthpole" | "stereographicsouthpole" => "stere",
        "cassinisoldner" | "cassini" => "cass",
        "mercatorauxiliarysphere" | "popularvisualisationpseudomercator" => "webmerc",
        _ => return name,
    };
    canonical.to_string()
}

/// The signature of a projected CRS node in metres on the Greenwich meridian; `None` otherwise or when its
/// method or ellipsoid is missing.
fn signature(node: &wkt::Node) -> Option<Signature> {
    if unit_factor(node, &["UNIT", "LENGTHUNIT"]).is_some_and(|factor| !close(factor, 1.0)) {
        return None;
    }
    if node.find(&["PRIMEM", "PRIMEMERIDIAN"]).and_then(|primem| primem.number(1)).is_some_and(|lon| lon != 0.0) {
        return None;
    }
    let spheroid = node.find(&["SPHEROID", "ELLIPSOID"])?;
    let ellipsoid = (spheroid.number(1)?, spheroid.number(2)?);
    let conversion = node.child(&["CONVERSION", "DERIVINGCONVERSION"]).unwrap_or(node);
    let method = method_name(conversion.child(&["PROJECTION", "METHOD"]).and_then(wkt::Node::name)?);
    let [mut lat0, mut lon0, mut k, mut x0, mut y0, mut sp1, mut sp2] = [None; 7];
    for parameter in conversion.children(&["PARAMETER"]) {
        let (Some(name), Some(value)) = (parameter.name(), parameter.number(1)) else { continue };
        let angle = || value * unit_factor(parameter, &["ANGLEUNIT", "UNIT"]).unwrap_or(DEGREE) / DEGREE;
        let length = || value * unit_factor(parameter, &["LENGTHUNIT", "UNIT"]).unwrap_or(1.0);
        match normalise(name).as_str() {
            "centralmeridian"
            | "longitudeofnaturalorigin"
            | "longitudeoforigin"
            | "longitudeofcentralmeridian"
            | "longitudeofcenter"
            | "longitudeofcentre"
            | "longitudeoffalseorigin" => lon0 = Some(angle()),
            "latitudeoforigin"
            | "latitudeofnaturalorigin"
            | "latitudeofcenter"
            | "latitudeofcentre"
            | "latitudeoffalseorigin" => lat0 = Some(angle()),
            "scalefactor" | "scalefactoratnaturalorigin" => k = Some(value),
            "falseeasting" | "eastingatfalseorigin" => x0 = Some(length()),
            "falsenorthing" | "northingatfalseorigin" => y0 = Some(length()),
            "standardparallel1" | "latitudeof1ststandardparallel" | "latitudeofstandardparallel" => sp1 = Some(angle()),
            "standardparallel2" | "latitudeof2ndstandardparallel" => sp2 = Some(angle()),
            _ => {}
        }
    }
    let lat0 = lat0.unwrap_or(0.0);
    let (mut sp1, mut sp2) = match method.as_str() {
        // A one-standard-parallel conic has it at the latitude of origin.
        "lcc" | "aea" => {
            let sp1 = sp1.unwrap_or(lat0);
            (sp1, sp2.unwrap_or(sp1))
        }
        _ => (sp1.unwrap_or(0.0), sp2.unwrap_or(0.0)),
    };
    if sp2 < sp1 {
        std::mem::swap(&mut sp1, &mut sp2);
    }
    let params = [lat0, lon0.unwrap_or(0.0), k.unwrap_or(1.0), x0.unwrap_or(0.0), y0.unwrap_or(0.0), sp1, sp2];
    Some(Signature { method, params, ellipsoid })
}

impl Signature {
    fn matches(&self, other: &Signature) -> bool {
        let (a, rf) = self.ellipsoid;
        let (other_a, other_rf) = other.ellipsoid;
        // Degrees and scale to 1e-6 (a tenth of a metre on the ground), metres to a millimetre.
        let tolerances =
            [PARAM_TOLERANCE, PARAM_TOLERANCE, PARAM_TOLERANCE, 1e-3, 1e-3, PARAM_TOLERANCE, PARAM_TOLERANCE];
        self.method == other.method
            && (a - other_a).abs() < 1e-3
            && (rf - other_rf).abs() < 5e-7
            && self.params.iter().zip(&other.params).zip(tolerances).all(|((x, y), tol)| (x - y).abs() <= tol)
    }
}

/// Every projected CRS in metres of the EPSG table, with its signature and name, in code order (built once, on
/// the first WKT that needs it).
fn table_signatures() -> &'static [(u32, Signature, &'static str)] {
    static TABLE: OnceLock<Vec<(u32, Signature, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=u16::MAX)
            .filter_map(crs_definitions::from_code)
            .filter(|def| {
                matches!(proj_param(def.proj4, "units"), None | Some("m"))
                    // A PROJ string the WKT does not capture (Web Mercator): matched by its method name instead.
                    && proj_param(def.proj4, "wktext").is_none()
            })
            .filter_map(|def| {
                let node = wkt::parse(def.wkt).ok()?;
                (kind(&node) == Kind::Projected).then_some(())?;
                Some((u32::from(def.code), signature(&node)?, wkt_name(def.wkt)?))
            })
            .collect()
    })
}

/// A projected CRS node without a usable EPSG code, matched by its signature against the EPSG table. Among
/// several CRSs with the same numbers (ETRS89 / TM35FIN and ETRS89 / UTM zone 35N), the one whose name is most
/// like the node's, then the lowest code.
fn match_table(node: &wkt::Node) -> Option<Crs> {
    let wanted = signature(node)?;
    if wanted.method == "webmerc" && (wanted.ellipsoid.0 - GRS80_A).abs() < 1e-3 {
        return Crs::from_epsg(3857).ok();
    }
    let name = node.name().map(esri_name).unwrap_or_default();
    let mut best: Option<(f64, Crs)> = None;
    for (code, signature, candidate) in table_signatures() {
        if !signature.matches(&wanted) {
            continue;
        }
        let Ok(crs) = Crs::from_epsg(*code) else { continue };
        let likeness = strsim::normalized_levenshtein(&name, &esri_name(candidate));
        if best.is_none_or(|(best, _)| likeness > best) {
            best = Some((likeness, crs));
        }
    }
    best.map(|(_, crs)| crs)
}

/// A CRS name normalised, with ESRI's spellings of datums as EPSG's: `WGS_1984_UTM_Zone_35N` and
/// `WGS 84 / UTM zone 35N` both become `wgs84utmzone35n`.
fn esri_name(name: &str) -> String {
    [("wgs1984", "wgs84"), ("wgs1972", "wgs72"), ("etrs1989", "etrs89"), ("nad1983", "nad83"), ("nad1927", "nad27")]
        .iter()
        .fold(normalise(name), |name, (esri, epsg)| name.replace(esri, epsg))
}

fn match_geographic(node: &wkt::Node) -> Match {
    if unit_factor(node, &["UNIT", "ANGLEUNIT"]).is_some_and(|factor| (factor - DEGREE).abs() > 1e-12) {
        return Match::Mismatch;
    }
    match ellipsoid(node) {
        Ok(Some(_)) => Match::Found(Crs::WGS84),
        Ok(None) => Match::Incomplete,
        Err(()) => Match::Mismatch,
    }
}

fn match_name(node: &wkt::Node, kind: Kind) -> Option<Crs> {
    let name = normalise(node.name()?);
    match kind {
        Kind::Projected => PROJECTED
            .iter()
            .find(|def| normalise(def.name) == name || format!("epsg{}", def.epsg) == name)
            .map(|def| Crs { epsg: def.epsg }),
        _ => matches!(
            name.as_str(),
            "wgs84" | "wgs1984" | "gcswgs1984" | "sweref99" | "gcssweref99" | "crs84" | "epsg4326" | "epsg4619"
        )
        .then_some(Crs::WGS84),
    }
}

/// `PROJCS "WGS_1984_UTM_Zone_32N" (EPSG:32632)`, for error messages.
fn describe(node: &wkt::Node) -> String {
    let mut text = format!("the CRS {}", node.keyword);
    if let Some(name) = node.name() {
        text.push_str(&format!(" \"{}\"", excerpt(name)));
    }
    if let Some((authority, code)) = node.authority() {
        text.push_str(&format!(" ({authority}:{code})"));
    }
    text
}

/// A small tolerant WKT (1 and 2) reader: nested `[…]` or `(…)`, quoted strings, numbers and bare words.
mod wkt {
    /// One value inside a WKT node.
    #[derive(Debug, Clone, PartialEq)]
    pub(super) enum Value {
        Str(String),
        Num(f64),
        Word(String),
        Node(Node),
    }

    /// `KEYWORD[value, …]`, keyword upper-cased.
    #[derive(Debug, Clone, PartialEq)]
    pub(super) struct Node {
        pub keyword: String,
        pub values: Vec<Value>,
    }

    const MAX_DEPTH: usize = 64;

    impl Node {
        /// The direct child nodes.
        pub fn nodes(&self) -> impl Iterator<Item = &Node> {
            self.values.iter().filter_map(|value| match value {
                Value::Node(node) => Some(node),
                _ => None,
            })
        }
        /// The direct child nodes with one of these keywords.
        pub fn children<'a>(&'a self, keywords: &'a [&str]) -> impl Iterator<Item = &'a Node> + 'a {
            self.nodes().filter(move |node| keywords.contains(&node.keyword.as_str()))
        }
        /// The first direct child node with one of these keywords.
        pub fn child(&self, keywords: &[&str]) -> Option<&Node> {
            self.nodes().find(|node| keywords.contains(&node.keyword.as_str()))
        }
        /// The first node with one of these keywords, depth first, this node excluded.
        pub fn find(&self, keywords: &[&str]) -> Option<&Node> {
            self.nodes().find_map(|node| {
                if keywords.contains(&node.keyword.as_str()) {
                    Some(node)
                } else {
                    node.find(keywords)
                }
            })
        }
        /// The first value when it is a string: the name of most nodes.
        pub fn name(&self) -> Option<&str> {
            match self.values.first() {
                Some(Value::Str(text)) => Some(text),
                _ => None,
            }
        }
        /// Value `index` as a number (quoted numbers accepted).
        pub fn number(&self, index: usize) -> Option<f64> {
            match self.values.get(index)? {
                Value::Num(number) => Some(*number),
                Value::Str(text) | Value::Word(text) => text.trim().parse().ok(),
                Value::Node(_) => None,
            }
        }
        /// The `AUTHORITY["EPSG","3006"]` or `ID["EPSG",3006]` among the direct children.
        pub fn authority(&self) -> Option<(String, String)> {
            let node = self.child(&["AUTHORITY", "ID"])?;
            let authority = node.name()?.trim().to_string();
            let code = match node.values.get(1)? {
                Value::Str(text) | Value::Word(text) => text.trim().to_string(),
                Value::Num(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", *number as i64),
                Value::Num(number) => number.to_string(),
                Value::Node(_) => return None,
            };
            Some((authority, code))
        }
    }

    /// Parses one WKT node (the whole text).
    pub(super) fn parse(text: &str) -> Result<Node, String> {
        let mut parser = Parser { text, pos: 0 };
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.pos < text.len() {
            return Err(format!("unexpected text at character {}", parser.pos + 1));
        }
        match value {
            Value::Node(node) => Ok(node),
            _ => Err("it does not start with a KEYWORD[…]".to_string()),
        }
    }

    struct Parser<'a> {
        text: &'a str,
        pos: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<u8> {
            self.text.as_bytes().get(self.pos).copied()
        }

        fn skip_whitespace(&mut self) {
            while let Some(c) = self.text[self.pos..].chars().next() {
                if !(c.is_whitespace() || c == '\0') {
                    break;
                }
                self.pos += c.len_utf8();
            }
        }

        fn value(&mut self, depth: usize) -> Result<Value, String> {
            if depth > MAX_DEPTH {
                return Err("nested too deeply".to_string());
            }
            self.skip_whitespace();
            match self.peek() {
                None => Err("unexpected end".to_string()),
                Some(b'"') => self.string().map(Value::Str),
                Some(_) => {
                    let start = self.pos;
                    while let Some(c) = self.text[self.pos..].chars().next() {
                        if c.is_whitespace() || matches!(c, '[' | ']' | '(' | ')' | ',' | '"') {
                            break;
                        }
                        self.pos += c.len_utf8();
                    }
                    let token = &self.text[start..self.pos];
                    if token.is_empty() {
                        return Err(format!(
                            "unexpected '{}' at character {}",
                            self.peek().unwrap_or(b'?') as char,
                            start + 1
                        ));
                    }
                    self.skip_whitespace();
                    match self.peek() {
                        Some(open @ (b'[' | b'(')) => {
                            self.pos += 1;
                            let close = if open == b'[' { b']' } else { b')' };
                            let values = self.values(close, depth)?;
                            Ok(Value::Node(Node { keyword: token.to_ascii_uppercase(), values }))
                        }
                        _ => Ok(token.parse().map_or_else(|_| Value::Word(token.to_string()), Value::Num)),
                    }
                }
            }
        }

        /// Comma-separated values up to the closing bracket (either kind accepted: files in the wild mix them).
        fn values(&mut self, close: u8, depth: usize) -> Result<Vec<Value>, String> {
            let mut values = Vec::new();
            self.skip_whitespace();
            if matches!(self.peek(), Some(b']' | b')')) {
                self.pos += 1;
                return Ok(values);
            }
            loop {
                values.push(self.value(depth + 1)?);
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']' | b')') => {
                        self.pos += 1;
                        return Ok(values);
                    }
                    Some(other) => {
                        return Err(format!(
                            "expected ',' or '{}' at character {} but found '{}'",
                            close as char,
                            self.pos + 1,
                            other as char
                        ))
                    }
                    None => return Err(format!("missing '{}' at the end", close as char)),
                }
            }
        }

        /// A quoted string; `""` inside stands for one `"` (WKT 2).
        fn string(&mut self) -> Result<String, String> {
            let start = self.pos;
            self.pos += 1;
            let mut text = String::new();
            loop {
                let rest = &self.text[self.pos..];
                let Some(end) = rest.find('"') else {
                    return Err(format!("unterminated string starting at character {}", start + 1));
                };
                text.push_str(&rest[..end]);
                self.pos += end + 1;
                if self.peek() == Some(b'"') {
                    text.push('"');
                    self.pos += 1;
                } else {
                    return Ok(text);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Transforms
// ---------------------------------------------------------------------------------------------------------------

/// A transform from one CRS to another (identity when they are the same).
#[derive(Clone)]
pub struct Transform {
    from: Crs,
    to: Crs,
    /// Source and destination projections; `None` for the identity.
    projs: Option<(Proj, Proj)>,
}

impl fmt::Debug for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transform").field("from", &self.from).field("to", &self.to).finish()
    }
}

impl Transform {
    /// A transform from `from` to `to`.
    pub fn new(from: Crs, to: Crs) -> Result<Transform, CrsError> {
        if from == to {
            return Ok(Transform { from, to, projs: None });
        }
        let build = |crs: Crs| {
            Proj::from_proj_string(&crs.proj4())
                .map_err(|e| CrsError(format!("cannot set up the projection for {}: {e}", crs.code())))
        };
        Ok(Transform { from, to, projs: Some((build(from)?, build(to)?)) })
    }
    /// Whether it changes nothing.
    pub fn is_identity(&self) -> bool {
        self.from == self.to
    }
    /// The source CRS.
    pub fn from(&self) -> Crs {
        self.from
    }
    /// The destination CRS.
    pub fn to(&self) -> Crs {
        self.to
    }
    /// Transforms one coordinate (degrees for geographic CRSs, metres otherwise; x = easting/longitude).
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        let Some((src, dst)) = &self.projs else { return Ok((x, y)) };
        if !x.is_finite() || !y.is_finite() {
            return Err(self.error(x, y, "it is not a finite number"));
        }
        if self.from.is_geographic() && !(-90.0..=90.0).contains(&y) {
            return Err(self.error(x, y, "the latitude is outside -90..90"));
        }
        let mut point = if self.from.is_geographic() { (x.to_radians(), y.to_radians(), 0.0) } else { (x, y, 0.0) };
        proj4rs::transform::transform(src, dst, &mut point).map_err(|e| self.error(x, y, &e.to_string()))?;
        let (tx, ty) =
            if self.to.is_geographic() { (point.0.to_degrees(), point.1.to_degrees()) } else { (point.0, point.1) };
        if !tx.is_finite() || !ty.is_finite() {
            return Err(self.error(x, y, "the result is not finite"));
        }
        Ok((tx, ty))
    }
    /// Transforms every coordinate of a geometry in place.
    ///
    /// On error the geometry is left partly transformed.
    pub fn apply_geometry(&self, geometry: &mut Geometry<f64>) -> Result<(), CrsError> {
        if self.is_identity() {
            return Ok(());
        }
        let apply = |c: Coord<f64>| self.apply(c.x, c.y).map(|(x, y)| Coord { x, y });
        // Dispatch per variant: geo's own `Geometry::try_map_coords_in_place` cannot be instantiated (it recurses
        // into `GeometryCollection` with an ever deeper closure type), so collections are walked here.
        match geometry {
            Geometry::Point(g) => g.try_map_coords_in_place(apply),
            Geometry::Line(g) => g.try_map_coords_in_place(apply),
            Geometry::LineString(g) => g.try_map_coords_in_place(apply),
            Geometry::Polygon(g) => g.try_map_coords_in_place(apply),
            Geometry::MultiPoint(g) => g.try_map_coords_in_place(apply),
            Geometry::MultiLineString(g) => g.try_map_coords_in_place(apply),
            Geometry::MultiPolygon(g) => g.try_map_coords_in_place(apply),
            Geometry::Rect(g) => g.try_map_coords_in_place(apply),
            Geometry::Triangle(g) => g.try_map_coords_in_place(apply),
            Geometry::GeometryCollection(collection) => {
                collection.iter_mut().try_for_each(|member| self.apply_geometry(member))
            }
        }
    }

    fn error(&self, x: f64, y: f64, why: &str) -> CrsError {
        CrsError(format!(
            "cannot transform the coordinate ({x}, {y}) from {} to {}: {why}",
            self.from.code(),
            self.to.code()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon, GeometryCollection};

    /// Reference values computed with pyproj 3.7.2 (PROJ), `Transformer.from_crs(a, b, always_xy=True)`.
    const REFERENCE: [(u32, u32, f64, f64, f64, f64); 20] = [
        (4326, 3006, 11.9746, 57.7089, 319758.0200819912, 6400326.036178236),
        (4326, 3007, 11.9746, 57.7089, 148485.855902398, 6398861.670207123),
        (4326, 3006, 13.0038, 55.605, 374243.758528557, 6163926.553424024),
        (4326, 3008, 13.0038, 55.605, 118725.82993907407, 6164696.157155585),
        (4326, 3006, 20.2253, 67.8558, 719583.1230053491, 7536069.969924973),
        (4326, 3016, 20.2253, 67.8558, 148960.58293422268, 7529799.549936102),
        (4326, 3011, 18.0686, 59.3293, 153905.0928038008, 6579354.448318825),
        (4326, 3006, 18.0686, 59.3293, 674571.8664491447, 6580743.008330945),
        (3006, 4326, 319000.0, 6399000.0, 11.96289349751793, 57.69670122923752),
        (3006, 4326, 674032.0, 7538000.0, 19.148392575375595, 67.90398208369432),
        (3007, 4326, 150000.0, 6400000.0, 12.000000000000002, 57.71912346213894),
        (3006, 3007, 319000.0, 6399000.0, 147787.26448753846, 6397503.3857828155),
        (3015, 3006, 150000.0, 7300000.0, 671482.2514124779, 7302200.835287125),
        (3012, 4326, 150000.0, 6500000.0, 14.250000000000002, 58.616945909513696),
        (3013, 4326, 150000.0, 6500000.0, 15.75, 58.616945909513696),
        (3017, 4326, 150000.0, 7300000.0, 21.75, 65.79517521930654),
        (3018, 4326, 150000.0, 7300000.0, 23.25, 65.79517521930654),
        (3009, 3006, 150000.0, 6500000.0, 500000.00000000093, 6497400.0),
        (3010, 4326, 150000.0, 6600000.0, 16.5, 59.514642156561415),
        (3014, 4326, 150000.0, 7000000.0, 17.25, 63.10420933238259),
    ];

    const MM: f64 = 1e-3;
    const DEG: f64 = 1e-8;

    fn crs(code: u32) -> Crs {
        Crs::from_epsg(code).unwrap()
    }

    fn tolerance(crs: Crs) -> f64 {
        if crs.is_geographic() {
            DEG
        } else {
            MM
        }
    }

    /// A tiny deterministic LCG (Knuth's MMIX constants) giving numbers in [0, 1).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Random lon/lat points over Sweden.
    fn swedish_points(seed: u64, count: usize) -> Vec<(f64, f64)> {
        let mut rng = Lcg(seed);
        (0..count).map(|_| (10.5 + 13.5 * rng.next(), 55.2 + 13.8 * rng.next())).collect()
    }

    #[test]
    fn transform_is_clone_send_sync() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<Transform>();
        check::<Crs>();
    }

    #[test]
    fn matches_pyproj_reference_points() {
        for (from, to, x, y, ex, ey) in REFERENCE {
            let transform = Transform::new(crs(from), crs(to)).unwrap();
            let (tx, ty) = transform.apply(x, y).unwrap();
            let tol = tolerance(crs(to));
            assert!(
                (tx - ex).abs() < tol && (ty - ey).abs() < tol,
                "EPSG:{from} -> EPSG:{to} of ({x}, {y}) gave ({tx}, {ty}), expected ({ex}, {ey})"
            );
            // And back.
            let back = Transform::new(crs(to), crs(from)).unwrap();
            let (bx, by) = back.apply(ex, ey).unwrap();
            let tol = tolerance(crs(from));
            assert!(
                (bx - x).abs() < tol && (by - y).abs() < tol,
                "EPSG:{to} -> EPSG:{from} of ({ex}, {ey}) gave ({bx}, {by}), expected ({x}, {y})"
            );
        }
    }

    #[test]
    fn round_trips_over_sweden() {
        let to_tm = Transform::new(Crs::WGS84, Crs::SWEREF99_TM).unwrap();
        let tm_to_zone = Transform::new(Crs::SWEREF99_TM, crs(3007)).unwrap();
        let zone_to_tm = Transform::new(crs(3007), Crs::SWEREF99_TM).unwrap();
        let zone_to_wgs = Transform::new(crs(3007), Crs::WGS84).unwrap();
        for (lon, lat) in swedish_points(20240611, 500) {
            let (e, n) = to_tm.apply(lon, lat).unwrap();
            let (ze, zn) = tm_to_zone.apply(e, n).unwrap();
            let (e2, n2) = zone_to_tm.apply(ze, zn).unwrap();
            assert!((e2 - e).abs() < MM && (n2 - n).abs() < MM, "3006->3007->3006 of ({e}, {n}) gave ({e2}, {n2})");
            let (lon2, lat2) = zone_to_wgs.apply(ze, zn).unwrap();
            assert!(
                (lon2 - lon).abs() < DEG && (lat2 - lat).abs() < DEG,
                "4326->3006->3007->4326 of ({lon}, {lat}) gave ({lon2}, {lat2})"
            );
        }
    }

    #[test]
    fn every_zone_round_trips_near_its_meridian() {
        for &zone in &Crs::supported()[2..] {
            let def = zone.projected().unwrap();
            let forward = Transform::new(Crs::WGS84, zone).unwrap();
            let inverse = Transform::new(zone, Crs::WGS84).unwrap();
            for (i, (_, lat)) in swedish_points(u64::from(zone.epsg()), 50).into_iter().enumerate() {
                let lon = def.lon0 - 1.0 + 2.0 * (i as f64 / 50.0);
                let (x, y) = forward.apply(lon, lat).unwrap();
                let [min_x, min_y, max_x, max_y] = zone.bounds();
                assert!((min_x..=max_x).contains(&x) && (min_y..=max_y).contains(&y), "{zone}: ({x}, {y})");
                let (lon2, lat2) = inverse.apply(x, y).unwrap();
                assert!((lon2 - lon).abs() < DEG && (lat2 - lat).abs() < DEG, "{zone}: ({lon}, {lat})");
            }
        }
    }

    #[test]
    fn identity_is_bit_identical() {
        for &c in Crs::supported() {
            let identity = Transform::new(c, c).unwrap();
            assert!(identity.is_identity());
            for (x, y) in [(0.1 + 0.2, 1.0 / 3.0), (-0.0, f64::MIN_POSITIVE), (f64::NAN, f64::INFINITY)] {
                let (tx, ty) = identity.apply(x, y).unwrap();
                assert_eq!((tx.to_bits(), ty.to_bits()), (x.to_bits(), y.to_bits()));
            }
        }
        assert!(!Transform::new(Crs::WGS84, Crs::SWEREF99_TM).unwrap().is_identity());
    }

    #[test]
    fn errors_name_the_coordinate() {
        let transform = Transform::new(Crs::SWEREF99_TM, Crs::WGS84).unwrap();
        let error = transform.apply(f64::NAN, 6_400_000.0).unwrap_err();
        assert!(error.0.contains("(NaN, 6400000)"), "{error}");
        assert!(error.0.contains("EPSG:3006") && error.0.contains("EPSG:4326"), "{error}");
        let error = Transform::new(Crs::WGS84, Crs::SWEREF99_TM).unwrap().apply(12.0, 95.0).unwrap_err();
        assert_eq!(
            error.0,
            "cannot transform the coordinate (12, 95) from EPSG:4326 to EPSG:3006: the latitude is outside -90..90"
        );
    }

    #[test]
    fn transforms_geometries() {
        let transform = Transform::new(Crs::WGS84, Crs::SWEREF99_TM).unwrap();
        let mut geometry = Geometry::GeometryCollection(GeometryCollection::new_from(vec![
            Geometry::Point(point!(x: 11.9746, y: 57.7089)),
            Geometry::LineString(line_string![(x: 11.9746, y: 57.7089), (x: 13.0038, y: 55.605)]),
            Geometry::Polygon(polygon![(x: 11.9746, y: 57.7089), (x: 13.0038, y: 55.605), (x: 18.0686, y: 59.3293)]),
            Geometry::GeometryCollection(GeometryCollection::new_from(vec![Geometry::Point(
                point!(x: 20.2253, y: 67.8558),
            )])),
        ]));
        transform.apply_geometry(&mut geometry).unwrap();
        let coords: Vec<Coord<f64>> = {
            use geo::CoordsIter;
            geometry.coords_iter().collect()
        };
        let expected = [
            (319758.0200819912, 6400326.036178236),
            (319758.0200819912, 6400326.036178236),
            (374243.758528557, 6163926.553424024),
            (319758.0200819912, 6400326.036178236),
            (374243.758528557, 6163926.553424024),
            (674571.8664491447, 6580743.008330945),
            (319758.0200819912, 6400326.036178236),
            (719583.1230053491, 7536069.969924973),
        ];
        assert_eq!(coords.len(), expected.len());
        for (c, (ex, ey)) in coords.iter().zip(expected) {
            assert!((c.x - ex).abs() < MM && (c.y - ey).abs() < MM, "{c:?} vs ({ex}, {ey})");
        }

        let mut bad = Geometry::LineString(line_string![(x: 11.9746, y: 57.7089), (x: f64::NAN, y: 55.605)]);
        assert!(transform.apply_geometry(&mut bad).unwrap_err().0.contains("(NaN, 55.605)"));

        let mut same = Geometry::Point(point!(x: 0.1 + 0.2, y: 1.0 / 3.0));
        let before = same.clone();
        Transform::new(Crs::SWEREF99_TM, Crs::SWEREF99_TM).unwrap().apply_geometry(&mut same).unwrap();
        assert_eq!(same, before);
    }

    #[test]
    fn parses_every_accepted_form() {
        let cases = [
            ("EPSG:3006", 3006),
            ("epsg:3006", 3006),
            ("3006", 3006),
            (" 3006 ", 3006),
            ("EPSG::3006", 3006),
            ("urn:ogc:def:crs:EPSG::3006", 3006),
            ("urn:ogc:def:crs:EPSG:6.6:3006", 3006),
            ("URN:OGC:DEF:CRS:EPSG::3011", 3011),
            ("urn:x-ogc:def:crs:EPSG:3007", 3007),
            ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326),
            ("urn:ogc:def:crs:OGC::CRS84", 4326),
            ("OGC:CRS84", 4326),
            ("CRS84", 4326),
            ("http://www.opengis.net/def/crs/EPSG/0/3006", 3006),
            ("https://www.opengis.net/def/crs/EPSG/0/3018", 3018),
            ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326),
            ("EPSG:4326", 4326),
            ("EPSG:4619", 4326),
        ];
        for (text, code) in cases {
            assert_eq!(Crs::parse(text), Ok(crs(code)), "{text}");
        }
        for &c in Crs::supported() {
            assert_eq!(Crs::parse(&c.code()), Ok(c));
            assert_eq!(Crs::parse(&c.urn()), Ok(c));
        }
        assert_eq!(Crs::parse("EPSG:32632").map(Crs::epsg), Ok(32632));
        assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::3067").map(Crs::epsg), Ok(3067));
        for text in ["", "EPSG:", "EPSG:abc", "EPSG:9999", "ESRI:3006", "urn:ogc:def:crs:EPSG:1:2:3006", "SWEREF99"] {
            assert!(Crs::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn error_messages_list_supported_codes_and_say_what_to_do() {
        assert_eq!(
            Crs::parse("EPSG:9999").unwrap_err().0,
            "unsupported CRS EPSG:9999: not a code of arenagap's EPSG table; supported CRSs are EPSG:4326 (WGS 84 \
             longitude/latitude, also CRS84) and projected CRSs in metres with an EPSG code (EPSG:3006 SWEREF99 TM \
             and the SWEREF99 local zones EPSG:3007 to EPSG:3018, EPSG:3067, the UTM zones EPSG:326xx and 327xx, \
             EPSG:3035, …); declare the CRS explicitly (e.g. give --crs EPSG:3006) or reproject the data to one of \
             them"
        );
        assert_eq!(Crs::parse("RT90").unwrap_err().0, format!("unrecognised CRS \"RT90\": {SUPPORTED_HINT}"));
        assert_eq!(
            Crs::from_epsg(99_999).unwrap_err().0,
            format!("unsupported CRS EPSG:99999: not a code of arenagap's EPSG table; {SUPPORTED_HINT}")
        );
    }

    #[test]
    fn names_codes_and_bounds() {
        let expected = [
            (4326, "WGS 84"),
            (3006, "SWEREF99 TM"),
            (3007, "SWEREF99 12 00"),
            (3008, "SWEREF99 13 30"),
            (3009, "SWEREF99 15 00"),
            (3010, "SWEREF99 16 30"),
            (3011, "SWEREF99 18 00"),
            (3012, "SWEREF99 14 15"),
            (3013, "SWEREF99 15 45"),
            (3014, "SWEREF99 17 15"),
            (3015, "SWEREF99 18 45"),
            (3016, "SWEREF99 20 15"),
            (3017, "SWEREF99 21 45"),
            (3018, "SWEREF99 23 15"),
        ];
        assert_eq!(Crs::supported().len(), expected.len());
        for (code, name) in expected {
            let c = crs(code);
            assert_eq!((c.epsg(), c.name()), (code, name));
            assert_eq!(c.code(), format!("EPSG:{code}"));
            assert_eq!(c.urn(), format!("urn:ogc:def:crs:EPSG::{code}"));
            assert_eq!(c.is_geographic(), code == 4326);
        }
        assert_eq!(Crs::WGS84.bounds(), [-180.0, -90.0, 180.0, 90.0]);
        assert_eq!(Crs::SWEREF99_TM.to_string(), "EPSG:3006 (SWEREF99 TM)");

        // The corners and edges of Sweden's area of use lie inside every projected CRS's bounds; swapped axes and
        // degrees given as metres do not.
        let to_wgs = |c: Crs| Transform::new(Crs::WGS84, c).unwrap();
        for &c in &Crs::supported()[1..] {
            let [min_x, min_y, max_x, max_y] = c.bounds();
            let inside = |(x, y): (f64, f64)| (min_x..=max_x).contains(&x) && (min_y..=max_y).contains(&y);
            let transform = to_wgs(c);
            for lon in [10.03, 12.0, 15.0, 18.0, 21.0, 24.17] {
                for lat in [54.96, 60.0, 65.0, 69.07] {
                    let (x, y) = transform.apply(lon, lat).unwrap();
                    assert!(inside((x, y)), "{c}: ({lon}, {lat}) -> ({x}, {y})");
                    assert!(!inside((y, x)), "{c}: swapped ({y}, {x})");
                    assert!(!inside((lon, lat)), "{c}: degrees ({lon}, {lat})");
                }
            }
        }
    }

    const ESRI_3007: &str = r#"PROJCS["SWEREF99_12_00",GEOGCS["GCS_SWEREF99",DATUM["D_SWEREF99",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",150000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",12.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_3006: &str = r#"PROJCS["SWEREF99_TM",GEOGCS["GCS_SWEREF99",DATUM["D_SWEREF99",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",15.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_4326: &str = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
    const ESRI_UTM32N: &str = r#"PROJCS["WGS_1984_UTM_Zone_32N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",9.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    /// GDAL 3 / pyproj `to_wkt("WKT1_GDAL")` of EPSG:3006 (no TOWGS84).
    const GDAL_3006: &str = r#"PROJCS["SWEREF99 TM",GEOGCS["SWEREF99",DATUM["SWEREF99",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],AUTHORITY["EPSG","6619"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4619"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","3006"]]"#;
    const GDAL_UTM32N: &str = r#"PROJCS["WGS 84 / UTM zone 32N",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",9],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","32632"]]"#;
    /// pyproj `to_wkt("WKT2_2019")` of EPSG:3006.
    const WKT2_3006: &str = r#"PROJCRS["SWEREF99 TM",BASEGEOGCRS["SWEREF99",DATUM["SWEREF99",ELLIPSOID["GRS 1980",6378137,298.257222101,LENGTHUNIT["metre",1]]],PRIMEM["Greenwich",0,ANGLEUNIT["degree",0.0174532925199433]],ID["EPSG",4619]],CONVERSION["SWEREF99 TM",METHOD["Transverse Mercator",ID["EPSG",9807]],PARAMETER["Latitude of natural origin",0,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8801]],PARAMETER["Longitude of natural origin",15,ANGLEUNIT["degree",0.0174532925199433],ID["EPSG",8802]],PARAMETER["Scale factor at natural origin",0.9996,SCALEUNIT["unity",1],ID["EPSG",8805]],PARAMETER["False easting",500000,LENGTHUNIT["metre",1],ID["EPSG",8806]],PARAMETER["False northing",0,LENGTHUNIT["metre",1],ID["EPSG",8807]]],CS[Cartesian,2],AXIS["northing (N)",north,ORDER[1],LENGTHUNIT["metre",1]],AXIS["easting (E)",east,ORDER[2],LENGTHUNIT["metre",1]],USAGE[SCOPE["Topographic mapping (medium and small scale)."],AREA["Sweden - onshore and offshore."],BBOX[54.96,10.03,69.07,24.17]],ID["EPSG",3006]]"#;

    #[test]
    fn recognises_esri_prj_files() {
        assert_eq!(Crs::from_wkt(ESRI_3007), Ok(crs(3007)));
        assert_eq!(Crs::from_wkt(ESRI_3006), Ok(Crs::SWEREF99_TM));
        assert_eq!(Crs::from_wkt(ESRI_4326), Ok(Crs::WGS84));
        // With a byte order mark, line breaks and a trailing newline, as some tools write them.
        let messy = format!("\u{feff}{}\r\n", ESRI_3006.replace(",PROJECTION", ",\n  PROJECTION"));
        assert_eq!(Crs::from_wkt(&messy), Ok(Crs::SWEREF99_TM));
        // Every zone, by parameters, under a name that says nothing.
        for &c in &Crs::supported()[1..] {
            let def = c.projected().unwrap();
            let wkt = ESRI_3007
                .replace("SWEREF99_12_00", "Custom")
                .replace("150000.0", &def.x0.to_string())
                .replace("[\"Central_Meridian\",12.0]", &format!("[\"Central_Meridian\",{}]", def.lon0))
                .replace("[\"Scale_Factor\",1.0]", &format!("[\"Scale_Factor\",{}]", def.k));
            assert_eq!(Crs::from_wkt(&wkt), Ok(c), "{wkt}");
        }
    }

    #[test]
    fn recognises_ogc_wkt_by_outer_authority() {
        assert_eq!(Crs::from_wkt(GDAL_3006), Ok(Crs::SWEREF99_TM));
        assert_eq!(Crs::from_wkt(WKT2_3006), Ok(Crs::SWEREF99_TM));
        // The outer authority wins over the inner GEOGCS one (4619) and over the parameters.
        let relabelled = GDAL_3006.replace("AUTHORITY[\"EPSG\",\"3006\"]]", "AUTHORITY[\"EPSG\",\"3010\"]]");
        assert_eq!(Crs::from_wkt(&relabelled), Ok(crs(3010)));
        assert_eq!(
            Crs::from_wkt(WKT2_3006.replace("ID[\"EPSG\",3006]]", "ID[\"EPSG\",3011]]").as_str()),
            Ok(crs(3011))
        );
        // WKT1 with round brackets.
        assert_eq!(Crs::from_wkt(&GDAL_3006.replace('[', "(").replace(']', ")")), Ok(Crs::SWEREF99_TM));
    }

    #[test]
    fn own_definitions_round_trip() {
        for &c in Crs::supported() {
            assert_eq!(Crs::from_wkt(c.wkt()), Ok(c), "{}", c.wkt());
            // Also without the AUTHORITY nodes, i.e. by parameters.
            let bare = wkt::parse(c.wkt()).unwrap();
            let stripped = strip_authorities(bare);
            assert_eq!(recognise(&stripped), Some(c));
        }
        assert_eq!(
            Crs::SWEREF99_TM.wkt(),
            r#"PROJCS["SWEREF99 TM",GEOGCS["SWEREF99",DATUM["SWEREF99",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6619"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4619"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","3006"]]"#
        );
        assert_eq!(
            Crs::WGS84.wkt(),
            GDAL_UTM32N[GDAL_UTM32N.find("GEOGCS").unwrap()..].split(",PROJECTION").next().unwrap()
        );
        assert!(crs(3012).wkt().contains(r#"PROJCS["SWEREF99 14 15","#));
        assert!(crs(3012).wkt().contains(
            r#"PARAMETER["central_meridian",14.25],PARAMETER["scale_factor",1],PARAMETER["false_easting",150000]"#
        ));
        assert!(crs(3012).wkt().ends_with(r#"AUTHORITY["EPSG","3012"]]"#));
    }

    fn strip_authorities(node: wkt::Node) -> wkt::Node {
        wkt::Node {
            keyword: node.keyword,
            values: node
                .values
                .into_iter()
                .filter(|v| !matches!(v, wkt::Value::Node(n) if n.keyword == "AUTHORITY"))
                .map(|v| match v {
                    wkt::Value::Node(n) => wkt::Value::Node(strip_authorities(n)),
                    other => other,
                })
                .collect(),
        }
    }

    #[test]
    fn falls_back_to_names_without_parameters() {
        assert_eq!(Crs::from_wkt(r#"PROJCS["SWEREF99_TM"]"#), Ok(Crs::SWEREF99_TM));
        assert_eq!(Crs::from_wkt(r#"PROJCS["SWEREF99 12 00",UNIT["Meter",1.0]]"#), Ok(crs(3007)));
        assert_eq!(Crs::from_wkt(r#"GEOGCS["GCS_WGS_1984"]"#), Ok(Crs::WGS84));
        assert_eq!(Crs::from_wkt(r#"GEOGCS["SWEREF99",DATUM["SWEREF99"]]"#), Ok(Crs::WGS84));
        // A name cannot override parameters that say something else.
        assert_eq!(Crs::from_wkt(&ESRI_UTM32N.replace("WGS_1984_UTM_Zone_32N", "SWEREF99_TM")), Ok(crs(32632)));
        assert!(Crs::from_wkt(&ESRI_3006.replace("\"Central_Meridian\",15.0", "\"Central_Meridian\",16.0")).is_err());
    }

    #[test]
    fn rejects_unsupported_and_garbage() {
        // Once unsupported, now from the EPSG table: UTM 32N by parameters and by code.
        assert_eq!(Crs::from_wkt(ESRI_UTM32N), Ok(crs(32632)));
        assert_eq!(Crs::from_wkt(GDAL_UTM32N), Ok(crs(32632)));
        // UTM 33N on WGS 84 has SWEREF99 TM's parameters but not its ellipsoid.
        let utm33 = ESRI_UTM32N.replace("\"Central_Meridian\",9.0", "\"Central_Meridian\",15.0");
        assert_eq!(Crs::from_wkt(&utm33), Ok(crs(32633)));
        // A transverse Mercator no EPSG CRS has.
        let odd = ESRI_UTM32N.replace("\"Central_Meridian\",9.0", "\"Central_Meridian\",9.5");
        assert_eq!(
            Crs::from_wkt(&odd).unwrap_err().0,
            format!("the CRS PROJCS \"WGS_1984_UTM_Zone_32N\" is not a supported CRS: {SUPPORTED_HINT}")
        );
        // A code the table has, in feet: says why.
        let feet = crs_definitions::EPSG_2263.wkt;
        assert_eq!(
            Crs::from_wkt(feet).unwrap_err().0,
            "unsupported CRS EPSG:2263 (NAD83 / New York Long Island (ftUS)): it measures in US survey feet, and \
             arenagap measures in metres; reproject the data to a CRS in metres (e.g. with ogr2ogr -t_srs) or give \
             one with --crs"
        );
        // RT90 2.5 gon V on Bessel, now EPSG:3021 by its parameters.
        let rt90 = r#"PROJCS["RT90_25_gon_V",GEOGCS["GCS_RT_1990",DATUM["D_RT_1990",SPHEROID["Bessel_1841",6377397.155,299.1528128]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",1500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",15.80827777777778],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_wkt(rt90), Ok(crs(3021)));
        // SWEREF99 TM parameters in US feet.
        assert!(
            Crs::from_wkt(&ESRI_3006.replace("UNIT[\"Meter\",1.0]", "UNIT[\"Foot_US\",0.3048006096012192]")).is_err()
        );
        for garbage in [
            "",
            "hello",
            "PROJCS[",
            "PROJCS[\"SWEREF99_TM\"",
            "PROJCS[\"SWEREF99_TM]",
            "[]",
            "PROJCS[\"SWEREF99_TM\"]]",
            "LOCAL_CS[\"Anything\"]",
            &"A[".repeat(1000),
        ] {
            let error = Crs::from_wkt(garbage).unwrap_err();
            assert!(error.0.contains("give --crs EPSG:3006"), "{garbage}: {error}");
        }
        assert_eq!(
            Crs::from_wkt("PROJCS[\"SWEREF99_TM\"").unwrap_err().0,
            format!("could not read the CRS definition as WKT (missing ']' at the end): {SUPPORTED_HINT}")
        );
        // A plain code instead of WKT is accepted.
        assert_eq!(Crs::from_wkt("EPSG:3006\n"), Ok(Crs::SWEREF99_TM));
    }

    /// Beyond Sweden: reference values from pyproj 3.7.2 (PROJ 9.5.1),
    /// `Transformer.from_crs(4326, code, always_xy=True).transform(lon, lat)`, and back from round numbers.
    const BEYOND_SWEDEN: [(u32, u32, f64, f64, f64, f64); 14] = [
        (4326, 3067, 24.94, 60.17, 385700.4213849057, 6672126.743010733),
        (4326, 3067, 27.5, 65.0, 523578.1381220663, 7208547.8224162515),
        (4326, 3067, 21.0, 60.5, 170707.56787860097, 6722124.015250669),
        (4326, 32635, 24.94, 60.17, 385700.42138632183, 6672126.743133654),
        (4326, 32635, 27.0, 45.0, 500000.0, 4982950.400226552),
        (4326, 32735, 25.9, -24.65, 388682.45094733825, 7273360.6356302705),
        (4326, 32735, 28.19, -25.75, 619348.7436223829, 7151463.099417411),
        (4326, 3035, 24.94, 60.17, 5145382.16170416, 4206177.50404137),
        (4326, 3035, 11.97, 57.71, 4438573.339091406, 3846962.8224817766),
        (4326, 3035, -3.7, 40.42, 3159766.9305547336, 2030142.1131846162),
        (3067, 4326, 385000.0, 6672000.0, 24.927457713312172, 60.16866599984987),
        (32735, 4326, 600000.0, 7150000.0, 27.997213771151483, -25.764658740728553),
        (3035, 4326, 5000000.0, 4200000.0, 22.343362210441086, 60.3662052909004),
        (3067, 3006, 385000.0, 6672000.0, 1049508.0849070386, 6711648.3047888335),
    ];

    // pyproj 3.7.2 `CRS.from_epsg(code).to_wkt(version="WKT1_ESRI")`: .prj files with no EPSG code.
    const ESRI_3067: &str = r#"PROJCS["EUREF_FIN_TM35FIN",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",27.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_32635: &str = r#"PROJCS["WGS_1984_UTM_Zone_35N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",27.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_32735: &str = r#"PROJCS["WGS_1984_UTM_Zone_35S",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",10000000.0],PARAMETER["Central_Meridian",27.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_3035: &str = r#"PROJCS["ETRS_1989_LAEA",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Azimuthal_Equal_Area"],PARAMETER["False_Easting",4321000.0],PARAMETER["False_Northing",3210000.0],PARAMETER["Central_Meridian",10.0],PARAMETER["Latitude_Of_Origin",52.0],UNIT["Meter",1.0]]"#;
    const ESRI_25835: &str = r#"PROJCS["ETRS_1989_UTM_Zone_35N",GEOGCS["GCS_ETRS_1989",DATUM["D_ETRS_1989",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",27.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
    const ESRI_3857: &str = r#"PROJCS["WGS_1984_Web_Mercator_Auxiliary_Sphere",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator_Auxiliary_Sphere"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],PARAMETER["Auxiliary_Sphere_Type",0.0],UNIT["Meter",1.0]]"#;

    #[test]
    fn any_epsg_crs_matches_pyproj_both_ways() {
        for (from, to, x, y, ex, ey) in BEYOND_SWEDEN {
            let (tx, ty) = Transform::new(crs(from), crs(to)).unwrap().apply(x, y).unwrap();
            let tol = tolerance(crs(to));
            assert!(
                (tx - ex).abs() < tol && (ty - ey).abs() < tol,
                "EPSG:{from} -> EPSG:{to} of ({x}, {y}) gave ({tx}, {ty}), expected ({ex}, {ey})"
            );
            let (bx, by) = Transform::new(crs(to), crs(from)).unwrap().apply(ex, ey).unwrap();
            let tol = tolerance(crs(from));
            assert!(
                (bx - x).abs() < tol && (by - y).abs() < tol,
                "EPSG:{to} -> EPSG:{from} of ({ex}, {ey}) gave ({bx}, {by}), expected ({x}, {y})"
            );
            // Every reference point passes the range check of its CRS; swapped, a projected one does not.
            for (c, (px, py)) in [(crs(from), (x, y)), (crs(to), (ex, ey))] {
                let [x0, y0, x1, y1] = c.bounds();
                assert!((x0..=x1).contains(&px) && (y0..=y1).contains(&py), "{c}: ({px}, {py})");
                if !c.is_geographic() && c.epsg() != 3035 {
                    assert!(!((x0..=x1).contains(&py) && (y0..=y1).contains(&px)), "{c}: swapped ({py}, {px})");
                }
            }
        }
    }

    #[test]
    fn table_crss_have_names_wkt_and_bounds() {
        let finland = crs(3067);
        assert_eq!(finland.name(), "ETRS89 / TM35FIN(E,N)");
        assert_eq!(finland.to_string(), "EPSG:3067 (ETRS89 / TM35FIN(E,N))");
        assert!(finland.wkt().starts_with(r#"PROJCS["ETRS89 / TM35FIN(E,N)",GEOGCS["ETRS89""#));
        assert!(finland.wkt().ends_with(r#"AUTHORITY["EPSG","3067"]]"#));
        assert_eq!(Crs::from_wkt(finland.wkt()), Ok(finland));
        assert_eq!(crs(32635).name(), "WGS 84 / UTM zone 35N");
        assert_eq!(crs(32735).name(), "WGS 84 / UTM zone 35S");
        assert_eq!(crs(3035).name(), "ETRS89 / LAEA Europe");
        assert_eq!(crs(3021).name(), "RT90 2.5 gon V");
        assert!(!finland.is_geographic());
        // UTM: 3 500 km either side of x 500 000, pole to pole from the equator (north) or 10 000 km (south).
        assert_eq!(crs(32635).bounds(), [-3_000_000.0, -10_100_000.0, 4_000_000.0, 10_100_000.0]);
        assert_eq!(crs(32735).bounds(), [-3_000_000.0, -100_000.0, 4_000_000.0, 20_100_000.0]);
        assert_eq!(crs(3035).bounds(), [-16_679_000.0, -17_790_000.0, 25_321_000.0, 24_210_000.0]);
        // The Swedish definitions stay arenagap's own, whatever the table says.
        assert!(Crs::SWEREF99_TM.proj4().starts_with("+proj=tmerc +lat_0=0 +lon_0=15 +k=0.9996"));
    }

    #[test]
    fn geographic_units_and_unknown_codes() {
        // Lon/lat on the WGS 84 datum or with a null shift to it: read as WGS 84.
        for code in [4326, 4258, 4619, 4617] {
            assert_eq!(Crs::from_epsg(code), Ok(Crs::WGS84), "EPSG:{code}");
        }
        assert_eq!(
            Crs::from_epsg(4267).unwrap_err().0,
            "unsupported CRS EPSG:4267 (NAD27): a longitude/latitude CRS on another datum than WGS 84; reproject \
             the data to EPSG:4326 or to a projected CRS in metres"
        );
        assert!(Crs::from_epsg(2263).unwrap_err().0.contains("measures in US survey feet"));
        assert!(Crs::from_epsg(4978).unwrap_err().0.contains("geocentric"));
        assert!(Crs::from_epsg(70_000).unwrap_err().0.starts_with("unsupported CRS EPSG:70000: not a code"));
        assert!(Crs::parse("EPSG:4294967296").is_err());
    }

    #[test]
    fn analysis_crs_is_chosen_for_the_area() {
        assert_eq!(Crs::for_area(24.94, 60.17), crs(32635), "Helsinki");
        assert_eq!(Crs::for_area(28.04, -26.2), crs(32735), "Johannesburg");
        assert_eq!(Crs::for_area(-58.38, -34.6), crs(32721), "Buenos Aires");
        assert_eq!(Crs::for_area(11.97, 57.71), Crs::SWEREF99_TM, "Göteborg");
        assert_eq!(Crs::for_area(23.15, 65.84), Crs::SWEREF99_TM, "Haparanda");
        assert_eq!(Crs::for_area(12.57, 55.68), Crs::SWEREF99_TM, "Copenhagen, near Sweden");
        assert_eq!(Crs::for_area(-0.13, 51.51), crs(32630), "London");
        assert_eq!(Crs::utm_zone(-180.0, 10.0), crs(32601));
        assert_eq!(Crs::utm_zone(180.0, 10.0), crs(32601));
        assert_eq!(Crs::utm_zone(179.99, -10.0), crs(32760));
        assert_eq!(Crs::utm_zone(6.0, 0.0), crs(32632));
        // Every zone is in the table.
        for zone in 1..=60 {
            let lon = -177.0 + 6.0 * f64::from(zone - 1);
            for (lat, base) in [(45.0, 32_600), (-45.0, 32_700)] {
                let utm = Crs::utm_zone(lon, lat);
                assert_eq!(utm.epsg(), base + zone);
                assert_eq!(Crs::from_epsg(utm.epsg()), Ok(utm));
                assert!(utm.name().ends_with(&format!("zone {zone}{}", if lat > 0.0 { 'N' } else { 'S' })));
            }
        }
        // UTM is true to 0.1 % within 3° of its central meridian.
        let utm = Transform::new(Crs::WGS84, crs(32635)).unwrap();
        let (x0, y0) = utm.apply(24.94, 60.17).unwrap();
        let (x1, y1) = utm.apply(24.94 + 0.01, 60.17).unwrap();
        // 0.01° of longitude at 60.17°N on WGS 84: N cos φ × 0.01° (N the prime vertical radius).
        let phi = 60.17f64.to_radians();
        let e2 = 0.006_694_379_990_14;
        let truth = 6_378_137.0 / (1.0 - e2 * phi.sin().powi(2)).sqrt() * phi.cos() * 0.01f64.to_radians();
        let grid = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
        assert!((grid / truth - 1.0).abs() < 1e-3, "{grid} vs {truth}");
    }

    #[test]
    fn analysis_problems() {
        assert_eq!(
            Crs::WGS84.analysis_problem().as_deref(),
            Some("distances need a metric CRS such as EPSG:3006, not degrees")
        );
        assert!(crs(3857).analysis_problem().unwrap().contains("Mercator"));
        for code in [3006, 3007, 3067, 32635, 32735, 3035] {
            assert_eq!(crs(code).analysis_problem(), None, "EPSG:{code}");
        }
    }

    #[test]
    fn recognises_esri_prj_files_beyond_sweden() {
        assert_eq!(Crs::from_wkt(ESRI_3067), Ok(crs(3067)));
        assert_eq!(Crs::from_wkt(ESRI_32635), Ok(crs(32635)));
        assert_eq!(Crs::from_wkt(ESRI_32735), Ok(crs(32735)));
        assert_eq!(Crs::from_wkt(ESRI_3035), Ok(crs(3035)));
        assert_eq!(Crs::from_wkt(ESRI_25835), Ok(crs(25835)));
        assert_eq!(Crs::from_wkt(ESRI_3857), Ok(crs(3857)));
        // The Swedish ones keep their own codes (ETRS89 / UTM zone 33N has SWEREF99 TM's numbers).
        assert_eq!(Crs::from_wkt(&ESRI_3067.replace("27.0", "15.0")), Ok(Crs::SWEREF99_TM));
        // Every table CRS's own WKT, its AUTHORITY codes stripped, is recognised as a CRS with the same numbers.
        for code in [3067, 32635, 32735, 3035, 3021, 27700, 2154, 3414] {
            let c = crs(code);
            let stripped = strip_authorities(wkt::parse(c.wkt()).unwrap());
            let found = recognise(&stripped).unwrap_or_else(|| panic!("{c}"));
            assert_eq!(
                signature(&wkt::parse(found.wkt()).unwrap()).map(|s| (s.method, s.params)),
                signature(&stripped).map(|s| (s.method, s.params)),
                "{c} as {found}"
            );
        }
    }

    #[test]
    fn wkt_reader_handles_quotes_words_and_numbers() {
        let node = wkt::parse(r#" cs [ "say ""hi""", -1.5e3 , Cartesian, ID["EPSG", 4326] ] "#).unwrap();
        assert_eq!(node.keyword, "CS");
        assert_eq!(node.name(), Some("say \"hi\""));
        assert_eq!(node.number(1), Some(-1500.0));
        assert_eq!(node.values[2], wkt::Value::Word("Cartesian".to_string()));
        assert_eq!(node.authority(), Some(("EPSG".to_string(), "4326".to_string())));
        assert!(wkt::parse("A[1 2]").is_err());
        assert!(wkt::parse("A[1,]").is_err());
    }
}
