//! Grants of applications to organisations and users (Inspur ORG-08, USR-07): each application
//! keeps its own grants; granting twice or revoking what is not granted changes nothing.

use domain::app_grant::{AppGrants, AppGrantsCommand, Grant, Grantee};
use domain::Aggregate;
use store::Context;

use crate::state::AppState;
use crate::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum GrantRefused {
    #[error("application does not exist: {0}")]
    NoApplication(String),
    #[error("organisation does not exist: {0}")]
    NoOrganization(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<anyhow::Error> for GrantRefused {
    fn from(error: anyhow::Error) -> Self {
        Self::Service(error.into())
    }
}

/// Grants (`grant`) or revokes the applications to or from one subject.
pub async fn set(
    state: &AppState,
    ctx: &Context,
    grantee: Grantee,
    subject_id: &str,
    application_ids: &[String],
    grant: bool,
) -> Result<(), GrantRefused> {
    for app in application_ids {
        let found = projections::applications::get(state.pool(), &ctx.tenant_id, app).await?;
        if found.is_none() {
            return Err(GrantRefused::NoApplication(app.clone()));
        }
    }
    for app in application_ids {
        let now = state.now();
        let command = if grant {
            AppGrantsCommand::Grant {
                application_id: app.clone(),
                grants: vec![Grant {
                    grant_id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
                    grantee,
                    subject_id: subject_id.to_string(),
                }],
                now,
            }
        } else {
            AppGrantsCommand::Revoke {
                application_id: app.clone(),
                grantee,
                subjects: vec![subject_id.to_string()],
                now,
            }
        };
        state
            .bus
            .execute::<AppGrants, _>(ctx, app, |g| g.decide(command.clone(), &()))
            .await
            .map_err(ServiceError::from)?;
    }
    Ok(())
}

/// Revokes grants by their ids (ids no grant has are ignored).
pub async fn revoke_ids(
    state: &AppState,
    ctx: &Context,
    grant_ids: &[String],
) -> Result<(), GrantRefused> {
    let mut by_app: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for id in grant_ids {
        if let Some(app) =
            projections::app_grants::application_of(state.pool(), &ctx.tenant_id, id).await?
        {
            by_app.entry(app).or_default().push(id.clone());
        }
    }
    for (app, ids) in by_app {
        let command = AppGrantsCommand::RevokeIds {
            application_id: app.clone(),
            grant_ids: ids,
            now: state.now(),
        };
        state
            .bus
            .execute::<AppGrants, _>(ctx, &app, |g| g.decide(command.clone(), &()))
            .await
            .map_err(ServiceError::from)?;
    }
    Ok(())
}

/// Grants (`grant`) or revokes one application to or from several subjects, in one decision
/// (Inspur APP-02); organisations must exist.
pub async fn set_for_app(
    state: &AppState,
    ctx: &Context,
    application_id: &str,
    grantee: Grantee,
    subjects: &[String],
    grant: bool,
) -> Result<(), GrantRefused> {
    let found =
        projections::applications::get(state.pool(), &ctx.tenant_id, application_id).await?;
    if found.is_none() {
        return Err(GrantRefused::NoApplication(application_id.to_string()));
    }
    if grant && grantee == Grantee::Organization {
        for organ in subjects {
            let found = projections::organs::get(state.pool(), &ctx.tenant_id, organ).await?;
            if found.is_none() {
                return Err(GrantRefused::NoOrganization(organ.clone()));
            }
        }
    }
    let now = state.now();
    let command = if grant {
        AppGrantsCommand::Grant {
            application_id: application_id.to_string(),
            grants: subjects
                .iter()
                .map(|subject| Grant {
                    grant_id: uuid::Uuid::new_v4().simple().to_string().to_uppercase(),
                    grantee,
                    subject_id: subject.clone(),
                })
                .collect(),
            now,
        }
    } else {
        AppGrantsCommand::Revoke {
            application_id: application_id.to_string(),
            grantee,
            subjects: subjects.to_vec(),
            now,
        }
    };
    state
        .bus
        .execute::<AppGrants, _>(ctx, application_id, |g| g.decide(command.clone(), &()))
        .await
        .map_err(ServiceError::from)?;
    Ok(())
}
