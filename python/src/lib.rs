//! The `fleetcost._fleetcost` extension module: one function that runs a fleetcost command
//! line in-process (`fleetcost::app::call`) and returns what the CLI would print. The Python
//! package (pysrc/fleetcost) builds the command lines and parses the JSON.

use pyo3::prelude::*;

/// Runs `fleetcost ARGS...`; returns (0, stdout) or (exit code, the CLI's error message).
/// With `scenario_name` and `scenario_text`, the scenario argument `scenario_name` reads the
/// text instead of a file.
#[pyfunction]
#[pyo3(signature = (args, scenario_name=None, scenario_text=None))]
fn call(
    args: Vec<String>,
    scenario_name: Option<String>,
    scenario_text: Option<String>,
) -> (u8, String) {
    let inline = scenario_name.as_deref().zip(scenario_text.as_deref());
    match fleetcost::app::call(&args, inline) {
        Ok(out) => (0, out),
        Err(e) => (e.code.max(1), e.report()),
    }
}

/// The fleetcost library's version.
#[pyfunction]
fn version() -> &'static str {
    fleetcost::VERSION
}

#[pymodule]
fn _fleetcost(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    Ok(())
}
