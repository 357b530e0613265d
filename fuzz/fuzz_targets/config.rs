//! Config files (TOML): parsed, checked and resolved into settings, as `--config` does.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "scratch.rs"]
mod scratch;

fuzz_target!(|data: &[u8]| {
    let path = scratch::file("arenagap.toml", data);
    if let Ok(options) = arenagap::cli::options::Options::from_file(&path, None) {
        let _ = options.resolve();
    }
});
