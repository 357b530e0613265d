//! Sharing a count out in whole numbers that add up exactly.

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
    if fraction > 0.0 {
        if let Some(&largest) = order
            .iter()
            .min_by(|&&a, &&b| shares[b].total_cmp(&shares[a]).then(weights[b].total_cmp(&weights[a])).then(a.cmp(&b)))
        {
            shares[largest] += fraction;
        }
    }
    shares
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
