//! DESIGN: no Scan on any request path. The DynamoDB adapter must read only with GetItem and
//! Query, so this proves no Scan call exists anywhere in the handlers' source.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_dynamodb_scan_is_reachable_from_any_handler() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "found the sources");
    let forbidden = [
        ".scan()",
        "operation::scan",
        "ScanInput",
        "ScanOutput",
        "into_paginator_scan",
    ];
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        for pattern in forbidden {
            assert!(
                !text.contains(pattern),
                "{} calls Scan ({pattern})",
                file.display()
            );
        }
    }
}

#[test]
fn the_room_index_is_what_broadcast_reads() {
    let adapter = include_str!("../src/dynamo/connections.rs");
    assert!(
        adapter.contains(".index_name(ROOM_INDEX)"),
        "members() must Query the room index"
    );
}
