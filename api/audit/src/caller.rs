//! Who reads the audit surface (ops/adr/0022): a management token of the tenant (`POST
//! /api/v2/tenant/token`) whose application is an auditor or was granted audit reading. Any other
//! credential — an administrator without the grant, a directory client — is refused 403, and the
//! refusal is recorded (`management.refused`, required `auditor`).

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;

use idaas_http::caller::bearer;
use idaas_http::context::tenant_of;
use idaas_http::failure::Failure;
use idaas_http::RequestMeta;
use usecases::audit::{self, Reader};
use usecases::{context, tokens, AppState};

use crate::error::AuditError;

/// An authenticated audit reader in the request's tenant.
pub struct AuditCaller {
    pub tenant_id: String,
    pub reader: Reader,
}

impl FromRequestParts<AppState> for AuditCaller {
    type Rejection = AuditError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(AuditError::unauthorized)?;
        let failed =
            |what: &'static str| move |e: anyhow::Error| AuditError::failed(Failure::of(&e, what));
        let tenant_id = tenant_of(state, &parts.headers)
            .await
            .map_err(failed("finding the tenant"))?;
        let application_id = tokens::authenticate(state, &tenant_id, token)
            .await
            .map_err(failed("the token check"))?
            .ok_or_else(AuditError::invalid_token)?;
        let meta = RequestMeta::from_parts(parts);
        let ctx = context(
            &tenant_id,
            meta.metadata("application", &application_id, crate::SURFACE),
        );
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or(parts.uri.path(), |original| original.0.path());
        let action = format!("{} {path}", parts.method);
        let reader = audit::reader(state, &ctx, &application_id, &action)
            .await?
            .ok_or_else(|| {
                AuditError::forbidden(
                    "this credential may not read the audit API: it needs an auditor's \
                     credential or a grant of audit reading",
                )
            })?;
        Ok(Self { tenant_id, reader })
    }
}
