//! Guards: facts a decision read from projections, checked again inside the append transaction
//! (see `store::store::Guard`). Most are "a row exists" or "no row exists" for one value; the
//! tree guards refuse a move under one's own descendant.

use futures::future::BoxFuture;
use sqlx::AnyConnection;
use store::store::Guard;

/// Holds when the query (`$1` the tenant, `$2` each value) finds a row for every value, or,
/// with `present: false`, for none of them.
#[derive(Debug)]
pub struct RowCheck {
    name: &'static str,
    sql: &'static str,
    values: Vec<String>,
    present: bool,
}

impl Guard for RowCheck {
    fn name(&self) -> &'static str {
        self.name
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            for value in &self.values {
                let row: Option<(String,)> = sqlx::query_as(self.sql)
                    .bind(tenant)
                    .bind(value)
                    .fetch_optional(&mut *conn)
                    .await?;
                if row.is_some() != self.present {
                    return Ok(false);
                }
            }
            Ok(true)
        })
    }
}

fn present(name: &'static str, sql: &'static str, value: impl Into<String>) -> RowCheck {
    RowCheck {
        name,
        sql,
        values: vec![value.into()],
        present: true,
    }
}

fn absent(name: &'static str, sql: &'static str, value: impl Into<String>) -> RowCheck {
    RowCheck {
        name,
        sql,
        values: vec![value.into()],
        present: false,
    }
}

pub const ORG_EXISTS: &str = "organization.exists";
pub const HAS_NO_CHILDREN: &str = "organization.has_no_children";
pub const HAS_NO_MEMBERS: &str = "organization.has_no_members";
pub const NOT_UNDER_ITSELF: &str = "organization.not_under_itself";
pub const NO_MANAGEMENT_APP: &str = "tenant.no_management_app";
pub const USER_EXISTS: &str = "user.exists";
pub const USER_TYPE_ENABLED: &str = "user_type.enabled";
pub const USER_TYPE_UNUSED: &str = "user_type.unused";
pub const APP_TYPE_UNUSED: &str = "app_type.unused";
pub const APPLICATION_ENABLED: &str = "application.enabled";
pub const APPLICATION_HAS_NO_ACCOUNTS: &str = "application.has_no_accounts";
pub const APP_ORG_EXISTS: &str = "app_organization.exists";
pub const APP_ORG_NOT_UNDER_ITSELF: &str = "app_organization.not_under_itself";
pub const APP_ORG_IS_EMPTY: &str = "app_organization.is_empty";
pub const ROLE_HAS_NO_MEMBERS: &str = "app_role.has_no_members";
pub const ACCOUNTS_EXIST: &str = "app_account.exist";
pub const OTHER_MANAGEMENT_APP: &str = "application.other_management_app";

/// Another enabled application of the tenant holds the API product, so this one may stop
/// holding it (or be disabled or deleted) without locking the tenant out.
pub fn other_management_app(application_id: impl Into<String>) -> RowCheck {
    present(
        OTHER_MANAGEMENT_APP,
        "SELECT application_id FROM proj_applications \
         WHERE tenant_id = $1 AND application_id <> $2 AND api_product = 1 AND enabled = 1 LIMIT 1",
        application_id,
    )
}

/// The organisation exists (a user is placed in it, or it becomes a parent).
pub fn org_exists(org_id: impl Into<String>) -> RowCheck {
    present(
        ORG_EXISTS,
        "SELECT tenant_id FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2",
        org_id,
    )
}

pub fn org_has_no_children(org_id: impl Into<String>) -> RowCheck {
    absent(
        HAS_NO_CHILDREN,
        "SELECT tenant_id FROM proj_organizations WHERE tenant_id = $1 AND parent_id = $2 LIMIT 1",
        org_id,
    )
}

/// No user belongs to the organisation, as primary or secondary member.
pub fn org_has_no_members(org_id: impl Into<String>) -> RowCheck {
    absent(
        HAS_NO_MEMBERS,
        "SELECT tenant_id FROM proj_user_orgs WHERE tenant_id = $1 AND org_id = $2 LIMIT 1",
        org_id,
    )
}

/// The tenant has no enabled application holding the API product yet (one bootstrap at a time).
pub fn no_management_app(tenant_id: impl Into<String>) -> RowCheck {
    absent(
        NO_MANAGEMENT_APP,
        "SELECT application_id FROM proj_applications \
         WHERE tenant_id = $1 AND tenant_id = $2 AND api_product = 1 AND enabled = 1 LIMIT 1",
        tenant_id,
    )
}

pub fn user_exists(user_id: impl Into<String>) -> RowCheck {
    present(
        USER_EXISTS,
        "SELECT tenant_id FROM proj_users WHERE tenant_id = $1 AND user_id = $2",
        user_id,
    )
}

/// The user type exists and is enabled (a user is given it).
pub fn user_type_enabled(type_id: impl Into<String>) -> RowCheck {
    present(
        USER_TYPE_ENABLED,
        "SELECT tenant_id FROM proj_user_types WHERE tenant_id = $1 AND type_id = $2 AND disabled = 0",
        type_id,
    )
}

/// No user has the user type (it is deleted).
pub fn user_type_unused(type_id: impl Into<String>) -> RowCheck {
    absent(
        USER_TYPE_UNUSED,
        "SELECT tenant_id FROM proj_users WHERE tenant_id = $1 AND user_type_id = $2 LIMIT 1",
        type_id,
    )
}

/// No application names the type, by its code or by its name (Inspur `appTypeCode` carries
/// either in the document's examples).
pub fn app_type_unused(code: impl Into<String>, name: impl Into<String>) -> RowCheck {
    RowCheck {
        name: APP_TYPE_UNUSED,
        sql: "SELECT tenant_id FROM proj_applications WHERE tenant_id = $1 AND type_code = $2 LIMIT 1",
        values: vec![code.into(), name.into()],
        present: false,
    }
}

/// The application exists and is enabled (accounts are only added to enabled applications).
pub fn application_enabled(application_id: impl Into<String>) -> RowCheck {
    present(
        APPLICATION_ENABLED,
        "SELECT tenant_id FROM proj_applications WHERE tenant_id = $1 AND application_id = $2 AND enabled = 1",
        application_id,
    )
}

pub fn application_has_no_accounts(application_id: impl Into<String>) -> RowCheck {
    absent(
        APPLICATION_HAS_NO_ACCOUNTS,
        "SELECT tenant_id FROM proj_app_accounts WHERE tenant_id = $1 AND application_id = $2 LIMIT 1",
        application_id,
    )
}

/// The application organisation exists (a parent, or an account's place).
pub fn app_org_exists(org_id: impl Into<String>) -> RowCheck {
    present(
        APP_ORG_EXISTS,
        "SELECT tenant_id FROM proj_app_orgs WHERE tenant_id = $1 AND org_id = $2",
        org_id,
    )
}

/// The application organisation has neither children nor accounts (two checks, one name).
pub fn app_org_is_empty(org_id: &str) -> [RowCheck; 2] {
    [
        absent(
            APP_ORG_IS_EMPTY,
            "SELECT tenant_id FROM proj_app_orgs WHERE tenant_id = $1 AND parent_id = $2 LIMIT 1",
            org_id,
        ),
        absent(
            APP_ORG_IS_EMPTY,
            "SELECT tenant_id FROM proj_app_accounts WHERE tenant_id = $1 AND org_id = $2 LIMIT 1",
            org_id,
        ),
    ]
}

pub fn role_has_no_members(role_id: impl Into<String>) -> RowCheck {
    absent(
        ROLE_HAS_NO_MEMBERS,
        "SELECT tenant_id FROM proj_app_role_members WHERE tenant_id = $1 AND role_id = $2 LIMIT 1",
        role_id,
    )
}

/// Every account being added still exists (they were checked against the application before).
pub fn accounts_exist(account_ids: Vec<String>) -> RowCheck {
    RowCheck {
        name: ACCOUNTS_EXIST,
        sql: "SELECT tenant_id FROM proj_app_accounts WHERE tenant_id = $1 AND account_id = $2",
        values: account_ids,
        present: true,
    }
}

/// No application account was created for the user beyond `known`: an erasure forgets the keys
/// of exactly the accounts it read (ops/adr/0026).
#[derive(Debug)]
pub struct NoOtherAccounts {
    pub user_id: String,
    pub known: Vec<String>,
}

impl Guard for NoOtherAccounts {
    fn name(&self) -> &'static str {
        "no_other_accounts_of_user"
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let now = crate::app_accounts::ever_of_user(conn, tenant, &self.user_id).await?;
            Ok(now.iter().all(|id| self.known.contains(id)))
        })
    }
}

/// Moving `org` under `parent` makes no cycle: the parent is not one of its descendants.
#[derive(Debug)]
pub struct NotUnder {
    name: &'static str,
    sql: &'static str,
    org: String,
    parent: String,
}

impl Guard for NotUnder {
    fn name(&self) -> &'static str {
        self.name
    }

    fn holds<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        tenant: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            let row: Option<(String,)> = sqlx::query_as(self.sql)
                .bind(tenant)
                .bind(&self.parent)
                .fetch_optional(&mut *conn)
                .await?;
            Ok(row.is_none_or(|(path,)| !path.contains(&format!("/{}/", self.org))))
        })
    }
}

pub fn org_not_under_itself(org: impl Into<String>, parent: impl Into<String>) -> NotUnder {
    NotUnder {
        name: NOT_UNDER_ITSELF,
        sql: "SELECT path FROM proj_organizations WHERE tenant_id = $1 AND org_id = $2",
        org: org.into(),
        parent: parent.into(),
    }
}

pub fn app_org_not_under_itself(org: impl Into<String>, parent: impl Into<String>) -> NotUnder {
    NotUnder {
        name: APP_ORG_NOT_UNDER_ITSELF,
        sql: "SELECT path FROM proj_app_orgs WHERE tenant_id = $1 AND org_id = $2",
        org: org.into(),
        parent: parent.into(),
    }
}
