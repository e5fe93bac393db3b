"""fleetcost from Python.

Each function runs the fleetcost command of the same name in-process and returns what
``fleetcost COMMAND ... --format json`` prints, parsed: the same keys, the same numbers.
The scenario is a path to a TOML file or the TOML text itself; ``set`` is a dict of
parameter paths to values, as ``--set PATH=VALUE`` (numbers in the key table's unit, or
strings with units: ``{"fleet.trn3.chip.price": "9k USD", "site.pue": 1.3}``).

A failure raises :class:`FleetcostError` with the CLI's message and exit code.
Results are dicts with a ``to_pandas()`` method (pandas required for that method only).
"""

import json
import os

from . import _fleetcost

__all__ = [
    "FleetcostError",
    "Result",
    "run",
    "montecarlo",
    "sweep",
    "solve",
    "tornado",
    "elasticities",
    "version",
]

#: The name a scenario given as TOML text has in messages.
TEXT_NAME = "<string>"


class FleetcostError(Exception):
    """A fleetcost command failed: ``str(e)`` is the CLI's message (starting with
    ``error:``), ``e.code`` its exit code (2: bad input or usage, 1: a failure while running)."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


class Result(dict):
    """The JSON a command prints, as a dict; ``kind`` names the command."""

    def __init__(self, kind, data):
        super().__init__(data)
        self.kind = kind

    def to_pandas(self):
        """The result as pandas DataFrames.

        run: ``{"fleets", "comparisons", "claims"}`` (and ``"contract"`` when present);
        montecarlo: ``{"fleets", "comparisons", "claims"}`` with one column per statistic;
        sweep: one row per point and fleet (the parameter columns first);
        tornado: one row per bar; solve and elasticities: one row.
        """
        try:
            import pandas as pd
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install pandas") from e
        return _frames(pd, self.kind, self)


def version():
    """The fleetcost library version."""
    return _fleetcost.version()


def _scenario(scenario):
    """(argument, name, text) for a path or TOML text."""
    if isinstance(scenario, os.PathLike):
        return os.fspath(scenario), None, None
    if not isinstance(scenario, str):
        raise TypeError("scenario: give a path or the TOML text, not %s" % type(scenario).__name__)
    if "\n" in scenario:
        return TEXT_NAME, TEXT_NAME, scenario
    return scenario, None, None


def _value(v):
    if isinstance(v, bool):
        raise TypeError("set: %r is not a number or a quantity string" % (v,))
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _call(kind, command, scenario, options, set=None, baseline=None, claim=None):
    arg, name, text = _scenario(scenario)
    args = [command, arg]
    for path, v in (set or {}).items():
        args += ["--set", "%s=%s" % (path, _value(v))]
    if baseline is not None:
        args += ["--baseline", str(baseline)]
    if claim is not None:
        levels = claim if isinstance(claim, (list, tuple)) else [claim]
        args += ["--claim", ",".join(_value(c) for c in levels)]
    args += options + ["--format", "json"]
    code, out = _fleetcost.call(args, name, text)
    if code != 0:
        raise FleetcostError(out, code)
    return Result(kind, json.loads(out))


def _opt(args, flag, value):
    if value is None:
        return
    values = value if isinstance(value, (list, tuple)) else [value]
    for v in values:
        args += [flag, _value(v)]


def run(scenario, set=None, baseline=None, claim=None):
    """``fleetcost run --format json``: sizing, cost, work, rho and claims of every fleet."""
    return _call("run", "run", scenario, [], set, baseline, claim)


def montecarlo(scenario, n=100_000, seed=1, set=None, baseline=None, claim=None):
    """``fleetcost montecarlo -n N --seed SEED --format json``."""
    return _call(
        "montecarlo", "montecarlo", scenario,
        ["-n", str(int(n)), "--seed", str(int(seed)), "--quiet"], set, baseline, claim,
    )


def sweep(scenario, param=None, from_=None, to=None, steps=None, scale=None,
          metric=None, candidate=None, fleet=None, set=None, baseline=None, claim=None):
    """``fleetcost sweep --format json``: the file's [[sweep]] grid, or ``param`` from
    ``from_`` to ``to`` in ``steps`` (lists for a 2-D grid); every point's run report."""
    args = []
    _opt(args, "--param", param)
    _opt(args, "--from", from_)
    _opt(args, "--to", to)
    _opt(args, "--steps", steps)
    _opt(args, "--scale", scale)
    _opt(args, "--metric", metric)
    _opt(args, "--candidate", candidate)
    _opt(args, "--fleet", fleet)
    return _call("sweep", "sweep", scenario, args + ["--quiet"], set, baseline, claim)


def solve(scenario, param, target, from_=None, to=None, candidate=None, fleet=None,
          set=None, baseline=None, claim=None):
    """``fleetcost solve --format json``: the value of ``param`` at which a metric reaches
    ``target`` (``"rho=1.30"``, or a dict ``{"rho": 1.3}``); ``value`` is None when there is no
    crossing, with the ``reason``."""
    if isinstance(target, dict):
        if len(target) != 1:
            raise ValueError("target: one METRIC=VALUE, e.g. {'rho': 1.3}")
        ((k, v),) = target.items()
        target = "%s=%s" % (k, _value(v))
    args = ["--param", str(param), "--target", str(target)]
    _opt(args, "--from", from_)
    _opt(args, "--to", to)
    _opt(args, "--candidate", candidate)
    _opt(args, "--fleet", fleet)
    return _call("solve", "solve", scenario, args, set, baseline, claim)


def tornado(scenario, metric=None, candidate=None, fleet=None, set=None, baseline=None,
            claim=None):
    """``fleetcost tornado --format json``: each uncertain input at its p5 and p95."""
    args = []
    _opt(args, "--metric", metric)
    _opt(args, "--candidate", candidate)
    _opt(args, "--fleet", fleet)
    return _call("tornado", "tornado", scenario, args + ["--quiet"], set, baseline, claim)


def elasticities(scenario, metric=None, candidate=None, fleet=None, set=None, baseline=None,
                 claim=None):
    """``fleetcost elasticities --format json``: d ln(metric) / d ln(input) for every input."""
    args = []
    _opt(args, "--metric", metric)
    _opt(args, "--candidate", candidate)
    _opt(args, "--fleet", fleet)
    return _call("elasticities", "elasticities", scenario, args, set, baseline, claim)


def _flat(row, prefix=""):
    """A nested dict as one flat row: {"rho": {"mean": 1}} -> {"rho_mean": 1}."""
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update(_flat(v, prefix + k + "_"))
        elif not isinstance(v, list):
            out[prefix + k] = v
    return out


def _frames(pd, kind, r):
    if kind in ("run", "montecarlo"):
        frames = {
            "fleets": pd.DataFrame([_flat(f) for f in r.get("fleets", [])]),
            "comparisons": pd.DataFrame([_flat(c) for c in r.get("comparisons", [])]),
            "claims": pd.DataFrame([
                dict(candidate=c["candidate"], baseline=c["baseline"], **claim)
                for c in r.get("comparisons", []) for claim in c.get("claims", [])
            ]),
        }
        if r.get("contract"):
            frames["contract"] = pd.DataFrame([_flat(r["contract"])])
        return frames
    if kind == "sweep":
        rows = []
        for point in r["points"]:
            axes = dict(zip(r["params"], point["values"]))
            for f in point.get("fleets", []):
                rows.append(dict(axes, **_flat(f)))
        return pd.DataFrame(rows)
    if kind == "tornado":
        return pd.DataFrame([_flat(b) for b in r["bars"]])
    if kind == "elasticities":
        for key in ("elasticities", "rows", "params"):
            if isinstance(r.get(key), list):
                return pd.DataFrame([_flat(x) for x in r[key]])
    return pd.DataFrame([_flat(r)])
