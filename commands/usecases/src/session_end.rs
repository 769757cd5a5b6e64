//! Ending an SSO session (OpenID Connect Back-Channel Logout 1.0 §2.4–§2.5): its grants are
//! revoked with it, and each client that registered a back-channel logout URI is sent a logout
//! token. Also the allow-list of global logout's `redirect_url`.

use std::time::Duration;

use projections::sessions::SessionRow;
use serde_json::json;

use crate::oauth::Issuer;
use crate::{signin, AppState, Context, ServiceError};

/// Ends the session and its grants, then tells the clients that asked for back-channel logout.
pub async fn end(
    state: &AppState,
    issuer: &Issuer,
    ctx: &Context,
    session: &SessionRow,
    reason: &str,
) -> Result<(), ServiceError> {
    let tenant = &ctx.tenant_id;
    let grants =
        projections::oauth::grants_of_session(state.pool(), tenant, &session.session_id).await?;
    signin::end_session(state, ctx, &session.session_id, reason).await?;
    let mut notified = Vec::new();
    for (_, application_id) in grants {
        if notified.contains(&application_id) {
            continue;
        }
        notified.push(application_id.clone());
        let app = projections::applications::get(state.pool(), tenant, &application_id).await?;
        let Some(app) = app else { continue };
        let Some(uri) = app.protocols.backchannel_logout_uri.clone() else {
            continue;
        };
        let claims = json!({
            "iss": issuer.url,
            "aud": app.client_id,
            "iat": state.now() / 1000,
            "exp": state.now() / 1000 + 120,
            "jti": state.ids.uuid(),
            "sub": session.user_id,
            "sid": session.session_id,
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
        });
        let token = state
            .signing
            .sign(
                &state.bus,
                tenant,
                &app.protocols.id_token_signing_alg,
                &claims,
            )
            .await?;
        tokio::spawn(deliver(uri, token));
    }
    Ok(())
}

/// Posts a logout token, without following redirects, within five seconds.
async fn deliver(uri: String, token: String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build();
    let Ok(client) = client else { return };
    let result = client
        .post(&uri)
        .form(&[("logout_token", token)])
        .send()
        .await;
    match result {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => tracing::warn!(status = %response.status(), "back-channel logout refused"),
        Err(e) => tracing::warn!(error = %e, "back-channel logout not delivered"),
    }
}

/// Whether `url` is on the scheme, host and port of a redirect or logout URI some application
/// of the tenant registered (global logout's allow-list).
pub async fn registered_host(state: &AppState, tenant: &str, url: &str) -> anyhow::Result<bool> {
    let apps = projections::applications::list(state.pool(), tenant).await?;
    Ok(apps.iter().any(|app| {
        let mut by_origin = app.protocols.clone();
        by_origin.redirect_uri_match = domain::protocols::RedirectUriMatch::Domain;
        by_origin
            .redirect_uris
            .extend(app.protocols.post_logout_redirect_uris.clone());
        by_origin
            .redirect_uris
            .extend(app.protocols.cas_services.clone());
        by_origin.redirect_allowed(url)
    }))
}
