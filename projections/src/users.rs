//! Users with their organisation relations: the read model behind the user detail and list
//! endpoints (and, later, the login's credential check).

use domain::user::{OrgRelation, User, UserEvent, UserField, UserProfile};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::{flag, placeholders, typed};

pub struct UsersProjection;

pub const TABLES: &[&str] = &[
    "proj_users",
    "proj_user_orgs",
    "proj_user_extensions",
    "proj_deleted_users",
];

impl Projector for UsersProjection {
    fn name(&self) -> &'static str {
        "users"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != User::STREAM_TYPE {
                return Ok(());
            }
            let tenant = event.tenant_id.as_str();
            match typed::<UserEvent>(event)? {
                UserEvent::UserCreated {
                    user_id,
                    org_relations,
                    pwd_must_modify,
                    password_hash,
                    created_at,
                    personal,
                    claimed: _,
                    account,
                } => {
                    sqlx::query(
                        "INSERT INTO proj_users (tenant_id, user_id, org_id, user_name, user_name_key, name, \
                         mobile, email, profile, pwd_must_modify, pwd_change_at, password_hash, created_at, \
                         updated_at, disabled, grade, locked, external_id, user_type_id, expires_at, \
                         description, created_type, creator) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, 0, 1, 0, \
                         $14, $15, $16, $17, $18, $19)",
                    )
                    .bind(tenant)
                    .bind(&user_id)
                    .bind(primary_org(&org_relations))
                    .bind(&personal.username)
                    .bind(UserField::Username.normalise(&personal.username))
                    .bind(&personal.display_name)
                    .bind(&personal.mobile)
                    .bind(&personal.email)
                    .bind(serde_json::to_string(&personal)?)
                    .bind(flag(pwd_must_modify))
                    .bind(password_hash.as_ref().map(|_| created_at))
                    .bind(password_hash)
                    .bind(created_at)
                    .bind(account.external_id)
                    .bind(account.user_type_id)
                    .bind(account.expires_at)
                    .bind(account.description)
                    .bind(account.created_type)
                    .bind(event.metadata.actor_id.clone())
                    .execute(&mut *conn)
                    .await?;
                    replace_relations(conn, tenant, &user_id, &org_relations).await?;
                    replace_extensions(conn, tenant, &user_id, &personal.extension).await?;
                }
                UserEvent::UserUpdated {
                    user_id,
                    org_relations,
                    pwd_must_modify,
                    updated_at,
                    personal,
                    account,
                    ..
                } => {
                    sqlx::query(
                        "UPDATE proj_users SET org_id = $1, user_name = $2, user_name_key = $3, name = $4, \
                         mobile = $5, email = $6, profile = $7, pwd_must_modify = $8, updated_at = $9, \
                         external_id = $12, user_type_id = $13, expires_at = $14, description = $15, \
                         created_type = $16 WHERE tenant_id = $10 AND user_id = $11",
                    )
                    .bind(primary_org(&org_relations))
                    .bind(&personal.username)
                    .bind(UserField::Username.normalise(&personal.username))
                    .bind(&personal.display_name)
                    .bind(&personal.mobile)
                    .bind(&personal.email)
                    .bind(serde_json::to_string(&personal)?)
                    .bind(flag(pwd_must_modify))
                    .bind(updated_at)
                    .bind(tenant)
                    .bind(&user_id)
                    .bind(account.external_id)
                    .bind(account.user_type_id)
                    .bind(account.expires_at)
                    .bind(account.description)
                    .bind(account.created_type)
                    .execute(&mut *conn)
                    .await?;
                    replace_relations(conn, tenant, &user_id, &org_relations).await?;
                    replace_extensions(conn, tenant, &user_id, &personal.extension).await?;
                }
                UserEvent::UserEnabled { user_id, at } => {
                    set_state(conn, tenant, &user_id, false, None, at).await?
                }
                UserEvent::UserDisabled { user_id, at } => {
                    set_state(conn, tenant, &user_id, true, None, at).await?
                }
                UserEvent::UserLeft { user_id, at } => {
                    set_state(conn, tenant, &user_id, true, Some(at), at).await?
                }
                UserEvent::PasswordChanged {
                    user_id,
                    password_hash,
                    pwd_must_modify,
                    changed_at,
                    ..
                } => {
                    sqlx::query(
                        "UPDATE proj_users SET password_hash = $1, pwd_must_modify = $2, pwd_change_at = $3, \
                         updated_at = $3 WHERE tenant_id = $4 AND user_id = $5",
                    )
                    .bind(password_hash)
                    .bind(flag(pwd_must_modify))
                    .bind(changed_at)
                    .bind(tenant)
                    .bind(&user_id)
                    .execute(&mut *conn)
                    .await?;
                }
                UserEvent::UserDeleted {
                    user_id,
                    deleted_at,
                } => {
                    drop_user(conn, tenant, &user_id).await?;
                    sqlx::query(
                        "INSERT INTO proj_deleted_users (tenant_id, user_id, deleted_at) \
                         VALUES ($1, $2, $3)",
                    )
                    .bind(tenant)
                    .bind(&user_id)
                    .bind(deleted_at)
                    .execute(&mut *conn)
                    .await?;
                }
                // An erased user is gone from the directory (a live one was deleted by the
                // event before) and no longer waits for a retention run (ops/adr/0026).
                UserEvent::UserErased { user_id, .. } => {
                    drop_user(conn, tenant, &user_id).await?;
                    sqlx::query(
                        "DELETE FROM proj_deleted_users WHERE tenant_id = $1 AND user_id = $2",
                    )
                    .bind(tenant)
                    .bind(&user_id)
                    .execute(&mut *conn)
                    .await?;
                }
            }
            Ok(())
        })
    }
}

/// Removes a user's rows from the directory tables.
async fn drop_user(conn: &mut AnyConnection, tenant: &str, user_id: &str) -> anyhow::Result<()> {
    for table in ["proj_user_orgs", "proj_user_extensions", "proj_users"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND user_id = $2"
        ))
        .bind(tenant)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Deleted users not yet erased whose deletion is before `before` (milliseconds), oldest first,
/// at most `limit`: what a retention run erases (ops/adr/0026).
pub async fn deleted_before(
    pool: &AnyPool,
    tenant: &str,
    before: i64,
    limit: i64,
) -> anyhow::Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT user_id FROM proj_deleted_users WHERE tenant_id = $1 AND deleted_at < $2 \
         ORDER BY deleted_at, user_id LIMIT $3",
    )
    .bind(tenant)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

fn primary_org(relations: &[OrgRelation]) -> Option<String> {
    relations
        .iter()
        .find(|r| r.is_primary())
        .map(|r| r.org_id.clone())
}

/// The user's extended attributes whose value is a text, a number or a boolean (at most 256
/// characters), one row each, for lookups by key and value.
async fn replace_extensions(
    conn: &mut AnyConnection,
    tenant: &str,
    user_id: &str,
    extension: &serde_json::Map<String, serde_json::Value>,
) -> anyhow::Result<()> {
    use serde_json::Value;
    sqlx::query("DELETE FROM proj_user_extensions WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for (key, value) in extension {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => continue,
        };
        if text.chars().count() > 256 || key.chars().count() > 128 {
            continue;
        }
        sqlx::query(
            "INSERT INTO proj_user_extensions (tenant_id, user_id, ext_key, ext_value) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(tenant)
        .bind(user_id)
        .bind(key)
        .bind(text)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn replace_relations(
    conn: &mut AnyConnection,
    tenant: &str,
    user_id: &str,
    relations: &[OrgRelation],
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM proj_user_orgs WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    for relation in relations {
        sqlx::query(
            "INSERT INTO proj_user_orgs (tenant_id, user_id, org_id, relation_type, post, sort_order) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(tenant)
        .bind(user_id)
        .bind(&relation.org_id)
        .bind(i64::from(relation.relation_type))
        .bind(relation.post.clone())
        .bind(relation.sort)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Whether the user can sign in, and since when it has left (a left user is disabled too).
async fn set_state(
    conn: &mut AnyConnection,
    tenant: &str,
    user_id: &str,
    disabled: bool,
    left_at: Option<i64>,
    at: i64,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE proj_users SET disabled = $1, updated_at = $2, left_at = $5 \
         WHERE tenant_id = $3 AND user_id = $4",
    )
    .bind(flag(disabled))
    .bind(at)
    .bind(tenant)
    .bind(user_id)
    .bind(left_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub user_id: String,
    pub org_id: Option<String>,
    pub profile: UserProfile,
    pub pwd_must_modify: bool,
    pub pwd_change_at: Option<i64>,
    pub password_hash: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub disabled: bool,
    pub grade: i64,
    pub locked: bool,
    /// Unix milliseconds from which the account can no longer sign in.
    pub expires_at: Option<i64>,
    /// Primary first, then secondary relations in organisation id order.
    pub relations: Vec<OrgRelation>,
}

const USER_COLUMNS: &str =
    "user_id, org_id, profile, pwd_must_modify, pwd_change_at, password_hash, \
                            created_at, updated_at, disabled, grade, locked, expires_at";

fn user_row(row: &AnyRow) -> anyhow::Result<UserRow> {
    let profile: String = row.try_get("profile")?;
    Ok(UserRow {
        user_id: row.try_get("user_id")?,
        org_id: row.try_get("org_id")?,
        profile: serde_json::from_str(&profile)?,
        pwd_must_modify: row.try_get::<i64, _>("pwd_must_modify")? != 0,
        pwd_change_at: row.try_get("pwd_change_at")?,
        password_hash: row.try_get("password_hash")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        grade: row.try_get("grade")?,
        locked: row.try_get::<i64, _>("locked")? != 0,
        expires_at: row.try_get("expires_at")?,
        relations: Vec::new(),
    })
}

impl UserRow {
    /// Whether the user may sign in at `now`: enabled (not left) and not expired.
    pub fn can_sign_in(&self, now: i64) -> bool {
        !self.disabled && self.expires_at.is_none_or(|at| at > now)
    }
}

async fn with_relations(
    pool: &AnyPool,
    tenant: &str,
    mut users: Vec<UserRow>,
) -> anyhow::Result<Vec<UserRow>> {
    if users.is_empty() {
        return Ok(users);
    }
    let sql = format!(
        "SELECT user_id, org_id, relation_type, post, sort_order FROM proj_user_orgs \
         WHERE tenant_id = $1 AND user_id IN ({}) ORDER BY user_id, relation_type DESC, org_id",
        placeholders(2, users.len())
    );
    type Row = (String, String, i64, Option<String>, Option<i64>);
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(tenant);
    for user in &users {
        query = query.bind(user.user_id.clone());
    }
    for (user_id, org_id, relation_type, post, sort) in query.fetch_all(pool).await? {
        if let Some(user) = users.iter_mut().find(|u| u.user_id == user_id) {
            user.relations.push(OrgRelation {
                org_id,
                relation_type: relation_type as u8,
                post,
                sort,
            });
        }
    }
    Ok(users)
}

/// The one user whose `column` equals `value`, with its relations.
async fn one_by(
    pool: &AnyPool,
    tenant: &str,
    column: &str,
    value: &str,
) -> anyhow::Result<Option<UserRow>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM proj_users WHERE tenant_id = $1 AND {column} = $2"
    ))
    .bind(tenant)
    .bind(value)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(with_relations(pool, tenant, vec![user_row(&row)?])
        .await?
        .pop())
}

pub async fn get(pool: &AnyPool, tenant: &str, user_id: &str) -> anyhow::Result<Option<UserRow>> {
    one_by(pool, tenant, "user_id", user_id).await
}

/// By username, case-insensitively (usernames are unique that way).
pub async fn by_user_name(
    pool: &AnyPool,
    tenant: &str,
    user_name: &str,
) -> anyhow::Result<Option<UserRow>> {
    one_by(
        pool,
        tenant,
        "user_name_key",
        &UserField::Username.normalise(user_name),
    )
    .await
}

/// A page of users in creation order; with an org id, its direct members (primary or secondary).
pub async fn list(
    pool: &AnyPool,
    tenant: &str,
    org_id: Option<&str>,
    request: PageRequest,
) -> anyhow::Result<Page<UserRow>> {
    let listing = Listing::of("proj_users", USER_COLUMNS).bind(tenant);
    let listing = match org_id {
        None => listing.filter("tenant_id = $1"),
        Some(org_id) => listing
            .filter(
                "tenant_id = $1 AND user_id IN \
                 (SELECT user_id FROM proj_user_orgs WHERE tenant_id = $1 AND org_id = $2)",
            )
            .bind(org_id),
    };
    let page = listing
        .order_by("created_at", "user_id")
        .fetch(pool, request, user_row)
        .await?;
    let items = with_relations(pool, tenant, page.items).await?;
    Ok(Page { items, ..page })
}

/// Whether any user belongs (primary or secondary) to the organisation.
pub async fn org_has_members(pool: &AnyPool, tenant: &str, org_id: &str) -> anyhow::Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT user_id FROM proj_user_orgs WHERE tenant_id = $1 AND org_id = $2 LIMIT 1",
    )
    .bind(tenant)
    .bind(org_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}
