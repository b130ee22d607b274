//! The hexagon, held by the compiler: the `domain` crate (use cases and ports) cannot reach
//! the AWS SDK, the Lambda runtime, axum or redb, because none of them is in its dependency
//! graph. This test reads the resolved graph (`cargo metadata`) and fails the day one is.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

const FORBIDDEN: &[&str] = &[
    "aws-config",
    "aws-sdk-dynamodb",
    "aws-sdk-apigatewaymanagement",
    "aws-smithy-runtime-api",
    "aws_lambda_events",
    "lambda_runtime",
    "axum",
    "redb",
    "serde_dynamo",
];

/// The triple of the machine building, as rustc reports it (`host: x86_64-unknown-linux-gnu`).
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .expect("rustc -vV runs");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc names its host")
        .to_owned()
}

/// Every package `package` depends on, directly or not, for this machine's builds (dev ones
/// too). Filtered to the host platform: a fresh machine has downloaded only those packages,
/// and `--offline` must not need the Windows-only ones.
fn closure_of(package: &str) -> BTreeSet<String> {
    let host = host_triple();
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names: HashMap<&str, &str> = metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            (
                p["id"].as_str().expect("id"),
                p["name"].as_str().expect("name"),
            )
        })
        .collect();
    let nodes: HashMap<&str, Vec<&str>> = metadata["resolve"]["nodes"]
        .as_array()
        .expect("resolve")
        .iter()
        .map(|n| {
            let deps = n["dependencies"].as_array().expect("deps");
            (
                n["id"].as_str().expect("id"),
                deps.iter().filter_map(|d| d.as_str()).collect(),
            )
        })
        .collect();
    let root = names
        .iter()
        .find(|(_, name)| **name == package)
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("no package named {package}"));
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        for dep in nodes.get(id).into_iter().flatten() {
            if seen.insert(names[dep].to_owned()) {
                stack.push(dep);
            }
        }
    }
    seen
}

#[test]
fn the_domain_cannot_reach_aws_lambda_axum_or_redb() {
    let closure = closure_of("domain");
    assert!(closure.contains("shared"), "read the graph: {closure:?}");
    let reached: Vec<&&str> = FORBIDDEN
        .iter()
        .filter(|name| closure.contains(**name))
        .collect();
    assert!(reached.is_empty(), "the domain depends on {reached:?}");
}

#[test]
fn the_adapters_crate_does_reach_them_so_the_check_can_fail() {
    // The same walk from `handlers` finds the SDK and redb: the test is not vacuous.
    let closure = closure_of("handlers");
    for name in ["aws-sdk-dynamodb", "redb", "lambda_runtime"] {
        assert!(closure.contains(name), "{name} not in {closure:?}");
    }
}
