//! What infra/template.yaml lets each function do, and what it changes outside the stack.
//! SAM gives a function it makes a role for two AWS managed policies on `Resource: *`
//! (AWSLambdaBasicExecutionRole, AWSXrayWriteOnlyAccess): each function here runs as a role of
//! the template's own, whose every statement names its resources, except the X-Ray actions that
//! have no resource-level permissions. And the one account-wide setting the stack can make (API
//! Gateway's CloudWatch role) is made only when asked.

mod support;

use support::template::{of_type, role_of, statements, template};
use yaml_rust2::Yaml;

/// Actions IAM cannot scope to a resource: `Resource: "*"` is the only way to grant them.
const UNSCOPABLE: [&str; 2] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

fn strings(value: &Yaml) -> Vec<String> {
    match value {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn every_function_runs_as_a_role_of_the_templates_own() {
    let t = template();
    let functions = of_type(&t, "AWS::Serverless::Function");
    assert!(!functions.is_empty());
    for (id, function) in functions {
        assert!(
            function["Properties"]["Policies"].is_badvalue(),
            "{id}: `Policies` makes SAM generate a role with its managed policies on Resource: *"
        );
        let role =
            role_of(function).unwrap_or_else(|| panic!("{id}: no `Role: !GetAtt <role>.Arn`"));
        let role = &t["Resources"][role.as_str()];
        assert_eq!(role["Type"].as_str(), Some("AWS::IAM::Role"), "{id}");
        for policy in strings(&role["Properties"]["ManagedPolicyArns"]) {
            assert_eq!(
                t["Resources"][policy.as_str()]["Type"].as_str(),
                Some("AWS::IAM::ManagedPolicy"),
                "{id}: {policy} is not a policy of this template"
            );
        }
    }
}

#[test]
fn only_actions_iam_cannot_scope_are_granted_on_every_resource() {
    let t = template();
    for (id, function) in of_type(&t, "AWS::Serverless::Function") {
        let granted = statements(&t, function);
        assert!(!granted.is_empty(), "{id} may do nothing");
        for statement in granted {
            if strings(&statement["Resource"]).iter().any(|r| r == "*") {
                for action in strings(&statement["Action"]) {
                    assert!(
                        UNSCOPABLE.contains(&action.as_str()),
                        "{id}: {action} on Resource: *"
                    );
                }
            }
        }
    }
}

#[test]
fn functions_write_logs_only_to_their_log_group() {
    let t = template();
    let global = &t["Globals"]["Function"]["LoggingConfig"]["LogGroup"];
    let group = global
        .as_str()
        .expect("Globals.Function.LoggingConfig.LogGroup: !Ref <group>");
    for (id, function) in of_type(&t, "AWS::Serverless::Function") {
        let logging: Vec<&Yaml> = statements(&t, function)
            .into_iter()
            .filter(|s| strings(&s["Action"]).iter().any(|a| a.starts_with("logs:")))
            .collect();
        assert!(!logging.is_empty(), "{id} cannot write its logs");
        for statement in logging {
            assert_eq!(
                strings(&statement["Resource"]),
                vec![format!("{group}.Arn")],
                "{id}: logs beyond its log group"
            );
        }
    }
}

#[test]
fn the_account_wide_api_gateway_setting_is_made_only_when_asked() {
    let t = template();
    let accounts = of_type(&t, "AWS::ApiGateway::Account");
    for (id, account) in accounts {
        let condition = account["Condition"].as_str().unwrap_or_else(|| {
            panic!("{id} would overwrite the account's setting on every deploy")
        });
        // The condition is one parameter equal to "true", and that parameter defaults to "false".
        let parameter = strings(&t["Conditions"][condition])
            .into_iter()
            .find(|p| t["Parameters"][p.as_str()].as_hash().is_some())
            .unwrap_or_else(|| panic!("{condition} does not test a parameter"));
        assert_eq!(
            t["Parameters"][parameter.as_str()]["Default"].as_str(),
            Some("false"),
            "{parameter}"
        );
        for dependent in ["Condition", "DependsOn"] {
            for (other, resource) in t["Resources"].as_hash().into_iter().flatten() {
                let other = other.as_str().unwrap_or_default();
                let names_it = strings(&resource[dependent]).contains(&id);
                let conditional = resource["Condition"].as_str() == Some(condition);
                assert!(
                    !names_it || conditional,
                    "{other} needs {id}, which may not exist"
                );
            }
        }
    }
}
