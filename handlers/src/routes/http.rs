//! How an HTTP request selects its route: the table's `METHOD /path/{param}` keys matched as
//! API Gateway's HTTP API matches them, so the local gateway and the template agree.

use super::{HttpRoute, ROUTES, Route};

/// Why an HTTP request matched no route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMiss {
    /// No route has this path.
    NotFound,
    /// A route has this path, for another method.
    MethodNotAllowed,
}

/// An HTTP route a request selected, with the path parameters its template names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpMatch {
    pub route: HttpRoute,
    pub key: &'static str,
    pub path_parameters: Vec<(String, String)>,
}

impl HttpRoute {
    /// The route for `method` and `path`, matched against the templates in the table as API
    /// Gateway's HTTP API matches its route keys (`{room}` is one non-empty segment).
    pub fn select(method: &str, path: &str) -> Result<HttpMatch, HttpMiss> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        let mut miss = HttpMiss::NotFound;
        for def in ROUTES {
            let Route::Http(route) = def.route else {
                continue;
            };
            let Some((route_method, template)) = def.key.split_once(' ') else {
                continue;
            };
            let Some(path_parameters) = match_template(template, &segments) else {
                continue;
            };
            if route_method != method {
                miss = HttpMiss::MethodNotAllowed;
                continue;
            }
            return Ok(HttpMatch {
                route,
                key: def.key,
                path_parameters,
            });
        }
        Err(miss)
    }
}

/// The parameters `template` binds in `segments` (a path split at `/`, without a trailing
/// one), if the path matches it. The local gateway's Lambda mode matches the template's keys
/// with it too.
pub fn match_template(template: &str, segments: &[&str]) -> Option<Vec<(String, String)>> {
    let pattern: Vec<&str> = template.split('/').collect();
    if pattern.len() != segments.len() {
        return None;
    }
    let mut parameters = Vec::new();
    for (part, segment) in pattern.iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if !segment.is_empty() => {
                parameters.push((name.to_owned(), (*segment).to_owned()))
            }
            Some(_) => return None,
            None if part == segment => {}
            None => return None,
        }
    }
    Some(parameters)
}
