//! ESRI Shapefiles: the input is cut into .shp, .shx, .dbf, .prj and .cpg by four leading 16-bit lengths.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "scratch.rs"]
mod scratch;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let mut lengths = [0usize; 4];
    for (k, l) in lengths.iter_mut().enumerate() {
        *l = u16::from_le_bytes([data[2 * k], data[2 * k + 1]]) as usize;
    }
    let mut rest = &data[8..];
    let mut part = |len: usize| {
        let (head, tail) = rest.split_at(len.min(rest.len()));
        rest = tail;
        head.to_vec()
    };
    let (shp, shx, dbf, prj) = (part(lengths[0]), part(lengths[1]), part(lengths[2]), part(lengths[3]));
    let cpg = rest.to_vec();
    let path = scratch::file("layer.shp", &shp);
    scratch::file("layer.shx", &shx);
    scratch::file("layer.dbf", &dbf);
    scratch::file("layer.prj", &prj);
    scratch::file("layer.cpg", &cpg);
    scratch::read_and_project(&path);
});
