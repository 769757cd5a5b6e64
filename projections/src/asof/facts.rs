//! The facts that decide access as the other projections hold them now (ops/adr/0025): each kind
//! of fact read from its live table within one scope (a subject, object or via id), in the shape
//! of a temporal row. The as-of projection runs after the others in the same transaction, so
//! these are the facts as the event being applied left them.

use domain::tenant::TenantSettings;
use sqlx::AnyConnection;

/// A kind of fact with a temporal history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Membership,
    OrgParent,
    User,
    Account,
    AppGrant,
    UserRole,
    OrgRole,
    RolePermission,
    Role,
    RoleMember,
    Application,
    GrantReach,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Membership => "membership",
            Kind::OrgParent => "org_parent",
            Kind::User => "user",
            Kind::Account => "account",
            Kind::AppGrant => "app_grant",
            Kind::UserRole => "user_role",
            Kind::OrgRole => "org_role",
            Kind::RolePermission => "role_permission",
            Kind::Role => "role",
            Kind::RoleMember => "role_member",
            Kind::Application => "application",
            Kind::GrantReach => "grant_reach",
        }
    }
}

/// Which column of a fact a scope selects on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Subject,
    Object,
    Via,
}

impl Side {
    pub fn column(self) -> &'static str {
        match self {
            Side::Subject => "subject_id",
            Side::Object => "object_id",
            Side::Via => "via_id",
        }
    }
}

/// One fact, without its validity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fact {
    pub subject_id: String,
    pub object_id: String,
    pub via_id: String,
    pub state: String,
    pub until_ms: Option<i64>,
}

/// A fact as its five columns are read.
pub type Columns = (String, String, String, String, Option<i64>);

impl From<Columns> for Fact {
    fn from((subject_id, object_id, via_id, state, until_ms): Columns) -> Self {
        Self {
            subject_id,
            object_id,
            via_id,
            state,
            until_ms,
        }
    }
}

/// The live table's select of `kind`, as `subject_id, object_id, via_id, state, until_ms`, and the
/// live column each side maps to (`None`: the kind has no such side).
fn select(kind: Kind) -> (&'static str, [Option<&'static str>; 3]) {
    match kind {
        Kind::Membership => (
            "SELECT user_id AS subject_id, org_id AS object_id, '' AS via_id, \
             CAST(relation_type AS TEXT) AS state, CAST(NULL AS BIGINT) AS until_ms \
             FROM proj_user_orgs WHERE tenant_id = $1",
            [Some("user_id"), Some("org_id"), None],
        ),
        Kind::OrgParent => (
            "SELECT org_id AS subject_id, COALESCE(parent_id, '') AS object_id, '' AS via_id, \
             '' AS state, CAST(NULL AS BIGINT) AS until_ms FROM proj_organizations \
             WHERE tenant_id = $1",
            [Some("org_id"), None, None],
        ),
        Kind::User => (
            "SELECT user_id AS subject_id, '' AS object_id, '' AS via_id, \
             CASE WHEN left_at IS NOT NULL THEN 'left' WHEN disabled <> 0 THEN 'disabled' \
             ELSE 'enabled' END AS state, expires_at AS until_ms FROM proj_users \
             WHERE tenant_id = $1",
            [Some("user_id"), None, None],
        ),
        Kind::Account => (
            "SELECT user_id AS subject_id, application_id AS object_id, account_id AS via_id, \
             CASE WHEN disabled <> 0 THEN 'disabled' ELSE 'enabled' END AS state, \
             CAST(NULL AS BIGINT) AS until_ms FROM proj_app_accounts \
             WHERE tenant_id = $1 AND user_id IS NOT NULL",
            [Some("user_id"), Some("application_id"), Some("account_id")],
        ),
        Kind::AppGrant => (
            "SELECT subject_id, application_id AS object_id, grant_id AS via_id, \
             grantee AS state, CAST(NULL AS BIGINT) AS until_ms FROM proj_app_grants \
             WHERE tenant_id = $1",
            [Some("subject_id"), Some("application_id"), Some("grant_id")],
        ),
        Kind::UserRole => (
            "SELECT user_id AS subject_id, application_id AS object_id, role_id AS via_id, \
             '' AS state, CAST(NULL AS BIGINT) AS until_ms FROM proj_user_roles \
             WHERE tenant_id = $1",
            [Some("user_id"), Some("application_id"), Some("role_id")],
        ),
        Kind::OrgRole => (
            "SELECT org_id AS subject_id, application_id AS object_id, role_id AS via_id, \
             CAST(auth_sub AS TEXT) AS state, CAST(NULL AS BIGINT) AS until_ms \
             FROM proj_org_roles WHERE tenant_id = $1",
            [Some("org_id"), Some("application_id"), Some("role_id")],
        ),
        Kind::RolePermission => (
            "SELECT role_id AS subject_id, application_id AS object_id, \
             permission_id AS via_id, '' AS state, CAST(NULL AS BIGINT) AS until_ms \
             FROM proj_role_permissions WHERE tenant_id = $1",
            [
                Some("role_id"),
                Some("application_id"),
                Some("permission_id"),
            ],
        ),
        Kind::Role => (
            "SELECT role_id AS subject_id, application_id AS object_id, '' AS via_id, \
             CASE WHEN enabled <> 0 THEN 'enabled' ELSE 'disabled' END AS state, \
             CAST(NULL AS BIGINT) AS until_ms FROM proj_app_roles WHERE tenant_id = $1",
            [Some("role_id"), Some("application_id"), None],
        ),
        Kind::RoleMember => (
            "SELECT account_id AS subject_id, role_id AS object_id, '' AS via_id, '' AS state, \
             CAST(NULL AS BIGINT) AS until_ms FROM proj_app_role_members WHERE tenant_id = $1",
            [Some("account_id"), Some("role_id"), None],
        ),
        Kind::Application => (
            "SELECT application_id AS subject_id, '' AS object_id, '' AS via_id, \
             CASE WHEN enabled <> 0 THEN 'enabled' ELSE 'disabled' END AS state, \
             CAST(NULL AS BIGINT) AS until_ms FROM proj_applications WHERE tenant_id = $1",
            [Some("application_id"), None, None],
        ),
        Kind::GrantReach => ("", [None, None, None]),
    }
}

/// The live facts of `kind` whose `side` is `id`.
pub async fn live(
    conn: &mut AnyConnection,
    tenant: &str,
    kind: Kind,
    side: Side,
    id: &str,
) -> anyhow::Result<Vec<Fact>> {
    if kind == Kind::GrantReach {
        return grant_reach(conn, tenant).await;
    }
    let (sql, columns) = select(kind);
    let index = match side {
        Side::Subject => 0,
        Side::Object => 1,
        Side::Via => 2,
    };
    let column = columns[index]
        .ok_or_else(|| anyhow::anyhow!("{} facts have no {:?} side", kind.name(), side))?;
    let rows: Vec<Columns> = sqlx::query_as(&format!("{sql} AND {column} = $2"))
        .bind(tenant)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(Fact::from).collect())
}

/// Whether the tenant's grants of applications to organisations reach their sub-organisations.
async fn grant_reach(conn: &mut AnyConnection, tenant: &str) -> anyhow::Result<Vec<Fact>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT settings FROM proj_tenants WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((settings,)) = row else {
        return Ok(Vec::new());
    };
    let settings: TenantSettings = serde_json::from_str(&settings)?;
    let state = if settings.organizations.grants_reach_sub_organizations {
        "subtree"
    } else {
        "direct"
    };
    Ok(vec![Fact {
        subject_id: tenant.to_string(),
        object_id: String::new(),
        via_id: String::new(),
        state: state.to_string(),
        until_ms: None,
    }])
}
