//! The walking network of a study: the extract read ([`crate::input::osm`]), the child points joined to it, and
//! the points too far from any street to be trusted said.

use crate::crs::{Crs, Transform};
use crate::error::{Error, Result};
use crate::input::osm::read_walk_network;
use crate::input::sources::NetworkSource;
use crate::model::facilities::Facilities;
use crate::model::network::{NetworkInfo, StudyNetwork};
use crate::model::{format_count, list_some, Children, Warnings};
use crate::network::Walk;

/// Reads `source` into the analysis CRS and joins `children` to it; warns of child points and arenas farther than
/// its `max_snap` from the nearest street (an error when every child point is: the extract is not of this place).
pub fn load_network(
    source: &NetworkSource,
    analysis: Crs,
    children: &Children,
    facilities: &Facilities,
    warnings: &mut Warnings,
) -> Result<StudyNetwork> {
    let path = &source.path;
    let to_analysis = Transform::new(Crs::WGS84, analysis).map_err(|e| Error::input(path, e.to_string()))?;
    let project = |p: [f64; 2]| to_analysis.apply(p[0], p[1]).ok().map(|(x, y)| [x, y]);
    let read = read_walk_network(path, &source.rule, &project)?;
    let graph = read.kept.graph;
    let (nodes, edges) = (graph.nodes(), graph.directed_edges() / 2);
    let walk = Walk::new(graph, &children.points);
    let max = source.max_snap;

    let snaps: Vec<f64> = (0..children.len()).map(|i| walk.snap_distance(i).unwrap_or(f64::INFINITY)).collect();
    let beyond: Vec<usize> = (0..snaps.len()).filter(|&i| snaps[i] > max).collect();
    let farthest = snaps.iter().copied().fold(0.0, f64::max);
    if !beyond.is_empty() {
        let count: f64 = beyond.iter().map(|&i| children.counts[i]).sum();
        let far = beyond.iter().copied().max_by(|&a, &b| snaps[a].total_cmp(&snaps[b])).unwrap_or(beyond[0]);
        let what = format!(
            "{} of {} child point(s), with {} children, are farther than {max} m from the nearest street of {} (the \
             farthest {:.0} m, at x {:.0}, y {:.0} in {})",
            beyond.len(),
            children.len(),
            format_count(count),
            path.display(),
            snaps[far],
            children.points[far][0],
            children.points[far][1],
            analysis.code()
        );
        if beyond.len() == children.len() {
            return Err(Error::input(
                path,
                format!("{what}: the extract does not cover the study area (is it of another place, or clipped?)"),
            ));
        }
        warnings.push(format!(
            "{what}: their distances include the walk to the street in a straight line (see snap_m in \
             children.geojson); raise --max-snap if that is expected"
        ));
    }
    let far_arenas: Vec<String> = facilities
        .iter()
        .filter_map(|f| {
            let d = walk.snap(f.position)?.distance;
            (d > max).then(|| format!("'{}' {:.0} m", f.id, d))
        })
        .collect();
    if !far_arenas.is_empty() {
        warnings.push(format!(
            "{}: {} arena(s) farther than {max} m from the nearest street kept: {}; an arena on an island of streets \
             not joined to the rest reaches nobody along it, so each is measured from the nearest kept street",
            path.display(),
            far_arenas.len(),
            list_some(&far_arenas, 8, ", ")
        ));
    }
    if read.kept.components_dropped > 0 {
        warnings.push(format!(
            "{}: {} street part(s) not joined to the largest ({} nodes) were left out",
            path.display(),
            read.kept.components_dropped,
            read.kept.nodes_dropped
        ));
    }
    let info = NetworkInfo {
        path: path.clone(),
        ways: read.ways,
        nodes,
        edges,
        components_dropped: read.kept.components_dropped,
        nodes_dropped: read.kept.nodes_dropped,
        missing_nodes: read.missing_nodes,
        max_snap_m: max,
        children_beyond_max_snap: beyond.len(),
        children_max_snap_m: farthest,
    };
    Ok(StudyNetwork { walk, info })
}
