//! infra/template.yaml, read as YAML, for the tests that hold it to the code.

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

pub fn template() -> Yaml {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/template.yaml");
    let text = std::fs::read_to_string(&path).expect("infra/template.yaml");
    YamlLoader::load_from_str(&text)
        .expect("valid YAML")
        .remove(0)
}

pub fn resources(t: &Yaml) -> Vec<(String, &Yaml)> {
    t["Resources"]
        .as_hash()
        .expect("Resources")
        .iter()
        .map(|(k, v)| (k.as_str().expect("logical id").to_owned(), v))
        .collect()
}

pub fn of_type<'a>(t: &'a Yaml, kind: &str) -> Vec<(String, &'a Yaml)> {
    resources(t)
        .into_iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .collect()
}
