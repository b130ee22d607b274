//! The plumbing every string newtype shares: serde goes through `parse`, so a value that breaks
//! a rule cannot be deserialised into the type.

/// Implements `as_str`, `Display`, `AsRef<str>`, `TryFrom<String>` (via `parse`) and
/// `From<T> for String` for a `struct T(String)` that has `fn parse(&str) -> Result<T, Invalid>`.
macro_rules! string_newtype {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::core::convert::TryFrom<String> for $name {
            type Error = $crate::error::Invalid;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// As [`string_newtype`], plus `Display` (for values that may be shown and logged).
macro_rules! displayed_string_newtype {
    ($name:ident) => {
        string_newtype!($name);

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Counts characters (not bytes) and checks them against inclusive bounds.
pub(crate) fn check_length(
    what: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), crate::Invalid> {
    let n = value.chars().count();
    if n < min || n > max {
        return Err(crate::Invalid::new(
            what,
            if min == max {
                format!("must be {min} characters long")
            } else {
                format!("must be {min} to {max} characters long")
            },
        ));
    }
    Ok(())
}
