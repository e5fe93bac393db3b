"""The Python module against the CLI: every function returns exactly the JSON that
`fleetcost COMMAND --format json` prints, and every failure the CLI's message and exit code.

The CLI binary is $FLEETCOST_BIN, or target/debug/fleetcost (built by `cargo test`)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

import fleetcost

ROOT = Path(__file__).resolve().parents[2]
TWO_GW = str(ROOT / "scenarios" / "trainium-vs-gpu-2gw.toml")
MINIMAL = str(ROOT / "scenarios" / "minimal.toml")
DEAL = str(ROOT / "scenarios" / "openai-aws-deal.toml")
INFERENCE = str(ROOT / "scenarios" / "llama70b-inference.toml")


def binary():
    path = os.environ.get("FLEETCOST_BIN") or str(ROOT / "target" / "debug" / "fleetcost")
    assert os.path.isfile(path), "no fleetcost binary at %s: run `cargo build` first" % path
    return path


def cli(*args):
    """(exit code, stdout, stderr) of the CLI."""
    p = subprocess.run([binary(), *args], capture_output=True, text=True, cwd=ROOT,
                       env=dict(os.environ, NO_COLOR="1"))
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    code, out, err = cli(*args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_run_matches_the_cli_for_every_shipped_scenario():
    for s in sorted((ROOT / "scenarios").glob("*.toml")):
        got = fleetcost.run(str(s))
        assert isinstance(got, dict)
        assert got == cli_json("run", str(s)), s


def test_run_with_set_and_toml_text_matches_run_set():
    sets = {"fleet.trn3.chip.price": "9k USD", "site.pue": 1.3}
    want = cli_json("run", TWO_GW, "--set", "fleet.trn3.chip.price=9k USD", "--set", "site.pue=1.3")
    assert fleetcost.run(TWO_GW, set=sets) == want
    # The same scenario given as text (messages name it <string>) gives the same numbers.
    text = Path(TWO_GW).read_text()
    assert fleetcost.run(text, set=sets) == want
    assert fleetcost.run(Path(TWO_GW), set=sets) == want


def test_montecarlo_matches_the_cli():
    got = fleetcost.montecarlo(TWO_GW, n=2000, seed=7)
    assert got == cli_json("montecarlo", TWO_GW, "-n", "2000", "--seed", "7", "--quiet")
    assert got["n"] == 2000 and got["seed"] == 7


def test_sweep_matches_the_cli():
    got = fleetcost.sweep(MINIMAL, param="fleet.trn2.chip.price", from_="5k USD", to=20000, steps=4)
    want = cli_json("sweep", MINIMAL, "--param", "fleet.trn2.chip.price", "--from", "5k USD",
                    "--to", "20000", "--steps", "4", "--quiet")
    assert got == want
    assert len(got["points"]) == 4


def test_solve_matches_the_cli():
    got = fleetcost.solve(TWO_GW, "fleet.trn3.chip.price", "rho=1.3")
    want = cli_json("solve", TWO_GW, "--param", "fleet.trn3.chip.price", "--target", "rho=1.3")
    assert got == want
    assert fleetcost.solve(TWO_GW, "fleet.trn3.chip.price", {"rho": 1.3}) == want
    # The answer is a root: run at that price gives rho = 1.30 for trn3.
    r = fleetcost.run(TWO_GW, set={"fleet.trn3.chip.price": got["value"]})
    rho = [c["rho"] for c in r["comparisons"] if c["candidate"] == "trn3"][0]
    assert abs(rho - 1.3) < 1e-6


def test_tornado_and_elasticities_match_the_cli():
    assert fleetcost.tornado(TWO_GW, candidate="trn3") == cli_json(
        "tornado", TWO_GW, "--candidate", "trn3", "--quiet")
    assert fleetcost.elasticities(MINIMAL) == cli_json("elasticities", MINIMAL)


def test_errors_raise_with_the_cli_message_and_code():
    cases = [
        ("run", [str(ROOT / "scenarios" / "no-such.toml")], lambda: fleetcost.run(str(ROOT / "scenarios" / "no-such.toml"))),
        ("run", [MINIMAL, "--set", "fleet.trn2.chip.prce=5"],
         lambda: fleetcost.run(MINIMAL, set={"fleet.trn2.chip.prce": 5})),
        ("run", [MINIMAL, "--set", "site.pue=0.5"], lambda: fleetcost.run(MINIMAL, set={"site.pue": 0.5})),
        ("solve", [TWO_GW, "--param", "fleet.trn3.chip.price", "--target", "rho"],
         lambda: fleetcost.solve(TWO_GW, "fleet.trn3.chip.price", "rho")),
    ]
    for command, args, call in cases:
        code, out, err = cli(command, *args, "--format", "json")
        assert code != 0 and out == ""
        with pytest.raises(fleetcost.FleetcostError) as e:
            call()
        assert str(e.value) == err.rstrip("\n"), args
        assert e.value.code == code


def test_a_bad_toml_text_names_string_and_says_the_same_as_a_file(tmp_path):
    text = Path(MINIMAL).read_text().replace('power = "100 MW"', 'power = "100 MV"')
    f = tmp_path / "bad.toml"
    f.write_text(text)
    code, _, err = cli("run", str(f))
    assert code == 2
    with pytest.raises(fleetcost.FleetcostError) as e:
        fleetcost.run(text)
    assert "<string>" in str(e.value)
    assert str(e.value) == err.rstrip("\n").replace(str(f), "<string>")


def test_to_pandas_frames_hold_the_same_numbers():
    pd = pytest.importorskip("pandas")
    r = fleetcost.run(DEAL)
    frames = r.to_pandas()
    fleets = frames["fleets"].set_index("id")
    for f in r["fleets"]:
        assert fleets.loc[f["id"], "cost_per_unit"] == f["cost_per_unit"]
        assert fleets.loc[f["id"], "chips"] == f["chips"]
    assert frames["contract"]["implied_per_chip_hour"][0] == r["contract"]["implied_per_chip_hour"]
    two = fleetcost.run(TWO_GW).to_pandas()
    assert len(two["claims"]) == sum(len(c["claims"]) for c in fleetcost.run(TWO_GW)["comparisons"])
    mc = fleetcost.montecarlo(TWO_GW, n=500, seed=3)
    m = mc.to_pandas()
    assert list(m["fleets"]["cost_per_unit_mean"]) == [f["cost_per_unit"]["mean"] for f in mc["fleets"]]
    sw = fleetcost.sweep(MINIMAL, param="fleet.trn2.chip.price", from_=5000, to=20000, steps=3)
    df = sw.to_pandas()
    assert len(df) == 3 * 2 and "fleet.trn2.chip.price" in df.columns
    assert isinstance(fleetcost.tornado(TWO_GW).to_pandas(), pd.DataFrame)
    inf = fleetcost.run(INFERENCE).to_pandas()["fleets"]
    assert len(inf) == len(fleetcost.run(INFERENCE)["fleets"])
