//! `suggest` on what it cannot use: no site to choose or too many, candidates that are not there or not inside the
//! districts, demand with no children, NaN or swapped candidate points, a kind that does not exist. Each is an
//! error naming the flag or the file (and its row), exit 2, and the output folder as it was.

use super::*;

/// `suggest --quiet` on the demo city with `args`, writing to `out` (run from the repository folder).
fn suggest(args: &[&str], out: &Path) -> Command {
    let mut cmd = arenagap();
    cmd.current_dir(repo())
        .args(["suggest", "--quiet", "--map", "false", "--gpkg", "false"])
        .args(args)
        .arg("--out")
        .arg(out);
    cmd
}

#[test]
fn flags_suggest_cannot_use() {
    let cases: &[(&str, &[&str], &str, &[&str])] = &[
        ("count-0", &["--count", "0", "--candidate-grid", "1000"], "--count", &["must be 1 or more"]),
        (
            "count-too-many",
            &["--count", "100000", "--candidate-grid", "1000"],
            "--count 100000",
            &["is more than the", "candidate sites"],
        ),
        ("no-candidates", &["--count", "1"], "--candidates", &["no candidate sites"]),
        (
            "both-candidates",
            &["--count", "1", "--candidate-grid", "500", "--candidates", "x.geojson"],
            "--candidate-grid",
            &["not both"],
        ),
        ("grid-tiny", &["--count", "1", "--candidate-grid", "1"], "--candidate-grid", &["from 10 to 100000 metres"]),
        ("grid-nan", &["--count", "1", "--candidate-grid", "NaN"], "--candidate-grid", &["from 10 to 100000 metres"]),
        (
            "time-limit-0",
            &["--count", "1", "--candidate-grid", "500", "--time-limit", "0"],
            "--time-limit",
            &["above 0"],
        ),
        (
            "unknown-kind",
            &["--count", "1", "--candidate-grid", "500", "--kind", "skola"],
            "--kind skola",
            &["is not a kind"],
        ),
    ];
    for (case, args, names, says) in cases {
        let s = Scratch::new();
        let stderr = assert_bad_input(&mut suggest(args, &s.out()), names, &s.out());
        assert_says(&stderr, says);
        let _ = case;
    }
}

#[test]
fn candidate_files_suggest_cannot_use() {
    let cases: &[(&str, &str, &str, &[&str])] = &[
        ("empty.csv", "x;y;id\n", "", &["has a header but no rows"]),
        ("nan.csv", "x;y;id\n311000;6388800;a\nNaN;6388800;b\n", "row 3", &["not a number"]),
        ("swapped.csv", "x;y;id\n6388800;311000;a\n", "row 2", &["outside the valid area", "swapped"]),
        ("duplicate.csv", "x;y;id\n311000;6388800;a\n312000;6388800;a\n", "row 3", &["has the id 'a', as row 2 has"]),
        ("no-id.csv", "x;y;id\n311000;6388800;\n", "row 2", &["field 'id' is empty"]),
        ("elsewhere.csv", "x;y;id\n500000;7000000;a\n", "", &["no candidate site lies inside the districts"]),
    ];
    for (name, contents, location, says) in cases {
        let s = Scratch::new();
        let path = s.write(name, contents);
        let path = path.to_str().unwrap();
        let args = ["--count", "1", "--candidates", path, "--candidate-id", "id", "--crs", "EPSG:3006"];
        let stderr = if location.is_empty() {
            assert_bad_input(&mut suggest(&args, &s.out()), name, &s.out())
        } else {
            assert_bad_input_at(&mut suggest(&args, &s.out()), name, location, &s.out())
        };
        assert_says(&stderr, says);
    }
}

#[test]
fn demand_with_no_children_is_an_error() {
    let s = Scratch::new();
    let demand = s.write("demand.csv", "x;y;children\n311000;6388800;0\n312000;6388800;0\n");
    let args = [
        "--count",
        "1",
        "--children",
        demand.to_str().unwrap(),
        "--children-count",
        "children",
        "--crs",
        "EPSG:3006",
        "--candidate-grid",
        "1000",
        "--districts",
        "data/demo/districts.geojson",
        "--arenas",
        "data/demo/arenas.geojson",
    ];
    let stderr = assert_bad_input(&mut suggest(&args, &s.out()), "demand.csv", &s.out());
    assert_says(&stderr, &["the demand has no children"]);
    let empty = s.write("empty.csv", "x;y;children\n");
    let args =
        ["--count", "1", "--children", empty.to_str().unwrap(), "--crs", "EPSG:3006", "--candidate-grid", "1000"];
    let stderr = assert_bad_input(&mut suggest(&args, &s.out()), "empty.csv", &s.out());
    assert_says(&stderr, &["has a header but no rows"]);
}
