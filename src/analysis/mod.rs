//! Numerical building blocks of the uncertainty analysis (MODEL.md section 6).
//!
//! - [`dist`]: marginal distributions truncated to a parameter's range, with fast inverse CDFs,
//!   and the standard normal CDF / quantile.
//! - [`copula`]: the Gaussian copula that correlates the marginals.
//! - [`stats`]: streaming, thread-count-independent Monte Carlo summaries.
//! - [`root`]: the bracketing root finder behind `solve`.
//!
//! The commands' engines: [`metric`] (which result to follow), [`sweep`], [`tornado`],
//! [`montecarlo`], [`solve`] and [`elasticity`].

pub mod copula;
pub mod dist;
pub mod root;
pub mod stats;

pub mod elasticity;
pub mod metric;
pub mod montecarlo;
pub mod solve;
pub mod sweep;
pub mod tornado;
