//! The analysis commands (MODEL.md section 6) against hand calculations and independent
//! formulas: montecarlo, solve, sweep, elasticities, tornado, and the files of `--out DIR`.
//!
//! Most cases use the fixtures in tests/fixtures/: linear.toml (only the candidate's chip price
//! is uncertain, uniform on [5k, 15k] USD), fixed.toml (every uncertain input fixed) and
//! copula.toml (three correlated uniforms). Their fleets, by hand (MODEL.md sections 2-5):
//!
//!     CRF = CRF(6 %, 4 yr) = 0.06 * 1.06^4 / (1.06^4 - 1) = 0.288591492;  k = CRF + 0.02
//!     cand: w = 500 W (node_power 0), hw = price + node_price / chips_per_node = price + 8000 / 8,
//!           C = (price + 1000) k + 0.5 kW * 8766 h * 0.1 USD/kWh = (price + 1000) k + 438.3,
//!           work = 800e12 * 0.5 * 31557600 s / 1e18 = 12623.04 EFLOP per chip-year
//!     base: w = 1000 W, hw = 25000, C = 25000 k + 876.6, work = 15778.8 EFLOP per chip-year
//!
//! so cost_per_unit(cand) = a + b * price with a = (1000 k + 438.3) / 12623.04 and
//! b = k / 12623.04, and rho = K / (a + b * price) with K = cost_per_unit(base), fixed.
//!
//! Expected numbers are computed in the tests from these formulas, never pasted from a run.

mod common;

use common::{fleetcost, json_diff, ok_stdout, refused, root};
use serde_json::Value;
use std::path::Path;

const LINEAR: &str = "tests/fixtures/linear.toml";
const FIXED: &str = "tests/fixtures/fixed.toml";
const COPULA: &str = "tests/fixtures/copula.toml";
const TWO_GW: &str = "scenarios/trainium-vs-gpu-2gw.toml";

/// Seconds per model year, 8766 h.
const YEAR_S: f64 = 31_557_600.0;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Runs fleetcost and parses its stdout as JSON.
fn json<I, S>(args: I) -> Value
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = fleetcost(args);
    let text = ok_stdout(&out);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {v}"))
}

#[track_caller]
fn close(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs(),
        "{what}: got {got}, want {want} (rel {:.2e}, allowed {rel:.0e})",
        ((got - want) / want).abs()
    );
}

#[track_caller]
fn within(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} +- {tol} (off by {:.3e})",
        (got - want).abs()
    );
}

/// An object of `list` whose `key` is `id`.
fn by<'a>(list: &'a Value, key: &str, id: &str) -> &'a Value {
    list.as_array()
        .expect("an array")
        .iter()
        .find(|x| x[key] == id)
        .unwrap_or_else(|| panic!("no {key} = {id} in {list}"))
}

fn crf(r: f64, n: f64) -> f64 {
    let g = (1.0 + r).powf(n);
    r * g / (g - 1.0)
}

/// The fixtures' fleets by hand (module doc).
struct Hand {
    /// CRF(6 %, 4 yr) + maintenance 0.02
    k: f64,
    /// EFLOP per chip-year of cand and base.
    work_c: f64,
    work_b: f64,
}

impl Hand {
    fn new() -> Hand {
        Hand {
            k: crf(0.06, 4.0) + 0.02,
            work_c: 800e12 * 0.5 * YEAR_S / 1e18,
            work_b: 1000e12 * 0.5 * YEAR_S / 1e18,
        }
    }

    /// cand's cost per chip-year: (price + node_price / cpn) k + 0.5 kW * 8766 h * elec.
    fn c_cand(&self, price: f64, cpn: f64, elec_kwh: f64) -> f64 {
        (price + 8000.0 / cpn) * self.k + 0.5 * 8766.0 * elec_kwh
    }

    fn cpu_cand(&self, price: f64) -> f64 {
        self.c_cand(price, 8.0, 0.1) / self.work_c
    }

    /// cost_per_unit(cand) = a + b price
    fn a(&self) -> f64 {
        (1000.0 * self.k + 438.3) / self.work_c
    }
    fn b(&self) -> f64 {
        self.k / self.work_c
    }

    /// cost_per_unit(base) at base price 25k USD, mfu 0.5 (and mfu scaling the work).
    fn cpu_base(&self, price: f64, mfu: f64, elec_kwh: f64) -> f64 {
        (price * self.k + 1.0 * 8766.0 * elec_kwh) / (self.work_b * mfu / 0.5)
    }
}

/// A fresh temporary folder.
fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

// ---------------------------------------------------------------------------------------------
// Monte Carlo
// ---------------------------------------------------------------------------------------------

/// Every [uncertainty] entry fixed: the Monte Carlo is `run` at those values. fleet.base.mfu is
/// fixed at 0.45 (base 0.5), so the comparison is with `run --set fleet.base.mfu=0.45`.
#[test]
fn montecarlo_with_every_input_fixed_reproduces_run() {
    // 40,000 draws: three chunks of 16,384, so the merge of chunk summaries is exercised.
    let mc = json(["montecarlo", FIXED, "-n", "40000", "--format", "json"]);
    let run = json([
        "run",
        FIXED,
        "--set",
        "fleet.base.mfu=0.45",
        "--format",
        "json",
    ]);
    let plain = json(["run", FIXED, "--format", "json"]);
    // The fixed 0.45 matters: without it base's cost per unit is 0.5 / 0.45 times lower.
    let (with, without) = (
        num(&by(&run["fleets"], "id", "base")["cost_per_unit"]),
        num(&by(&plain["fleets"], "id", "base")["cost_per_unit"]),
    );
    close(with / without, 0.5 / 0.45, 1e-12, "mfu 0.45 vs 0.5");

    let check = |s: &Value, want: f64, what: &str| {
        close(num(&s["mean"]), want, 1e-15, &format!("{what} mean"));
        for q in ["p5", "p50", "p95"] {
            assert_eq!(num(&s[q]), want, "{what} {q}");
        }
        assert_eq!(num(&s["sd"]), 0.0, "{what} sd");
    };
    for f in run["fleets"].as_array().unwrap() {
        let id = f["id"].as_str().unwrap();
        check(
            &by(&mc["fleets"], "id", id)["cost_per_unit"],
            num(&f["cost_per_unit"]),
            &format!("cost_per_unit {id}"),
        );
    }
    let c = &run["comparisons"][0];
    let rho = num(&c["rho"]);
    let m = by(&mc["comparisons"], "candidate", "cand");
    check(&m["rho"], rho, "rho");
    // Claims 1.3 and 2.5 with rho = 1.99: P = 1 and 0 exactly, se 0.
    assert!(rho > 1.3 && rho < 2.5, "rho = {rho}");
    let claims = m["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 2);
    assert_eq!(
        (num(&claims[0]["level"]), num(&claims[0]["probability"])),
        (1.3, 1.0)
    );
    assert_eq!(
        (num(&claims[1]["level"]), num(&claims[1]["probability"])),
        (2.5, 0.0)
    );
    assert_eq!(num(&claims[0]["se"]), 0.0);
    assert_eq!(num(&claims[1]["se"]), 0.0);
    assert_eq!(mc["n"], 40000);
}

/// cost_per_unit(cand) = a + b x with x ~ uniform(L, H) = (5k, 15k) USD:
///   mean = a + b (L + H) / 2, sd = b (H - L) / sqrt(12), quantile p: a + b (L + p (H - L)).
/// rho = K / (a + b x), decreasing in x:
///   E[rho]   = K / (b (H - L)) * ln((a + b H) / (a + b L))
///   E[rho^2] = K^2 / (b (H - L)) * (1 / (a + b L) - 1 / (a + b H))
///   quantile p of rho = K / (a + b x_(1-p));  P(rho >= l) = (x_l - L) / (H - L) clamped to
///   [0, 1], x_l = (K / l - a) / b.
///   E[rho^k] = K^k / (b (H - L)) * ((a + b L)^(1-k) - (a + b H)^(1-k)) / (k - 1), k >= 2
/// Tolerances: 4 standard errors. The mean's se = sd / sqrt(n). A sample quantile's sd is
/// sqrt(p (1 - p) / n) / f(q) (f the density at the quantile): for cost_per_unit,
/// f = 1 / (b (H - L)); for rho, f(r) = K / (b (H - L) r^2). The sample sd's relative sd is
/// sqrt((kurtosis - 1) / n) / 2: kurtosis 1.8 for a uniform; for rho from its moments above.
#[test]
fn montecarlo_converges_to_analytic_values_on_a_linear_case() {
    let n: f64 = 200_000.0;
    let mc = json([
        "montecarlo",
        LINEAR,
        "-n",
        "200000",
        "--seed",
        "7",
        "--format",
        "json",
    ]);
    let h = Hand::new();
    let (a, b, lo, hi) = (h.a(), h.b(), 5000.0, 15000.0);
    let k = h.cpu_base(25000.0, 0.5, 0.1);

    // The candidate's cost per unit.
    let s = &by(&mc["fleets"], "id", "cand")["cost_per_unit"];
    let sd = b * (hi - lo) / 12f64.sqrt();
    within(
        num(&s["mean"]),
        a + b * (lo + hi) / 2.0,
        4.0 * sd / n.sqrt(),
        "mean cost_per_unit",
    );
    within(
        num(&s["sd"]),
        sd,
        4.0 * sd * (0.8 / n).sqrt() / 2.0,
        "sd cost_per_unit",
    );
    for (key, p) in [("p5", 0.05), ("p50", 0.5), ("p95", 0.95)] {
        let tol = 4.0 * (p * (1.0 - p) / n).sqrt() * b * (hi - lo);
        within(
            num(&s[key]),
            a + b * (lo + p * (hi - lo)),
            tol,
            &format!("{key} cost_per_unit"),
        );
    }

    // The baseline is certain: every summary is K.
    let s = &by(&mc["fleets"], "id", "base")["cost_per_unit"];
    for key in ["mean", "p5", "p50", "p95"] {
        close(num(&s[key]), k, 1e-12, &format!("base {key}"));
    }
    assert_eq!(num(&s["sd"]), 0.0);

    // rho = K / (a + b x).
    let c = by(&mc["comparisons"], "candidate", "cand");
    let r = &c["rho"];
    let (ya, yb) = (a + b * lo, a + b * hi);
    let mean = k / (b * (hi - lo)) * (yb / ya).ln();
    let moment =
        |j: i32| k.powi(j) / (b * (hi - lo)) * (ya.powi(1 - j) - yb.powi(1 - j)) / f64::from(j - 1);
    let (m2, m3, m4) = (moment(2), moment(3), moment(4));
    let var = m2 - mean * mean;
    let sd = var.sqrt();
    let mu4 = m4 - 4.0 * mean * m3 + 6.0 * mean * mean * m2 - 3.0 * mean.powi(4);
    let kurtosis = mu4 / (var * var);
    assert!(kurtosis > 1.0 && kurtosis < 9.0, "kurtosis {kurtosis}");
    within(num(&r["mean"]), mean, 4.0 * sd / n.sqrt(), "mean rho");
    within(
        num(&r["sd"]),
        sd,
        4.0 * sd * ((kurtosis - 1.0) / n).sqrt() / 2.0,
        "sd rho",
    );
    for (key, p) in [("p5", 0.05), ("p50", 0.5), ("p95", 0.95)] {
        let q = k / (a + b * (lo + (1.0 - p) * (hi - lo)));
        let density = k / (b * (hi - lo) * q * q);
        let tol = 4.0 * (p * (1.0 - p) / n).sqrt() / density;
        within(num(&r[key]), q, tol, &format!("{key} rho"));
    }
    for claim in c["claims"].as_array().unwrap() {
        let level = num(&claim["level"]);
        let x = (k / level - a) / b;
        let p = ((x - lo) / (hi - lo)).clamp(0.0, 1.0);
        assert!(
            p > 0.05 && p < 0.99,
            "level {level}: choose levels inside the range"
        );
        let got = num(&claim["probability"]);
        within(
            got,
            p,
            4.0 * (p * (1.0 - p) / n).sqrt(),
            &format!("P(rho >= {level})"),
        );
        close(
            num(&claim["se"]),
            (got * (1.0 - got) / n).sqrt(),
            1e-12,
            &format!("se at {level}"),
        );
    }
}

/// Ranks 1..n of `v` (no ties in continuous draws).
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut r = vec![0.0; v.len()];
    for (rank, &i) in idx.iter().enumerate() {
        r[i] = rank as f64 + 1.0;
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

/// Reads a `--samples` CSV: header and rows of numbers.
fn read_samples(path: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .map(|x| x.parse::<f64>().unwrap())
                .collect()
        })
        .collect();
    (header, rows)
}

/// The Gaussian copula with normal correlation rho gives Spearman's rank correlation
/// (6 / pi) asin(rho / 2) between the inputs (uniform marginals keep the ranks of the normals).
/// Pairs: cand price - base price 0.6, cand price - electricity -0.4, base price - electricity
/// 0 (not listed). The sampling sd of Spearman's r_s under a bivariate normal is about
/// sqrt(1.06 / (n - 3)) (1 - r_s^2) (Fieller, Hartley and Pearson 1957: var of Fisher's z of r_s
/// is 1.06 / (n - 3)); the bound is 4 of those.
#[test]
fn copula_gives_the_requested_rank_correlation() {
    let dir = tmp();
    let samples = dir.path().join("samples.csv");
    let out = fleetcost([
        "montecarlo".as_ref(),
        COPULA.as_ref(),
        "-n".as_ref(),
        "50000".as_ref(),
        "--seed".as_ref(),
        "3".as_ref(),
        "--samples".as_ref(),
        samples.as_os_str(),
    ]);
    ok_stdout(&out);
    let (header, rows) = read_samples(&samples);
    assert_eq!(
        header,
        [
            "draw",
            "fleet.cand.chip.price [USD]",
            "fleet.base.chip.price [USD]",
            "site.electricity [USD/kWh]",
            "cost_per_unit.cand",
            "cost_per_unit.base",
            "rho.cand"
        ]
    );
    assert_eq!(rows.len(), 50_000);
    let n = rows.len() as f64;
    let col = |j: usize| -> Vec<f64> { rows.iter().map(|r| r[j]).collect() };
    let (x1, x2, x3) = (col(1), col(2), col(3));
    // The marginals stay in their bounds (each in its key's unit: electricity in USD/kWh).
    let kwh = 1.0;
    assert!(x1.iter().all(|&v| (5000.0..=15000.0).contains(&v)));
    assert!(x2.iter().all(|&v| (20000.0..=30000.0).contains(&v)));
    assert!(x3
        .iter()
        .all(|&v| v * kwh >= 0.05 * (1.0 - 1e-12) && v * kwh <= 0.15 * (1.0 + 1e-12)));
    let (r1, r2, r3) = (ranks(&x1), ranks(&x2), ranks(&x3));
    for (what, ra, rb, rho) in [
        ("cand-base price", &r1, &r2, 0.6),
        ("cand price-electricity", &r1, &r3, -0.4),
        ("base price-electricity", &r2, &r3, 0.0),
    ] {
        let want = 6.0 / std::f64::consts::PI * (rho / 2.0f64).asin();
        let se = (1.06 / (n - 3.0)).sqrt() * (1.0 - want * want);
        within(pearson(ra, rb), want, 4.0 * se, &format!("Spearman {what}"));
    }
    // Every row's costs follow from its inputs (hand formulas of the module doc).
    let h = Hand::new();
    for r in rows.iter().take(200) {
        let (pc, pb, e) = (r[1], r[2], r[3]); // electricity already in USD/kWh
        let cc = h.c_cand(pc, 8.0, e) / h.work_c;
        let cb = h.cpu_base(pb, 0.5, e);
        close(r[4], cc, 1e-12, "sample cost_per_unit.cand");
        close(r[5], cb, 1e-12, "sample cost_per_unit.base");
        close(r[6], cb / cc, 1e-12, "sample rho.cand");
    }
}

/// A draw that breaks the model fails the run with the draw's index and parameter values
/// (MODEL.md section 6). With site.power 10 kW, cand's node of 8 chips fits while
/// 8 * tdp <= 10 kW, i.e. tdp <= 1250 W; tdp ~ uniform(500, 2000) W breaks about half the draws.
/// The first failing draw k is reported: the k draws before it all fit (`-n k` succeeds, its
/// samples all have tdp <= 1250 W), and its value is above 1250 W. No samples file is left.
#[test]
fn montecarlo_names_the_first_draw_that_breaks_the_model() {
    let text = std::fs::read_to_string(root().join(LINEAR)).unwrap();
    let head = text
        .split("[uncertainty]")
        .next()
        .unwrap()
        .replace(r#"power = "10 MW""#, r#"power = "10 kW""#);
    let dir = tmp();
    let file = dir.path().join("breaks.toml");
    std::fs::write(
        &file,
        format!(
            "{head}[uncertainty]\n\"fleet.cand.chip.tdp\" = {{ dist = \"uniform\", low = \"500 W\", high = \"2000 W\" }}\n"
        ),
    )
    .unwrap();
    let samples = dir.path().join("samples.csv");
    let mc = |n: &str| {
        fleetcost([
            "montecarlo".as_ref(),
            file.as_os_str(),
            "-n".as_ref(),
            n.as_ref(),
            "--samples".as_ref(),
            samples.as_os_str(),
        ])
    };
    let out = mc("1000");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!samples.exists(), "a failed run left {}", samples.display());
    assert!(
        names(dir.path()).iter().all(|n| !n.contains("samples")),
        "{:?}",
        names(dir.path())
    );
    // "draw K breaks the model (fleet.cand.chip.tdp = V kW): ..." (the value in the scenario
    // grammar with the prefix that puts it in [1, 1000), as every input shown in a message)
    let k: usize = err
        .split("draw ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|k| k.parse().ok())
        .unwrap_or_else(|| panic!("no draw index: {err}"));
    let v: f64 = err
        .split("fleet.cand.chip.tdp = ")
        .nth(1)
        .and_then(|r| r.split(')').next())
        .and_then(|q| match q.split_once(' ') {
            Some((v, "kW")) => v.parse::<f64>().ok().map(|v| v * 1e3),
            Some((v, "W")) => v.parse().ok(),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no parameter value: {err}"));
    assert!(v > 1250.0 && v <= 2000.0, "{err}");
    assert!(err.contains("below one node"), "{err}");
    if k > 0 {
        ok_stdout(&mc(&k.to_string()));
        let (_, rows) = read_samples(&samples);
        assert_eq!(rows.len(), k);
        assert!(
            rows.iter().all(|r| r[1] <= 1250.0),
            "an earlier draw breaks"
        );
    }
}

/// Correlated inputs keep their truncated marginals: normal(0.9, 0.1) on an mfu (range (0, 1])
/// and lognormal(p5 0.5, p95 0.99) (F(1) = 0.955, so 4.5 % of its mass is cut) correlated 0.5,
/// and the first with a uniform price at 0.3. Expected quantiles of a marginal truncated to
/// [lo, hi]: q(p) = F^-1(F(lo) + p (F(hi) - F(lo))); tolerance 4 sd of the sample quantile,
/// sqrt(p (1 - p) / n) / f(q) with f the truncated density. Rank correlations as above.
#[test]
fn copula_keeps_truncated_marginals() {
    use statrs::distribution::{Continuous, ContinuousCDF, Normal};
    let text = std::fs::read_to_string(root().join(LINEAR)).unwrap();
    let head = text.split("[uncertainty]").next().unwrap();
    let dir = tmp();
    let file = dir.path().join("truncated.toml");
    std::fs::write(
        &file,
        format!(
            r#"{head}[uncertainty]
"fleet.cand.mfu" = {{ dist = "normal", mean = 0.9, sd = 0.1 }}
"fleet.base.mfu" = {{ dist = "lognormal", p5 = 0.5, p95 = 0.99 }}
"fleet.cand.chip.price" = {{ dist = "uniform", low = "5k USD", high = "15k USD" }}
correlations = [["fleet.cand.mfu", "fleet.base.mfu", 0.5], ["fleet.cand.mfu", "fleet.cand.chip.price", 0.3]]
"#
        ),
    )
    .unwrap();
    let samples = dir.path().join("samples.csv");
    ok_stdout(&fleetcost([
        "montecarlo".as_ref(),
        file.as_os_str(),
        "-n".as_ref(),
        "100000".as_ref(),
        "--samples".as_ref(),
        samples.as_os_str(),
    ]));
    let (_, rows) = read_samples(&samples);
    let n = rows.len() as f64;
    let col = |j: usize| -> Vec<f64> { rows.iter().map(|r| r[j]).collect() };
    let (m1, m2, price) = (col(1), col(2), col(3));
    assert!(m1.iter().chain(&m2).all(|&v| v > 0.0 && v <= 1.0));

    let z = Normal::new(0.0, 1.0).unwrap();
    // normal(0.9, 0.1) on (0, 1]
    let (f0, f1) = (z.cdf(-9.0), z.cdf(1.0));
    let q1 = |p: f64| 0.9 + 0.1 * z.inverse_cdf(f0 + p * (f1 - f0));
    let d1 = |x: f64| z.pdf((x - 0.9) / 0.1) / 0.1 / (f1 - f0);
    // lognormal: ln x ~ N(mu, s), cut at 1
    let mu = (0.5f64.ln() + 0.99f64.ln()) / 2.0;
    let s = (0.99f64.ln() - 0.5f64.ln()) / (2.0 * z.inverse_cdf(0.95));
    let g1 = z.cdf(-mu / s);
    let q2 = |p: f64| (mu + s * z.inverse_cdf(p * g1)).exp();
    let d2 = |x: f64| z.pdf((x.ln() - mu) / s) / (x * s) / g1;
    let quantile = |v: &[f64], p: f64| {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        let h = p * (v.len() - 1) as f64;
        let i = h.floor() as usize;
        v[i] + (h - i as f64) * (v[(i + 1).min(v.len() - 1)] - v[i])
    };
    for p in [0.05, 0.5, 0.95] {
        let se = (p * (1.0 - p) / n).sqrt();
        within(
            quantile(&m1, p),
            q1(p),
            4.0 * se / d1(q1(p)),
            &format!("normal q{p}"),
        );
        within(
            quantile(&m2, p),
            q2(p),
            4.0 * se / d2(q2(p)),
            &format!("lognormal q{p}"),
        );
    }
    let (r1, r2, r3) = (ranks(&m1), ranks(&m2), ranks(&price));
    for (what, ra, rb, rho) in [("mfu-mfu", &r1, &r2, 0.5), ("mfu-price", &r1, &r3, 0.3)] {
        let want = 6.0 / std::f64::consts::PI * (rho / 2.0f64).asin();
        let se = (1.06 / (n - 3.0)).sqrt() * (1.0 - want * want);
        within(pearson(ra, rb), want, 4.0 * se, &format!("Spearman {what}"));
    }
}

// ---------------------------------------------------------------------------------------------
// solve
// ---------------------------------------------------------------------------------------------

/// rho = K / (a + b price) = target  <=>  price* = (K / target - a) / b.
#[test]
fn solve_finds_the_hand_calculated_root() {
    let h = Hand::new();
    let k = h.cpu_base(25000.0, 0.5, 0.1);
    for target in [1.5, 2.5] {
        let want = (k / target - h.a()) / h.b();
        let j = json([
            "solve",
            LINEAR,
            "--param",
            "fleet.cand.chip.price",
            "--target",
            &format!("rho={target}"),
            "--format",
            "json",
        ]);
        close(
            num(&j["value"]),
            want,
            1e-6,
            &format!("price at rho = {target}"),
        );
        assert_eq!(j["unit"], "USD");
        assert_eq!(j["param"], "fleet.cand.chip.price");
        assert!(j["reason"].is_null(), "{j}");
    }
    // A fleet metric: cost_per_unit(cand) = a + b price = 0.35 <=> price = (0.35 - a) / b.
    let j = json([
        "solve",
        LINEAR,
        "--param",
        "fleet.cand.chip.price",
        "--target",
        "cost_per_unit=0.35",
        "--fleet",
        "cand",
        "--format",
        "json",
    ]);
    close(
        num(&j["value"]),
        (0.35 - h.a()) / h.b(),
        1e-6,
        "price at cost_per_unit 0.35",
    );
}

/// rho = 100 needs a negative price: no crossing in the default search range [1k, 100k] USD.
#[test]
fn solve_reports_no_crossing_for_an_unreachable_target() {
    let j = json([
        "solve",
        LINEAR,
        "--param",
        "fleet.cand.chip.price",
        "--target",
        "rho=100",
        "--format",
        "json",
    ]);
    assert!(j["value"].is_null(), "{j}");
    let reason = j["reason"].as_str().unwrap();
    assert!(reason.contains("no crossing"), "{reason}");
    assert!(reason.contains("even number"), "{reason}");
    // The same in text form, exit 0.
    let text = ok_stdout(&fleetcost([
        "solve",
        LINEAR,
        "--param",
        "fleet.cand.chip.price",
        "--target",
        "rho=100",
    ]));
    assert!(text.contains("no crossing"), "{text}");
}

/// chips_per_node is a count (rounded, halves away from zero): rho is a step function of it.
/// With hw = price + 8000 / cpn, rho(3) < rho(4); a target between them is crossed by a jump at
/// cpn = 3.5, not at a root.
#[test]
fn solve_reports_a_jump_on_a_count() {
    let h = Hand::new();
    let k = h.cpu_base(25000.0, 0.5, 0.1);
    let rho = |cpn: f64| k / (h.c_cand(10000.0, cpn, 0.1) / h.work_c);
    let target = (rho(3.0) + rho(4.0)) / 2.0;
    let j = json([
        "solve",
        LINEAR,
        "--param",
        "fleet.cand.chips_per_node",
        "--target",
        &format!("rho={target}"),
        "--from",
        "1",
        "--to",
        "16",
        "--format",
        "json",
    ]);
    assert!(j["value"].is_null(), "a jump is no root: {j}");
    let reason = j["reason"].as_str().unwrap();
    assert!(reason.contains("jump"), "{reason}");
    assert!(reason.contains("not a root"), "{reason}");
    assert!(
        reason.contains("fleet.cand.chips_per_node = 3.5 "),
        "the jump is at 3.5: {reason}"
    );
}

/// Without --candidate, solving for a candidate's parameter follows that candidate's rho (as
/// sweep does): fleet.trn3.chip.price moves rho(trn3 vs h200), not rho(trn2 vs h200), which
/// does not depend on it.
#[test]
fn solve_follows_the_parameters_own_fleet_by_default() {
    let j = json([
        "solve",
        TWO_GW,
        "--param",
        "fleet.trn3.chip.price",
        "--target",
        "rho=1.30",
        "--format",
        "json",
    ]);
    assert_eq!(j["metric_label"], "rho (trn3 vs h200)", "{j}");
    let v = num(&j["value"]);
    let run = json([
        "run",
        TWO_GW,
        "--set",
        &format!("fleet.trn3.chip.price={v}"),
        "--format",
        "json",
    ]);
    close(
        num(&by(&run["comparisons"], "candidate", "trn3")["rho"]),
        1.30,
        1e-6,
        "rho at the solved price",
    );
    // An explicit --candidate still wins: trn2's rho, which trn3's price does not move, so
    // solve says so and fails (exit 1) instead of suggesting a wider range.
    let out = fleetcost([
        "solve",
        TWO_GW,
        "--param",
        "fleet.trn3.chip.price",
        "--target",
        "rho=1.30",
        "--candidate",
        "trn2",
        "--format",
        "json",
    ]);
    let err = refused(&out, 1, "independent");
    assert!(
        err.contains("rho (trn2 vs h200) does not depend on fleet.trn3.chip.price"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// sweep
// ---------------------------------------------------------------------------------------------

/// Three points of a 2-D sweep equal `run --set` at the same values, every fleet and
/// comparison, 1e-12 relative; the CSV carries the same numbers as the JSON.
#[test]
fn sweep_points_equal_run_with_set() {
    let axes = [
        "--param",
        "fleet.trn3.chip.price",
        "--from",
        "5k USD",
        "--to",
        "40k USD",
        "--steps",
        "8",
        "--param",
        "site.electricity",
        "--from",
        "0.05",
        "--to",
        "0.12",
        "--steps",
        "5",
    ];
    let mut args = vec!["sweep", TWO_GW];
    args.extend(axes);
    let j = json(args.iter().chain(&["--format", "json"]));
    let csv_text = ok_stdout(&fleetcost(args.iter().chain(&["--format", "csv"])));
    assert_eq!(j["params"][0], "fleet.trn3.chip.price");
    assert_eq!(j["units"][1], "USD/kWh");
    let points = j["points"].as_array().unwrap();
    assert_eq!(points.len(), 40);
    // Row-major, the last axis fastest: point i * 5 + j is (price_i, electricity_j).
    close(num(&points[0]["values"][0]), 5000.0, 1e-15, "first price");
    close(num(&points[39]["values"][0]), 40000.0, 1e-15, "last price");
    close(
        num(&points[6]["values"][0]),
        10000.0,
        1e-15,
        "price step 5k",
    );
    close(
        num(&points[6]["values"][1]),
        0.0675,
        1e-12,
        "electricity step",
    );

    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    let head: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (c_id, c_cpu, c_rho) = (col("id"), col("cost_per_unit"), col("rho"));
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    // 4 fleets + 3 comparisons per point.
    assert_eq!(rows.len(), 40 * 7);

    for i in [0usize, 17, 39] {
        let p = &points[i];
        let (price, elec) = (num(&p["values"][0]), num(&p["values"][1]));
        let run = json([
            "run",
            TWO_GW,
            "--set",
            &format!("fleet.trn3.chip.price={price}"),
            "--set",
            &format!("site.electricity={elec}"),
            "--format",
            "json",
        ]);
        let diffs = json_diff(&run["fleets"], &p["fleets"], 1e-12);
        assert!(diffs.is_empty(), "point {i}: {diffs:#?}");
        let diffs = json_diff(&run["comparisons"], &p["comparisons"], 1e-12);
        assert!(diffs.is_empty(), "point {i}: {diffs:#?}");
        // The CSV rows of this point.
        for (r, row) in rows[i * 7..(i + 1) * 7].iter().enumerate() {
            let read = |c: usize| row[c].parse::<f64>().unwrap();
            close(read(0), price, 1e-15, "CSV price");
            close(read(1), elec, 1e-15, "CSV electricity");
            if r < 4 {
                let f = by(&run["fleets"], "id", &row[c_id]);
                close(
                    read(c_cpu),
                    num(&f["cost_per_unit"]),
                    1e-12,
                    "CSV cost_per_unit",
                );
            } else {
                let c = by(&run["comparisons"], "candidate", &row[c_id]);
                close(read(c_rho), num(&c["rho"]), 1e-12, "CSV rho");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// elasticities
// ---------------------------------------------------------------------------------------------

/// cost_per_unit(cand) = C / work with C = (price + 1000) k + 438.3, so
/// d C / d price = CRF + maintenance = k and the elasticity is price * k / C (work does not
/// depend on price). rho = K / cost_per_unit(cand) has the opposite elasticity; cost per unit
/// is proportional to 1 / mfu: elasticity -1.
#[test]
fn elasticity_to_chip_price_matches_the_hand_calculation() {
    let h = Hand::new();
    let want = 10000.0 * h.k / h.c_cand(10000.0, 8.0, 0.1);
    let find = |j: &Value, path: &str| num(&by(&j["elasticities"], "param", path)["elasticity"]);
    let j = json([
        "elasticities",
        LINEAR,
        "--metric",
        "cost_per_unit",
        "--fleet",
        "cand",
        "--format",
        "json",
    ]);
    close(
        find(&j, "fleet.cand.chip.price"),
        want,
        1e-6,
        "e(cost_per_unit, price)",
    );
    close(
        find(&j, "fleet.cand.mfu"),
        -1.0,
        1e-6,
        "e(cost_per_unit, mfu)",
    );
    // Another fleet's inputs do not move it.
    assert_eq!(find(&j, "fleet.base.chip.price"), 0.0);
    // Default metric: rho of the first (only) candidate.
    let j = json(["elasticities", LINEAR, "--format", "json"]);
    close(
        find(&j, "fleet.cand.chip.price"),
        -want,
        1e-6,
        "e(rho, price)",
    );
    // Sorted by magnitude, largest first.
    let e: Vec<f64> = j["elasticities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| num(&x["elasticity"]).abs())
        .collect();
    assert!(e.windows(2).all(|w| w[0] >= w[1]), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// tornado
// ---------------------------------------------------------------------------------------------

/// The p5 and p95 of uniform(L, H) are L + 0.05 (H - L) and L + 0.95 (H - L); the metric at
/// them is the hand formula with the others at base; bars are sorted by swing.
#[test]
fn tornado_uses_p5_p95_and_sorts_by_swing() {
    let j = json(["tornado", COPULA, "--format", "json"]);
    let h = Hand::new();
    let kwh = 3.6e6;
    let bars = j["bars"].as_array().unwrap();
    assert_eq!(bars.len(), 3);
    for (path, lo, hi, scale) in [
        ("fleet.cand.chip.price", 5000.0, 15000.0, 1.0),
        ("fleet.base.chip.price", 20000.0, 30000.0, 1.0),
        ("site.electricity", 0.05, 0.15, 1.0 / kwh),
    ] {
        let b = by(&j["bars"], "param", path);
        let (p5, p95) = (lo + 0.05 * (hi - lo), lo + 0.95 * (hi - lo));
        close(
            num(&b["low_value"]),
            p5 * scale,
            1e-12,
            &format!("{path} p5"),
        );
        close(
            num(&b["high_value"]),
            p95 * scale,
            1e-12,
            &format!("{path} p95"),
        );
        // rho with this input at p5 / p95, the others at base (10k, 25k USD, 0.1 USD/kWh).
        let rho = |v: f64| {
            let (pc, pb, e) = match path {
                "fleet.cand.chip.price" => (v, 25000.0, 0.1),
                "fleet.base.chip.price" => (10000.0, v, 0.1),
                _ => (10000.0, 25000.0, v),
            };
            h.cpu_base(pb, 0.5, e) / (h.c_cand(pc, 8.0, e) / h.work_c)
        };
        close(
            num(&b["metric_low"]),
            rho(p5),
            1e-12,
            &format!("{path} at p5"),
        );
        close(
            num(&b["metric_high"]),
            rho(p95),
            1e-12,
            &format!("{path} at p95"),
        );
        close(
            num(&b["swing"]),
            (rho(p95) - rho(p5)).abs(),
            1e-12,
            &format!("{path} swing"),
        );
    }
    close(
        num(&j["base"]),
        h.cpu_base(25000.0, 0.5, 0.1) / h.cpu_cand(10000.0),
        1e-12,
        "base",
    );
    // Sorted by swing, largest first, here and on the shipped scenario's twelve inputs.
    for j in [j.clone(), json(["tornado", TWO_GW, "--format", "json"])] {
        let swings: Vec<f64> = j["bars"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| num(&b["swing"]))
            .collect();
        assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");
    }
    assert_eq!(bars[0]["param"], "fleet.cand.chip.price");
}

/// p5 and p95 "as sampled (after truncation)" for each family, from closed forms written here:
/// - lognormal(p5, p95) on a price (range >= 0, no truncation): p5 and p95 themselves;
/// - triangular(l, m, h), c = (m - l) / (h - l): q(p) = l + sqrt(p (h - l) (m - l)) for p <= c,
///   h - sqrt((1 - p) (h - l) (h - m)) above;
/// - pert(l, m, h) with m in the middle: Beta(3, 3) on [l, h], CDF 10t^3(1-t)^2 + 5t^4(1-t) + t^5,
///   inverted by bisection;
/// - normal(0.9, 0.1) on an mfu, truncated to (0, 1]: q(p) = 0.9 + 0.1 Phi^-1(F(0) + p (F(1) -
///   F(0))) with F(x) = Phi((x - 0.9) / 0.1) (Phi from statrs); the untruncated p95 would be
///   0.9 + 0.1645 > 1.
#[test]
fn tornado_percentiles_of_every_family_after_truncation() {
    use statrs::distribution::{ContinuousCDF, Normal};
    let text = std::fs::read_to_string(root().join(LINEAR)).unwrap();
    let head = text.split("[uncertainty]").next().unwrap();
    let scenario = format!(
        r#"{head}[uncertainty]
"fleet.cand.chip.price" = {{ dist = "lognormal", p5 = "8k USD", p95 = "12k USD" }}
"site.electricity"      = {{ dist = "triangular", low = 0.05, mode = 0.1, high = 0.2 }}
"fleet.base.mfu"        = {{ dist = "pert", low = 0.3, mode = 0.5, high = 0.7 }}
"fleet.cand.mfu"        = {{ dist = "normal", mean = 0.9, sd = 0.1 }}
"fleet.base.chip.price" = {{ dist = "uniform", low = "25k USD", high = "25k USD" }}
"#
    );
    let dir = tmp();
    let file = dir.path().join("families.toml");
    std::fs::write(&file, scenario).unwrap();
    let j = json([
        "tornado".as_ref(),
        file.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    let pct = |path: &str| {
        let b = by(&j["bars"], "param", path);
        (num(&b["low_value"]), num(&b["high_value"]))
    };
    let (lo, hi) = pct("fleet.cand.chip.price");
    close(lo, 8000.0, 1e-12, "lognormal p5");
    close(hi, 12000.0, 1e-12, "lognormal p95");

    let (l, m, h): (f64, f64, f64) = (0.05, 0.1, 0.2);
    let tri_lo = l + (0.05 * (h - l) * (m - l)).sqrt();
    let tri_hi = h - (0.05 * (h - l) * (h - m)).sqrt();
    let (lo, hi) = pct("site.electricity");
    close(lo * 3.6e6, tri_lo, 1e-12, "triangular p5");
    close(hi * 3.6e6, tri_hi, 1e-12, "triangular p95");

    let beta33 =
        |t: f64| 10.0 * t.powi(3) * (1.0 - t).powi(2) + 5.0 * t.powi(4) * (1.0 - t) + t.powi(5);
    let inv = |p: f64| {
        let (mut a, mut b) = (0.0, 1.0);
        for _ in 0..100 {
            let c = (a + b) / 2.0;
            if beta33(c) < p {
                a = c
            } else {
                b = c
            }
        }
        (a + b) / 2.0
    };
    let (lo, hi) = pct("fleet.base.mfu");
    close(lo, 0.3 + 0.4 * inv(0.05), 1e-9, "pert p5");
    close(hi, 0.3 + 0.4 * inv(0.95), 1e-9, "pert p95");
    // symmetric: p5 and p95 mirror around the mode
    close(lo + hi, 1.0, 1e-9, "pert symmetry");

    let phi = Normal::new(0.0, 1.0).unwrap();
    let (f0, f1) = (phi.cdf(-9.0), phi.cdf(1.0));
    let q = |p: f64| 0.9 + 0.1 * phi.inverse_cdf(f0 + p * (f1 - f0));
    let (lo, hi) = pct("fleet.cand.mfu");
    close(lo, q(0.05), 1e-9, "truncated normal p5");
    close(hi, q(0.95), 1e-9, "truncated normal p95");
    // Below the untruncated p95 (0.9 + 0.1 * 1.645 = 1.064, outside the range).
    assert!(hi < 0.99, "{hi}");

    // A degenerate uniform (low = high) is that value: no swing, no bar (it is not uncertain).
    assert!(j["bars"]
        .as_array()
        .unwrap()
        .iter()
        .all(|b| b["param"] != "fleet.base.chip.price" || num(&b["swing"]) == 0.0));
}

/// tornado.csv's low_p5 / high_p95 columns name the percentiles in the key's unit. p5 and p95
/// of electricity uniform(0.05, 0.15) USD/kWh are 0.055 and 0.145 USD/kWh: short numbers,
/// which a 4-significant-digit display shows exactly.
#[test]
fn tornado_text_columns_read_in_the_keys_unit() {
    let j = json(["tornado", COPULA, "--format", "json"]);
    let b = by(&j["bars"], "param", "site.electricity");
    assert_eq!(b["low_text"], "0.055 USD/kWh");
    assert_eq!(b["high_text"], "0.145 USD/kWh");
    let b = by(&j["bars"], "param", "fleet.cand.chip.price");
    assert_eq!(b["low_text"], "5.5k USD");
    assert_eq!(b["high_text"], "14.5k USD");
}

// ---------------------------------------------------------------------------------------------
// --out DIR
// ---------------------------------------------------------------------------------------------

/// Names of the regular files in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Checks a folder's files: each listed one exists and is complete (PNG signature and IEND,
/// SVG a parseable document, JSON parseable).
fn check_files(dir: &Path, want: &[&str]) {
    let have = names(dir);
    for w in want {
        assert!(
            have.iter().any(|h| h == w),
            "{} lacks {w}: {have:?}",
            dir.display()
        );
        let bytes = std::fs::read(dir.join(w)).unwrap();
        assert!(!bytes.is_empty(), "{w} is empty");
        if w.ends_with(".png") {
            assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{w}: not a PNG");
            assert!(bytes.ends_with(&[0xAE, 0x42, 0x60, 0x82]), "{w}: no IEND");
        } else if w.ends_with(".svg") {
            let text = String::from_utf8(bytes).unwrap();
            let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{w}: {e}"));
            assert_eq!(doc.root_element().tag_name().name(), "svg");
        } else if w.ends_with(".json") {
            serde_json::from_slice::<Value>(&bytes).unwrap_or_else(|e| panic!("{w}: {e}"));
        }
    }
    // Nothing half-written is left visible (temporary files are hidden dotfiles).
    assert!(
        have.iter().all(|h| !h.contains(".tmp")),
        "{}: {have:?}",
        dir.display()
    );
}

/// `run` of the folder's scenario.resolved.toml equals `run` of the original with the same
/// --set (every fleet and comparison number, 1e-12 relative).
fn resolved_reproduces(dir: &Path, original: &Value) {
    let resolved = dir.join("scenario.resolved.toml");
    let again = json([
        "run".as_ref(),
        resolved.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    for key in ["fleets", "comparisons"] {
        let d = json_diff(&original[key], &again[key], 1e-12);
        assert!(d.is_empty(), "{}: {key}: {d:#?}", dir.display());
    }
    let prov: Value =
        serde_json::from_slice(&std::fs::read(dir.join("provenance.json")).unwrap()).unwrap();
    assert_eq!(prov["resolved_scenario"], "scenario.resolved.toml");
    assert_eq!(prov["version"], env!("CARGO_PKG_VERSION"));
}

fn args_with(base: &[&str], dir: &Path, more: &[&str]) -> Vec<std::ffi::OsString> {
    let mut v: Vec<std::ffi::OsString> = base.iter().map(Into::into).collect();
    v.push("--out".into());
    v.push(dir.as_os_str().to_owned());
    v.extend(more.iter().map(Into::into));
    v
}

#[test]
fn out_folders_hold_the_documented_files_and_reproduce() {
    let t = tmp();
    let set = ["--set", "fleet.trn3.chip.price=16k USD"];
    let original = json(["run", TWO_GW, set[0], set[1], "--format", "json"]);
    let small = ["--size", "400x300"];

    // run
    let dir = t.path().join("run");
    ok_stdout(&fleetcost(args_with(
        &["run", TWO_GW, set[0], set[1]],
        &dir,
        &small,
    )));
    check_files(
        &dir,
        &[
            "results.json",
            "fleets.csv",
            "comparisons.csv",
            "cashflow.csv",
            "provenance.json",
            "scenario.resolved.toml",
        ],
    );
    let results: Value =
        serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    for key in ["fleets", "comparisons"] {
        let d = json_diff(&original[key], &results[key], 1e-12);
        assert!(d.is_empty(), "run results.json {key}: {d:#?}");
    }
    resolved_reproduces(&dir, &original);

    // sweep, 1-D and 2-D (the file's [[sweep]] grid is 2-D; a --param gives 1-D)
    let dir = t.path().join("sweep1");
    let line = [
        "sweep",
        TWO_GW,
        set[0],
        set[1],
        "--param",
        "fleet.trn2.mfu",
        "--from",
        "0.3",
        "--to",
        "0.5",
        "--steps",
        "3",
    ];
    let csv_out = ok_stdout(&fleetcost(args_with(
        &line,
        &dir,
        &[small[0], small[1], "--format", "csv"],
    )));
    check_files(
        &dir,
        &[
            "sweep.csv",
            "results.json",
            "provenance.json",
            "scenario.resolved.toml",
            "sweep.png",
            "sweep.svg",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sweep.csv")).unwrap(),
        csv_out
    );
    resolved_reproduces(&dir, &original);

    let dir = t.path().join("sweep2");
    let json_out = ok_stdout(&fleetcost(args_with(
        &[
            "sweep",
            TWO_GW,
            set[0],
            set[1],
            "--param",
            "fleet.trn3.chip.price",
            "--from",
            "5k USD",
            "--to",
            "40k USD",
            "--steps",
            "4",
            "--param",
            "fleet.trn3.mfu",
            "--from",
            "0.2",
            "--to",
            "0.6",
            "--steps",
            "3",
        ],
        &dir,
        &[small[0], small[1], "--format", "json"],
    )));
    check_files(
        &dir,
        &[
            "sweep.csv",
            "results.json",
            "provenance.json",
            "scenario.resolved.toml",
            "sweep_heatmap.png",
            "sweep_heatmap.svg",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("results.json")).unwrap(),
        json_out
    );
    resolved_reproduces(&dir, &original);

    // tornado
    let dir = t.path().join("tornado");
    let csv_out = ok_stdout(&fleetcost(args_with(
        &["tornado", TWO_GW, set[0], set[1]],
        &dir,
        &[small[0], small[1], "--format", "csv"],
    )));
    check_files(
        &dir,
        &[
            "tornado.csv",
            "results.json",
            "provenance.json",
            "scenario.resolved.toml",
            "tornado.png",
            "tornado.svg",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("tornado.csv")).unwrap(),
        csv_out
    );
    resolved_reproduces(&dir, &original);

    // montecarlo: one histogram per candidate
    let dir = t.path().join("mc");
    let json_out = ok_stdout(&fleetcost(args_with(
        &[
            "montecarlo",
            TWO_GW,
            set[0],
            set[1],
            "-n",
            "2000",
            "--seed",
            "5",
        ],
        &dir,
        &[small[0], small[1], "--format", "json"],
    )));
    let mut want = vec![
        "montecarlo.csv",
        "results.json",
        "provenance.json",
        "scenario.resolved.toml",
    ];
    let charts: Vec<String> = ["trn2", "trn3", "gb200"]
        .iter()
        .flat_map(|c| ["png", "svg"].map(|e| format!("montecarlo_rho_{c}.{e}")))
        .collect();
    want.extend(charts.iter().map(String::as_str));
    check_files(&dir, &want);
    assert_eq!(
        std::fs::read_to_string(dir.join("results.json")).unwrap(),
        json_out
    );
    let csv_out = ok_stdout(&fleetcost([
        "montecarlo",
        TWO_GW,
        set[0],
        set[1],
        "-n",
        "2000",
        "--seed",
        "5",
        "--format",
        "csv",
    ]));
    assert_eq!(
        std::fs::read_to_string(dir.join("montecarlo.csv")).unwrap(),
        csv_out
    );
    let prov: Value =
        serde_json::from_slice(&std::fs::read(dir.join("provenance.json")).unwrap()).unwrap();
    assert_eq!(prov["seed"], 5);
    resolved_reproduces(&dir, &original);
    // The resolved scenario of a Monte Carlo folder reruns the same Monte Carlo.
    let again = ok_stdout(&fleetcost([
        "montecarlo".as_ref(),
        dir.join("scenario.resolved.toml").as_os_str(),
        "-n".as_ref(),
        "2000".as_ref(),
        "--seed".as_ref(),
        "5".as_ref(),
        "--format".as_ref(),
        "csv".as_ref(),
    ]));
    assert_eq!(again, csv_out);
}

/// The fixtures are valid scenarios.
#[test]
fn fixtures_validate() {
    for f in [LINEAR, FIXED, COPULA] {
        assert!(root().join(f).is_file(), "{f}");
        ok_stdout(&fleetcost(["validate", f]));
    }
}

/// Usage the analysis commands refuse as bad input (exit 2, nothing on stdout), each with the
/// flag or file at fault and what to write instead.
#[test]
fn analysis_usage_errors_exit_2() {
    let s = "scenarios/trainium-vs-gpu-2gw.toml";
    let cases: [(&[&str], &str); 12] = [
        (
            &[
                "tornado",
                "scenarios/minimal.toml",
                "--metric",
                "tokens_per_s_per_chip",
            ],
            "metric 'tokens_per_s_per_chip' needs a training or inference workload",
        ),
        (
            &["montecarlo", s, "-n", "2000000000000"],
            "2000000000000 is not in 1..=",
        ),
        (
            &[
                "sweep", s, "--param", "site.pue", "--from", "1", "--to", "1.5", "--steps", "2",
                "--param", "site.pue", "--from", "1", "--to", "2", "--steps", "2",
            ],
            "--param site.pue is given twice",
        ),
        (
            &["run", s, "--out", "unused", "--size", "399x249"],
            "width 400-10000 and height 250-10000",
        ),
        (
            &["tornado", s, "--metric", "batch", "--fleet", "trn2"],
            "metric 'batch' applies to inference workloads only",
        ),
        (
            &[
                "sweep",
                "scenarios/aws-trn2-vs-p5e-rental.toml",
                "--metric",
                "run_cost",
                "--param",
                "site.pue",
                "--from",
                "1",
                "--to",
                "1.5",
                "--steps",
                "2",
            ],
            "metric 'run_cost' needs a training workload with workload.tokens",
        ),
        (
            &["montecarlo", s, "-n", "10", "--samples", "tests"],
            "--samples tests: cannot write it: it is a folder",
        ),
        (&["montecarlo", s, "-n", "0"], "0 is not in 1.."),
        (
            &[
                "solve",
                s,
                "--param",
                "fleet.trn2.mfu",
                "--target",
                "rho=nan",
            ],
            "--target rho=nan: the target must be a finite number",
        ),
        (
            &[
                "solve",
                s,
                "--param",
                "fleet.trn2.mfu",
                "--target",
                "rho>1.3",
            ],
            "write METRIC=VALUE, e.g. rho=1.30",
        ),
        (
            &["tornado", "scenarios/minimal.toml"],
            "scenarios/minimal.toml: no [uncertainty] block",
        ),
        (
            &["montecarlo", "scenarios/minimal.toml"],
            "scenarios/minimal.toml: no [uncertainty] block",
        ),
    ];
    for (args, want) in cases {
        let err = refused(&fleetcost(args), 2, &format!("{args:?}"));
        assert!(
            err.starts_with("error:"),
            "{args:?}: no `error:` title:\n{err}"
        );
        assert!(err.contains(want), "{args:?}: lacks `{want}`:\n{err}");
    }
}

/// A tornado over an [uncertainty] block whose every distribution is degenerate is bad input.
#[test]
fn a_tornado_with_nothing_that_varies_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fixed.toml");
    let minimal = std::fs::read_to_string(root().join("scenarios/minimal.toml")).unwrap();
    std::fs::write(
        &file,
        format!(
            "{minimal}\n[uncertainty]\n\"fleet.trn2.mfu\" = {{ dist = \"uniform\", low = 0.4, high = 0.4 }}\n"
        ),
    )
    .unwrap();
    let err = refused(
        &fleetcost(["tornado".as_ref(), file.as_os_str()]),
        2,
        "tornado",
    );
    assert!(
        err.contains("every distribution in [uncertainty] is fixed"),
        "{err}"
    );
}

/// Draws whose squares overflow (a chip priced at 1e-150 or 1e-200 USD with free electricity
/// puts rho near 1e150 or 1e200) give an error naming the input, never an inf or a silent 0 sd.
#[test]
fn a_monte_carlo_summary_that_overflows_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let minimal = std::fs::read_to_string(root().join("scenarios/minimal.toml")).unwrap();
    let minimal = minimal.replace(
        "electricity = \"0.08 USD/kWh\"",
        "electricity = \"0 USD/kWh\"",
    );
    for scale in ["1e-150", "1e-200"] {
        let file = dir.path().join(format!("tiny{scale}.toml"));
        std::fs::write(
            &file,
            format!(
                "{minimal}\n[uncertainty]\n\"fleet.trn2.chip.price\" = {{ dist = \"uniform\", low = \"{scale} USD\", high = \"2{} USD\" }}\n",
                &scale[1..]
            ),
        )
        .unwrap();
        let samples = dir.path().join("samples.csv");
        let out = fleetcost([
            "montecarlo".as_ref(),
            file.as_os_str(),
            "-n".as_ref(),
            "1000".as_ref(),
            "--samples".as_ref(),
            samples.as_os_str(),
        ]);
        let err = refused(&out, 1, scale);
        assert!(
            err.contains("the sd of the rho of trn2 vs h100 cannot be computed"),
            "{err}"
        );
        assert!(err.contains("fleet.trn2.chip.price"), "{err}");
        assert!(!samples.exists(), "{scale}: samples written after an error");
    }
}

/// `--format markdown` gives markdown tables and `solve --format csv` a header and one row.
#[test]
fn analysis_formats_markdown_and_csv() {
    let s = "scenarios/trainium-vs-gpu-2gw.toml";
    let tornado = ok_stdout(&fleetcost(["tornado", s, "--format", "markdown", "-q"]));
    assert!(
        tornado.lines().any(|l| l.starts_with("| input ")) && tornado.contains("|---"),
        "{tornado}"
    );
    let solve = ok_stdout(&fleetcost([
        "solve",
        s,
        "--param",
        "fleet.trn3.chip.price",
        "--target",
        "rho=1.3",
        "--format",
        "csv",
    ]));
    let mut r = csv::Reader::from_reader(solve.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        ["param", "unit", "metric", "target", "value", "base", "reason"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][0], "fleet.trn3.chip.price");
    assert_eq!(&rows[0][1], "USD");
    // The base price as written in the scenario (14k USD).
    assert_eq!(rows[0][5].parse::<f64>().unwrap(), 14_000.0);
}

/// A comparison metric takes its candidate from `--candidate` or, the same, `--fleet`.
#[test]
fn fleet_names_the_candidate_of_a_comparison_metric() {
    let s = "scenarios/trainium-vs-gpu-2gw.toml";
    for flag in ["--fleet", "--candidate"] {
        let out = ok_stdout(&fleetcost([
            "elasticities",
            s,
            "--metric",
            "rho",
            flag,
            "gb200",
        ]));
        assert!(out.contains("rho (gb200 vs h200)"), "{flag}: {out}");
    }
}

/// chip_hours (MODEL.md section 4: N * run_seconds / 3600) is a metric of sweep, solve,
/// tornado and elasticities. Hand calculation for trn2 in the 2 GW scenario with a run of
/// 15e12 tokens (set here; the file has 15.6e12) of its 405e9-parameter model (126 layers,
/// 128 heads of 128, seq_len 8192): F_tok = 2.43e12 + 12 * 126 * 128 * 128 * 8192
/// = 2.43e12 + 2.0294e11 = 2.63294e12 FLOP per token;
///   R          = 667e12 * mfu * 0.95
///   chip-hours = 15e12 * 2.63294e12 / R / 3600; at mfu 0.40: 3.94941e25 / 2.5346e14 / 3600
///              = 1.55820e11 s / 3600 = 4.32832e7
/// and, being tokens * F_tok / R, it does not depend on the fleet's size.
#[test]
fn chip_hours_is_a_metric_of_the_analyses() {
    let tokens = ["--set", "workload.tokens=15e12"];
    let f_tok = 6.0 * 405e9 + 12.0 * 126.0 * 128.0 * 128.0 * 8192.0;
    let at = |mfu: f64| 15e12 * f_tok / (667e12 * mfu * 0.95) / 3600.0;
    close(at(0.40), 4.328_32e7, 1e-5, "hand value");
    // sweep: chip_hours halves when mfu doubles, in the CSV and the JSON.
    let mut args = vec![
        "sweep",
        TWO_GW,
        "--param",
        "fleet.trn2.mfu",
        "--from",
        "0.2",
        "--to",
        "0.4",
        "--steps",
        "2",
        "--metric",
        "chip_hours",
        "--fleet",
        "trn2",
    ];
    args.extend(tokens);
    let j = json(args.iter().chain(&["--format", "json"]));
    let points = j["points"].as_array().unwrap();
    close(
        num(&points[0]["fleets"][0]["chip_hours"]),
        at(0.2),
        1e-12,
        "mfu 0.2",
    );
    close(
        num(&points[1]["fleets"][0]["chip_hours"]),
        at(0.4),
        1e-12,
        "mfu 0.4",
    );
    let csv_text = ok_stdout(&fleetcost(args.iter().chain(&["--format", "csv"])));
    let mut csv = csv::Reader::from_reader(csv_text.as_bytes());
    let col = csv
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "chip_hours");
    let first: csv::StringRecord = csv.records().next().unwrap().unwrap();
    close(
        first[col.expect("a chip_hours column")].parse().unwrap(),
        at(0.2),
        1e-12,
        "CSV",
    );
    // solve: the mfu at which the run takes the chip-hours of mfu 0.5.
    let target = format!("chip_hours={}", at(0.5));
    let mut args = vec![
        "solve",
        TWO_GW,
        "--param",
        "fleet.trn2.mfu",
        "--target",
        &target,
        "--fleet",
        "trn2",
        "--format",
        "json",
    ];
    args.extend(tokens);
    let j = json(args);
    close(num(&j["value"]), 0.5, 1e-8, "solved mfu");
    // tornado: the base is the run's chip-hours.
    let mut args = vec![
        "tornado",
        TWO_GW,
        "--metric",
        "chip_hours",
        "--fleet",
        "trn2",
        "--format",
        "json",
    ];
    args.extend(tokens);
    let j = json(args);
    close(num(&j["base"]), at(0.4), 1e-12, "tornado base");
    // elasticities: -1 to mfu, 0 to the chip's price (chip-hours are not money).
    let mut args = vec![
        "elasticities",
        TWO_GW,
        "--metric",
        "chip_hours",
        "--fleet",
        "trn2",
        "--format",
        "json",
    ];
    args.extend(tokens);
    let j = json(args);
    let e = |p: &str| {
        j["elasticities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["param"] == p)
            .map(|e| num(&e["elasticity"]))
    };
    close(
        e("fleet.trn2.mfu").unwrap(),
        -1.0,
        1e-6,
        "elasticity to mfu",
    );
    assert!(e("fleet.trn2.chip.price").is_none_or(|x| x == 0.0));
    // Without tokens there is no run: the metric is refused, naming the fix.
    let out = fleetcost([
        "sweep",
        "scenarios/aws-trn2-vs-p5e-rental.toml",
        "--metric",
        "chip_hours",
        "--param",
        "site.pue",
        "--from",
        "1",
        "--to",
        "1.5",
        "--steps",
        "2",
    ]);
    let err = refused(&out, 2, "chip_hours without tokens");
    assert!(
        err.contains("metric 'chip_hours' needs a training workload with workload.tokens"),
        "{err}"
    );
}

/// A precision is a category: `[[sweep]] param = "fleet.trn3.precision", values = ["bf16",
/// "fp8"]` runs the grid over the names, and each point equals `run --set
/// fleet.trn3.precision=NAME` (with the other axis set too).
#[test]
fn a_sweep_over_precision_as_a_category() {
    let dir = std::env::temp_dir().join(format!("fleetcost-prec-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(common::root().join(TWO_GW)).unwrap();
    let head = &text[..text
        .find("[[sweep]]")
        .expect("the 2 GW file has a [[sweep]]")];
    let file = dir.join("p.toml");
    std::fs::write(
        &file,
        format!(
            "{head}[[sweep]]\nparam = \"fleet.trn3.precision\"\nvalues = [\"bf16\", \"fp8\"]\n\n\
             [[sweep]]\nparam = \"fleet.trn3.mfu\"\nfrom = 0.3\nto = 0.5\nsteps = 3\n"
        ),
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let j = json(["sweep", f, "--format", "json"]);
    let points = j["points"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    assert_eq!(points[0]["values"][0], "bf16");
    assert_eq!(points[5]["values"][0], "fp8");
    for (i, name, mfu) in [(0, "bf16", 0.3), (4, "fp8", 0.4)] {
        let run = json([
            "run",
            f,
            "--set",
            &format!("fleet.trn3.precision={name}"),
            "--set",
            &format!("fleet.trn3.mfu={mfu}"),
            "--format",
            "json",
        ]);
        let diffs = json_diff(&run["fleets"], &points[i]["fleets"], 1e-12);
        assert!(diffs.is_empty(), "point {i}: {diffs:#?}");
        let trn3 = &points[i]["fleets"][1];
        assert_eq!(trn3["precision"], name);
    }
    // At the same mfu (points 1 and 4: 0.4), fp8 raises trn3's tokens/s by its catalog peak
    // ratio fp8 / bf16, and by nothing else.
    let t = |i: usize| num(&points[i]["fleets"][1]["tokens_per_s_per_chip"]);
    let cat = json(["catalog", "--format", "json"]);
    let row = cat
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "trainium3")
        .unwrap()
        .clone();
    let peak = |p: &str| num(&row[p]);
    close(
        t(4) / t(1),
        peak("fp8") / peak("bf16"),
        1e-12,
        "fp8 / bf16 rate",
    );
    // A precision cannot be sampled, solved for, or swept with from/to.
    let out = fleetcost([
        "solve",
        f,
        "--param",
        "fleet.trn3.precision",
        "--target",
        "rho=1.3",
    ]);
    let err = refused(&out, 2, "solve over a precision");
    assert!(err.contains("a precision is a category"), "{err}");
    let out = fleetcost([
        "sweep",
        f,
        "--param",
        "fleet.trn3.precision",
        "--from",
        "1",
        "--to",
        "3",
        "--steps",
        "3",
    ]);
    let err = refused(&out, 2, "sweep --param precision");
    assert!(err.contains("values = [\"bf16\", \"fp8\"]"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `montecarlo --metric chip_hours`: tests/fixtures/chip-hours.toml gives, by hand,
/// chip_hours = (5000 / 3) / mfu with mfu uniform on [0.25, 0.5], so (C = 5000 / 3)
/// mean = C ln 2 / 0.25, sd = sqrt(C^2 (1/0.25 - 1/0.5) / 0.25 - mean^2),
/// p50 = C / 0.375, p5 = C / 0.4875, p95 = C / 0.2625 and P(chip_hours >= 5000) = 1/3.
#[test]
fn montecarlo_follows_chip_hours_of_a_training_run() {
    let v = json([
        "montecarlo",
        "tests/fixtures/chip-hours.toml",
        "--metric",
        "chip_hours",
        "--fleet",
        "chip",
        "--above",
        "5000",
        "-n",
        "200000",
        "--quiet",
        "--format",
        "json",
    ]);
    let m = &v["metric"];
    assert_eq!(m["kind"], "fleet");
    assert_eq!(m["id"], "chip");
    assert_eq!(m["metric"], "chip_hours");
    let c = 5000.0 / 3.0;
    let mean = c * 2f64.ln() / 0.25;
    let sd = (c * c * (1.0 / 0.25 - 1.0 / 0.5) / 0.25 - mean * mean).sqrt();
    let stat = |k: &str| m["stat"][k].as_f64().unwrap();
    // 200,000 draws: the mean's se is sd / 447 ~ 2.1 chip-hours; quantiles within ~0.5 %.
    assert!(
        (stat("mean") - mean).abs() < 10.0,
        "mean {} vs {mean}",
        stat("mean")
    );
    assert!(
        (stat("sd") - sd).abs() / sd < 0.01,
        "sd {} vs {sd}",
        stat("sd")
    );
    for (k, want) in [("p5", c / 0.4875), ("p50", c / 0.375), ("p95", c / 0.2625)] {
        assert!(
            (stat(k) - want).abs() / want < 0.005,
            "{k} {} vs {want}",
            stat(k)
        );
    }
    let p = m["above"][0]["probability"].as_f64().unwrap();
    assert!((p - 1.0 / 3.0).abs() < 0.005, "P(chip_hours >= 5000) = {p}");
    // The followed metric is not a program's.
    assert!(v["program"].is_null());
}

/// `--above` needs a metric to follow.
#[test]
fn montecarlo_above_without_a_metric_is_refused() {
    let out = fleetcost([
        "montecarlo",
        "tests/fixtures/chip-hours.toml",
        "--above",
        "5000",
        "-n",
        "10",
    ]);
    let err = refused(&out, 2, "--above without a metric");
    assert!(err.contains("--metric KEY"), "{err}");
}

/// Issue 11: one source for the ordering rule of a distribution. `validate` and `montecarlo`
/// refuse the same out-of-order distributions with the same message (the scenario's check,
/// `DistSpec::order_problem`, which the sampler also calls), at the same line.
#[test]
fn validate_and_montecarlo_word_a_bad_distribution_alike() {
    for case in [
        "dist-mode-outside",
        "dist-low-above-high",
        "dist-p5-above-p95",
    ] {
        let file = root().join(format!("tests/bad/{case}.toml"));
        let v = fleetcost(["validate".as_ref(), file.as_os_str()]);
        let m = fleetcost([
            "montecarlo".as_ref(),
            file.as_os_str(),
            "-n".as_ref(),
            "1000".as_ref(),
        ]);
        assert_eq!(v.status.code(), Some(2), "{case}");
        assert_eq!(m.status.code(), Some(2), "{case}");
        let first = |o: &std::process::Output| {
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .take(2)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(first(&v), first(&m), "{case}");
        assert!(first(&v).contains("got"), "{case}: {}", first(&v));
    }
}
