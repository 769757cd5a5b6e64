//! The page arithmetic, and [`Listing::fetch`] over a scratch table on SQLite and, when
//! `IDAAS_TEST_POSTGRES_URL` is set, on PostgreSQL.

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

use super::*;

#[test]
fn a_page_index_skips_whole_pages() {
    let request = PageRequest::page_index(2, 10).unwrap();
    assert_eq!(request.offset_rows(), 20);
    assert_eq!(request.limit(), 10);
    assert_eq!(request.index(), 2);
    assert_eq!(request.number(), 3);
}

#[test]
fn page_numbers_count_from_one() {
    assert_eq!(
        PageRequest::page_number(1, 10),
        PageRequest::page_index(0, 10)
    );
    assert_eq!(PageRequest::page_number(4, 25).unwrap().offset_rows(), 75);
    assert_eq!(PageRequest::page_number(0, 10), Err(PageError::BeforeFirst));
}

#[test]
fn rows_are_skipped_one_by_one() {
    let request = PageRequest::rows(3, 4).unwrap();
    assert_eq!((request.offset_rows(), request.limit()), (3, 4));
    assert_eq!(request.index(), 0, "row 3 is on the first page of 4");
}

#[test]
fn a_page_holds_one_to_the_maximum_rows() {
    for size in [0, -1, MAX_LIMIT + 1, i64::MIN] {
        assert_eq!(PageRequest::page_index(0, size), Err(PageError::Size(size)));
        assert_eq!(
            PageRequest::page_number(1, size),
            Err(PageError::Size(size))
        );
        assert_eq!(PageRequest::rows(0, size), Err(PageError::Size(size)));
    }
    assert!(PageRequest::rows(0, 1).is_ok());
    assert!(PageRequest::rows(0, MAX_LIMIT).is_ok());
}

#[test]
fn a_page_cannot_start_before_the_first_row() {
    assert_eq!(PageRequest::page_index(-1, 10), Err(PageError::BeforeFirst));
    assert_eq!(PageRequest::rows(-1, 10), Err(PageError::BeforeFirst));
    assert_eq!(
        PageRequest::page_number(i64::MIN, 10),
        Err(PageError::BeforeFirst)
    );
}

#[test]
fn an_index_times_size_beyond_i64_is_refused_not_wrapped() {
    assert_eq!(
        PageRequest::page_index(i64::MAX, 2),
        Err(PageError::Overflow)
    );
    assert_eq!(
        PageRequest::page_number(i64::MAX, MAX_LIMIT),
        Err(PageError::Overflow)
    );
    // The first row fits, the last does not.
    assert_eq!(
        PageRequest::page_index(i64::MAX / 10, 10),
        Err(PageError::Overflow)
    );
    assert_eq!(
        PageRequest::page_index(i64::MAX / 10 - 1, 10)
            .unwrap()
            .offset_rows(),
        (i64::MAX / 10 - 1) * 10
    );
    assert!(PageRequest::rows(i64::MAX - 10, 10).is_ok());
    assert_eq!(
        PageRequest::rows(i64::MAX - 9, 10),
        Err(PageError::Overflow)
    );
}

#[test]
fn pages_round_the_last_partial_page_up() {
    let page = |total, size| Page::<()> {
        items: Vec::new(),
        total,
        request: PageRequest::page_index(0, size).unwrap(),
    };
    assert_eq!(page(0, 10).pages(), 0);
    assert_eq!(page(1, 10).pages(), 1);
    assert_eq!(page(30, 10).pages(), 3);
    assert_eq!(page(31, 10).pages(), 4);
    assert_eq!(page(i64::MAX, 1).pages(), i64::MAX);
    assert_eq!(page(i64::MAX, MAX_LIMIT).pages(), i64::MAX / MAX_LIMIT + 1);
}

#[test]
fn mapping_a_page_keeps_its_total_and_request() {
    let request = PageRequest::page_index(1, 10).unwrap();
    let page = Page {
        items: vec![1, 2],
        total: 12,
        request,
    }
    .map(|n| n.to_string());
    assert_eq!(page.items, ["1", "2"]);
    assert_eq!((page.total, page.request), (12, request));
}

/// The scratch table: 25 rows of tenant `t1` (`r00`…`r24`, three to a `created_at`, inserted
/// in reverse so that insertion order is not list order, `kind` alternating 0 and 1) and one row
/// of tenant `t2`.
async fn databases() -> Vec<(&'static str, AnyPool)> {
    sqlx::any::install_default_drivers();
    let mut urls = vec![("SQLite", "sqlite::memory:".to_string())];
    match std::env::var("IDAAS_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => urls.push(("PostgreSQL", url)),
        _ => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED on PostgreSQL: set IDAAS_TEST_POSTGRES_URL to run it"
            );
        }
    }
    let mut pools = Vec::new();
    for (engine, url) in urls {
        // One connection, so that the temporary table is visible to every query.
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        sqlx::query(
            "CREATE TEMPORARY TABLE paging_rows (tenant_id TEXT NOT NULL, row_id TEXT NOT NULL, \
             created_at BIGINT NOT NULL, kind BIGINT NOT NULL)",
        )
        .execute(&pool)
        .await
        .unwrap();
        for i in (0..25i64).rev() {
            insert(&pool, "t1", &format!("r{i:02}"), i / 3, i % 2).await;
        }
        insert(&pool, "t2", "r00", 0, 0).await;
        pools.push((engine, pool));
    }
    pools
}

async fn insert(pool: &AnyPool, tenant: &str, id: &str, created_at: i64, kind: i64) {
    sqlx::query(
        "INSERT INTO paging_rows (tenant_id, row_id, created_at, kind) VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant)
    .bind(id)
    .bind(created_at)
    .bind(kind)
    .execute(pool)
    .await
    .unwrap();
}

async fn ids(pool: &AnyPool, tenant: &str, request: PageRequest) -> Page<String> {
    Listing::of("paging_rows", "row_id")
        .filter("tenant_id = $1")
        .bind(tenant)
        .order_by("created_at", "row_id")
        .fetch(pool, request, |row| Ok(row.try_get("row_id")?))
        .await
        .unwrap()
}

fn numbered(range: std::ops::Range<i64>) -> Vec<String> {
    range.map(|i| format!("r{i:02}")).collect()
}

#[tokio::test]
async fn an_empty_list_is_an_empty_page_with_total_zero() {
    for (engine, pool) in databases().await {
        let page = ids(&pool, "nobody", PageRequest::page_index(0, 10).unwrap()).await;
        assert_eq!(
            (page.items.len(), page.total, page.pages()),
            (0, 0, 0),
            "{engine}"
        );
    }
}

#[tokio::test]
async fn pages_follow_the_order_and_the_last_one_is_partial() {
    for (engine, pool) in databases().await {
        let mut seen = Vec::new();
        for index in 0..3 {
            let page = ids(&pool, "t1", PageRequest::page_index(index, 10).unwrap()).await;
            assert_eq!(page.total, 25, "{engine}");
            assert_eq!(page.pages(), 3, "{engine}");
            seen.extend(page.items);
        }
        assert_eq!(seen, numbered(0..25), "{engine}: every row once, in order");
        let last = ids(&pool, "t1", PageRequest::page_number(3, 10).unwrap()).await;
        assert_eq!(last.items, numbered(20..25), "{engine}");
    }
}

#[tokio::test]
async fn a_page_beyond_the_end_is_empty_and_keeps_the_total() {
    for (engine, pool) in databases().await {
        for request in [
            PageRequest::page_index(3, 10).unwrap(),
            PageRequest::rows(25, 1).unwrap(),
            PageRequest::page_index(i64::MAX / MAX_LIMIT - 1, MAX_LIMIT).unwrap(),
        ] {
            let page = ids(&pool, "t1", request).await;
            assert!(page.items.is_empty(), "{engine}: {request:?}");
            assert_eq!((page.total, page.request), (25, request), "{engine}");
        }
    }
}

#[tokio::test]
async fn rows_start_where_asked_even_inside_a_page() {
    for (engine, pool) in databases().await {
        let page = ids(&pool, "t1", PageRequest::rows(3, 4).unwrap()).await;
        assert_eq!(page.items, numbered(3..7), "{engine}");
        let tail = ids(&pool, "t1", PageRequest::rows(24, MAX_LIMIT).unwrap()).await;
        assert_eq!(tail.items, numbered(24..25), "{engine}");
    }
}

#[tokio::test]
async fn the_filter_binds_text_and_numbers_and_the_count_uses_it() {
    for (engine, pool) in databases().await {
        let page = Listing::of("paging_rows", "row_id, kind")
            .filter("tenant_id = $1 AND kind = $2")
            .bind("t1".to_string())
            .bind(1)
            .order_by("created_at DESC", "row_id DESC")
            .fetch(&pool, PageRequest::page_index(0, 10).unwrap(), |row| {
                Ok((row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?))
            })
            .await
            .unwrap();
        assert_eq!(page.total, 12, "{engine}: the odd rows of t1");
        let expected: Vec<(String, i64)> = (1..24)
            .rev()
            .step_by(2)
            .map(|i| (format!("r{i:02}"), 1))
            .collect();
        assert_eq!(page.items, expected[..10], "{engine}");
    }
}
