//! Walking distance on a street network (issue 8, first part): the graph, snapping points to it, and the
//! multi-source search that gives every node its nearest arena. Reading OpenStreetMap and the cost model over the
//! network build on these.
//!
//! - [`graph`]: the network as a compact undirected graph (CSR arrays, lengths in metres in the analysis CRS), and
//!   its largest connected component.
//! - [`snap`]: an R-tree over the edges; a point joins the network at the nearest point of the nearest edge.
//! - [`dijkstra`]: one bounded multi-source search for the nearest source of every node, ties to the lower source.
//! - [`walk`]: origins snapped to the network, their nearest facility of each group along it, and the origins
//!   within a cut-off of one facility.

pub mod catchment;
pub mod dijkstra;
pub mod graph;
pub mod snap;
pub mod walk;

pub use dijkstra::{nearest_sources, search, Reach, Scratch};
pub use graph::{Graph, Kept};
pub use snap::{EdgeIndex, Snap};
pub use walk::Walk;
