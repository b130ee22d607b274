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

/// The logical id of the role a function runs as (`Role: !GetAtt <id>.Arn`).
pub fn role_of(function: &Yaml) -> Option<String> {
    let target = function["Properties"]["Role"].as_str()?;
    target.strip_suffix(".Arn").map(str::to_owned)
}

/// Every statement a function's role grants: its inline policies and the template's own
/// managed policies it attaches (an AWS managed policy, named by ARN, is not followed).
pub fn statements<'a>(t: &'a Yaml, function: &Yaml) -> Vec<&'a Yaml> {
    let Some(role) = role_of(function) else {
        return Vec::new();
    };
    let role = &t["Resources"][role.as_str()]["Properties"];
    let inline = role["Policies"]
        .as_vec()
        .into_iter()
        .flatten()
        .map(|p| &p["PolicyDocument"]);
    let managed = role["ManagedPolicyArns"]
        .as_vec()
        .into_iter()
        .flatten()
        .filter_map(Yaml::as_str)
        .map(|id| &t["Resources"][id]["Properties"]["PolicyDocument"]);
    inline
        .chain(managed)
        .flat_map(|doc| doc["Statement"].as_vec().into_iter().flatten())
        .collect()
}
