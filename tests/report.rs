//! report.html in a real browser: the demo's report rendered by headless Chromium to a PNG (not blank, the map's
//! gap colours and the table's text drawn), at a desktop width, a phone's width and as an A4 PDF; the compare
//! report with each scenario's change map; and every report (analyze, compare, suggest) checked by an HTML checker
//! (HTML Tidy) with no errors or warnings. `.ci/run` installs `chromium` and `tidy` from Debian's
//! packages; without them these tests fail under CI and say they are skipped elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{arenagap, repo, shared_out};

/// Whether `program --version` runs; without it, a failure under CI and a skip message elsewhere.
fn have(program: &str, package: &str) -> bool {
    if Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success()) {
        return true;
    }
    let message = format!("{program} is not installed: apt-get install -y {package} (.ci/run does)");
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

/// The demo's output folder (map picture off: the report draws the map itself), made once.
fn demo_report() -> &'static Path {
    static OUT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let out = shared_out("report-demo");
        arenagap().current_dir(repo()).args(["analyze", "-q", "--map", "false", "--out"]).arg(&out).assert().success();
        out
    })
}

/// The demo's comparison of two scenarios (a family centre added, a library closed) and its suggestion of one family
/// centre, each folder made once (the map pictures off: the report draws the maps itself).
fn change_reports() -> &'static [PathBuf; 2] {
    static OUT: std::sync::OnceLock<[PathBuf; 2]> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let (compare, suggest) = (shared_out("report-compare"), shared_out("report-suggest"));
        arenagap()
            .current_dir(repo())
            .args(["compare", "-q", "--map", "false", "--out"])
            .arg(&compare)
            .args(["--scenario", "data/demo/scenarios/familjecentral-sjoviken.toml"])
            .args(["--scenario", "data/demo/scenarios/stang-bibliotek.toml"])
            .assert()
            .success();
        arenagap()
            .current_dir(repo())
            .args(["suggest", "-q", "--map", "false", "--count", "1", "--kind", "familjecentral"])
            .args(["--candidate-grid", "1000", "--out"])
            .arg(&suggest)
            .assert()
            .success();
        [compare, suggest]
    })
}

/// Headless Chromium with the flags that keep it off the network, in a fresh profile.
fn chromium(profile: &Path) -> Command {
    let mut cmd = Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// The RGBA pixels of a PNG.
fn pixels(png: &Path) -> tiny_skia::Pixmap {
    tiny_skia::Pixmap::load_png(png).unwrap_or_else(|e| panic!("{}: {e}", png.display()))
}

fn count(pixmap: &tiny_skia::Pixmap, rows: std::ops::Range<u32>, test: impl Fn([u8; 3]) -> bool) -> usize {
    let w = pixmap.width();
    rows.flat_map(|y| (0..w).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = pixmap.pixel(x, y).expect("inside").demultiply();
            test([p.red(), p.green(), p.blue()])
        })
        .count()
}

fn close(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 8)
}

#[test]
fn chromium_renders_the_report_with_its_map_and_tables() {
    if !have("chromium", "chromium") {
        return;
    }
    let out = demo_report();
    let report = out.join("report.html");
    let url = format!("file://{}", report.display());
    let scratch = tempfile::tempdir().unwrap();
    for (name, width, height) in [("desktop", 1200, 2400), ("phone", 390, 2400)] {
        let png = scratch.path().join(format!("{name}.png"));
        let status = chromium(&scratch.path().join(format!("profile-{name}")))
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--screenshot={}", png.display()))
            .arg(&url)
            .output()
            .expect("chromium runs");
        assert!(png.is_file(), "{name}: no screenshot: {}", String::from_utf8_lossy(&status.stderr));
        let image = pixels(&png);
        let (w, h) = (image.width(), image.height());
        let all = (w * h) as usize;
        let drawn = count(&image, 0..h, |p| p != [255, 255, 255]);
        assert!(drawn * 20 > all, "{name}: not blank ({drawn} of {all} pixels drawn)");
        // The map: the darkest gap class (Sjöviken) in the top half; the tables: dark text below the map.
        let dark_red = count(&image, 0..h / 2, |p| close(p, [0xbd, 0x00, 0x26]));
        assert!(dark_red > 500, "{name}: the map's darkest class is drawn ({dark_red} pixels)");
        let text = count(&image, h / 2..h, |p| p.iter().all(|c| *c < 60));
        assert!(text > 2000, "{name}: table text below the map ({text} pixels)");
        if name == "phone" {
            // Nothing wider than the phone: the page is laid out to its width (tables scroll inside their box).
            assert_eq!(w, width, "{name}");
        }
        if std::env::var_os("ARENAGAP_KEEP_SCREENSHOTS").is_some() {
            std::fs::copy(&png, std::env::temp_dir().join(format!("arenagap-report-{name}.png"))).unwrap();
        }
    }
    // Printed: an A4 PDF with more than one page.
    let pdf = scratch.path().join("report.pdf");
    let printed = chromium(&scratch.path().join("profile-pdf"))
        .arg("--no-pdf-header-footer")
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    let bytes =
        std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}): {}", String::from_utf8_lossy(&printed.stderr)));
    let text = String::from_utf8_lossy(&bytes);
    assert!(bytes.starts_with(b"%PDF") && bytes.len() > 20_000, "a printed report ({} bytes)", bytes.len());
    // A4 is 595 × 842 points (Chromium writes 594.95996 × 841.91998), and the report takes several pages.
    let pages = text.matches("/MediaBox [0 0 594.9").count();
    assert!(pages >= 2, "A4 pages: {pages}");
}

/// The compare report: the scenario table, then each scenario's change map (one better, one worse district drawn)
/// and the districts that change, in a real browser.
#[test]
fn chromium_renders_the_compare_report_with_each_scenario_map() {
    let [compare, _] = change_reports();
    let report = compare.join("report.html");
    let html = std::fs::read_to_string(&report).expect("compare writes report.html");
    for needle in
        ["Familjecentral i Sjöviken", "Åkervallens bibliotek stänger", "Barn som får en arena nära", ">Bättre<"]
    {
        assert!(html.contains(needle), "the compare report lacks {needle:?}");
    }
    assert_eq!(html.matches("<figure class=\"map\">").count(), 2, "one change map per scenario");
    if !have("chromium", "chromium") {
        return;
    }
    let scratch = tempfile::tempdir().unwrap();
    let png = scratch.path().join("compare.png");
    let status = chromium(&scratch.path().join("profile"))
        .arg("--window-size=1200,4000")
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    assert!(png.is_file(), "no screenshot: {}", String::from_utf8_lossy(&status.stderr));
    let image = pixels(&png);
    let h = image.height();
    let better = count(&image, 0..h, |p| close(p, [0xc7, 0xe9, 0xc0]));
    let worse = count(&image, 0..h, |p| close(p, [0xfc, 0xbb, 0xa1]));
    assert!(better > 2000 && worse > 2000, "both change maps drawn: better {better}, worse {worse} pixels");
    let text = count(&image, 0..h / 4, |p| p.iter().all(|c| *c < 60));
    assert!(text > 2000, "the scenario table's text ({text} pixels)");
    if std::env::var_os("ARENAGAP_KEEP_SCREENSHOTS").is_some() {
        std::fs::copy(&png, std::env::temp_dir().join("arenagap-report-compare.png")).unwrap();
    }
}

#[test]
fn the_reports_pass_an_html_checker() {
    if !have("tidy", "tidy") {
        return;
    }
    let [compare, suggest] = change_reports();
    for report in [demo_report().join("report.html"), compare.join("report.html"), suggest.join("report.html")] {
        let result =
            Command::new("tidy").args(["-q", "-e", "--show-warnings", "yes"]).arg(&report).output().expect("tidy runs");
        let said = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(0), "{}: tidy reports problems:\n{said}", report.display());
        assert!(said.trim().is_empty(), "{}: {said}", report.display());
    }
}

/// Prose is written as one runs it: no stray runs of spaces from a broken line continuation in the source.
#[test]
fn report_prose_has_no_runs_of_spaces() {
    let [compare, suggest] = change_reports();
    for report in [demo_report().join("report.html"), compare.join("report.html"), suggest.join("report.html")] {
        let html = std::fs::read_to_string(&report).expect("a report");
        for item in html.split("<li>").skip(1) {
            let item = &item[..item.find("</li>").unwrap_or(item.len())];
            assert!(!item.contains("  "), "{}: {item:?}", report.display());
        }
        assert!(html.contains("<h2>Att tänka på"), "{}: caveats", report.display());
    }
}

/// Compare and suggest write spreadsheets too: `scenarios.xlsx` beside `scenarios.csv` (the same numbers, typed), and
/// in each scenario folder `districts.xlsx` with its districts by rank after the change, shares formatted as shares.
#[test]
fn compare_and_suggest_write_typed_workbooks() {
    use calamine::{Data, DataType, Reader, Xlsx};
    let [compare, suggest] = change_reports();
    for (out, folders) in
        [(compare, &["familjecentral-i-sjoviken", "akervallens-bibliotek-stanger"][..]), (suggest, &["suggestion"][..])]
    {
        let mut book: Xlsx<_> = calamine::open_workbook(out.join("scenarios.xlsx")).expect("scenarios.xlsx opens");
        assert_eq!(book.sheet_names(), ["Scenarier", "Om körningen"]);
        let sheet = book.worksheet_range("Scenarier").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        let mut csv = csv::Reader::from_path(out.join("scenarios.csv")).unwrap();
        let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(rows[1].iter().map(|c| c.to_string()).collect::<Vec<_>>(), header);
        assert_eq!(rows.len() - 2, folders.len());
        let newly = header.iter().position(|h| h == "children_newly_covered").unwrap();
        for (row, record) in rows[2..].iter().zip(csv.records()) {
            let record = record.unwrap();
            match &row[newly] {
                Data::Float(v) => assert_eq!(*v, record[newly].parse::<f64>().unwrap()),
                other => panic!("children_newly_covered is a number: {other:?}"),
            }
        }
        for folder in folders {
            let path = out.join(folder).join("districts.xlsx");
            let mut book: Xlsx<_> =
                calamine::open_workbook(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(book.sheet_names(), ["Områden", "Barn som ändras", "Arenor", "Om körningen"]);
            let districts = book.worksheet_range("Områden").unwrap();
            let rows: Vec<&[Data]> = districts.rows().collect();
            let col = |name: &str| rows[1].iter().position(|c| *c == name).unwrap();
            assert_eq!(rows[0][col("gap_rank_after")].to_string(), "Glapprang efter");
            let ranks: Vec<f64> = rows[2..].iter().map(|r| r[col("gap_rank_after")].as_f64().unwrap()).collect();
            assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{folder}: by rank after: {ranks:?}");
            assert!(rows[2..].iter().all(|r| matches!(r[col("coverage_share_after")], Data::Float(_) | Data::Empty)));
        }
    }
}
