//! The reads of the Hainan UAA dialect (specs/oneaccess-sdk-and-hainan-uaa.md §2.3) that no
//! other view has: users by external id or mobile, the account details of a set of users,
//! organisations by external id or by a list of ids, a user's organisations with the kind of
//! membership, and an organisation's members page with a display-name prefix. Same rows as the
//! users and organisations projections.

use std::collections::HashMap;

use sqlx::{AnyPool, Row};

use crate::organs::{organ, Organ, COLUMNS, TABLE};
use crate::page::{Listing, Page, PageRequest};
use crate::support::placeholders;
use crate::support::{contains, escape_like};

/// A column a user is found by.
#[derive(Debug, Clone, Copy)]
pub enum UserKey {
    ExternalId,
    Mobile,
}

/// The id of the user whose external id or mobile is `value` (the oldest, if several).
pub async fn user_id_by(
    pool: &AnyPool,
    tenant: &str,
    key: UserKey,
    value: &str,
) -> anyhow::Result<Option<String>> {
    let column = match key {
        UserKey::ExternalId => "external_id",
        UserKey::Mobile => "mobile",
    };
    let found: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT user_id FROM proj_users WHERE tenant_id = $1 AND {column} = $2 \
         ORDER BY created_at, user_id LIMIT 1"
    ))
    .bind(tenant)
    .bind(value)
    .fetch_optional(pool)
    .await?;
    Ok(found.map(|(id,)| id))
}

/// What only the account details hold: the external id and the remark.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountDetails {
    pub external_id: Option<String>,
    pub remark: Option<String>,
}

/// The account details of these users, by user id.
pub async fn account_details(
    pool: &AnyPool,
    tenant: &str,
    user_ids: &[String],
) -> anyhow::Result<HashMap<String, AccountDetails>> {
    if user_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT user_id, external_id, description FROM proj_users \
         WHERE tenant_id = $1 AND user_id IN ({})",
        placeholders(2, user_ids.len())
    );
    let mut query =
        sqlx::query_as::<_, (String, Option<String>, Option<String>)>(&sql).bind(tenant);
    for id in user_ids {
        query = query.bind(id.clone());
    }
    Ok(query
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|(id, external_id, remark)| {
            (
                id,
                AccountDetails {
                    external_id,
                    remark,
                },
            )
        })
        .collect())
}

/// The organisation with this external id.
pub async fn org_by_external_id(
    pool: &AnyPool,
    tenant: &str,
    external_id: &str,
) -> anyhow::Result<Option<Organ>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {TABLE} WHERE o.tenant_id = $1 AND o.external_id = $2 \
         ORDER BY o.created_at, o.org_id LIMIT 1"
    ))
    .bind(tenant)
    .bind(external_id)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(organ).transpose()
}

/// The organisations with these ids, in the order asked (unknown ids left out).
pub async fn orgs_by_ids(
    pool: &AnyPool,
    tenant: &str,
    ids: &[String],
) -> anyhow::Result<Vec<Organ>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM {TABLE} WHERE o.tenant_id = $1 AND o.org_id IN ({})",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query(&sql).bind(tenant);
    for id in ids {
        query = query.bind(id.clone());
    }
    let mut found = query
        .fetch_all(pool)
        .await?
        .iter()
        .map(organ)
        .collect::<anyhow::Result<Vec<_>>>()?;
    found.sort_by_key(|o| ids.iter().position(|id| *id == o.org_id));
    Ok(found)
}

/// The organisations a user belongs to, the primary one first, each with the membership.
pub async fn user_orgs(
    pool: &AnyPool,
    tenant: &str,
    user_id: &str,
) -> anyhow::Result<Vec<(Organ, Post)>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, m.relation_type, m.post, m.sort_order AS member_sort FROM {TABLE} \
         JOIN proj_user_orgs m \
         ON m.tenant_id = o.tenant_id AND m.org_id = o.org_id \
         WHERE o.tenant_id = $1 AND m.user_id = $2 ORDER BY m.relation_type DESC, o.org_id"
    ))
    .bind(tenant)
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((organ(r)?, post(r)?))).collect()
}

/// A membership: whether it is the user's primary one, the post held there and the user's place
/// among the organisation's members.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub primary: bool,
    pub post: Option<String>,
    pub sort: Option<i64>,
}

fn post(r: &sqlx::any::AnyRow) -> anyhow::Result<Post> {
    Ok(Post {
        primary: r.try_get::<i64, _>("relation_type")? == 1,
        post: r.try_get("post")?,
        sort: r.try_get("member_sort")?,
    })
}

/// One member of an organisation: the user and the membership.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub user_id: String,
    pub post: Post,
}

/// A page of an organisation's direct members (primary or secondary), whose display name
/// starts with `name_prefix` when given, by their place (`sortNum`), then creation.
pub async fn org_members(
    pool: &AnyPool,
    tenant: &str,
    org_id: &str,
    name_prefix: Option<&str>,
    request: PageRequest,
) -> anyhow::Result<Page<Member>> {
    let mut listing = Listing::of(
        "proj_users u JOIN proj_user_orgs m ON m.tenant_id = u.tenant_id AND m.user_id = u.user_id",
        "u.user_id, m.relation_type, m.post, m.sort_order AS member_sort",
    )
    .bind(tenant)
    .bind(org_id);
    let mut filter = "u.tenant_id = $1 AND m.org_id = $2".to_string();
    if let Some(prefix) = name_prefix {
        listing = listing.bind(format!("{}%", escape_like(prefix)));
        filter.push_str(" AND u.name LIKE $3 ESCAPE '\\'");
    }
    listing
        .filter(filter)
        .order_by(
            "COALESCE(m.sort_order, 2147483647), u.created_at",
            "u.user_id",
        )
        .fetch(pool, request, |r| {
            Ok(Member {
                user_id: r.try_get("user_id")?,
                post: post(r)?,
            })
        })
        .await
}

/// The unit (单位) an organisation belongs to: the nearest of itself and its ancestors whose
/// type is `GOV_UNIT`.
pub async fn unit_of(pool: &AnyPool, tenant: &str, of: &Organ) -> anyhow::Result<Option<Organ>> {
    let ids: Vec<String> = of
        .id_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM {TABLE} WHERE o.tenant_id = $1 AND o.org_type = 'GOV_UNIT' \
         AND o.org_id IN ({}) ORDER BY LENGTH(o.path) DESC LIMIT 1",
        placeholders(2, ids.len())
    );
    let mut query = sqlx::query(&sql).bind(tenant);
    for id in ids {
        query = query.bind(id);
    }
    query
        .fetch_optional(pool)
        .await?
        .as_ref()
        .map(organ)
        .transpose()
}

/// What orgSearch matches its keyword against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keyword {
    /// A part of the name.
    Name,
    /// A part of the names from the root down (`/`-joined).
    FullNamePath,
    /// The type's code, exactly.
    OrgType,
    /// The unified social credit code, exactly.
    CreditCode,
}

/// An organisation search (orgSearch, 004-8).
#[derive(Debug, Default)]
pub struct Search<'a> {
    pub keyword: Option<(Keyword, &'a str)>,
    /// Only within the subtrees of these organisations (themselves included).
    pub within: &'a [String],
    /// Not within the subtrees of these organisations.
    pub outside: &'a [String],
    /// Only these organisations themselves.
    pub only: &'a [String],
}

/// A page of the organisations a search finds, in display order.
pub async fn search(
    pool: &AnyPool,
    tenant: &str,
    search: Search<'_>,
    request: PageRequest,
) -> anyhow::Result<Page<Organ>> {
    // The scopes' own paths first: a subtree is then one prefix match on the path index.
    let within = orgs_by_ids(pool, tenant, search.within).await?;
    let outside = orgs_by_ids(pool, tenant, search.outside).await?;
    let mut binds: Vec<String> = Vec::new();
    let mut mark = |value: String| {
        binds.push(value);
        format!("${}", binds.len() + 1)
    };
    let mut filter = "o.tenant_id = $1".to_string();
    if let Some((kind, text)) = search.keyword {
        let condition = match kind {
            Keyword::Name => format!("o.name LIKE {} ESCAPE '\\'", mark(contains(text))),
            Keyword::FullNamePath => {
                format!("o.name_path LIKE {} ESCAPE '\\'", mark(contains(text)))
            }
            Keyword::OrgType => format!("o.org_type = {}", mark(text.to_string())),
            Keyword::CreditCode => format!("o.credit_code = {}", mark(text.to_string())),
        };
        filter.push_str(&format!(" AND {condition}"));
    }
    if !search.within.is_empty() {
        // Named scopes that do not exist hold nothing.
        let mut parts = vec!["1 = 0".to_string()];
        for organ in &within {
            let p = mark(format!("{}%", escape_like(&organ.id_path)));
            parts.push(format!("o.path LIKE {p} ESCAPE '\\'"));
        }
        filter.push_str(&format!(" AND ({})", parts.join(" OR ")));
    }
    for organ in &outside {
        let p = mark(format!("{}%", escape_like(&organ.id_path)));
        filter.push_str(&format!(" AND o.path NOT LIKE {p} ESCAPE '\\'"));
    }
    if !search.only.is_empty() {
        let marks: Vec<String> = search.only.iter().map(|id| mark(id.clone())).collect();
        filter.push_str(&format!(" AND o.org_id IN ({})", marks.join(", ")));
    }
    let mut listing = Listing::of(TABLE, COLUMNS).bind(tenant);
    for value in binds {
        listing = listing.bind(value);
    }
    listing
        .filter(filter)
        .order_by(
            "COALESCE(o.sort_order, 2147483647), o.created_at",
            "o.org_id",
        )
        .fetch(pool, request, organ)
        .await
}

/// A page of the ids of the users whose extended attribute `key` is exactly `value`, in
/// creation order (one index lookup).
pub async fn users_by_extension(
    pool: &AnyPool,
    tenant: &str,
    key: &str,
    value: &str,
    request: PageRequest,
) -> anyhow::Result<Page<String>> {
    Listing::of(
        "proj_user_extensions e JOIN proj_users u ON u.tenant_id = e.tenant_id AND u.user_id = e.user_id",
        "e.user_id",
    )
    .bind(tenant)
    .bind(key.to_string())
    .bind(value.to_string())
    .filter("e.tenant_id = $1 AND e.ext_key = $2 AND e.ext_value = $3")
    .order_by("u.created_at", "e.user_id")
    .fetch(pool, request, |r| Ok(r.try_get("user_id")?))
    .await
}
