//! The template's tables and secrets, created in the local AWS stand-in (moto) the functions
//! are pointed at: DynamoDB tables with their key schema, indexes and TTL exactly as declared,
//! and each Secrets Manager secret with the value its `GenerateSecretString` describes.

use anyhow::{Context as _, anyhow};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};
use rand::Rng as _;
use serde_norway::{Mapping, Value};

use super::template::Stack;

fn text<'a>(value: &'a Value, key: &str) -> anyhow::Result<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{key} is missing"))
}

fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_sequence)
        .map_or(&[], Vec::as_slice)
}

fn key_schema(value: &Value) -> anyhow::Result<Vec<KeySchemaElement>> {
    list(value, "KeySchema")
        .iter()
        .map(|k| {
            Ok(KeySchemaElement::builder()
                .attribute_name(text(k, "AttributeName")?)
                .key_type(KeyType::from(text(k, "KeyType")?))
                .build()?)
        })
        .collect()
}

/// Creates every table of the template, named as `Ref` resolves it, unless it exists.
pub async fn create_tables(client: &aws_sdk_dynamodb::Client, stack: &Stack) -> anyhow::Result<()> {
    let existing = client
        .list_tables()
        .send()
        .await
        .context("listing tables (is the DynamoDB endpoint up?)")?
        .table_names
        .unwrap_or_default();
    for (id, properties) in &stack.tables {
        let name = &stack.locals.refs[id];
        if existing.contains(name) {
            continue;
        }
        let p = Value::Mapping(properties.clone());
        let mut request = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .set_key_schema(Some(key_schema(&p)?));
        for a in list(&p, "AttributeDefinitions") {
            request = request.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(text(a, "AttributeName")?)
                    .attribute_type(ScalarAttributeType::from(text(a, "AttributeType")?))
                    .build()?,
            );
        }
        for index in list(&p, "GlobalSecondaryIndexes") {
            let projection = &index["Projection"];
            let non_key: Vec<String> = list(projection, "NonKeyAttributes")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(text(index, "IndexName")?)
                    .set_key_schema(Some(key_schema(index)?))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::from(text(
                                projection,
                                "ProjectionType",
                            )?))
                            .set_non_key_attributes((!non_key.is_empty()).then_some(non_key))
                            .build(),
                    )
                    .build()?,
            );
        }
        request
            .send()
            .await
            .with_context(|| format!("creating table {id} as {name}"))?;
        if let Some(ttl) = p.get("TimeToLiveSpecification") {
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(text(ttl, "AttributeName")?)
                        .enabled(ttl.get("Enabled").and_then(Value::as_bool).unwrap_or(false))
                        .build()?,
                )
                .send()
                .await
                .with_context(|| format!("setting {id}'s TTL"))?;
        }
    }
    Ok(())
}

/// Creates every secret of the template and records its ARN (what `Ref` gives for a secret).
pub async fn create_secrets(
    client: &aws_sdk_secretsmanager::Client,
    stack: &mut Stack,
) -> anyhow::Result<()> {
    for (id, properties) in stack.secrets.clone() {
        let name = format!("{}-{id}", super::template::STACK);
        let arn = match client.describe_secret().secret_id(&name).send().await {
            Ok(found) => found.arn().map(str::to_owned),
            Err(_) => client
                .create_secret()
                .name(&name)
                .secret_string(secret_value(&properties)?)
                .send()
                .await
                .with_context(|| format!("creating secret {id}"))?
                .arn()
                .map(str::to_owned),
        };
        let arn = arn.ok_or_else(|| anyhow!("secret {id} has no ARN"))?;
        stack.locals.refs.insert(id, arn);
    }
    Ok(())
}

/// `SecretString`, or what `GenerateSecretString` makes: `SecretStringTemplate` with
/// `GenerateStringKey` set to `PasswordLength` random characters.
fn secret_value(properties: &Mapping) -> anyhow::Result<String> {
    let p = Value::Mapping(properties.clone());
    if let Some(value) = p.get("SecretString").and_then(Value::as_str) {
        return Ok(value.to_owned());
    }
    let generate = p
        .get("GenerateSecretString")
        .ok_or_else(|| anyhow!("a secret needs SecretString or GenerateSecretString"))?;
    let length = generate
        .get("PasswordLength")
        .and_then(Value::as_u64)
        .unwrap_or(32) as usize;
    let alphabet: &[u8] = if generate
        .get("ExcludePunctuation")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&()*+,-.:;<=>?@[]^_{|}~"
    };
    let mut rng = rand::rng();
    let password: String = (0..length)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect();
    match (
        generate.get("SecretStringTemplate").and_then(Value::as_str),
        generate.get("GenerateStringKey").and_then(Value::as_str),
    ) {
        (Some(template), Some(key)) => {
            let mut doc: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(template).context("SecretStringTemplate is not JSON")?;
            doc.insert(key.to_owned(), serde_json::Value::String(password));
            Ok(serde_json::Value::Object(doc).to_string())
        }
        _ => Ok(password),
    }
}
