//! The prepared study: every input read, projected, checked and indexed, need weights resolved. Built once by
//! [`crate::input::load`]; then asked many cheap questions ([`crate::measure::evaluate`] with one facility set or
//! another). Nothing is read from a file after it exists.

use serde::Serialize;

use super::facilities::Facilities;
use super::kinds::Kinds;
use super::members::Members;
use super::{Children, District, Warnings};
use crate::crs::Crs;
use crate::index::PolygonIndex;

/// What one input file was, for run.json.
#[derive(Clone, Debug, Serialize)]
pub struct InputInfo {
    /// Which layer: districts, children, arenas, …
    pub layer: String,
    /// The path as given.
    pub path: std::path::PathBuf,
    /// The table read, for a GeoPackage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// GeoJSON, ESRI Shapefile, CSV or GeoPackage.
    pub format: String,
    /// The CRS it was read in.
    pub crs: String,
    /// Its features or rows.
    pub features: usize,
}

/// Everything an evaluation needs that does not change with the facility set.
#[derive(Debug)]
pub struct Study {
    /// The districts, in file order.
    pub districts: Vec<District>,
    /// Point-in-district lookups.
    pub district_index: PolygonIndex,
    /// The child points.
    pub children: Children,
    /// The district of each child point (index into `districts`), `None` outside all of them.
    pub child_district: Vec<Option<u32>>,
    /// The child points of each district (and those outside every district), ascending.
    pub members: Members,
    /// Need weight per district.
    pub need_weight: Vec<f64>,
    /// The kinds of arena.
    pub kinds: Kinds,
    /// The arenas as read: the baseline facility set.
    pub facilities: Facilities,
    /// The metric CRS everything is in.
    pub analysis_crs: Crs,
    /// Warnings from loading.
    pub warnings: Warnings,
    /// The input files.
    pub inputs: Vec<InputInfo>,
    /// How the children were made from a table, when they were (for run.json).
    pub children_table: Option<serde_json::Value>,
    /// Arenas read but left out by `arena-exclude`, in the order of its entries.
    pub excluded: Vec<super::facilities::Facility>,
    /// The walking network distances are measured along (`None`: straight lines).
    pub network: Option<super::network::StudyNetwork>,
}

impl Study {
    /// The study area's bounding box in the analysis CRS, `[xmin, ymin, xmax, ymax]`: the districts' or, without
    /// any, the children's and arenas'. `None` for an empty study.
    pub fn extent(&self) -> Option<[f64; 4]> {
        use geo::BoundingRect;
        let grow = |acc: Option<[f64; 4]>, [x0, y0, x1, y1]: [f64; 4]| {
            Some(acc.map_or([x0, y0, x1, y1], |[a, b, c, d]| [a.min(x0), b.min(y0), c.max(x1), d.max(y1)]))
        };
        let districts = self
            .districts
            .iter()
            .filter_map(|d| d.geometry.bounding_rect())
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
            .fold(None, grow);
        districts.or_else(|| {
            self.children
                .points
                .iter()
                .chain(self.facilities.iter().map(|f| &f.position))
                .map(|&[x, y]| [x, y, x, y])
                .fold(None, grow)
        })
    }

    /// The cost model every distance of this study is measured with: along its walking network when it has one,
    /// else in a straight line.
    pub fn cost_model(&self) -> Box<dyn crate::cost::CostModel + '_> {
        match &self.network {
            Some(n) => Box::new(crate::cost::Streets::new(&n.walk)),
            None => Box::new(crate::cost::StraightLine::new(&self.children.points)),
        }
    }

    /// A study with its child points joined to the walking network `graph` (named `path`), replacing any network
    /// it had: for programs that build a study from parts, benches and tests (a study read from files gets its
    /// network, and the warnings about it, from [`crate::input::load`]).
    pub fn with_network(mut self, graph: crate::network::Graph, path: std::path::PathBuf) -> Study {
        let (nodes, edges) = (graph.nodes(), graph.directed_edges() / 2);
        let walk = crate::network::Walk::new(graph, &self.children.points);
        let snaps = (0..self.children.len()).filter_map(|i| walk.snap_distance(i));
        let info = super::network::NetworkInfo {
            path,
            ways: 0,
            nodes,
            edges,
            components_dropped: 0,
            nodes_dropped: 0,
            missing_nodes: 0,
            max_snap_m: f64::INFINITY,
            children_beyond_max_snap: 0,
            children_max_snap_m: snaps.fold(0.0, f64::max),
        };
        self.network = Some(super::network::StudyNetwork { walk, info });
        self
    }

    /// The district each facility of `facilities` lies in.
    pub fn locate_facilities(&self, facilities: &Facilities) -> Vec<Option<u32>> {
        facilities.iter().map(|f| self.district_index.locate(f.position).map(|d| d as u32)).collect()
    }
}

impl Study {
    /// A study from parts already in the analysis CRS (for programs embedding arenagap, benches and tests): the
    /// districts are indexed and every child located. No warnings, no inputs.
    pub fn from_parts(
        districts: Vec<District>,
        children: Children,
        kinds: Kinds,
        facilities: Facilities,
        need_weight: Option<Vec<f64>>,
        analysis_crs: Crs,
    ) -> Study {
        let district_index = PolygonIndex::new(districts.iter().map(|d| d.geometry.clone()).collect());
        let child_district = district_index.locate_all(&children.points);
        let need_weight = need_weight.unwrap_or_else(|| vec![1.0; districts.len()]);
        let members = Members::new(&child_district, districts.len());
        Study {
            districts,
            district_index,
            children,
            child_district,
            members,
            need_weight,
            kinds,
            facilities,
            analysis_crs,
            warnings: Warnings::default(),
            inputs: Vec::new(),
            children_table: None,
            excluded: Vec::new(),
            network: None,
        }
    }
}
