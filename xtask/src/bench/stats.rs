//! Small statistics helpers: order statistics of repeated samples and a
//! least-squares line. Nothing here knows what is being measured.

/// Order statistics of a set of samples (all in the same unit).
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub n: usize,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub p10: f64,
    pub p90: f64,
}

impl Summary {
    pub fn of(samples: &[f64]) -> Summary {
        if samples.is_empty() {
            return Summary::default();
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(|a, b| a.total_cmp(b));
        Summary {
            n: sorted.len(),
            median: quantile(&sorted, 0.5),
            min: sorted[0],
            max: sorted[sorted.len() - 1],
            p10: quantile(&sorted, 0.1),
            p90: quantile(&sorted, 0.9),
        }
    }

    /// `median (min–max)` with the given number of decimals.
    pub fn short(&self, decimals: usize) -> String {
        format!("{:.d$} ({:.d$}–{:.d$})", self.median, self.min, self.max, d = decimals)
    }
}

/// Quantile of sorted data, interpolating linearly between neighbours.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] + (sorted[hi] - sorted[lo]) * frac
}

/// A fitted line `y = intercept + slope * x` with its coefficient of
/// determination.
#[derive(Debug, Clone, Copy, Default)]
pub struct Line {
    pub intercept: f64,
    pub slope: f64,
    pub r2: f64,
}

pub fn least_squares(xs: &[f64], ys: &[f64]) -> Line {
    let n = xs.len().min(ys.len()) as f64;
    if n < 2.0 {
        return Line::default();
    }
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let syy: f64 = ys.iter().map(|y| (y - my) * (y - my)).sum();
    if sxx == 0.0 {
        return Line { intercept: my, slope: 0.0, r2: 0.0 };
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let r2 = if syy == 0.0 { 1.0 } else { (sxy * sxy) / (sxx * syy) };
    Line { intercept, slope, r2 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_odd_and_even_counts() {
        let s = Summary::of(&[5.0, 1.0, 3.0]);
        assert_eq!((s.median, s.min, s.max), (3.0, 1.0, 5.0));
        let s = Summary::of(&[4.0, 1.0, 2.0, 3.0]);
        assert_eq!(s.median, 2.5);
        assert!((s.p10 - 1.3).abs() < 1e-9);
        assert!((s.p90 - 3.7).abs() < 1e-9);
    }

    #[test]
    fn fit_recovers_a_line() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        let ys: Vec<f64> = xs.iter().map(|x| 2.0 + 3.0 * x).collect();
        let l = least_squares(&xs, &ys);
        assert!((l.slope - 3.0).abs() < 1e-9 && (l.intercept - 2.0).abs() < 1e-9 && (l.r2 - 1.0).abs() < 1e-9);
    }
}
