#!/usr/bin/env python3
"""A straightforward vectorised numpy/scipy Monte Carlo of fleetcost's model: the yardstick of
the "10x numpy" performance target (docs/performance.md) and an independent check of
`fleetcost montecarlo` (MODEL.md sections 2-6).

It reads a scenario (tomllib) and data/chips.csv, samples n draws in batches with numpy's
Generator (correlated normals via numpy.linalg.cholesky, uniforms via scipy.stats.norm.cdf,
marginals via scipy.stats inverse CDFs truncated to the parameter's range), evaluates the
model for every draw and fleet (sizing check, cost per chip-year, work per chip-year, cost per
unit, rho of each candidate vs the baseline) and summarises (mean, sd, p5/p50/p95 by
np.percentile "linear", P(rho >= level) with its standard error).

It supports what the shipped 2 GW scenario (scenarios/trainium-vs-gpu-2gw.toml) uses, and
stops with a message naming anything else: flops and training workloads; owned fleets sized
to a power budget; catalog chips (`chip = "id"`) or inline chips with `base`; uniform,
triangular, pert, normal, lognormal and fixed distributions; a Gaussian copula.

    python3 benches/baseline/montecarlo.py                      # 2e6 draws, prints draws/s
    python3 benches/baseline/montecarlo.py -n 1000000 --check   # + compare with fleetcost

Nothing here is tuned beyond the obvious (whole batches through numpy/scipy calls); it is the
implementation a careful analyst would write first.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path

T_PROCESS = time.perf_counter()  # before numpy/scipy imports: for the process-level figure

try:
    import numpy as np
    from scipy import stats
except ImportError as e:  # compare.sh turns this into a note and exit 0
    print(f"montecarlo.py: {e}; install with `pip install numpy scipy`", file=sys.stderr)
    sys.exit(3)

T_IMPORTED = time.perf_counter()

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCENARIO = REPO / "scenarios" / "trainium-vs-gpu-2gw.toml"
HOURS_PER_YEAR = 8766.0
SECONDS_PER_YEAR = HOURS_PER_YEAR * 3600.0
Z95 = stats.norm.ppf(0.95)


class Unsupported(Exception):
    """A scenario feature this baseline does not implement."""


class DrawBreaks(Exception):
    """A draw the model refuses (a fleet sizes to 0 nodes): its index in the batch, the fleet."""

    def __init__(self, index: int, fleet: str):
        super().__init__(index, fleet)
        self.index, self.fleet = index, fleet


# ---------------------------------------------------------------------------------------------
# Quantities: exactly the unit strings the 2 GW scenario uses ("2 GW", "53k USD", "5 yr", ...)
# ---------------------------------------------------------------------------------------------

PREFIX = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
# unit -> (dimension, factor to the dimension's canonical unit)
UNITS = {
    "W": ("W", 1.0),
    "USD": ("USD", 1.0),
    "USD/kWh": ("USD/kWh", 1.0),
    "USD/W": ("USD/W", 1.0),
    "USD/W/yr": ("USD/W/yr", 1.0),
    "USD/yr": ("USD/yr", 1.0),
    "yr": ("yr", 1.0),
    "TFLOP/s": ("TFLOP/s", 1.0),
}
QTY = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([kMGT])?\s*(\S*)\s*$")

# key -> (canonical unit of the dimension ("1" = a bare number), (min, min_open, max), count)
NONNEG = (0.0, False, math.inf)
POS = (0.0, True, math.inf)
FRAC = (0.0, True, 1.0)
KEYS = {
    "site.power": ("W", POS, False),
    "site.pue": ("1", (1.0, False, math.inf), False),
    "site.electricity": ("USD/kWh", NONNEG, False),
    "site.facility_capex": ("USD/W", NONNEG, False),
    "site.facility_life": ("yr", POS, False),
    "site.facility_opex": ("USD/W/yr", NONNEG, False),
    "finance.discount_rate": ("1", NONNEG, False),
    "finance.horizon": ("yr", POS, False),
    "workload.model_params": ("1", POS, False),
    "fleet.chips_per_node": ("1", (1.0, False, math.inf), True),
    "fleet.node_power": ("W", NONNEG, False),
    "fleet.network_power": ("W", NONNEG, False),
    "fleet.node_price": ("USD", NONNEG, False),
    "fleet.network_price": ("USD", NONNEG, False),
    "fleet.hardware_life": ("yr", POS, False),
    "fleet.maintenance": ("1", NONNEG, False),
    "fleet.software": ("USD/yr", NONNEG, False),
    "fleet.power_load": ("1", FRAC, False),
    "fleet.availability": ("1", FRAC, False),
    "fleet.mfu": ("1", FRAC, False),
    "chip.tdp": ("W", POS, False),
    "chip.price": ("USD", NONNEG, False),
    "chip.peak": ("TFLOP/s", POS, False),
}
SITE_KEYS = ("pue", "electricity", "facility_capex", "facility_life", "facility_opex")
SITE_DEFAULTS = {"pue": 1.0, "facility_capex": 0.0, "facility_life": 20.0, "facility_opex": 0.0}
FLEET_DEFAULTS = {
    "chips_per_node": 1.0,
    "node_power": 0.0,
    "network_power": 0.0,
    "node_price": 0.0,
    "network_price": 0.0,
    "maintenance": 0.0,
    "software": 0.0,
    "power_load": 1.0,
    "availability": 1.0,
}
PRECISIONS = ("fp32", "tf32", "bf16", "fp8", "fp4")


def key_of(path: str) -> str:
    """The KEYS entry of a parameter path: fleet.trn2.chip.price -> chip.price."""
    p = path.split(".")
    if p[0] == "fleet":
        if p[2] == "chip":
            return "chip.peak" if p[3] == "peak" else f"chip.{p[3]}"
        if p[2] in SITE_KEYS:
            return f"site.{p[2]}"
        return f"fleet.{p[2]}"
    return path


def quantity(value, path: str) -> float:
    """A TOML value as a number in the key's canonical unit."""
    unit = KEYS[key_of(path)][0] if key_of(path) in KEYS else "1"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise Unsupported(f"{path}: {value!r} is not a number or a quantity string")
    m = QTY.match(value)
    if not m:
        raise Unsupported(f"{path}: cannot read {value!r}")
    x = float(m.group(1)) * PREFIX.get(m.group(2) or "", 1.0)
    u = m.group(3)
    if u == "":
        return x
    if u not in UNITS and u[:1] in PREFIX and u[1:] in UNITS:
        x, u = x * PREFIX[u[0]], u[1:]
    if u not in UNITS:
        raise Unsupported(f"{path}: unit {u!r} in {value!r} (this baseline reads {list(UNITS)})")
    dim, f = UNITS[u]
    if dim != unit:
        raise Unsupported(f"{path}: {value!r} is in {dim}, expected {unit}")
    return x * f


# ---------------------------------------------------------------------------------------------
# Scenario: base values of every parameter path the model reads
# ---------------------------------------------------------------------------------------------


def load_catalog(path: Path) -> dict[str, dict[str, float | None]]:
    out = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            num = lambda k: float(row[k]) if row[k].strip() else None  # noqa: E731
            out[row["id"]] = {
                "tdp": num("tdp"),
                "price": num("price"),
                **{f"peak.{p}": num(p) for p in PRECISIONS},
            }
    return out


def resolve_chip(spec, fid: str, catalog) -> dict[str, float | None]:
    """`chip = "id"` or an inline `[fleet.chip]` table (optionally with `base`)."""
    if isinstance(spec, str):
        if spec not in catalog:
            raise Unsupported(f"fleet {fid}: unknown chip {spec!r}")
        return dict(catalog[spec])
    chip = dict(catalog[spec["base"]]) if "base" in spec else {}
    for k, v in spec.items():
        if k in ("base", "name"):
            continue
        if k == "peak":
            for p, pv in v.items():
                chip[f"peak.{p}"] = quantity(pv, f"fleet.{fid}.chip.peak.{p}")
        elif k in ("tdp", "price"):
            chip[k] = quantity(v, f"fleet.{fid}.chip.{k}")
        elif k in ("hbm", "hbm_bw", "price_low", "price_high"):
            pass  # not read by a training or flops model
        else:
            raise Unsupported(f"fleet {fid}: chip key {k!r}")
    return chip


class Scenario:
    """The parts of a scenario the Monte Carlo needs, as plain numbers."""

    def __init__(self, path: Path, catalog_path: Path):
        with open(path, "rb") as f:
            t = tomllib.load(f)
        catalog = load_catalog(catalog_path)
        site, fin, wl = t["site"], t["finance"], t["workload"]
        self.kind = wl["kind"]
        if self.kind not in ("flops", "training"):
            raise Unsupported(f"workload.kind = {self.kind!r}")
        self.precision = wl["precision"]
        if site.get("power_basis", "facility") not in ("facility", "it"):
            raise Unsupported("site.power_basis")
        self.facility_basis = site.get("power_basis", "facility") == "facility"
        base: dict[str, float] = {}
        base["site.power"] = quantity(site["power"], "site.power")
        for k in SITE_KEYS:
            if k in site:
                base[f"site.{k}"] = quantity(site[k], f"site.{k}")
            elif k in SITE_DEFAULTS:
                base[f"site.{k}"] = SITE_DEFAULTS[k]
            else:
                raise Unsupported(f"site.{k} missing (rented fleets are not supported)")
        base["finance.discount_rate"] = quantity(fin["discount_rate"], "finance.discount_rate")
        if self.kind == "training":
            base["workload.model_params"] = quantity(wl["model_params"], "workload.model_params")
        self.fleets: list[str] = []
        self.overrides: dict[str, set[str]] = {}  # site keys a fleet sets itself
        for f in t["fleet"]:
            fid = f["id"]
            for bad in ("chips", "rent", "tensor_parallel"):
                if bad in f:
                    raise Unsupported(f"fleet {fid}: {bad}")
            self.fleets.append(fid)
            self.overrides[fid] = set()
            chip = resolve_chip(f["chip"], fid, catalog)
            peak = chip.get(f"peak.{self.precision}")
            if peak is None:
                raise Unsupported(f"fleet {fid}: chip has no {self.precision} peak")
            base[f"fleet.{fid}.chip.tdp"] = chip["tdp"]
            base[f"fleet.{fid}.chip.price"] = chip["price"]
            base[f"fleet.{fid}.chip.peak.{self.precision}"] = peak
            for k, v in f.items():
                if k in ("id", "chip"):
                    continue
                path = f"fleet.{fid}.{k}"
                if k in SITE_KEYS:
                    self.overrides[fid].add(k)
                elif f"fleet.{k}" not in KEYS:
                    raise Unsupported(f"{path}")
                base[path] = quantity(v, path)
            for k, v in FLEET_DEFAULTS.items():
                base.setdefault(f"fleet.{fid}.{k}", v)
            for k in ("hardware_life", "mfu"):
                if f"fleet.{fid}.{k}" not in base:
                    raise Unsupported(f"fleet {fid}: {k} missing")
        cmp_ = t.get("compare", {})
        self.baseline = self.fleets.index(cmp_.get("baseline", self.fleets[0]))
        claim = cmp_.get("claim", [])
        self.levels = [float(c) for c in (claim if isinstance(claim, list) else [claim])]
        self.candidates = [i for i in range(len(self.fleets)) if i != self.baseline]
        self.base = base
        unc = dict(t.get("uncertainty", {}))
        self.correlations = unc.pop("correlations", [])
        self.uncertain = [(p, d) for p, d in unc.items()]

    def value(self, x: dict, fid: str, k: str):
        """A fleet's value of key k (fleet path, or the site's for inherited site keys)."""
        p = f"fleet.{fid}.{k}"
        if k in SITE_KEYS and k not in self.overrides[fid] and p not in x:
            return x[f"site.{k}"]
        return x[p]


# ---------------------------------------------------------------------------------------------
# Marginals: scipy.stats frozen distributions, truncated to the parameter's range
# ---------------------------------------------------------------------------------------------


class Marginal:
    """x = F^-1(F(lo) + u (F(hi) - F(lo))), clipped into the range (rounding only)."""

    def __init__(self, path: str, spec: dict):
        _, (lo, lo_open, hi), self.count = KEYS[key_of(path)]
        q = lambda k: quantity(spec[k], path)  # noqa: E731
        d = spec["dist"]
        self.log = False
        self.fixed = None
        if d == "fixed":
            self.fixed = q("value")
        elif d == "uniform":
            a, b = q("low"), q("high")
            self.frozen = stats.uniform(loc=a, scale=b - a) if b > a else None
            self.fixed = a if b == a else None
        elif d in ("triangular", "pert"):
            a, m, b = q("low"), q("mode"), q("high")
            if a == b:
                self.fixed = a
            elif d == "triangular":
                self.frozen = stats.triang(c=(m - a) / (b - a), loc=a, scale=b - a)
            else:
                alpha = 1.0 + 4.0 * (m - a) / (b - a)
                beta = 1.0 + 4.0 * (b - m) / (b - a)
                self.frozen = stats.beta(alpha, beta, loc=a, scale=b - a)
        elif d == "normal":
            mean, sd = q("mean"), q("sd")
            if sd == 0:
                self.fixed = mean
            else:
                self.frozen = stats.norm(loc=mean, scale=sd)
        elif d == "lognormal":
            p5, p95 = q("p5"), q("p95")
            if p5 == p95:
                self.fixed = p5
            else:
                # ln x ~ N(mu, sigma): sampled as exp(mu + sigma Phi^-1(p)) (MODEL.md 6).
                self.mu = 0.5 * (math.log(p5) + math.log(p95))
                self.sigma = (math.log(p95) - math.log(p5)) / (2.0 * Z95)
                self.frozen = stats.norm(loc=self.mu, scale=self.sigma)
                self.log = True
                lo = math.log(lo) if lo > 0 else -math.inf
                hi = math.log(hi)
        else:
            raise Unsupported(f"{path}: dist {d!r}")
        self.range = (KEYS[key_of(path)][1][0], KEYS[key_of(path)][1][2])
        self.range_min = np.nextafter(self.range[0], math.inf) if lo_open else self.range[0]
        if self.fixed is None:
            self.f_lo = float(self.frozen.cdf(lo))
            self.f_hi = float(self.frozen.cdf(hi))

    def tabulate(self, nodes: int) -> None:
        """--pert-inverse table: replace a PERT's beta.ppf by np.interp on `nodes` + 1 exact
        values at equally spaced u (an informational variant, not the baseline)."""
        if self.fixed is None and self.frozen.dist.name == "beta":
            self.grid_u = np.linspace(0.0, 1.0, nodes + 1)
            self.grid_x = self.frozen.ppf(self.grid_u)

    def ppf(self, u):
        p = self.f_lo + u * (self.f_hi - self.f_lo)
        if hasattr(self, "grid_u"):
            x = np.interp(p, self.grid_u, self.grid_x)
        else:
            x = self.frozen.ppf(p)
        if self.log:
            x = np.exp(x)
        x = np.clip(x, self.range_min, self.range[1])
        if self.count:
            x = np.floor(x + 0.5)  # counts: nearest integer (all >= 1: halves away from zero)
        return x


# ---------------------------------------------------------------------------------------------
# The model (MODEL.md sections 2-5), vectorised over draws
# ---------------------------------------------------------------------------------------------


def crf(r, n):
    """r (1+r)^n / ((1+r)^n - 1); 1/n at r = 0."""
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.expm1(n * np.log1p(r))
        v = r * (g + 1.0) / g
    return np.where(r == 0.0, 1.0 / n, v)


def unit_cost(s: Scenario, x: dict, fid: str):
    """Cost per unit of work of one fleet for every draw in x."""
    v = lambda k: s.value(x, fid, k)  # noqa: E731
    cpn = v("chips_per_node")
    w = v("chip.tdp") + v("node_power") / cpn + v("network_power")
    pue = v("pue")
    it = x["site.power"] / pue if s.facility_basis else x["site.power"]
    q = it / (cpn * w)
    nodes = np.floor(q + np.abs(q) * 1e-9)
    if np.any(nodes < 1):
        raise DrawBreaks(int(np.argmax(np.atleast_1d(nodes < 1))), fid)
    r = x["finance.discount_rate"]
    hw = v("chip.price") + v("node_price") / cpn + v("network_price")
    fac = v("facility_capex") * w
    capital = hw * crf(r, v("hardware_life")) + fac * crf(r, v("facility_life"))
    energy = w * v("power_load") * pue * HOURS_PER_YEAR * v("electricity") / 1000.0
    upkeep = v("maintenance") * hw + v("software") + v("facility_opex") * w
    c = capital + energy + upkeep
    flops = v(f"chip.peak.{s.precision}") * 1e12 * v("mfu") * v("availability")
    if s.kind == "training":
        per_year = flops / (6.0 * x["workload.model_params"]) * SECONDS_PER_YEAR / 1e6
    else:
        per_year = flops * SECONDS_PER_YEAR / 1e18
    return c / per_year


# ---------------------------------------------------------------------------------------------
# The Monte Carlo
# ---------------------------------------------------------------------------------------------


class MonteCarlo:
    def __init__(self, s: Scenario, pert_table: int = 0):
        self.s = s
        self.paths, self.marginals = [], []
        self.base = dict(s.base)
        for path, spec in s.uncertain:
            m = Marginal(path, spec)
            if pert_table:
                m.tabulate(pert_table)
            if m.fixed is not None:
                self.base[path] = m.fixed
            else:
                self.paths.append(path)
                self.marginals.append(m)
        k = len(self.paths)
        c = np.eye(k)
        for a, b, rho in s.correlations:
            i, j = self.paths.index(a), self.paths.index(b)
            c[i, j] = c[j, i] = rho
        self.chol = np.linalg.cholesky(c)
        self.names = [f"cost_per_unit.{f}" for f in s.fleets] + [
            f"rho.{s.fleets[c]}" for c in s.candidates
        ]

    def batch(self, rng: np.random.Generator, b: int, offset: int, t: dict) -> np.ndarray:
        """Metrics of b draws: shape (metrics, b)."""
        t0 = time.perf_counter()
        z = rng.standard_normal((b, len(self.paths))) @ self.chol.T
        u = stats.norm.cdf(z)
        x = dict(self.base)
        for j, (p, m) in enumerate(zip(self.paths, self.marginals)):
            x[p] = m.ppf(u[:, j])
        t1 = time.perf_counter()
        s = self.s
        out = np.empty((len(self.names), b))
        for i, fid in enumerate(s.fleets):
            try:
                out[i] = unit_cost(s, x, fid)
            except DrawBreaks as e:
                values = ", ".join(f"{p} = {x[p][e.index]:.6g}" for p in self.paths)
                sys.exit(f"montecarlo.py: draw {offset + e.index} breaks the model ({values}): "
                         f"fleet '{e.fleet}' sizes to 0 nodes (the power budget is below one node)")
        nf = len(s.fleets)
        for j, c in enumerate(s.candidates):
            out[nf + j] = out[s.baseline] / out[c]
        t["sample"] += t1 - t0
        t["model"] += time.perf_counter() - t1
        return out

    def run(self, n: int, seed: int, batch: int) -> tuple[np.ndarray, dict]:
        """All metrics of n draws (kept for the exact percentiles), and phase times."""
        rng = np.random.default_rng(seed)
        values = np.empty((len(self.names), n))
        t = {"sample": 0.0, "model": 0.0}
        for start in range(0, n, batch):
            b = min(batch, n - start)
            values[:, start : start + b] = self.batch(rng, b, start, t)
        return values, t


def summary(v: np.ndarray) -> dict:
    p5, p50, p95 = np.percentile(v, [5, 50, 95])  # method="linear": type 7, as fleetcost
    return {"mean": float(v.mean()), "sd": float(v.std(ddof=1)),
            "p5": float(p5), "p50": float(p50), "p95": float(p95)}


def summarise(mc: MonteCarlo, values: np.ndarray, n: int, seed: int) -> dict:
    """The shape of `fleetcost montecarlo --format json`."""
    s = mc.s
    nf = len(s.fleets)
    out = {"n": n, "seed": seed, "fleets": [], "comparisons": []}
    for i, fid in enumerate(s.fleets):
        out["fleets"].append({"id": fid, "cost_per_unit": summary(values[i])})
    for j, c in enumerate(s.candidates):
        rho = values[nf + j]
        claims = []
        for level in s.levels:
            p = float(np.count_nonzero(rho >= level)) / n
            claims.append({"level": level, "probability": p, "se": math.sqrt(p * (1 - p) / n)})
        out["comparisons"].append({"candidate": s.fleets[c], "baseline": s.fleets[s.baseline],
                                   "rho": summary(rho), "claims": claims})
    return out


# ---------------------------------------------------------------------------------------------
# --check: agreement with fleetcost within Monte Carlo error
# ---------------------------------------------------------------------------------------------


def batch_se(values: np.ndarray, groups: int = 50) -> list[dict]:
    """Standard errors of mean, sd, p5, p50, p95 of each metric by batch means: the draws are
    iid, so split them into `groups` contiguous groups; se = sd(group stat) / sqrt(groups)."""
    m, n = values.shape
    g = values[:, : n - n % groups].reshape(m, groups, -1)
    q = np.percentile(g, [5, 50, 95], axis=2)  # (3, m, groups)
    per = {"mean": g.mean(axis=2), "sd": g.std(axis=2, ddof=1), "p5": q[0], "p50": q[1],
           "p95": q[2]}
    return [{k: float(per[k][i].std(ddof=1) / math.sqrt(groups)) for k in per} for i in range(m)]


def check(mc: MonteCarlo, mine: dict, values: np.ndarray, theirs: dict, z_max: float) -> bool:
    """Prints a table numpy vs fleetcost; True when every mean and probability agrees within
    z_max combined standard errors (means: analytic se of both runs; sd and quantiles by batch
    means of this run, taken as the same for fleetcost's)."""
    se = batch_se(values)
    rows = []
    n1, n2 = mine["n"], theirs["n"]
    pairs = [(f"cost_per_unit.{a['id']}", a["cost_per_unit"], b["cost_per_unit"])
             for a, b in zip(mine["fleets"], theirs["fleets"])]
    pairs += [(f"rho.{a['candidate']}", a["rho"], b["rho"])
              for a, b in zip(mine["comparisons"], theirs["comparisons"])]
    ok = True
    for i, (name, a, b) in enumerate(pairs):
        for k in ("mean", "sd", "p5", "p50", "p95"):
            if k == "mean":
                e = math.sqrt(a["sd"] ** 2 / n1 + b["sd"] ** 2 / n2)
            else:
                e = se[i][k] * math.sqrt(1 + n1 / n2)
            z = (a[k] - b[k]) / e if e > 0 else 0.0
            gate = k == "mean"
            ok &= not gate or abs(z) <= z_max
            rows.append((name, k, a[k], b[k], z, gate))
    for a, b in zip(mine["comparisons"], theirs["comparisons"]):
        for ca, cb in zip(a["claims"], b["claims"]):
            pa, pb = ca["probability"], cb["probability"]
            p = (pa * n1 + pb * n2) / (n1 + n2)
            e = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
            z = (pa - pb) / e if e > 0 else 0.0
            ok &= abs(z) <= z_max
            rows.append((f"P(rho.{a['candidate']} >= {ca['level']})", "", pa, pb, z, True))
    print(f"{'metric':32} {'stat':5} {'numpy':>14} {'fleetcost':>14} {'z':>7}")
    for name, k, a, b, z, gate in rows:
        flag = "" if abs(z) <= z_max else (" FAIL" if gate else " (info)")
        print(f"{name:32} {k:5} {a:14.6g} {b:14.6g} {z:7.2f}{flag}")
    gated = [abs(r[4]) for r in rows if r[5]]
    print(f"gated (means, probabilities): {len(gated)}, max |z| = {max(gated):.2f}, "
          f"limit {z_max}: {'PASS' if ok else 'FAIL'}")
    return ok


def check_base(mc: MonteCarlo, exe: str, scenario: Path, tol: float = 1e-12) -> bool:
    """The base case (every input at its scenario value, no sampling): numpy's cost per unit
    of every fleet against `fleetcost run --format json`, to a relative 1e-12."""
    r = subprocess.run([exe, "run", str(scenario), "--format", "json"], capture_output=True,
                       text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"montecarlo.py: fleetcost run failed:\n{r.stderr}")
    theirs = {f["id"]: f["cost_per_unit"] for f in json.loads(r.stdout)["fleets"]}
    ok = True
    print("base case (no sampling) vs `fleetcost run --format json`:")
    for fid in mc.s.fleets:
        mine = float(unit_cost(mc.s, mc.s.base, fid))
        rel = abs(mine / theirs[fid] - 1.0)
        ok &= rel <= tol
        print(f"  cost_per_unit.{fid:8} numpy {mine:.15g}  fleetcost {theirs[fid]:.15g}  "
              f"rel. diff {rel:.1e}{'' if rel <= tol else ' FAIL'}")
    return ok


# SI (fleetcost's internal unit) -> this file's canonical unit, per dimension.
FROM_SI = {"USD/kWh": 3.6e6, "yr": 1.0 / SECONDS_PER_YEAR, "USD/yr": SECONDS_PER_YEAR,
           "USD/W/yr": SECONDS_PER_YEAR}


def check_marginals(mc: MonteCarlo, exe: str, scenario: Path, tol: float = 1e-9) -> bool:
    """Each truncated marginal's 5th and 95th percentiles (scipy) against fleetcost's inverse
    CDFs at 0.05 and 0.95, which `fleetcost tornado --format json` reports (SI units)."""
    r = subprocess.run([exe, "tornado", str(scenario), "--format", "json", "--quiet"],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"montecarlo.py: fleetcost tornado failed:\n{r.stderr}")
    bars = {b["param"]: b for b in json.loads(r.stdout)["bars"]}
    ok = True
    print("marginals: scipy ppf(0.05), ppf(0.95) vs fleetcost's (`fleetcost tornado` p5, p95):")
    for path, m in zip(mc.paths, mc.marginals):
        mine = m.ppf(np.array([0.05, 0.95]))
        f = FROM_SI.get(KEYS[key_of(path)][0], 1.0)
        theirs = [bars[path]["low_value"] * f, bars[path]["high_value"] * f]
        rel = max(abs(a / b - 1.0) for a, b in zip(mine, theirs))
        ok &= rel <= tol
        print(f"  {path:24} numpy {mine[0]:<12.8g} {mine[1]:<12.8g} fleetcost {theirs[0]:<12.8g} "
              f"{theirs[1]:<12.8g} rel. diff {rel:.1e}{'' if rel <= tol else ' FAIL'}")
    return ok


def run_fleetcost(exe: str, scenario: Path, n: int, seed: int) -> dict:
    cmd = [exe, "montecarlo", str(scenario), "-n", str(n), "--seed", str(seed),
           "--format", "json", "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"montecarlo.py: {' '.join(cmd)} failed:\n{r.stderr}")
    return json.loads(r.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    ap.add_argument("-n", type=float, default=2e6, help="draws (default 2e6)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=float, default=1e6, help="draws per batch (default 1e6)")
    ap.add_argument("--catalog", default=str(REPO / "data" / "chips.csv"))
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--pert-inverse", choices=["scipy", "table"], default="scipy",
                    help="scipy: beta.ppf for every PERT draw (the baseline); table: np.interp "
                    "on 65,537 beta.ppf values per PERT (informational: how much of the "
                    "baseline's time is scipy's beta.ppf)")
    ap.add_argument("--check", action="store_true",
                    help="run fleetcost with the same n and compare the summaries")
    ap.add_argument("--fleetcost", default=os.environ.get(
        "FLEETCOST", str(REPO / "target" / "release" / "fleetcost")),
        help="the fleetcost binary for --check (default $FLEETCOST or target/release)")
    ap.add_argument("--fleetcost-json", help="compare with this saved fleetcost JSON instead")
    ap.add_argument("--z-max", type=float, default=4.0,
                    help="--check fails when a mean or probability differs by more than this "
                    "many standard errors (default 4)")
    a = ap.parse_args()
    n, batch = int(a.n), int(a.batch)

    t0, c0 = time.perf_counter(), time.process_time()
    try:
        s = Scenario(Path(a.scenario), Path(a.catalog))
        mc = MonteCarlo(s, 1 << 16 if a.pert_inverse == "table" else 0)
    except Unsupported as e:
        print(f"montecarlo.py: not supported by this baseline: {e}", file=sys.stderr)
        return 2
    t1 = time.perf_counter()
    values, phase = mc.run(n, a.seed, batch)
    t2 = time.perf_counter()
    result = summarise(mc, values, n, a.seed)
    t3, c3 = time.perf_counter(), time.process_time()

    total = t3 - t0
    print(f"numpy {np.__version__}, scipy {__import__('scipy').__version__}, "
          f"python {sys.version.split()[0]}: {n} draws, batch {batch}, seed {a.seed}, "
          f"PERT inverse: {a.pert_inverse}")
    print(f"  setup {t1 - t0:.3f} s, sample {phase['sample']:.3f} s, model {phase['model']:.3f}"
          f" s, summaries {t3 - t2:.3f} s; imports {T_IMPORTED - T_PROCESS:.3f} s (excluded)")
    print(f"draws/s {n / total:.0f}  (n / (setup + sample + model + summaries) = {n} / "
          f"{total:.3f} s)")
    print(f"cpu draws/s {n / (c3 - c0):.0f}  (n / CPU time of the process over the same span, "
          f"{c3 - c0:.3f} s, all threads)")
    if a.json:
        print(json.dumps(result, indent=2))
    if a.check:
        print()
        base_ok = a.fleetcost_json is not None or (
            check_base(mc, a.fleetcost, Path(a.scenario))
            & check_marginals(mc, a.fleetcost, Path(a.scenario)))
        theirs = (json.load(open(a.fleetcost_json)) if a.fleetcost_json
                  else run_fleetcost(a.fleetcost, Path(a.scenario), n, a.seed))
        print(f"\n--check against fleetcost montecarlo (n = {theirs['n']}, seed "
              f"{theirs['seed']}; independent streams)")
        if not check(mc, result, values, theirs, a.z_max) or not base_ok:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
