//! CloudFormation's intrinsic functions, resolved to local values: `Ref`, `Fn::GetAtt` and
//! `Fn::Sub` (short `!Tag` or long `Fn::` form), which is all a function's environment and the
//! API wiring use. Anything else is refused by name, so a template that needs more fails loudly
//! here instead of running with a wrong value.

use std::collections::BTreeMap;

use serde_norway::Value;

/// What a template could not be resolved with.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Unresolved {
    #[error("{0} names no parameter, pseudo parameter or resource")]
    UnknownName(String),
    #[error("{0}: only Arn is known locally for this resource type")]
    UnknownAttribute(String),
    #[error("{0} is not resolved by the local Lambda mode")]
    Unsupported(String),
    #[error("expected a string, found {0}")]
    NotAString(String),
}

/// The local account: what the pseudo parameters and every resource resolve to.
#[derive(Debug, Clone, Default)]
pub struct Locals {
    /// Parameter and pseudo parameter values (`StageName`, `AWS::Region`, …).
    pub names: BTreeMap<String, String>,
    /// `Ref` of each resource (table name, function name, secret ARN, API id).
    pub refs: BTreeMap<String, String>,
    /// `Fn::GetAtt` of each resource's attributes (`Arn`, …), keyed `Logical.Attribute`.
    pub attributes: BTreeMap<String, String>,
}

impl Locals {
    fn reference(&self, name: &str) -> Result<String, Unresolved> {
        self.names
            .get(name)
            .or_else(|| self.refs.get(name))
            .cloned()
            .ok_or_else(|| Unresolved::UnknownName(name.to_owned()))
    }

    fn attribute(&self, dotted: &str) -> Result<String, Unresolved> {
        match self.attributes.get(dotted) {
            Some(value) => Ok(value.clone()),
            None => {
                let resource = dotted.split('.').next().unwrap_or(dotted);
                if self.refs.contains_key(resource) {
                    Err(Unresolved::UnknownAttribute(dotted.to_owned()))
                } else {
                    Err(Unresolved::UnknownName(dotted.to_owned()))
                }
            }
        }
    }

    /// A value as a string: a plain scalar, or an intrinsic resolved.
    pub fn resolve(&self, value: &Value) -> Result<String, Unresolved> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Tagged(tagged) => {
                let tag = tagged.tag.to_string();
                self.function(tag.trim_start_matches('!'), &tagged.value)
            }
            Value::Mapping(map) if map.len() == 1 => {
                let (key, inner) = map.iter().next().expect("one entry");
                let key = key.as_str().unwrap_or_default();
                self.function(key.trim_start_matches("Fn::"), inner)
            }
            other => Err(Unresolved::NotAString(format!("{other:?}"))),
        }
    }

    fn function(&self, name: &str, argument: &Value) -> Result<String, Unresolved> {
        match name {
            "Ref" => self.reference(&self.resolve(argument)?),
            "GetAtt" => match argument {
                Value::Sequence(parts) if parts.len() == 2 => {
                    let resource = self.resolve(&parts[0])?;
                    let attribute = self.resolve(&parts[1])?;
                    self.attribute(&format!("{resource}.{attribute}"))
                }
                other => self.attribute(&self.resolve(other)?),
            },
            "Sub" => match argument {
                Value::Sequence(parts) if parts.len() == 2 => {
                    let mut vars = BTreeMap::new();
                    if let Value::Mapping(map) = &parts[1] {
                        for (k, v) in map {
                            vars.insert(
                                k.as_str().unwrap_or_default().to_owned(),
                                self.resolve(v)?,
                            );
                        }
                    }
                    self.substitute(&self.resolve(&parts[0])?, &vars)
                }
                other => self.substitute(&self.resolve(other)?, &BTreeMap::new()),
            },
            other => Err(Unresolved::Unsupported(format!("Fn::{other}"))),
        }
    }

    /// `Fn::Sub`: `${Name}`, `${Resource.Attribute}`, `${!Literal}`.
    fn substitute(
        &self,
        text: &str,
        vars: &BTreeMap<String, String>,
    ) -> Result<String, Unresolved> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(value) = vars.get(name) {
                out.push_str(value);
            } else if name.contains('.') && !name.starts_with("AWS::") {
                out.push_str(&self.attribute(name)?);
            } else {
                out.push_str(&self.reference(name)?);
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locals() -> Locals {
        let mut l = Locals::default();
        l.names.insert("AWS::Region".into(), "us-east-1".into());
        l.names.insert("StageName".into(), "local".into());
        l.refs
            .insert("UsersTable".into(), "confab-local-UsersTable".into());
        l.refs.insert("WebSocketApi".into(), "websocketapi".into());
        l.attributes.insert(
            "UsersTable.Arn".into(),
            "arn:aws:dynamodb:us-east-1:123456789012:table/confab-local-UsersTable".into(),
        );
        l
    }

    fn yaml(text: &str) -> Value {
        serde_norway::from_str(text).expect("yaml")
    }

    #[test]
    fn ref_getatt_and_sub_resolve_in_short_and_long_form() {
        let l = locals();
        assert_eq!(
            l.resolve(&yaml("!Ref UsersTable")),
            Ok("confab-local-UsersTable".into())
        );
        assert_eq!(
            l.resolve(&yaml("{Ref: UsersTable}")),
            Ok("confab-local-UsersTable".into())
        );
        assert!(l.resolve(&yaml("!GetAtt UsersTable.Arn")).is_ok());
        assert_eq!(
            l.resolve(&yaml("{'Fn::GetAtt': [UsersTable, Arn]}")),
            l.resolve(&yaml("!GetAtt UsersTable.Arn"))
        );
        assert_eq!(
            l.resolve(&yaml(
                r#"!Sub "https://${WebSocketApi}.execute-api.${AWS::Region}.amazonaws.com/${StageName}""#
            )),
            Ok("https://websocketapi.execute-api.us-east-1.amazonaws.com/local".into())
        );
        assert_eq!(
            l.resolve(&yaml(r#"!Sub ["${X}-${!Literal}", {X: !Ref StageName}]"#)),
            Ok("local-${Literal}".into())
        );
    }

    #[test]
    fn unknown_names_and_unsupported_functions_are_refused_by_name() {
        let l = locals();
        assert_eq!(
            l.resolve(&yaml("!Ref Nowhere")),
            Err(Unresolved::UnknownName("Nowhere".into()))
        );
        assert_eq!(
            l.resolve(&yaml("!GetAtt UsersTable.StreamArn")),
            Err(Unresolved::UnknownAttribute("UsersTable.StreamArn".into()))
        );
        assert_eq!(
            l.resolve(&yaml("!Join ['', [a, b]]")),
            Err(Unresolved::Unsupported("Fn::Join".into()))
        );
    }
}
