//! The output folder is atomic as a whole: written aside and swapped in only when every file is complete, so a
//! failed or killed run leaves the previous output as it was, run.json lists exactly the files the folder holds,
//! and no file of an earlier run stays behind.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use crate::common::*;

/// The files run.json lists, plus run.json and the styles folder the project needs.
fn listed(out: &Path) -> Vec<String> {
    let run = read_json(&out.join("run.json"));
    let mut names: Vec<String> =
        run["outputs"].as_array().expect("outputs").iter().map(|v| v.as_str().expect("a name").to_string()).collect();
    names.push("styles".into());
    names.sort();
    names
}

fn demo_run(out: &Path, extra: &[&str]) {
    run_ok(arenagap().current_dir(repo()).arg("analyze").arg("--quiet").arg("--out").arg(out).args(extra));
}

#[test]
fn run_json_lists_exactly_the_files_and_a_smaller_run_leaves_nothing_behind() {
    let s = Scratch::new();
    let out = s.out();
    demo_run(&out, &[]);
    assert!(files_in(&out).contains(&"arenagap.gpkg".to_string()) && files_in(&out).contains(&"map.png".to_string()));
    assert_eq!(files_in(&out), listed(&out));
    // A second run with fewer outputs: the earlier GeoPackage and map are gone, not left unlisted.
    demo_run(&out, &["--gpkg", "false", "--map", "false"]);
    let files = files_in(&out);
    assert!(!files.iter().any(|f| f == "arenagap.gpkg" || f == "map.png" || f == "map.svg"), "{files:?}");
    assert_eq!(files, listed(&out));
    assert_eq!(files_in(s.path()), ["out"], "nothing beside the output folder");
}

#[test]
fn a_failed_run_leaves_the_previous_output_untouched() {
    let s = Scratch::new();
    let out = s.out();
    demo_run(&out, &["--gpkg", "false", "--map", "false"]);
    let before: Vec<(String, Vec<u8>)> = files_in(&out)
        .into_iter()
        .filter(|f| f != "styles")
        .map(|f| {
            let bytes = std::fs::read(out.join(&f)).expect("an output file");
            (f, bytes)
        })
        .collect();
    // A run that fails on its input, after the output folder was prepared.
    let bad = s.write("arenas.geojson", "{\"type\": \"FeatureCollection\", \"features\": [");
    let output = arenagap()
        .current_dir(repo())
        .args(["analyze", "--quiet", "--arenas"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("arenagap runs");
    assert_eq!(output.status.code(), Some(2));
    for (name, bytes) in &before {
        assert_eq!(&std::fs::read(out.join(name)).expect("still there"), bytes, "{name} changed");
    }
    assert_eq!(files_in(s.path()), ["arenas.geojson", "out"], "nothing left beside it");
}

#[test]
fn a_folder_of_other_files_is_not_replaced() {
    let s = Scratch::new();
    let out = s.out();
    std::fs::create_dir(&out).expect("a folder");
    std::fs::write(out.join("notes.txt"), "mine").expect("a file");
    let output = arenagap().current_dir(repo()).args(["analyze", "--quiet", "--out"]).arg(&out).output().expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_says(&stderr, &["not an arenagap output", "new or empty folder"]);
    assert_eq!(files_in(&out), ["notes.txt"]);
}

/// A city large enough that a run takes a while, so that it can be killed at several points.
fn big_city(s: &Scratch) -> [std::path::PathBuf; 3] {
    let [districts, _, arenas] = demo();
    let path = s.path().join("children.csv");
    let mut csv = std::io::BufWriter::new(std::fs::File::create(&path).expect("a CSV"));
    writeln!(csv, "x;y;children").expect("writes");
    let mut seed = 12_345u64;
    for _ in 0..150_000 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let (u, v) = ((seed >> 11) as f64 / (1u64 << 53) as f64, (seed >> 3 & 0xffff) as f64 / 65_536.0);
        writeln!(csv, "{:.2};{:.2};{}", 306_000.0 + 12_000.0 * u, 6_386_000.0 + 12_000.0 * v, 1 + seed % 4)
            .expect("writes");
    }
    drop(csv);
    [districts, path, arenas]
}

#[test]
fn a_killed_run_leaves_the_old_output_or_the_new_one_never_a_mix() {
    let s = Scratch::new();
    let out = s.out();
    let [districts, children, arenas] = big_city(&s);
    let run = || {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("arenagap"));
        cmd.args(["analyze", "--quiet", "--crs", "EPSG:3006", "--children-count", "children", "--districts"])
            .arg(&districts)
            .arg("--children")
            .arg(&children)
            .arg("--arenas")
            .arg(&arenas)
            .arg("--out")
            .arg(&out)
            .stderr(std::process::Stdio::null());
        cmd
    };
    assert!(run().status().expect("runs").success());
    let first = std::fs::read(out.join("districts.csv")).expect("a first output");
    for delay_ms in [50, 150, 300, 600, 1000, 1600, 2400, 3500] {
        let mut child = run().spawn().expect("starts");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Killed in the microseconds between the two renames of the swap, the previous output sits aside, to be put
        // back by the next run (checked at the end); otherwise, whatever the moment: a complete output (every listed
        // file there, nothing unlisted), old or new.
        if !out.exists() && files_in(s.path()).iter().any(|f| f.starts_with(".out.old-")) {
            continue;
        }
        assert!(out.join("run.json").is_file(), "killed after {delay_ms} ms: no complete output");
        assert_eq!(files_in(&out), listed(&out), "killed after {delay_ms} ms");
        assert_eq!(std::fs::read(out.join("districts.csv")).expect("districts.csv"), first, "same inputs, same bytes");
    }
    // The next run clears what the killed ones left beside the folder.
    assert!(run().status().expect("runs").success());
    let beside: Vec<String> = files_in(s.path()).into_iter().filter(|f| f.starts_with('.')).collect();
    assert!(beside.is_empty(), "left beside the output: {beside:?}");
}

#[test]
fn a_file_size_limit_is_a_write_error_and_the_previous_output_stays() {
    if !Path::new("/bin/sh").is_file() {
        eprintln!("SKIPPED: no /bin/sh to set a file-size limit");
        return;
    }
    let s = Scratch::new();
    let out = s.out();
    demo_run(&out, &["--gpkg", "false", "--map", "false"]);
    let before = std::fs::read(out.join("districts.csv")).expect("a first output");
    // 200 KB: smaller than children.geojson, larger than the small files.
    let script = format!(
        "ulimit -f 400 && exec '{}' analyze --quiet --out '{}'",
        assert_cmd::cargo::cargo_bin("arenagap").display(),
        out.display()
    );
    let output =
        std::process::Command::new("/bin/sh").arg("-c").arg(&script).current_dir(repo()).output().expect("sh runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "a write error, not a kill by SIGXFSZ: {stderr}");
    assert_says(&stderr, &["cannot write", "File too large"]);
    assert_eq!(std::fs::read(out.join("districts.csv")).expect("still there"), before);
    assert_eq!(files_in(&out), listed(&out));
    assert_eq!(files_in(s.path()), ["out"], "nothing left beside it");
}
