//! Gaussian copula (MODEL.md section 6): the correlation matrix is the identity plus the
//! listed pairs; it is Cholesky-factored (`R = L L^T`) once, and each draw maps iid standard
//! normals `e` to correlated uniforms `u = Phi(L e)`, which the marginals turn into values by
//! their inverse CDFs.
//!
//! `L` is stored as a flat, row-compressed lower triangle without its zeros: a parameter that
//! is in no pair has the row `z_i = e_i` and costs only its `Phi`. [`Copula::correlate`] does
//! not allocate.
//!
//! Cost (release, this project's machine): ~10 ns per parameter (its `Phi`) plus ~1 ns per
//! nonzero of `L`: 20 ns for 2 parameters in one pair, 107 ns for 12 parameters with 3 pairs.
//! [`Copula::correlate_z`] stops at `z` for [`Marginal::quantile_z`](super::dist::Marginal::quantile_z),
//! which skips `Phi` for untruncated normal and lognormal marginals.
//!
//! A matrix whose Cholesky factor has a pivot at or below 1e-7 (numerically singular, e.g.
//! `a = 0.8 b + 0.6 c` exactly, or pairs 0.6, 0.8, 0.96 minus one ulp) is treated as not
//! positive definite too. `scenario::check` calls [`Copula::new`] for this rule, so
//! `validate` and `montecarlo` refuse the same matrices, and the refusal names the line.
//!
//! The copula knows names only: that each correlated parameter has a non-fixed distribution
//! is the caller's check. Give it either just the correlated parameters or all uncertain
//! ones (identity rows are free apart from `Phi`; callers may instead draw uniforms directly
//! for parameters that [`Copula::is_correlated`] says are independent).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use nalgebra::DMatrix;
use thiserror::Error;

use super::dist::norm_cdf;

/// Why a correlation specification is invalid. Messages name the parameters and pairs.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum CopulaError {
    #[error("parameter `{0}` is listed twice among the uncertain parameters")]
    DuplicateName(String),
    #[error(
        "correlation [{a}, {b}, {rho}]: `{unknown}` is not an uncertain parameter (it needs a non-fixed distribution in [uncertainty])"
    )]
    UnknownName {
        a: String,
        b: String,
        rho: f64,
        unknown: String,
    },
    #[error("correlation [{a}, {a}, {rho}] pairs `{a}` with itself")]
    SelfPair { a: String, rho: f64 },
    #[error("correlation between `{a}` and `{b}` is listed twice")]
    DuplicatePair { a: String, b: String },
    #[error("correlation [{a}, {b}, {rho}]: rho must satisfy -1 < rho < 1")]
    RhoOutOfRange { a: String, b: String, rho: f64 },
    #[error(
        "the correlation matrix is not positive definite (smallest eigenvalue {min_eigenvalue:.4}); pairs involved: {}",
        fmt_pairs(.pairs)
    )]
    NotPositiveDefinite {
        /// The listed pairs within the connected groups of parameters whose block of the
        /// matrix is not positive definite, in the order given.
        pairs: Vec<(String, String, f64)>,
        min_eigenvalue: f64,
    },
}

fn fmt_pairs(pairs: &[(String, String, f64)]) -> String {
    let mut s = String::new();
    for (i, (a, b, rho)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "[{a}, {b}, {rho}]");
    }
    s
}

/// A factored Gaussian copula over `n` named parameters.
#[derive(Clone, Debug)]
pub struct Copula {
    names: Vec<String>,
    /// Row i's off-diagonal entries are `vals[row_ptr[i]..row_ptr[i + 1]]` at columns `cols[..]`.
    row_ptr: Vec<u32>,
    cols: Vec<u32>,
    vals: Vec<f64>,
    /// Diagonal of L (1 for identity rows).
    diag: Vec<f64>,
    correlated: Vec<bool>,
}

impl Copula {
    /// Builds the matrix `identity + pairs` over `names` (in that order) and factors it.
    /// Errors: a duplicate name, an unknown name in a pair, a name paired with itself, a pair
    /// listed twice (either order), `|rho| >= 1` (or NaN), a matrix that is not positive
    /// definite (naming the pairs in the offending connected groups).
    pub fn new(names: &[&str], pairs: &[(String, String, f64)]) -> Result<Self, CopulaError> {
        let n = names.len();
        let mut index = HashMap::with_capacity(n);
        for (i, name) in names.iter().enumerate() {
            if index.insert(*name, i).is_some() {
                return Err(CopulaError::DuplicateName(name.to_string()));
            }
        }
        let mut seen = HashSet::new();
        let mut ij = Vec::with_capacity(pairs.len());
        for (a, b, rho) in pairs {
            let rho = *rho;
            let find = |x: &String| {
                index
                    .get(x.as_str())
                    .copied()
                    .ok_or_else(|| CopulaError::UnknownName {
                        a: a.clone(),
                        b: b.clone(),
                        rho,
                        unknown: x.clone(),
                    })
            };
            let i = find(a)?;
            let j = find(b)?;
            if i == j {
                return Err(CopulaError::SelfPair { a: a.clone(), rho });
            }
            if !seen.insert((i.min(j), i.max(j))) {
                return Err(CopulaError::DuplicatePair {
                    a: a.clone(),
                    b: b.clone(),
                });
            }
            if rho.is_nan() || rho.abs() >= 1.0 {
                return Err(CopulaError::RhoOutOfRange {
                    a: a.clone(),
                    b: b.clone(),
                    rho,
                });
            }
            ij.push((i, j, rho));
        }

        let mut m = DMatrix::<f64>::identity(n, n);
        let mut correlated = vec![false; n];
        for &(i, j, rho) in &ij {
            m[(i, j)] = rho;
            m[(j, i)] = rho;
            if rho != 0.0 {
                correlated[i] = true;
                correlated[j] = true;
            }
        }

        let l = match m.clone().cholesky() {
            Some(ch) => ch.unpack(),
            None => return Err(not_pd(&m, &ij, pairs)),
        };
        // Cholesky of a matrix with a unit diagonal can also succeed with a pivot so small that
        // the matrix is numerically singular; treat it as not positive definite too.
        if (0..n).any(|i| l[(i, i)].is_nan() || l[(i, i)] <= 1e-7) {
            return Err(not_pd(&m, &ij, pairs));
        }

        let mut row_ptr = Vec::with_capacity(n + 1);
        let mut cols = Vec::new();
        let mut vals = Vec::new();
        let mut diag = Vec::with_capacity(n);
        row_ptr.push(0u32);
        for i in 0..n {
            for j in 0..i {
                let v = l[(i, j)];
                if v != 0.0 {
                    cols.push(j as u32);
                    vals.push(v);
                }
            }
            row_ptr.push(cols.len() as u32);
            diag.push(l[(i, i)]);
        }
        Ok(Copula {
            names: names.iter().map(|s| s.to_string()).collect(),
            row_ptr,
            cols,
            vals,
            diag,
            correlated,
        })
    }

    /// Number of parameters (the length of `e` and `u_out`).
    pub fn dim(&self) -> usize {
        self.names.len()
    }

    /// The parameter names, in matrix order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Position of a parameter in `e` / `u_out`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Whether parameter `i` is in a pair with nonzero rho.
    pub fn is_correlated(&self, i: usize) -> bool {
        self.correlated[i]
    }

    /// True when no pair has a nonzero rho (`u_out[i] = Phi(e[i])`).
    pub fn is_identity(&self) -> bool {
        self.vals.is_empty()
    }

    /// `z = L e`, written to `z_out` (no allocation).
    ///
    /// # Panics
    /// If `e` or `z_out` is not [`Copula::dim`] long.
    #[inline]
    pub fn correlate_z(&self, e: &[f64], z_out: &mut [f64]) {
        let n = self.diag.len();
        assert!(
            e.len() == n && z_out.len() == n,
            "copula dimension mismatch"
        );
        for i in 0..n {
            let (s, t) = (self.row_ptr[i] as usize, self.row_ptr[i + 1] as usize);
            let mut z = self.diag[i] * e[i];
            for (c, v) in self.cols[s..t].iter().zip(&self.vals[s..t]) {
                z += v * e[*c as usize];
            }
            z_out[i] = z;
        }
    }

    /// `u = Phi(L e)` for iid standard normal `e`, written to `u_out` (no allocation). Each
    /// `u` is a uniform with the copula's dependence, to feed `Marginal::quantile`.
    ///
    /// # Panics
    /// If `e` or `u_out` is not [`Copula::dim`] long.
    #[inline]
    pub fn correlate(&self, e: &[f64], u_out: &mut [f64]) {
        self.correlate_z(e, u_out);
        for u in u_out.iter_mut() {
            *u = norm_cdf(*u);
        }
    }
}

/// The error for a matrix that is not positive definite: the pairs within each connected
/// group of parameters whose block fails.
fn not_pd(
    m: &DMatrix<f64>,
    ij: &[(usize, usize, f64)],
    pairs: &[(String, String, f64)],
) -> CopulaError {
    let n = m.nrows();
    // Connected components of the pair graph (union-find).
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for &(i, j, _) in ij {
        let (ri, rj) = (root(&mut parent, i), root(&mut parent, j));
        if ri != rj {
            parent[ri] = rj;
        }
    }
    let mut bad_roots = HashSet::new();
    let mut min_eigenvalue = f64::INFINITY;
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        groups.entry(r).or_default().push(i);
    }
    for (r, members) in &groups {
        if members.len() < 2 {
            continue;
        }
        let sub = DMatrix::from_fn(members.len(), members.len(), |a, b| {
            m[(members[a], members[b])]
        });
        let ev = sub.clone().symmetric_eigenvalues().min();
        let chol_ok = sub
            .cholesky()
            .map(|c| (0..members.len()).all(|k| c.l_dirty()[(k, k)] > 1e-7))
            .unwrap_or(false);
        if !chol_ok {
            bad_roots.insert(*r);
            min_eigenvalue = min_eigenvalue.min(ev);
        }
    }
    let involved = ij
        .iter()
        .zip(pairs)
        .filter(|((i, _, _), _)| bad_roots.contains(&root(&mut parent, *i)))
        .map(|(_, p)| p.clone())
        .collect::<Vec<_>>();
    let (pairs, min_eigenvalue) = if involved.is_empty() {
        (pairs.to_vec(), m.clone().symmetric_eigenvalues().min())
    } else {
        (involved, min_eigenvalue)
    };
    CopulaError::NotPositiveDefinite {
        pairs,
        min_eigenvalue,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::dist::{norm_quantile, open_unit, Dist, Marginal};
    use rand::{RngCore, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn pair(a: &str, b: &str, rho: f64) -> (String, String, f64) {
        (a.to_string(), b.to_string(), rho)
    }

    /// Ranks 0..n of a sample (no ties in continuous data).
    fn ranks(x: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        let mut r = vec![0.0; x.len()];
        for (k, &i) in idx.iter().enumerate() {
            r[i] = k as f64;
        }
        r
    }

    fn pearson(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len() as f64;
        let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in x.iter().zip(y) {
            sxy += (a - mx) * (b - my);
            sxx += (a - mx) * (a - mx);
            syy += (b - my) * (b - my);
        }
        sxy / (sxx * syy).sqrt()
    }

    #[test]
    fn spearman_of_two_uniforms_matches_the_gaussian_copula() {
        // Gaussian copula with rho = 0.6: Spearman's rank correlation is (6/pi) asin(rho/2)
        // = (6/pi) asin(0.3) = 0.58192. Over 200k draws its standard error is about
        // (1 - 0.58^2) / sqrt(200k) ~ 0.0015; allow 4 of them.
        let cop = Copula::new(&["x", "y"], &[pair("x", "y", 0.6)]).unwrap();
        let mx = Marginal::new(
            Dist::Uniform {
                low: 0.04,
                high: 0.1,
            },
            0.0,
            f64::INFINITY,
        )
        .unwrap();
        let my = Marginal::new(
            Dist::Uniform {
                low: 8e3,
                high: 18e3,
            },
            0.0,
            f64::INFINITY,
        )
        .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        let n = 200_000;
        let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let mut e = [0.0; 2];
        let mut u = [0.0; 2];
        for _ in 0..n {
            for v in e.iter_mut() {
                *v = norm_quantile(open_unit(rng.next_u64()));
            }
            cop.correlate(&e, &mut u);
            xs.push(mx.quantile(u[0]));
            ys.push(my.quantile(u[1]));
        }
        let rs = pearson(&ranks(&xs), &ranks(&ys));
        eprintln!(
            "Spearman over {n} draws: {rs:.5} (copula theory {:.5})",
            6.0 / std::f64::consts::PI * (0.3f64).asin()
        );
        let want = 6.0 / std::f64::consts::PI * (0.3f64).asin();
        assert!((want - 0.58192).abs() < 1e-5);
        assert!((rs - want).abs() < 0.006, "Spearman {rs} vs {want}");
        // The marginals stay uniform: mean of u near 1/2.
        let mean_x = xs.iter().sum::<f64>() / n as f64;
        assert!((mean_x - 0.07).abs() < 0.0005, "{mean_x}");
    }

    #[test]
    fn cholesky_rows_and_sample_correlations() {
        // [[1, .5, .2], [.5, 1, .3], [.2, .3, 1]]: L row 1 = (0.5, sqrt(0.75)).
        let cop = Copula::new(
            &["a", "b", "c", "d"],
            &[
                pair("a", "b", 0.5),
                pair("c", "b", 0.3),
                pair("a", "c", 0.2),
            ],
        )
        .unwrap();
        assert_eq!(cop.dim(), 4);
        assert!(cop.is_correlated(0) && cop.is_correlated(2) && !cop.is_correlated(3));
        assert!(!cop.is_identity());
        assert_eq!(cop.index_of("c"), Some(2));
        let mut z = [0.0; 4];
        cop.correlate_z(&[1.0, 0.0, 0.0, 7.0], &mut z);
        assert_eq!(z[0], 1.0);
        assert!((z[1] - 0.5).abs() < 1e-15);
        assert!((z[2] - 0.2).abs() < 1e-15);
        assert_eq!(z[3], 7.0);
        cop.correlate_z(&[0.0, 1.0, 0.0, 7.0], &mut z);
        assert!((z[1] - 0.75f64.sqrt()).abs() < 1e-15);
        assert_eq!(z[3], 7.0);
        // Sample Pearson correlations of z over 100k draws (se ~ 0.003).
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 100_000;
        let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
        let mut e = [0.0; 4];
        for _ in 0..n {
            for v in e.iter_mut() {
                *v = norm_quantile(open_unit(rng.next_u64()));
            }
            cop.correlate_z(&e, &mut z);
            for (c, v) in cols.iter_mut().zip(z) {
                c.push(v);
            }
        }
        for (i, j, rho) in [
            (0, 1, 0.5),
            (1, 2, 0.3),
            (0, 2, 0.2),
            (0, 3, 0.0),
            (2, 3, 0.0),
        ] {
            let r = pearson(&cols[i], &cols[j]);
            assert!((r - rho).abs() < 0.012, "({i}, {j}): {r} vs {rho}");
        }
    }

    #[test]
    fn no_pairs_is_the_identity() {
        let cop = Copula::new(&["a", "b", "c"], &[]).unwrap();
        assert!(cop.is_identity());
        let e = [-1.5, 0.0, 2.25];
        let mut u = [0.0; 3];
        cop.correlate(&e, &mut u);
        for (ui, ei) in u.iter().zip(e) {
            assert_eq!(ui.to_bits(), norm_cdf(ei).to_bits());
        }
        // A pair with rho = 0 changes nothing either.
        let cop = Copula::new(&["a", "b"], &[pair("a", "b", 0.0)]).unwrap();
        assert!(cop.is_identity() && !cop.is_correlated(0));
    }

    #[test]
    fn not_positive_definite_names_the_pairs() {
        // rho_ab = rho_bc = 0.9 forces a and c to correlate ~0.62; -0.9 is impossible. The
        // 3x3 matrix has eigenvalues 1.9, 1.9, -0.8. The fine pair (d, e) is not named.
        let pairs = [
            pair("a", "b", 0.9),
            pair("d", "e", 0.5),
            pair("b", "c", 0.9),
            pair("a", "c", -0.9),
        ];
        let err = Copula::new(&["a", "b", "c", "d", "e"], &pairs).unwrap_err();
        match &err {
            CopulaError::NotPositiveDefinite {
                pairs,
                min_eigenvalue,
            } => {
                assert_eq!(pairs.len(), 3);
                assert!(pairs.iter().all(|(a, _, _)| a != "d"));
                assert!((min_eigenvalue + 0.8).abs() < 1e-12, "{min_eigenvalue}");
            }
            e => panic!("unexpected {e}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("not positive definite"), "{msg}");
        for p in ["[a, b, 0.9]", "[b, c, 0.9]", "[a, c, -0.9]"] {
            assert!(msg.contains(p), "{msg} lacks {p}");
        }
        assert!(!msg.contains("[d, e"), "{msg}");
        // Singular (eigenvalue 0): a = 0.8 b + 0.6 c exactly is not positive definite either.
        let err = Copula::new(
            &["a", "b", "c"],
            &[pair("a", "b", 0.8), pair("a", "c", 0.6)],
        )
        .unwrap_err();
        assert!(
            matches!(err, CopulaError::NotPositiveDefinite { .. }),
            "{err}"
        );
    }

    #[test]
    fn specification_errors() {
        let names = ["a", "b", "c"];
        type Pairs = Vec<(String, String, f64)>;
        let cases: Vec<(Pairs, &str)> = vec![
            (
                vec![pair("a", "z", 0.5)],
                "`z` is not an uncertain parameter",
            ),
            (vec![pair("a", "a", 0.5)], "pairs `a` with itself"),
            (
                vec![pair("a", "b", 0.5), pair("b", "a", 0.2)],
                "between `b` and `a` is listed twice",
            ),
            (
                vec![pair("a", "b", 0.5), pair("a", "b", 0.5)],
                "listed twice",
            ),
            (
                vec![pair("a", "b", 1.0)],
                "[a, b, 1]: rho must satisfy -1 < rho < 1",
            ),
            (vec![pair("a", "b", -1.5)], "rho must satisfy"),
            (vec![pair("a", "b", f64::NAN)], "rho must satisfy"),
        ];
        for (pairs, msg) in cases {
            let e = Copula::new(&names, &pairs).unwrap_err().to_string();
            assert!(e.contains(msg), "`{e}` lacks `{msg}`");
        }
        let e = Copula::new(&["a", "a"], &[]).unwrap_err();
        assert_eq!(e, CopulaError::DuplicateName("a".into()));
    }
}
