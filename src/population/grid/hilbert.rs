//! The Hilbert curve: an order of grid cells in which each cell is next to the one before, so that cells near
//! each other in the order are near each other on the ground. Rounding along it spreads a few children evenly
//! over an area instead of piling them into one corner.

/// The position of cell (`x`, `y`) on the Hilbert curve through a square of `n` × `n` cells (`n` a power of
/// two, `x` and `y` below `n`).
pub fn hilbert_index(n: u64, mut x: u64, mut y: u64) -> u64 {
    debug_assert!(n.is_power_of_two() && x < n && y < n);
    let mut d: u64 = 0;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        // Turn the quadrant so that the curve inside it starts and ends where the next level expects.
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

/// The side of the smallest square of a power-of-two number of cells that holds `width` × `height` cells.
pub fn curve_side(width: u64, height: u64) -> u64 {
    width.max(height).max(1).next_power_of_two()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curve_visits_every_cell_once_each_next_to_the_one_before() {
        for n in [1u64, 2, 4, 8, 32] {
            let mut at = vec![None; (n * n) as usize];
            for x in 0..n {
                for y in 0..n {
                    let d = hilbert_index(n, x, y) as usize;
                    assert!(at[d].is_none(), "n {n}: ({x}, {y}) and {:?} both at {d}", at[d]);
                    at[d] = Some((x, y));
                }
            }
            let at: Vec<(u64, u64)> = at.into_iter().map(Option::unwrap).collect();
            assert_eq!(at[0], (0, 0));
            for w in at.windows(2) {
                assert_eq!(w[0].0.abs_diff(w[1].0) + w[0].1.abs_diff(w[1].1), 1, "n {n}: {:?} then {:?}", w[0], w[1]);
            }
        }
        // The largest grid fits in 64 bits.
        let n = 1u64 << 32;
        assert_eq!(hilbert_index(n, 0, 0), 0);
        assert_eq!(hilbert_index(n, n - 1, 0), u64::MAX);
        assert_eq!(curve_side(5, 3), 8);
        assert_eq!(curve_side(0, 0), 1);
    }
}
