//! Coordinate reference systems: which ones arenagap knows, how files declare them, and transforms between them.
//!
//! STUB: to be implemented (see the API below; signatures are the contract other modules use).

use geo::Geometry;

/// A coordinate reference system arenagap supports, by EPSG code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Crs {
    epsg: u32,
}

/// Why a CRS could not be recognised or a coordinate not transformed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct CrsError(pub String);

impl Crs {
    /// WGS 84 longitude/latitude (EPSG:4326), axis order lon, lat as in RFC 7946.
    pub const WGS84: Crs = Crs { epsg: 4326 };
    /// SWEREF 99 TM (EPSG:3006), metres, easting first.
    pub const SWEREF99_TM: Crs = Crs { epsg: 3006 };

    /// A supported CRS by EPSG code.
    pub fn from_epsg(code: u32) -> Result<Crs, CrsError> {
        let _ = code;
        todo!()
    }
    /// Parses `EPSG:3006`, `epsg:3006`, `3006`, `urn:ogc:def:crs:EPSG::3006`, `urn:ogc:def:crs:OGC:1.3:CRS84`,
    /// `http://www.opengis.net/def/crs/EPSG/0/3006`.
    pub fn parse(text: &str) -> Result<Crs, CrsError> {
        let _ = text;
        todo!()
    }
    /// Recognises the CRS of a `.prj` file or any WKT (ESRI or OGC flavour, with or without AUTHORITY codes).
    pub fn from_wkt(wkt: &str) -> Result<Crs, CrsError> {
        let _ = wkt;
        todo!()
    }
    /// The EPSG code.
    pub fn epsg(self) -> u32 {
        self.epsg
    }
    /// `EPSG:3006`.
    pub fn code(self) -> String {
        format!("EPSG:{}", self.epsg)
    }
    /// A human name: `SWEREF 99 TM`.
    pub fn name(self) -> &'static str {
        todo!()
    }
    /// Whether coordinates are degrees (lon/lat).
    pub fn is_geographic(self) -> bool {
        self.epsg == 4326
    }
    /// The OGC WKT 1 definition (as in the EPSG registry / gpkg_spatial_ref_sys / a .prj file).
    pub fn wkt(self) -> &'static str {
        todo!()
    }
    /// The legacy GeoJSON `crs` member name QGIS and GDAL write: `urn:ogc:def:crs:EPSG::3006`.
    pub fn urn(self) -> String {
        format!("urn:ogc:def:crs:EPSG::{}", self.epsg)
    }
    /// The valid area in this CRS's own coordinates (min x, min y, max x, max y), for range checks.
    pub fn bounds(self) -> [f64; 4] {
        todo!()
    }
}

/// A transform from one CRS to another (identity when they are the same).
#[derive(Clone, Debug)]
pub struct Transform {
    from: Crs,
    to: Crs,
}

impl Transform {
    /// A transform from `from` to `to`.
    pub fn new(from: Crs, to: Crs) -> Result<Transform, CrsError> {
        Ok(Transform { from, to })
    }
    /// Whether it changes nothing.
    pub fn is_identity(&self) -> bool {
        self.from == self.to
    }
    /// Transforms one coordinate (degrees for geographic CRSs, metres otherwise; x = easting/longitude).
    pub fn apply(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        let _ = (x, y);
        todo!()
    }
    /// Transforms every coordinate of a geometry in place.
    pub fn apply_geometry(&self, geometry: &mut Geometry<f64>) -> Result<(), CrsError> {
        let _ = geometry;
        todo!()
    }
}
