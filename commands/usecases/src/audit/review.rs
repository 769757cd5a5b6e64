//! Access reviews (DESIGN.md "Audit and compliance", ops/adr/0025): who gained, lost and kept
//! the ability to sign in to an application between two instants, and how many could over time.

use std::collections::BTreeSet;

use store::Pool as AnyPool;

use super::access::{application, Allowed, AppAccess, Instant, Refused};

/// Who gained and who lost the ability to sign in between two instants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub before: AppAccess,
    pub after: AppAccess,
    /// Allowed after, not before (reasons as of after).
    pub gained: Vec<Allowed>,
    /// Allowed before, not after (reasons as of before), with why not after when the user was
    /// reached but refused.
    pub lost: Vec<(Allowed, Option<Refused>)>,
    /// Allowed at both (reasons as of after).
    pub kept: Vec<Allowed>,
}

/// The access review of an application between two instants, or `None` when it existed at
/// neither.
pub async fn review(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    before: Instant,
    after: Instant,
) -> anyhow::Result<Option<Review>> {
    let empty = |instant: Instant, like: &AppAccess| AppAccess {
        instant,
        allowed: Vec::new(),
        refused: Vec::new(),
        application_state: "absent".into(),
        ..like.clone()
    };
    let (b, a) = (
        application(pool, tenant, application_id, before).await?,
        application(pool, tenant, application_id, after).await?,
    );
    let (b, a) = match (b, a) {
        (None, None) => return Ok(None),
        (Some(b), None) => (b.clone(), empty(after, &b)),
        (None, Some(a)) => (empty(before, &a), a),
        (Some(b), Some(a)) => (b, a),
    };
    let was: BTreeSet<&str> = b.allowed.iter().map(|u| u.user_id.as_str()).collect();
    let is: BTreeSet<&str> = a.allowed.iter().map(|u| u.user_id.as_str()).collect();
    let gained = a
        .allowed
        .iter()
        .filter(|u| !was.contains(u.user_id.as_str()))
        .cloned()
        .collect();
    let kept = a
        .allowed
        .iter()
        .filter(|u| was.contains(u.user_id.as_str()))
        .cloned()
        .collect();
    let lost = b
        .allowed
        .iter()
        .filter(|u| !is.contains(u.user_id.as_str()))
        .map(|u| {
            let why = a.refused.iter().find(|r| r.user_id == u.user_id).cloned();
            (u.clone(), why)
        })
        .collect();
    Ok(Some(Review {
        before: b,
        after: a,
        gained,
        lost,
        kept,
    }))
}

/// How many users could sign in at each of `points` instants (for a chart).
pub async fn over_time(
    pool: &AnyPool,
    tenant: &str,
    application_id: &str,
    points: &[Instant],
) -> anyhow::Result<Vec<(Instant, usize)>> {
    let mut counts = Vec::with_capacity(points.len());
    for point in points {
        let count = application(pool, tenant, application_id, *point)
            .await?
            .map(|a| a.allowed.len())
            .unwrap_or(0);
        counts.push((*point, count));
    }
    Ok(counts)
}
