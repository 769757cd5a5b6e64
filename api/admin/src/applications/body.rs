//! What `/admin/v1/applications` reads and answers: the application body (read strictly, its
//! protocol settings too) and the application as the admin API shows it.

use domain::application::ProtocolSettings;
use projections::applications::ApplicationRow;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::error::AdminError;
use crate::schema::{AuthorityName, Protocols};
use crate::strict::known_fields;

/// An application's settings. On `POST` a field left out takes its default (`name` empty is
/// refused); on `PATCH` it stays as it is.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppBody {
    /// 1 to 100 characters, not blank.
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// The built-in API product: its client credentials obtain management tokens.
    pub api_product: Option<bool>,
    /// The application keeps organisations of its own.
    pub app_orgs: Option<bool>,
    /// The application has roles of its own.
    pub app_roles: Option<bool>,
    /// OAuth/OIDC, CAS and SAML settings; on PATCH they replace the current ones whole.
    #[schema(value_type = Option<Protocols>)]
    pub protocols: Option<ProtocolSettings>,
    /// The account model: extension attributes an account of the application may carry (1 to
    /// 64 letters, digits or `_` each, no repeats).
    pub account_extensions: Option<Vec<String>>,
}

/// The application body; nested protocol settings are read strictly too.
pub fn parse(body: &[u8]) -> Result<AppBody, AdminError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| AdminError::invalid(format!("invalid body: {e}")))?;
    if let Some(protocols) = value.get("protocols") {
        let mut template = serde_json::to_value(ProtocolSettings::default()).unwrap_or_default();
        template["saml"] =
            serde_json::to_value(domain::protocols::SamlServiceProvider::new("", ""))
                .unwrap_or_default();
        for optional in ["slo_url", "signing_certificate", "encryption_certificate"] {
            template["saml"][optional] = json!("");
        }
        template["saml"]["attribute_mapping"] = Value::Null;
        template["refresh_token_lifetime_secs"] = json!(0);
        // Left out of a payload when `none`, so not in the default's JSON.
        template["release_authorization"] = json!("none");
        template["access_token_format"] = json!("jwt");
        known_fields(protocols, &template, "protocols.")?;
    }
    serde_json::from_value(value).map_err(|e| AdminError::invalid(format!("invalid body: {e}")))
}

/// An application as the admin API shows it: never a secret or its hash.
#[derive(Serialize, ToSchema)]
pub struct Application {
    pub application_id: String,
    pub name: String,
    pub client_id: String,
    /// A disabled application signs no one in and its management tokens stop working.
    pub enabled: bool,
    /// The built-in API product: its client credentials obtain management tokens.
    pub api_product: bool,
    /// What its management credential may do; null without the API product.
    #[schema(value_type = Option<AuthorityName>, required = true)]
    pub authority: Option<&'static str>,
    /// The other applications a directory client manages.
    pub granted_applications: Vec<String>,
    /// The application keeps organisations of its own.
    pub app_orgs: bool,
    /// The application has roles of its own.
    pub app_roles: bool,
    #[schema(value_type = Protocols)]
    pub protocols: ProtocolSettings,
    /// The account model: extension attributes an account of the application may carry.
    pub account_extensions: Vec<String>,
}

impl From<ApplicationRow> for Application {
    fn from(app: ApplicationRow) -> Self {
        Self {
            authority: app.management_authority().map(|a| a.as_str()),
            application_id: app.application_id,
            name: app.name,
            client_id: app.client_id,
            enabled: app.enabled,
            api_product: app.api_product,
            granted_applications: app.granted_applications,
            app_orgs: app.app_orgs,
            app_roles: app.app_roles,
            protocols: app.protocols,
            account_extensions: app.account_extensions,
        }
    }
}

/// A new application's credential; the secret is shown this once.
#[derive(Serialize, ToSchema)]
pub struct Credential {
    pub application_id: String,
    pub client_id: String,
    /// Shown once.
    pub client_secret: String,
}

/// A rotated client secret, shown this once; the old one stops working at once.
#[derive(Serialize, ToSchema)]
pub struct RotatedSecret {
    /// Null only if the application was deleted in the meantime.
    #[schema(required = true)]
    pub client_id: Option<String>,
    /// Shown once.
    #[schema(value_type = String)]
    pub client_secret: Option<String>,
}
