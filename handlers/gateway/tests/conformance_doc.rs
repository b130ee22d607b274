//! Every test docs/LOCAL_GATEWAY.md's conformance table names exists, so the table cannot
//! claim a behaviour nothing proves.

const DOC: &str = include_str!("../../../docs/LOCAL_GATEWAY.md");

/// An integration test file (`tests/<module>.rs`), or a module's own unit tests
/// (`src/<module>.rs`, named `<module>::tests::…`).
fn source_of(module: &str) -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    let test = format!("{dir}/tests/{module}.rs");
    let path = match std::path::Path::new(&test).exists() {
        true => test,
        false => format!("{dir}/src/{module}.rs"),
    };
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_conformance_row_names_an_existing_test() {
    let section = DOC
        .split("## Conformance")
        .nth(1)
        .expect("a Conformance section");
    let rows: Vec<&str> = section
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| API Gateway behaviour"))
        .collect();
    assert!(rows.len() >= 20, "only {} rows", rows.len());
    for row in rows {
        let cell = row
            .trim_end_matches('|')
            .rsplit('|')
            .next()
            .expect("test cell")
            .trim();
        let name = cell.trim_matches('`');
        let mut parts: Vec<&str> = name.split("::").collect();
        let test = parts.pop().expect("test name");
        let module = parts
            .first()
            .copied()
            .unwrap_or_else(|| panic!("no module in {row}"));
        assert!(
            source_of(module).contains(&format!("fn {test}(")),
            "{name} (named in LOCAL_GATEWAY.md) does not exist"
        );
    }
}
