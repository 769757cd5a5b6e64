//! Paged lists: which rows a surface asks for ([`PageRequest`], one constructor per paging
//! convention), the rows it gets back with the total that matched ([`Page`]), and the one query
//! that runs the filtered count and the page over either engine ([`Listing`]).
//!
//! The conventions the surfaces use: OneAccess sends `offset` as a zero-based page index
//! (specs/oneaccess.md §1.5), Inspur a one-based `pageNo` (specs/inspur-idaas.md §1.5), Hainan a
//! one-based `pageNum` (specs/oneaccess-sdk-and-hainan-uaa.md §2). Each surface checks its own
//! documented bounds and shapes its own envelope; this module only guarantees that a request it
//! accepts addresses rows that exist in an `i64`.

use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// The most rows one page may hold (Inspur suggests 1000; OneAccess and Hainan stop at 100).
pub const MAX_LIMIT: i64 = 1000;

/// A page request that cannot be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("a page holds 1 to {MAX_LIMIT} rows, not {0}")]
    Size(i64),
    #[error("a page cannot start before the first row")]
    BeforeFirst,
    #[error("a page cannot end beyond the last addressable row")]
    Overflow,
}

/// Which rows to return: `limit` rows after skipping `offset_rows`. Only the constructors make
/// one, so every request has `1 <= limit <= MAX_LIMIT`, `offset_rows >= 0` and
/// `offset_rows + limit` representable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    offset_rows: i64,
    limit: i64,
}

impl PageRequest {
    /// `limit` rows after skipping `offset` rows.
    pub fn rows(offset: i64, limit: i64) -> Result<Self, PageError> {
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(PageError::Size(limit));
        }
        if offset < 0 {
            return Err(PageError::BeforeFirst);
        }
        offset.checked_add(limit).ok_or(PageError::Overflow)?;
        Ok(Self {
            offset_rows: offset,
            limit,
        })
    }

    /// The page at zero-based `index` of pages of `size` rows (OneAccess `offset`/`limit`).
    pub fn page_index(index: i64, size: i64) -> Result<Self, PageError> {
        if !(1..=MAX_LIMIT).contains(&size) {
            return Err(PageError::Size(size));
        }
        if index < 0 {
            return Err(PageError::BeforeFirst);
        }
        Self::rows(index.checked_mul(size).ok_or(PageError::Overflow)?, size)
    }

    /// The page numbered `number` from 1 of pages of `size` rows (Inspur `pageNo`, Hainan
    /// `pageNum`).
    pub fn page_number(number: i64, size: i64) -> Result<Self, PageError> {
        if number < 1 {
            return Err(PageError::BeforeFirst);
        }
        Self::page_index(number - 1, size)
    }

    /// Rows skipped before the page.
    pub fn offset_rows(&self) -> i64 {
        self.offset_rows
    }

    /// Rows on a full page.
    pub fn limit(&self) -> i64 {
        self.limit
    }

    /// The zero-based index of the page (of a request made by rows, the page its first row is on).
    pub fn index(&self) -> i64 {
        self.offset_rows / self.limit
    }

    /// The page number counted from 1.
    pub fn number(&self) -> i64 {
        self.index() + 1
    }
}

/// One page of a list: its rows in list order, how many rows the whole list has, and the
/// request that chose them (for envelopes that echo it).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub request: PageRequest,
}

impl<T> Page<T> {
    /// The same page with each row turned into another shape.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            request: self.request,
        }
    }

    /// The same page with other rows in its place (rows built with further reads).
    pub fn with_items<U>(self, items: Vec<U>) -> Page<U> {
        Page {
            items,
            total: self.total,
            request: self.request,
        }
    }

    /// How many pages of this size the list fills (the last may be partial); 0 for no rows.
    pub fn pages(&self) -> i64 {
        let limit = self.request.limit;
        self.total / limit + i64::from(self.total % limit != 0)
    }
}

/// A value bound to one of a listing's `$n` placeholders.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Text(String),
    Integer(i64),
}

impl From<&str> for Param {
    fn from(value: &str) -> Self {
        Self::Text(value.to_string())
    }
}

impl From<String> for Param {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<i64> for Param {
    fn from(value: i64) -> Self {
        Self::Integer(value)
    }
}

/// A paged list over one table: the filter, its bindings and the order; [`Listing::fetch`]
/// counts the matching rows and reads the requested page, with the same SQL on both engines.
#[derive(Debug, Clone)]
pub struct Listing<'a> {
    table: &'a str,
    columns: &'a str,
    filter: String,
    params: Vec<Param>,
    order: String,
}

impl<'a> Listing<'a> {
    /// `SELECT {columns} FROM {table}`.
    pub fn of(table: &'a str, columns: &'a str) -> Self {
        Self {
            table,
            columns,
            filter: String::new(),
            params: Vec::new(),
            order: String::new(),
        }
    }

    /// The `WHERE` condition; `$1`, `$2`, … are the bound values in the order they are bound.
    pub fn filter(mut self, condition: impl Into<String>) -> Self {
        self.filter = condition.into();
        self
    }

    pub fn bind(mut self, value: impl Into<Param>) -> Self {
        self.params.push(value.into());
        self
    }

    /// `ORDER BY {keys}, {tie_breaker}`: the tie breaker is a column unique among the filtered
    /// rows, so that the order is total and consecutive pages neither repeat nor skip a row.
    pub fn order_by(mut self, keys: &str, tie_breaker: &str) -> Self {
        self.order = format!("{keys}, {tie_breaker}");
        self
    }

    /// The matching rows' count and the requested page, each row read by `row`. A page past
    /// the end is empty and still carries the total.
    pub async fn fetch<T>(
        self,
        pool: &AnyPool,
        request: PageRequest,
        row: impl Fn(&AnyRow) -> anyhow::Result<T>,
    ) -> anyhow::Result<Page<T>> {
        anyhow::ensure!(
            !self.filter.is_empty() && !self.order.is_empty(),
            "a listing of {} needs a filter and an order",
            self.table
        );
        let Listing {
            table,
            columns,
            filter,
            params,
            order,
        } = self;
        let count_sql = format!("SELECT COUNT(*) FROM {table} WHERE {filter}");
        let total: i64 = bound(sqlx::query(&count_sql), &params)
            .fetch_one(pool)
            .await?
            .try_get(0)?;
        if request.offset_rows >= total {
            return Ok(Page {
                items: Vec::new(),
                total,
                request,
            });
        }
        let page_sql = format!(
            "SELECT {columns} FROM {table} WHERE {filter} ORDER BY {order} LIMIT ${} OFFSET ${}",
            params.len() + 1,
            params.len() + 2
        );
        let items = bound(sqlx::query(&page_sql), &params)
            .bind(request.limit)
            .bind(request.offset_rows)
            .fetch_all(pool)
            .await?
            .iter()
            .map(row)
            .collect::<anyhow::Result<Vec<T>>>()?;
        Ok(Page {
            items,
            total,
            request,
        })
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bound<'q>(mut query: AnyQuery<'q>, params: &'q [Param]) -> AnyQuery<'q> {
    for param in params {
        query = match param {
            Param::Text(text) => query.bind(text.as_str()),
            Param::Integer(number) => query.bind(*number),
        };
    }
    query
}

#[cfg(test)]
mod tests;
