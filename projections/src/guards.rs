//! Guards over the organisation tree: facts a decision read from these projections, checked
//! again inside the append transaction (see `commands::store::Guard`).

use commands::store::Guard;
use futures::future::BoxFuture;
use sqlx::AnyConnection;

async fn exists(
    conn: &mut AnyConnection,
    sql: &str,
    tenant: &str,
    value: &str,
) -> anyhow::Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(sql)
        .bind(tenant)
        .bind(value)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.is_some())
}

/// The organisation exists (a user is placed in it, or it becomes a parent).
#[derive(Debug)]
pub struct OrgExists(pub String);

pub const ORG_EXISTS: &str = "organization.exists";

impl Guard for OrgExists {
    fn name(&self) -> &'static str {
        ORG_EXISTS
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(exists(
            conn,
            "SELECT tenant_id FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2",
            tenant,
            &self.0,
        ))
    }
}

/// Moving `org` under `parent` makes no cycle: the parent is not the organisation or one of
/// its descendants.
#[derive(Debug)]
pub struct NotUnderItself {
    pub org: String,
    pub parent: String,
}

pub const NOT_UNDER_ITSELF: &str = "organization.not_under_itself";

impl Guard for NotUnderItself {
    fn name(&self) -> &'static str {
        NOT_UNDER_ITSELF
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT path FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2",
            )
            .bind(tenant)
            .bind(&self.parent)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(row.is_none_or(|(path,)| !path.contains(&format!("/{}/", self.org))))
        })
    }
}

/// The organisation has no child organisations.
#[derive(Debug)]
pub struct OrgHasNoChildren(pub String);

pub const HAS_NO_CHILDREN: &str = "organization.has_no_children";

impl Guard for OrgHasNoChildren {
    fn name(&self) -> &'static str {
        HAS_NO_CHILDREN
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let child = exists(
                conn,
                "SELECT tenant_id FROM proj_organizations WHERE tenant_id = $1 AND parent_id = $2 LIMIT 1",
                tenant,
                &self.0,
            )
            .await?;
            Ok(!child)
        })
    }
}

/// No user belongs to the organisation, as primary or secondary member.
#[derive(Debug)]
pub struct OrgHasNoMembers(pub String);

pub const HAS_NO_MEMBERS: &str = "organization.has_no_members";

impl Guard for OrgHasNoMembers {
    fn name(&self) -> &'static str {
        HAS_NO_MEMBERS
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let member = exists(
                conn,
                "SELECT tenant_id FROM proj_user_orgs WHERE tenant_id = $1 AND org_id = $2 LIMIT 1",
                tenant,
                &self.0,
            )
            .await?;
            Ok(!member)
        })
    }
}

/// The tenant has no enabled application holding the API product yet (one bootstrap at a time).
#[derive(Debug)]
pub struct NoManagementApp;

pub const NO_MANAGEMENT_APP: &str = "tenant.no_management_app";

impl Guard for NoManagementApp {
    fn name(&self) -> &'static str {
        NO_MANAGEMENT_APP
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let app: Option<(String,)> = sqlx::query_as(
                "SELECT application_id FROM proj_applications \
                 WHERE tenant_id = $1 AND api_product = 1 AND enabled = 1 LIMIT 1",
            )
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(app.is_none())
        })
    }
}

/// The user exists (an account is linked to it).
#[derive(Debug)]
pub struct UserExists(pub String);

pub const USER_EXISTS: &str = "user.exists";

impl Guard for UserExists {
    fn name(&self) -> &'static str {
        USER_EXISTS
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(exists(
            conn,
            "SELECT tenant_id FROM proj_users WHERE tenant_id = $1 AND user_id = $2",
            tenant,
            &self.0,
        ))
    }
}

/// The application exists and is enabled (accounts are only added to enabled applications).
#[derive(Debug)]
pub struct ApplicationEnabled(pub String);

pub const APPLICATION_ENABLED: &str = "application.enabled";

impl Guard for ApplicationEnabled {
    fn name(&self) -> &'static str {
        APPLICATION_ENABLED
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(exists(
            conn,
            "SELECT tenant_id FROM proj_applications WHERE tenant_id = $1 AND application_id = $2 AND enabled = 1",
            tenant,
            &self.0,
        ))
    }
}

/// The application organisation exists in the application (a parent, or an account's place).
#[derive(Debug)]
pub struct AppOrgExists(pub String);

pub const APP_ORG_EXISTS: &str = "app_organization.exists";

impl Guard for AppOrgExists {
    fn name(&self) -> &'static str {
        APP_ORG_EXISTS
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(exists(
            conn,
            "SELECT tenant_id FROM proj_app_orgs WHERE tenant_id = $1 AND org_id = $2",
            tenant,
            &self.0,
        ))
    }
}

/// Moving an application organisation under `parent` makes no cycle.
#[derive(Debug)]
pub struct AppOrgNotUnderItself {
    pub org: String,
    pub parent: String,
}

pub const APP_ORG_NOT_UNDER_ITSELF: &str = "app_organization.not_under_itself";

impl Guard for AppOrgNotUnderItself {
    fn name(&self) -> &'static str {
        APP_ORG_NOT_UNDER_ITSELF
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let row: Option<(String,)> = sqlx::query_as(
                "SELECT path FROM proj_app_orgs WHERE tenant_id = $1 AND org_id = $2",
            )
            .bind(tenant)
            .bind(&self.parent)
            .fetch_optional(&mut *conn)
            .await?;
            Ok(row.is_none_or(|(path,)| !path.contains(&format!("/{}/", self.org))))
        })
    }
}

/// The application organisation has neither children nor accounts.
#[derive(Debug)]
pub struct AppOrgIsEmpty(pub String);

pub const APP_ORG_IS_EMPTY: &str = "app_organization.is_empty";

impl Guard for AppOrgIsEmpty {
    fn name(&self) -> &'static str {
        APP_ORG_IS_EMPTY
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let child = exists(
                conn,
                "SELECT tenant_id FROM proj_app_orgs WHERE tenant_id = $1 AND parent_id = $2 LIMIT 1",
                tenant,
                &self.0,
            )
            .await?;
            let account = exists(
                conn,
                "SELECT tenant_id FROM proj_app_accounts WHERE tenant_id = $1 AND org_id = $2 LIMIT 1",
                tenant,
                &self.0,
            )
            .await?;
            Ok(!child && !account)
        })
    }
}

/// The role has no members (it may be deleted).
#[derive(Debug)]
pub struct RoleHasNoMembers(pub String);

pub const ROLE_HAS_NO_MEMBERS: &str = "app_role.has_no_members";

impl Guard for RoleHasNoMembers {
    fn name(&self) -> &'static str {
        ROLE_HAS_NO_MEMBERS
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let member = exists(
                conn,
                "SELECT tenant_id FROM proj_app_role_members WHERE tenant_id = $1 AND role_id = $2 LIMIT 1",
                tenant,
                &self.0,
            )
            .await?;
            Ok(!member)
        })
    }
}

/// Every account being added still exists (they were checked against the application before).
#[derive(Debug)]
pub struct AccountsExist(pub Vec<String>);

pub const ACCOUNTS_EXIST: &str = "app_account.exist";

impl Guard for AccountsExist {
    fn name(&self) -> &'static str {
        ACCOUNTS_EXIST
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            for id in &self.0 {
                let found = exists(
                    conn,
                    "SELECT tenant_id FROM proj_app_accounts WHERE tenant_id = $1 AND account_id = $2",
                    tenant,
                    id,
                )
                .await?;
                if !found {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }
}

/// The application has no accounts (it may be deleted).
#[derive(Debug)]
pub struct ApplicationHasNoAccounts(pub String);

pub const APPLICATION_HAS_NO_ACCOUNTS: &str = "application.has_no_accounts";

impl Guard for ApplicationHasNoAccounts {
    fn name(&self) -> &'static str {
        APPLICATION_HAS_NO_ACCOUNTS
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let account = exists(
                conn,
                "SELECT tenant_id FROM proj_app_accounts WHERE tenant_id = $1 AND application_id = $2 LIMIT 1",
                tenant,
                &self.0,
            )
            .await?;
            Ok(!account)
        })
    }
}
