//! report.html in a real browser: the demo's report rendered by headless Chromium to a PNG (not blank, the map's
//! gap colours and the table's text drawn), at a desktop width, a phone's width and as an A4 PDF; and checked by an
//! HTML checker (HTML Tidy) with no errors or warnings. `.ci/run` installs `chromium` and `tidy` from Debian's
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

#[test]
fn the_report_passes_an_html_checker() {
    if !have("tidy", "tidy") {
        return;
    }
    let out = demo_report();
    let result = Command::new("tidy")
        .args(["-q", "-e", "--show-warnings", "yes"])
        .arg(out.join("report.html"))
        .output()
        .expect("tidy runs");
    let said = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "tidy reports problems:\n{said}");
    assert!(said.trim().is_empty(), "{said}");
}
