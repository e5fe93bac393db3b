//! The scenario key reference, generated from the tables the parser reads: docs/scenario.md
//! (`fleetcost schema --markdown`) and a JSON Schema of the format (`fleetcost schema`), which
//! editors use to complete and check scenario files. Numeric keys come from the key tables
//! (`keys.rs`: unit, range, default, example, meaning); the few keys that are names or choices
//! are listed here, and a test holds that list to the parser's.

use super::keys::{
    ChipKey, ContractKey, FinanceKey, FleetKey, KeySpec, ProgramContractKey, SectionKey, SiteKey,
    TrancheKey, WorkloadKey,
};
use super::{parse, program};
use crate::units;
use serde_json::{json, Map, Value};

/// A key that is not a quantity: its section, name, JSON Schema and meaning.
struct Named {
    section: &'static str,
    name: &'static str,
    schema: fn() -> Value,
    about: &'static str,
}

fn string() -> Value {
    json!({"type": "string"})
}
fn precision() -> Value {
    json!({"enum": ["fp32", "tf32", "bf16", "fp8", "fp4"]})
}
fn chip() -> Value {
    json!({"anyOf": [{"type": "string"}, {"type": "object"}]})
}
fn peak() -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": {
        "fp32": quantity_schema("TFLOP/s"), "tf32": quantity_schema("TFLOP/s"),
        "bf16": quantity_schema("TFLOP/s"), "fp8": quantity_schema("TFLOP/s"),
        "fp4": quantity_schema("TFLOP/s")}})
}
fn claim() -> Value {
    json!({"anyOf": [{"type": "number", "exclusiveMinimum": 0},
                     {"type": "array", "items": {"type": "number", "exclusiveMinimum": 0}}]})
}

const NAMED: &[Named] = &[
    Named { section: "site", name: "power_basis", schema: || json!({"enum": ["facility", "it"]}),
        about: "whether site.power is measured at the facility meter or at the IT load (default \"facility\")" },
    Named { section: "workload", name: "kind", schema: || json!({"enum": ["flops", "training", "inference"]}),
        about: "the work counted: raw FLOPs (EFLOP), training tokens, or served output tokens (required)" },
    Named { section: "workload", name: "precision", schema: precision,
        about: "numeric precision of the work; each chip must have a peak for it (required)" },
    Named { section: "workload", name: "serving", schema: || json!({"enum": ["aggregated", "disaggregated"]}),
        about: "inference: prefill and decode on the same replicas (default) or on separate ones" },
    Named { section: "fleet", name: "id", schema: || json!({"type": "string", "pattern": "^[a-z0-9_-]+$"}),
        about: "the fleet's unique name: a-z, 0-9, '_' and '-' (required)" },
    Named { section: "fleet", name: "chip", schema: chip,
        about: "a catalog id (`fleetcost catalog`) or an inline chip table; required unless `platform` gives it" },
    Named { section: "fleet", name: "platform", schema: string,
        about: "a platform id (`fleetcost catalog --platforms`): supplies the chip, chips_per_node, node and network power and price; keys the fleet sets win" },
    Named { section: "fleet", name: "precision", schema: precision,
        about: "this fleet's own precision, overriding the workload's" },
    Named { section: "chip", name: "base", schema: string,
        about: "a catalog id the inline chip starts from" },
    Named { section: "chip", name: "name", schema: string, about: "what reports call the inline chip" },
    Named { section: "chip", name: "peak", schema: peak,
        about: "dense peak TFLOP/s by precision, e.g. { bf16 = 989 }" },
    Named { section: "compare", name: "baseline", schema: string,
        about: "the fleet every other is compared with (default: the first); also --baseline ID" },
    Named { section: "compare", name: "claim", schema: claim,
        about: "claim levels as rho, e.g. [1.30, 1.40] for \"30-40 % better price-performance\"; also --claim" },
    Named { section: "contract", name: "fleet", schema: string,
        about: "the fleet whose whole capacity the contract buys (required in [contract])" },
    Named { section: "compare", name: "baseline_program", schema: string,
        about: "the program every other program is compared with, by levelized cost (default: the first)" },
    Named { section: "program", name: "id", schema: || json!({"type": "string", "pattern": "^[a-z0-9_-]+$"}),
        about: "the program's unique name: a-z, 0-9, '_' and '-' (required)" },
    Named { section: "program", name: "tranches", schema: || json!({"type": "array", "minItems": 1}),
        about: "the capacity brought online, in order: a list of tables { fleet, start, power or chips } (required)" },
    Named { section: "program", name: "contract", schema: || json!({"type": "object"}),
        about: "what a buyer pays for the program's capacity: a [program.contract] table (optional)" },
    Named { section: "tranche", name: "fleet", schema: string,
        about: "the [[fleet]] whose chip, platform and overheads the tranche uses (required)" },
    Named { section: "program_contract", name: "payments", schema: || json!({"anyOf": [{"const": "even"}, {"type": "array", "items": quantity_schema("USD")}]}),
        about: "\"even\" (value / term a year, the default) or a list of yearly amounts that sums to value (entry j accrues over contract year j + 1)" },
];

/// The sections whose keys the reference lists, in the order of a scenario file: (title, TOML
/// path, numeric keys, the parser's list of its other keys).
fn sections() -> Vec<(
    &'static str,
    &'static str,
    Vec<&'static KeySpec>,
    &'static [&'static str],
)> {
    fn specs<K: SectionKey>() -> Vec<&'static KeySpec> {
        K::ALL.iter().map(|k| k.spec()).collect()
    }
    vec![
        ("[site]", "site", specs::<SiteKey>(), parse::SITE_OTHER),
        ("[finance]", "finance", specs::<FinanceKey>(), &[]),
        (
            "[workload]",
            "workload",
            specs::<WorkloadKey>(),
            parse::WORKLOAD_OTHER,
        ),
        (
            "[[fleet]]",
            "fleet",
            specs::<FleetKey>(),
            parse::FLEET_OTHER,
        ),
        (
            "[fleet.chip] (an inline chip)",
            "chip",
            specs::<ChipKey>(),
            parse::CHIP_OTHER,
        ),
        ("[compare]", "compare", Vec::new(), parse::COMPARE),
        (
            "[contract]",
            "contract",
            specs::<ContractKey>(),
            parse::CONTRACT_OTHER,
        ),
        ("[[program]]", "program", Vec::new(), program::PROGRAM_OTHER),
        (
            "program tranches (each an inline table in `tranches`)",
            "tranche",
            specs::<TrancheKey>(),
            program::TRANCHE_OTHER,
        ),
        (
            "[program.contract]",
            "program_contract",
            specs::<ProgramContractKey>(),
            program::PROGRAM_CONTRACT_OTHER,
        ),
    ]
}

fn quantity_schema(unit: &str) -> Value {
    json!({"anyOf": [
        {"type": "number"},
        {"type": "string", "description": format!("a number with a unit, e.g. \"12 {unit}\"")}
    ]})
}

fn default_text(k: &KeySpec) -> String {
    match k.default {
        Some(d) => units::display(d, &k.unit),
        None => "-".into(),
    }
}

fn unit_text(k: &KeySpec) -> &'static str {
    if k.unit.name == "-" {
        "-"
    } else {
        k.unit.name
    }
}

fn numeric_schema(k: &KeySpec) -> Value {
    let r = k.range;
    let mut number = Map::new();
    number.insert(
        "type".into(),
        json!(if r.integer { "integer" } else { "number" }),
    );
    // Bounds in the key's unit, where a bare number is read in it.
    let lo = r.min / k.unit.si;
    if r.min_open {
        number.insert("exclusiveMinimum".into(), json!(lo));
    } else {
        number.insert("minimum".into(), json!(lo));
    }
    if r.max.is_finite() {
        number.insert("maximum".into(), json!(r.max / k.unit.si));
    }
    let mut any = vec![Value::Object(number)];
    if k.unit.name != "-" || k.name == "batch" || k.name == "tensor_parallel" {
        any.push(json!({"type": "string"}));
    }
    json!({
        "anyOf": any,
        "description": format!(
            "{}. Unit {} (a bare number), or a string with a unit; {}; default {}; e.g. {}",
            k.about, unit_text(k), r.describe(), default_text(k), k.example
        ),
    })
}

fn section_properties(path: &str, specs: &[&KeySpec]) -> Map<String, Value> {
    let mut props = Map::new();
    for n in NAMED.iter().filter(|n| n.section == path) {
        let mut s = (n.schema)();
        s["description"] = json!(n.about);
        props.insert(n.name.into(), s);
    }
    for k in specs {
        props.insert(k.name.into(), numeric_schema(k));
    }
    props
}

fn object(props: Map<String, Value>) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": props})
}

/// The JSON Schema (draft 2020-12) of a scenario file.
pub fn json_schema() -> Value {
    let mut props = Map::new();
    props.insert(
        "schema".into(),
        json!({"const": 1, "description": "the format version: 1"}),
    );
    props.insert(
        "name".into(),
        json!({"type": "string", "description": "what reports and charts call the scenario"}),
    );
    let mut chip_schema = Value::Null;
    let mut tranche_schema = Value::Null;
    let mut program_contract_schema = Value::Null;
    for (_, path, specs, _) in sections() {
        let obj = object(section_properties(path, &specs));
        match path {
            "chip" => chip_schema = obj,
            "tranche" => tranche_schema = obj,
            "program_contract" => program_contract_schema = obj,
            "fleet" | "program" => {
                props.insert(path.into(), json!({"type": "array", "items": obj}));
            }
            p => {
                props.insert(p.into(), obj);
            }
        }
    }
    // An inline chip is a table under fleet.chip.
    if let Some(chip) = props["fleet"]["items"]["properties"].get_mut("chip") {
        chip["anyOf"][1] = chip_schema;
    }
    // Tranches and the contract are tables inside each program.
    let program = &mut props["program"]["items"]["properties"];
    program["tranches"]["items"] = tranche_schema;
    let about = program["contract"]["description"].clone();
    program["contract"] = program_contract_schema;
    program["contract"]["description"] = about;
    let dist = json!({"type": "object", "properties": parse::DIST_KEYS.iter()
        .map(|k| (k.to_string(), if *k == "dist" {
            json!({"enum": ["fixed", "uniform", "triangular", "pert", "normal", "lognormal"]})
        } else { quantity_schema("USD") }))
        .collect::<Map<String, Value>>(), "additionalProperties": false});
    props.insert(
        "uncertainty".into(),
        json!({"type": "object",
               "description": "distributions by parameter path (`fleetcost validate FILE --list-params`), and correlations",
               "properties": {"correlations": {"type": "array", "items": {"type": "array"}}},
               "additionalProperties": dist}),
    );
    props.insert(
        "sweep".into(),
        json!({"type": "array", "description": "one or two grid axes", "items": {"type": "object",
               "properties": parse::SWEEP.iter().map(|k| (k.to_string(), json!({})))
                   .collect::<Map<String, Value>>()}}),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "fleetcost scenario",
        "description": "A fleetcost scenario file (TOML). Generated by `fleetcost schema` from the key tables the parser reads.",
        "type": "object",
        "required": ["schema", "site", "finance", "workload", "fleet"],
        "additionalProperties": false,
        "properties": props,
    })
}

/// docs/scenario.md: every key with its unit, default, range and an example.
pub fn markdown() -> String {
    let mut o = String::from(
        "# Scenario keys\n\n\
         Generated by `fleetcost schema --markdown` from the key tables the parser reads \
         (`src/scenario/keys.rs`); tests/docs.rs fails when this file differs from what the \
         code generates. A quantity is a bare number in the unit given, or a string with a unit \
         (`\"2 GW\"`, `\"25k USD\"`, `\"0.07 USD/kWh\"`). The same paths (`site.pue`, \
         `fleet.ID.chip.price`, ...) address every numeric key in `--set`, `[uncertainty]`, \
         `[[sweep]]` and `solve`. MODEL.md (the contract) and docs/model.md give the formulas.\n",
    );
    for (title, path, specs, _) in sections() {
        o.push_str(&format!(
            "\n## {title}\n\n| key | unit | default | range | example | meaning |\n|---|---|---|---|---|---|\n"
        ));
        for n in NAMED.iter().filter(|n| n.section == path) {
            let kind = (n.schema)();
            let choices = kind
                .get("enum")
                .and_then(Value::as_array)
                .map(|v| {
                    v.iter()
                        .map(|c| format!("`{}`", c.as_str().unwrap_or("")))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| "name".into());
            o.push_str(&format!(
                "| `{}` | {choices} | | | | {} |\n",
                n.name,
                n.about.replace('|', "\\|")
            ));
        }
        for k in specs {
            o.push_str(&format!(
                "| `{}` | {} | {} | {} | `{}` | {} |\n",
                k.name,
                unit_text(k),
                default_text(k),
                k.range.describe(),
                k.example,
                k.about.replace('|', "\\|")
            ));
        }
    }
    o.push_str(
        "\n## [uncertainty], [[sweep]]\n\n\
         `[uncertainty]` maps a parameter path to a distribution table: `dist` (fixed, uniform, \
         triangular, pert, normal, lognormal) with its fields (value; low, high; low, mode, high; \
         mean, sd; p5, p95), plus `correlations = [[path, path, rho], ...]`. Each `[[sweep]]` \
         axis has `param`, `from`, `to`, `steps` and `scale` (linear or log); two axes make a \
         2-D grid. `fleetcost validate FILE --list-params` lists every path of a scenario.\n",
    );
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_the_parser_reads_is_in_the_reference() {
        for (title, path, specs, others) in sections() {
            for name in others {
                assert!(
                    NAMED.iter().any(|n| n.section == path && n.name == *name),
                    "{title}: the parser reads '{name}' but the reference does not describe it"
                );
            }
            for n in NAMED.iter().filter(|n| n.section == path) {
                assert!(
                    others.contains(&n.name),
                    "{title}: '{}' is not read",
                    n.name
                );
            }
            let schema = json_schema();
            let props = match path {
                "fleet" => &schema["properties"]["fleet"]["items"]["properties"],
                "chip" => {
                    &schema["properties"]["fleet"]["items"]["properties"]["chip"]["anyOf"][1]
                        ["properties"]
                }
                "program" => &schema["properties"]["program"]["items"]["properties"],
                "tranche" => {
                    &schema["properties"]["program"]["items"]["properties"]["tranches"]["items"]
                        ["properties"]
                }
                "program_contract" => {
                    &schema["properties"]["program"]["items"]["properties"]["contract"]
                        ["properties"]
                }
                p => &schema["properties"][p]["properties"],
            };
            for k in specs {
                assert!(
                    props.get(k.name).is_some(),
                    "{title}: {} not in the schema",
                    k.name
                );
            }
        }
        // The top-level keys are the parser's.
        let schema = json_schema();
        let mut top: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        top.sort();
        let mut want: Vec<&str> = parse::TOP.to_vec();
        want.sort();
        assert_eq!(top, want);
    }
}
