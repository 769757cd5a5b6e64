//! The caller (§1.2): a management token of the tenant — `Authorization: Bearer`, a `token`
//! header or a `token` query parameter (the document names none) — with the authority its
//! credential holds (ops/adr/0014). Every management resource is the caller's tenant's.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use usecases::authority;
use usecases::{context, tokens, AppState, Context};

use crate::envelope::InspurError;
use idaas_http::context::RequestMeta;
use idaas_http::failure::Failure;

/// Any management credential of the tenant may call: the directory is what a directory client
/// manages (ops/adr/0014); a credential without one is refused as an invalid token. What touches
/// applications asks more of it (`may_manage`, `require`).
pub struct InspurCaller {
    pub tenant_id: String,
    pub context: Context,
    pub held: authority::Held,
    /// `METHOD path`, for a refusal's record.
    action: String,
}

impl InspurCaller {
    /// Refuses (403 `无权限`, recorded as `management.refused`) unless `allowed`.
    async fn refuse_unless(
        &self,
        state: &AppState,
        allowed: bool,
        required: domain::authority::Authority,
    ) -> Result<(), InspurError> {
        if allowed {
            return Ok(());
        }
        authority::record_refusal(state, &self.context, &self.held, required, &self.action).await;
        Err(InspurError::forbidden())
    }

    /// A tenant administrator's credential (registering and changing applications).
    pub async fn require_admin(&self, state: &AppState) -> Result<(), InspurError> {
        let admin = domain::authority::Authority::TenantAdmin;
        self.refuse_unless(state, self.held.authority >= admin, admin)
            .await
    }

    /// A credential that manages the application: its own, one granted to it, or any for a
    /// tenant administrator (granting an application lets users sign in to it).
    pub async fn require_manages(&self, state: &AppState, app: &str) -> Result<(), InspurError> {
        let admin = domain::authority::Authority::TenantAdmin;
        self.refuse_unless(state, self.held.may_manage(app), admin)
            .await
    }

    /// `require_manages` for each of `apps`.
    pub async fn require_manages_each(
        &self,
        state: &AppState,
        apps: &[String],
    ) -> Result<(), InspurError> {
        for app in apps {
            self.require_manages(state, app).await?;
        }
        Ok(())
    }

    /// A credential at least as strong as the application's own (changing or deleting it).
    pub async fn require_changes(
        &self,
        state: &AppState,
        target: &projections::applications::ApplicationRow,
    ) -> Result<(), InspurError> {
        self.require_admin(state).await?;
        let allowed = authority::may_change(&self.held, target);
        let required = target
            .management_authority()
            .unwrap_or(domain::authority::Authority::TenantAdmin);
        self.refuse_unless(state, allowed, required).await
    }
}

fn token(parts: &Parts) -> Option<String> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let header = || {
        parts
            .headers
            .get("token")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
    };
    let query = || {
        serde_urlencoded::from_str::<Vec<(String, String)>>(parts.uri.query().unwrap_or(""))
            .ok()?
            .into_iter()
            .find(|(k, _)| k == "token")
            .map(|(_, v)| v)
    };
    bearer
        .or_else(header)
        .or_else(query)
        .filter(|t| !t.is_empty() && t.len() <= 512)
}

impl FromRequestParts<AppState> for InspurCaller {
    type Rejection = InspurError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, InspurError> {
        let token = token(parts).ok_or_else(InspurError::unauthorized)?;
        let tenant_id = idaas_http::context::tenant_of(state, &parts.headers)
            .await
            .map_err(|e| InspurError::failed(Failure::of(&e, "finding the tenant")))?;
        let application_id = tokens::authenticate(state, &tenant_id, &token)
            .await
            .map_err(|e| InspurError::failed(Failure::of(&e, "the token check")))?
            .ok_or_else(InspurError::unauthorized)?;
        let held = authority::held(state, &tenant_id, &application_id)
            .await
            .map_err(|e| InspurError::failed(Failure::of(&e, "the authority check")))?
            .ok_or_else(InspurError::unauthorized)?;
        let meta = RequestMeta::from_parts(parts);
        let context = context(
            &tenant_id,
            meta.metadata("application", &application_id, crate::SURFACE),
        );
        let action = format!("{} {}", parts.method, parts.uri.path());
        Ok(Self {
            tenant_id,
            context,
            held,
            action,
        })
    }
}
