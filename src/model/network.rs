//! The walking network a study measures along: the street graph with the child points joined to it, and what was
//! read, for run.json and the caveats of every output.

use serde::Serialize;

use crate::network::Walk;

/// A street network, read once, with the study's child points snapped to it.
#[derive(Debug)]
pub struct StudyNetwork {
    /// The graph and the child points joined to it.
    pub walk: Walk,
    /// What was read.
    pub info: NetworkInfo,
}

/// What a walking network was made of, for run.json.
#[derive(Clone, Debug, Serialize)]
pub struct NetworkInfo {
    /// The extract, as given.
    pub path: std::path::PathBuf,
    /// Walkable ways read.
    pub ways: usize,
    /// Nodes of the network kept (its largest connected part).
    pub nodes: usize,
    /// Street segments kept (each once).
    pub edges: usize,
    /// Disconnected parts left out, and their nodes.
    pub components_dropped: usize,
    /// Nodes of those parts.
    pub nodes_dropped: usize,
    /// Node references of walkable ways whose node is not in the extract.
    pub missing_nodes: usize,
    /// Points farther than this from the nearest street are warned of, metres.
    pub max_snap_m: f64,
    /// Child points beyond `max_snap_m`.
    pub children_beyond_max_snap: usize,
    /// The farthest snap of a child point, metres.
    pub children_max_snap_m: f64,
}
