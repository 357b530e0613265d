//! `--out` values that cannot be the output folder, and the folder's state after good runs: no temporary files
//! left, the same bytes whatever the thread count.

use super::*;

#[test]
fn out_is_an_existing_file() {
    let s = Scratch::new();
    let [d, c, a] = mini_city(&s);
    let out = s.write("out", "not a folder");
    // Pre-filling makes no sense: the file is the bad input, and must be left as it is.
    let stderr = assert_bad_input_out_as_is(&mut analyze(&d, &c, &a, &out), &out.display().to_string(), &out);
    assert_says(&stderr, &["--out", "is a file, not a folder"]);
    assert_eq!(std::fs::read_to_string(&out).expect("still there"), "not a folder");
}

/// Folders that are not an arenagap output (no run.json of arenagap): refused, never deleted.
#[test]
fn out_is_a_folder_of_other_files() {
    type Fill = fn(&Path);
    let cases: [(&str, Fill); 3] = [
        ("notes", |out| std::fs::write(out.join("notes.txt"), "mine").unwrap()),
        ("other-tools-run-json", |out| std::fs::write(out.join("run.json"), "{\"tool\": \"other\"}\n").unwrap()),
        ("nested", |out| {
            std::fs::create_dir_all(out.join("a/b")).unwrap();
            std::fs::write(out.join("a/b/data.csv"), "x;y\n1;2\n").unwrap();
        }),
    ];
    for (case, fill) in cases {
        let s = Scratch::new();
        let [d, c, a] = mini_city(&s);
        let out = s.path().join(case);
        std::fs::create_dir(&out).expect("a folder");
        fill(&out);
        // Pre-filling makes no sense: the folder is the bad input.
        let stderr = assert_bad_input_out_as_is(&mut analyze(&d, &c, &a, &out), case, &out);
        assert_says(&stderr, &["not an arenagap output", "give a new or empty folder"]);
    }
}

/// The folder the inputs are in, as the output folder: refused, and the inputs untouched.
#[test]
fn out_is_the_folder_of_the_inputs() {
    let s = Scratch::new();
    let [d, c, a] = mini_city(&s);
    let stderr = assert_bad_input_out_as_is(&mut analyze(&d, &c, &a, s.path()), "--out", s.path());
    assert_says(&stderr, &["not an arenagap output"]);
}

/// `..` and `/` have no name to write a folder beside: refused, nothing written in the working folder.
#[test]
fn out_is_a_root_or_dot_dot() {
    for (case, out) in [("dot-dot", ".."), ("root", "/"), ("dot", ".")] {
        let s = Scratch::new();
        let work = s.path().join(case);
        std::fs::create_dir(&work).expect("a folder");
        let [d, c, a] = mini_city(&s);
        let mut cmd = analyze(&d, &c, &a, Path::new(out));
        cmd.current_dir(&work);
        // Pre-filling makes no sense, and the folder is not ours to snapshot: the scratch folder above stands in.
        let before = snapshot(s.path());
        let stderr = assert_bad_input_out_as_is(&mut cmd, &format!("--out {out}"), &work.join("never"));
        assert_says(&stderr, &["give a folder with a name, not a root or '..'"]);
        assert!(snapshot(s.path()) == before, "{case}: nothing written");
    }
}

/// `--out` below an input file: the folder cannot be made, and that is the user's mistake, not a failed write.
#[test]
fn out_below_an_input_file() {
    let s = Scratch::new();
    let [d, c, a] = mini_city(&s);
    let out = d.join("out");
    let stderr = assert_bad_input_out_as_is(&mut analyze(&d, &c, &a, &out), "districts.geojson", &out);
    assert_says(&stderr, &["is a file, not a folder"]);
}

/// An input read from the earlier output that the run replaces: read before the swap, so the run succeeds.
#[test]
fn an_input_inside_the_output_folder_it_replaces() {
    let s = Scratch::new();
    let [d, c, _] = mini_city(&s);
    copy_dir(good_output(), &s.out());
    // The demo's output arenas (kind ids as kinds, in EPSG:4326), read from inside the folder being replaced.
    let inside = s.out().join("arenas.geojson");
    run_ok(analyze(&d, &c, &inside, &s.out()).args(["--gpkg", "false", "--map", "false"]));
    assert_complete_output(&s.out());
    assert!(!s.out().join("arenagap.gpkg").exists(), "the earlier GeoPackage is gone with the rest");
    beside_out(&s.out());
}

#[test]
fn out_in_a_config_file_is_relative_to_the_file() {
    let s = Scratch::new();
    let [districts, children, arenas] = mini_city(&s);
    std::fs::create_dir(s.path().join("profiles")).expect("a folder");
    let config = s.write(
        "profiles/city.toml",
        format!(
            "districts = {:?}\nchildren = {:?}\nchildren-count = \"children\"\narenas = {:?}\nout = \"relout\"\n",
            districts, children, arenas
        ),
    );
    let elsewhere = s.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).expect("a folder");
    run_ok(
        arenagap()
            .current_dir(&elsewhere)
            .args(["analyze", "--quiet", "--gpkg", "false", "--map", "false", "--config"])
            .arg(&config),
    );
    assert!(s.path().join("profiles/relout/districts.csv").is_file(), "out resolves against the config file");
    assert!(!elsewhere.join("relout").exists(), "not against the working folder");
}

// A successful run leaves no temporary files, and its bytes do not depend on the number of threads.

#[test]
fn no_partial_files_after_a_successful_run() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    analyze(&d, &c, &a, &s.out()).assert().success();
    let files = files_in(&s.out());
    assert!(files.iter().all(|f| !f.ends_with(".partial") && !f.starts_with('.')), "{files:?}");
    for expected in
        ["districts.geojson", "gaps.geojson", "children.geojson", "arenas.geojson", "districts.csv", "run.json"]
    {
        assert!(files.iter().any(|f| f == expected), "{expected} missing from {files:?}");
    }
    assert_complete_output(&s.out());
    beside_out(&s.out());
}

#[test]
fn outputs_are_identical_with_one_or_two_threads() {
    let s = Scratch::new();
    let [d, c, a] = demo();
    // The same output path both times: run.json records it.
    let run = |threads: &str| {
        let _ = std::fs::remove_dir_all(s.out());
        analyze(&d, &c, &a, &s.out()).env("RAYON_NUM_THREADS", threads).assert().success();
        snapshot(&s.out())
    };
    let one = run("1");
    let two = run("2");
    assert!(one.contains_key("/styles/arenas.qml") && one.contains_key("/map.png"), "{:?}", one.keys());
    assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
    for (name, a) in &one {
        assert!(a == &two[name], "{name} differs between 1 and 2 threads");
    }
}
