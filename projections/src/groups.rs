//! User groups and their members (Inspur §2.12).

use domain::group::{Group, GroupEvent};
use domain::Aggregate;
use futures::future::BoxFuture;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use store::{Projector, RecordedEvent};

use crate::page::{Listing, Page, PageRequest};
use crate::support::contains;
use crate::support::typed;

pub struct GroupsProjection;

pub const TABLES: &[&str] = &["proj_group_members", "proj_groups"];

impl Projector for GroupsProjection {
    fn name(&self) -> &'static str {
        "groups"
    }

    fn apply<'a>(
        &'a self,
        conn: &'a mut AnyConnection,
        event: &'a RecordedEvent,
    ) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            if event.stream_type != Group::STREAM_TYPE {
                return Ok(());
            }
            let tenant = &event.tenant_id;
            match typed::<GroupEvent>(event)? {
                GroupEvent::Created { id, fields, at } => {
                    sqlx::query(
                        "INSERT INTO proj_groups (tenant_id, group_id, name, external_id, description, \
                         organ_id, creator, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                    )
                    .bind(tenant)
                    .bind(id)
                    .bind(fields.name)
                    .bind(fields.external_id)
                    .bind(fields.description)
                    .bind(fields.organ_id)
                    .bind(event.metadata.actor_id.clone())
                    .bind(at)
                    .execute(&mut *conn)
                    .await?;
                }
                GroupEvent::Updated { id, fields, at } => {
                    sqlx::query(
                        "UPDATE proj_groups SET name = $1, description = $2, updated_at = $3 \
                         WHERE tenant_id = $4 AND group_id = $5",
                    )
                    .bind(fields.name)
                    .bind(fields.description)
                    .bind(at)
                    .bind(tenant)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                }
                GroupEvent::MembersAdded { id, user_ids, at } => {
                    for user in user_ids {
                        sqlx::query(
                            "INSERT INTO proj_group_members (tenant_id, group_id, user_id, added_at) \
                             VALUES ($1, $2, $3, $4)",
                        )
                        .bind(tenant)
                        .bind(&id)
                        .bind(user)
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                GroupEvent::MembersRemoved { id, user_ids, .. } => {
                    for user in user_ids {
                        sqlx::query(
                            "DELETE FROM proj_group_members WHERE tenant_id = $1 AND group_id = $2 \
                             AND user_id = $3",
                        )
                        .bind(tenant)
                        .bind(&id)
                        .bind(user)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                GroupEvent::Deleted { id, .. } => {
                    for table in TABLES {
                        sqlx::query(&format!(
                            "DELETE FROM {table} WHERE tenant_id = $1 AND group_id = $2"
                        ))
                        .bind(tenant)
                        .bind(&id)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
            }
            Ok(())
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub group_id: String,
    pub name: String,
    pub external_id: Option<String>,
    pub description: Option<String>,
    pub organ_id: String,
    pub organ_name: Option<String>,
    pub creator: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Members that are live users who have not left.
    pub members: i64,
}

const COLUMNS: &str = "g.group_id, g.name, g.external_id, g.description, g.organ_id, \
     (SELECT o.name FROM proj_organizations o WHERE o.tenant_id = g.tenant_id \
      AND o.org_id = g.organ_id) AS organ_name, g.creator, g.created_at, g.updated_at, \
     (SELECT COUNT(*) FROM proj_group_members m JOIN proj_users u ON u.tenant_id = m.tenant_id \
      AND u.user_id = m.user_id WHERE m.tenant_id = g.tenant_id AND m.group_id = g.group_id \
      AND u.left_at IS NULL) AS members";

fn row(r: &AnyRow) -> anyhow::Result<GroupRow> {
    Ok(GroupRow {
        group_id: r.try_get("group_id")?,
        name: r.try_get("name")?,
        external_id: r.try_get("external_id")?,
        description: r.try_get("description")?,
        organ_id: r.try_get("organ_id")?,
        organ_name: r.try_get("organ_name")?,
        creator: r.try_get("creator")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        members: r.try_get("members")?,
    })
}

pub async fn get(pool: &AnyPool, tenant: &str, group_id: &str) -> anyhow::Result<Option<GroupRow>> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proj_groups g WHERE g.tenant_id = $1 AND g.group_id = $2"
    ))
    .bind(tenant)
    .bind(group_id)
    .fetch_optional(pool)
    .await?;
    found.as_ref().map(row).transpose()
}

/// Which groups to list.
#[derive(Default)]
pub struct GroupFilter<'a> {
    pub organ_id: Option<&'a str>,
    pub name_like: Option<&'a str>,
    /// Only the groups this user is a member of.
    pub member: Option<&'a str>,
}

/// A page of groups, newest first.
pub async fn page(
    pool: &AnyPool,
    tenant: &str,
    filter: GroupFilter<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<GroupRow>> {
    let mut listing = Listing::of("proj_groups g", COLUMNS).bind(tenant);
    let mut condition = "g.tenant_id = $1".to_string();
    let mut next = 2;
    if let Some(organ) = filter.organ_id {
        listing = listing.bind(organ);
        condition.push_str(&format!(" AND g.organ_id = ${next}"));
        next += 1;
    }
    if let Some(name) = filter.name_like {
        listing = listing.bind(contains(name));
        condition.push_str(&format!(" AND g.name LIKE ${next} ESCAPE '\\'"));
        next += 1;
    }
    if let Some(user) = filter.member {
        listing = listing.bind(user);
        condition.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM proj_group_members m WHERE m.tenant_id = g.tenant_id \
             AND m.group_id = g.group_id AND m.user_id = ${next})"
        ));
    }
    listing
        .filter(condition)
        .order_by("g.created_at DESC", "g.group_id")
        .fetch(pool, request, row)
        .await
}

/// A user as the group pages show it, with whether the user is in the group.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRow {
    pub user_id: String,
    pub user_name: String,
    pub name: String,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub org_id: Option<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub is_member: bool,
}

fn member(r: &AnyRow) -> anyhow::Result<MemberRow> {
    Ok(MemberRow {
        user_id: r.try_get("user_id")?,
        user_name: r.try_get("user_name")?,
        name: r.try_get("name")?,
        mobile: r.try_get("mobile")?,
        email: r.try_get("email")?,
        org_id: r.try_get("org_id")?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        is_member: r.try_get::<i64, _>("is_member")? != 0,
    })
}

/// Which users to list around a group.
pub struct Users<'a> {
    pub group_id: &'a str,
    /// Only its members (else every user, each marked whether a member).
    pub members_only: bool,
    pub account_like: Option<&'a str>,
    pub nick_like: Option<&'a str>,
}

/// A page of users (members, or candidates with their membership), by account name.
pub async fn users(
    pool: &AnyPool,
    tenant: &str,
    which: Users<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<MemberRow>> {
    let columns = "u.user_id, u.user_name, u.name, u.mobile, u.email, u.org_id, u.disabled, \
         u.created_at, u.updated_at, (SELECT COUNT(*) FROM proj_group_members m \
         WHERE m.tenant_id = u.tenant_id AND m.group_id = $2 AND m.user_id = u.user_id) AS is_member";
    let mut listing = Listing::of("proj_users u", columns)
        .bind(tenant)
        .bind(which.group_id);
    // Users who left keep their memberships (they come back with them) but are not listed.
    let mut condition = "u.tenant_id = $1 AND u.left_at IS NULL".to_string();
    if which.members_only {
        condition.push_str(
            " AND EXISTS (SELECT 1 FROM proj_group_members m WHERE m.tenant_id = u.tenant_id \
             AND m.group_id = $2 AND m.user_id = u.user_id)",
        );
    } else {
        condition.push_str(" AND $2 = $2");
    }
    let mut next = 3;
    for (column, value) in [
        ("u.user_name", which.account_like),
        ("u.name", which.nick_like),
    ] {
        if let Some(value) = value {
            listing = listing.bind(contains(value));
            condition.push_str(&format!(" AND {column} LIKE ${next} ESCAPE '\\'"));
            next += 1;
        }
    }
    listing
        .filter(condition)
        .order_by("u.user_name", "u.user_id")
        .fetch(pool, request, member)
        .await
}
