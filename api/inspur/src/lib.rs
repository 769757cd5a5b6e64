//! The Inspur Cloud IDaaS dialect (specs/inspur-idaas.md): the management API under `/idaas/v1`
//! with its calling conventions (§1) — the `{code, message, data, status, requestId}` envelope,
//! 1-based page path segments, lenient string-or-number input, the tenant's wall-clock times,
//! a management token from `Authorization: Bearer`, a `token` header or a `token` query
//! parameter — over the same directory as every other dialect.

mod app_types;
mod apps;
mod auth;
mod caller;
mod dictionaries;
mod dropdowns;
mod envelope;
mod extended_fields;
mod field_values;
mod files;
mod groups;
mod lenient;
mod organs;
mod page;
pub mod schema;
pub mod sheet;
mod themes;
mod time;
mod user_grants;
mod user_types;
mod users;

pub use envelope::InspurError;

use idaas_http::openapi::{ApiRouter, Surface};

pub const SURFACE: &str = "inspur";

/// The `/idaas/v1` routes and end-user authentication on the tenant's host (§2.15:
/// `/render/…/auth`, `/token`, `/token/verify`), with their OpenAPI description.
pub fn surface() -> Surface {
    Surface {
        name: SURFACE,
        title: "Inspur IDaaS API",
        description: "The Inspur IDaaS management API (`/idaas/v1/...`): organisations, users, \
            user types, dictionaries, application types, applications, themes, groups, extended \
            fields, files and grants, and end-user authentication (`/render/.../auth`, `/token`, \
            `/token/verify`). Answers are the Inspur envelope; refusals carry its codes.",
        routes: router().merge(ApiRouter::from(auth::router())),
    }
}

/// The `/idaas/v1` routes.
fn router() -> ApiRouter {
    let routes = ApiRouter::from(organs::router())
        .merge(ApiRouter::from(user_types::router()))
        .merge(ApiRouter::from(dictionaries::router()))
        .merge(ApiRouter::from(app_types::router()))
        .merge(ApiRouter::from(apps::router()))
        .merge(ApiRouter::from(themes::router()))
        .merge(ApiRouter::from(groups::router()))
        .merge(ApiRouter::from(extended_fields::router()))
        .merge(ApiRouter::from(dropdowns::router()))
        .merge(ApiRouter::from(field_values::router()))
        .merge(ApiRouter::from(files::router()))
        .merge(ApiRouter::from(users::router()))
        .merge(ApiRouter::from(user_grants::router()));
    ApiRouter::new().nest("/idaas/v1", routes)
}

/// The path the router should see for a request path (§1.1, Appendix A): repeated leading
/// `/idaas/v1` prefixes collapse into one and `//` into `/`, so the paths exactly as printed in
/// the document and the intended ones both route. `None` when nothing changes.
pub fn normalise_path(path: &str) -> Option<String> {
    if !path.starts_with("/idaas/v1") && !path.contains("//") {
        return None;
    }
    let mut collapsed = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '/' && collapsed.ends_with('/') {
            continue;
        }
        collapsed.push(c);
    }
    let mut normal = collapsed.as_str();
    while let Some(rest) = normal.strip_prefix("/idaas/v1/idaas/v1") {
        normal = &normal[normal.len() - rest.len() - "/idaas/v1".len()..];
    }
    (normal != path).then(|| normal.to_string())
}

#[cfg(test)]
mod tests {
    use super::normalise_path;

    #[test]
    fn printed_paths_reach_the_intended_routes() {
        assert_eq!(
            normalise_path("/idaas/v1/idaas/v1/organs/x").as_deref(),
            Some("/idaas/v1/organs/x")
        );
        assert_eq!(
            normalise_path("/idaas/v1/idaas/v1/idaas/v1//user/page/1/10").as_deref(),
            Some("/idaas/v1/user/page/1/10")
        );
        assert_eq!(
            normalise_path("/idaas/v1//organs").as_deref(),
            Some("/idaas/v1/organs")
        );
        assert_eq!(normalise_path("/idaas/v1/organs"), None);
        assert_eq!(normalise_path("/api/v2/tenant/users"), None);
    }
}
