//! Sharing a count out in whole numbers that add up exactly: by largest remainder among a few finer polygons,
//! by systematic rounding along a curve among the many points of a grid.

/// Shares `total` out in proportion to `weights` by the largest-remainder (Hamilton) method: every share is a
/// whole number, the shares add up exactly to `total`, and each differs from its exact proportional share by
/// less than 1. Ties between equal remainders go to the larger weight, then to the earlier position. When
/// `total` has a fraction, its whole part is shared out and the fraction added to the largest share. Weights
/// must be ≥ 0 with a positive, finite sum (else every share is 0).
pub fn apportion(total: f64, weights: &[f64]) -> Vec<f64> {
    let mut shares = vec![0.0; weights.len()];
    let sum: f64 = weights.iter().sum();
    if !(sum > 0.0 && sum.is_finite() && total.is_finite() && total > 0.0) {
        return shares;
    }
    let whole = total.floor();
    let fraction = total - whole;
    let quotas: Vec<f64> = weights.iter().map(|&w| whole * (w / sum)).collect();
    for (s, q) in shares.iter_mut().zip(&quotas) {
        *s = q.floor();
    }
    // Positive weights only, in order of remainder (largest first), then weight, then position.
    let mut order: Vec<usize> = (0..weights.len()).filter(|&i| weights[i] > 0.0).collect();
    let remainder = |i: usize| quotas[i] - quotas[i].floor();
    order.sort_by(|&a, &b| {
        remainder(b).total_cmp(&remainder(a)).then(weights[b].total_cmp(&weights[a])).then(a.cmp(&b))
    });
    let mut left = whole - shares.iter().sum::<f64>();
    // Exactly `left` (< the number of shares) units are missing; the loops only guard against rounding.
    // A few passes at most: each hands out up to one unit per share (the bound also keeps a count too large for
    // exact arithmetic from looping forever; such counts are refused when read).
    let mut passes = 0;
    while left >= 0.5 && passes < 4 {
        passes += 1;
        for &i in &order {
            if left < 0.5 {
                break;
            }
            shares[i] += 1.0;
            left -= 1.0;
        }
    }
    let mut passes = 0;
    while left <= -0.5 && passes < 4 {
        passes += 1;
        let mut removed = false;
        for &i in order.iter().rev() {
            if left > -0.5 {
                break;
            }
            if shares[i] >= 1.0 {
                shares[i] -= 1.0;
                left += 1.0;
                removed = true;
            }
        }
        if !removed {
            break;
        }
    }
    add_fraction(&mut shares, weights, fraction);
    shares
}

/// Shares `total` out in proportion to `weights` by systematic (cumulative) rounding in the order given: share
/// k is `round(Qₖ) − round(Qₖ₋₁)`, where Qₖ is the exact quota of the first k weights together (rounding half
/// up). Every share is a whole number, the shares add up exactly to `total`, and each differs from its exact
/// proportional share by less than 1, as with [`apportion`]. The difference is where the units left by the
/// fractions go: largest remainder gives them to the largest remainders, and among many equal weights (the
/// whole cells of a grid) to the first ones, so 3 children over 100 equal cells would all sit in the first 3;
/// here they go where the running total passes a half, to the 17th, 50th and 84th: spread over the order (a
/// Hilbert curve over the grid: spread over the ground). A fraction of `total` is added to the largest share,
/// as [`apportion`] does. Weights must be ≥ 0 with a positive, finite sum (else every share is 0).
pub fn apportion_systematic(total: f64, weights: &[f64]) -> Vec<f64> {
    let mut shares = vec![0.0; weights.len()];
    let sum: f64 = weights.iter().sum();
    if !(sum > 0.0 && sum.is_finite() && total.is_finite() && total > 0.0) {
        return shares;
    }
    let whole = total.floor();
    let Some(last) = weights.iter().rposition(|&w| w > 0.0) else { return shares };
    let (mut running, mut before) = (0.0, 0.0);
    for (k, &w) in weights.iter().enumerate().take(last + 1) {
        running += w;
        // The last positive weight takes the exact total, so the rounding errors of the running sum cannot
        // leave a unit out; `min` keeps them from giving one too many. Weights ≥ 0: the quotas never fall.
        let quota = if k == last { whole } else { (whole * (running / sum)).min(whole) };
        let rounded = (quota + 0.5).floor().max(before);
        shares[k] = rounded - before;
        before = rounded;
    }
    add_fraction(&mut shares, weights, total - whole);
    shares
}

/// Adds `fraction` to the largest share of a positive weight (ties: the larger weight, then the first).
fn add_fraction(shares: &mut [f64], weights: &[f64], fraction: f64) {
    if fraction <= 0.0 {
        return;
    }
    let largest = (0..weights.len())
        .filter(|&i| weights[i] > 0.0)
        .min_by(|&a, &b| shares[b].total_cmp(&shares[a]).then(weights[b].total_cmp(&weights[a])).then(a.cmp(&b)));
    if let Some(largest) = largest {
        shares[largest] += fraction;
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn largest_remainder_by_hand() {
        // 10 over 1,1,1: quotas 3⅓ each; the one unit left goes to the first (equal remainders and weights).
        assert_eq!(apportion(10.0, &[1.0, 1.0, 1.0]), vec![4.0, 3.0, 3.0]);
        // 2 over 1,3: quotas 0.5 and 1.5; equal remainders, so the larger weight wins.
        assert_eq!(apportion(2.0, &[1.0, 3.0]), vec![0.0, 2.0]);
        // 5 over 1,2,2,1: quotas ⅚, 1⅔, 1⅔, ⅚; floors 0,1,1,0; three left: the two ⅚ remainders, then the first ⅔.
        assert_eq!(apportion(5.0, &[1.0, 2.0, 2.0, 1.0]), vec![1.0, 2.0, 1.0, 1.0]);
        // Exact quotas stay as they are; zero weights get nothing.
        assert_eq!(apportion(12.0, &[0.0, 1.0, 2.0, 0.0, 3.0]), vec![0.0, 2.0, 4.0, 0.0, 6.0]);
        // A fraction goes to the largest share.
        assert_eq!(apportion(10.5, &[1.0, 1.0, 1.0]), vec![4.5, 3.0, 3.0]);
        assert_eq!(apportion(0.25, &[1.0, 2.0]), vec![0.0, 0.25]);
        // Nothing to share, or nothing to share by.
        assert_eq!(apportion(0.0, &[1.0, 1.0]), vec![0.0, 0.0]);
        assert_eq!(apportion(7.0, &[0.0, 0.0]), vec![0.0, 0.0]);
        assert_eq!(apportion(7.0, &[]), Vec::<f64>::new());
    }

    #[test]
    fn systematic_rounding_by_hand() {
        // 3 over 100 equal weights: where the running quota passes ½, 1½ and 2½.
        let shares = apportion_systematic(3.0, &[1.0; 100]);
        let at: Vec<usize> = (0..100).filter(|&k| shares[k] > 0.0).collect();
        assert_eq!(at, vec![16, 49, 83]);
        assert_eq!(apportion(3.0, &[1.0; 100])[..3], [1.0, 1.0, 1.0], "largest remainder piles them at the start");
        // Running quotas 2.5, 5, 7.5, 10: rounded 3, 5, 8, 10.
        assert_eq!(apportion_systematic(10.0, &[1.0, 1.0, 1.0, 1.0]), vec![3.0, 2.0, 3.0, 2.0]);
        // Zero weights get nothing, wherever they are; a fraction goes to the largest share.
        assert_eq!(apportion_systematic(6.0, &[0.0, 1.0, 0.0, 2.0, 0.0]), vec![0.0, 2.0, 0.0, 4.0, 0.0]);
        assert_eq!(apportion_systematic(1.5, &[1.0, 1.0, 1.0]), vec![0.0, 1.5, 0.0]);
        assert_eq!(apportion_systematic(0.25, &[1.0, 2.0]), vec![0.0, 0.25]);
        assert_eq!(apportion_systematic(7.0, &[0.0, 0.0]), vec![0.0, 0.0]);
        assert_eq!(apportion_systematic(7.0, &[]), Vec::<f64>::new());
    }

    #[test]
    fn systematic_rounding_preserves_totals_on_random_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for _ in 0..2000 {
            let n = rng.random_range(1..300);
            let weights: Vec<f64> =
                (0..n).map(|_| if rng.random_bool(0.2) { 0.0 } else { rng.random_range(0.0..1.0_f64) * 1e4 }).collect();
            let sum: f64 = weights.iter().sum();
            let total =
                if rng.random_bool(0.9) { rng.random_range(0..500) as f64 } else { rng.random_range(0.0..50.0) };
            let shares = apportion_systematic(total, &weights);
            if sum == 0.0 {
                assert!(shares.iter().all(|s| *s == 0.0));
                continue;
            }
            assert_eq!(shares.iter().sum::<f64>(), total);
            let fractional = shares.iter().filter(|s| s.fract() != 0.0).count();
            assert!(fractional <= 1);
            for (s, w) in shares.iter().zip(&weights) {
                assert!(*s >= 0.0);
                assert!((s.floor() - total.floor() * w / sum).abs() < 1.0 + 1e-9, "share {s} vs {}", total * w / sum);
            }
        }
    }

    #[test]
    fn largest_remainder_preserves_totals_on_random_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2000 {
            let n = rng.random_range(1..40);
            let weights: Vec<f64> = (0..n)
                .map(|_| if rng.random_bool(0.2) { 0.0 } else { rng.random_range(0.0..1000.0_f64).round() / 7.0 })
                .collect();
            let sum: f64 = weights.iter().sum();
            let total = rng.random_range(0..5000) as f64;
            let shares = apportion(total, &weights);
            if sum == 0.0 {
                assert!(shares.iter().all(|s| *s == 0.0));
                continue;
            }
            assert_eq!(shares.iter().sum::<f64>(), total);
            for (s, w) in shares.iter().zip(&weights) {
                assert_eq!(s.fract(), 0.0);
                assert!((s - total * w / sum).abs() < 1.0, "share {s} vs {}", total * w / sum);
            }
        }
    }
}
