//! Many rows in few statements (ops/adr/0030, 0034): the writer's batches insert the events,
//! the audit trail and request metadata together at the batch's end. A
//! statement holds at most `MOST_ROWS` rows.

use sqlx::{Any, Encode, Type};

use crate::statements::{Statements, Values};

/// The most rows one statement inserts.
pub const MOST_ROWS: usize = 64;

/// How `count` rows are split into statements: as many `MOST_ROWS` as fit, then the rest
/// (150 → 64, 64, 22).
pub fn chunk_sizes(count: usize) -> Vec<usize> {
    let mut sizes = vec![MOST_ROWS; count / MOST_ROWS];
    if !count.is_multiple_of(MOST_ROWS) {
        sizes.push(count % MOST_ROWS);
    }
    sizes
}

/// `INSERT INTO <table> (<columns>) VALUES ($1, $2), ($3, $4), …` for `rows` rows of the
/// columns, whose values are bound row after row. On SQLite the parameters are anonymous
/// (`?, ?`): SQLite finds a numbered parameter's name by a walk through the statement's list of
/// names, and sqlx asks for every parameter's name when it binds, so a statement of a few
/// hundred numbered parameters costs a walk quadratic in their count.
pub fn insert_sql(table: &str, columns: &[&str], rows: usize, anonymous: bool) -> String {
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        tuples(columns.len(), rows, anonymous)
    )
}

/// `($1, $2), ($3, $4), …`: `rows` tuples of `width` parameters, bound row after row
/// (anonymous, `(?, ?)`, for SQLite: see `insert_sql`).
pub fn tuples(width: usize, rows: usize, anonymous: bool) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(rows * width * if anonymous { 3 } else { 6 });
    for row in 0..rows {
        if row > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for column in 1..=width {
            if column > 1 {
                out.push_str(", ");
            }
            match anonymous {
                true => out.push('?'),
                false => {
                    let _ = write!(out, "${}", row * width + column);
                }
            }
        }
        out.push(')');
    }
    out
}

/// One row of an insert being built: its values are bound in the order of the columns.
pub struct Insert<'v>(&'v mut Values);

impl Insert<'_> {
    /// Binds the row's next value.
    pub fn bind<T>(self, value: T) -> Self
    where
        T: Encode<'static, Any> + Type<Any> + Send + 'static,
    {
        self.0.bind(value);
        self
    }
}

/// Inserts `rows` into `table`, many to a statement: `bind` binds one row's values, in the
/// order of `columns`. On SQLite the statements are gathered with the batch's others
/// (`Statements`), whose script is kept prepared by its text (ops/adr/0030, 0035). On
/// PostgreSQL each shape (one per row count) is kept prepared on the connection (the writer's
/// keeps up to 1,024): a statement prepared for one use costs a second round trip to the
/// server and a parse there (ops/adr/0033).
pub async fn insert_all<R>(
    out: &mut Statements<'_>,
    table: &str,
    columns: &[&str],
    rows: &[R],
    bind: impl for<'v> Fn(Insert<'v>, &R) -> Insert<'v>,
) -> anyhow::Result<()> {
    let anonymous = out.gathers();
    let mut rest = rows;
    for size in chunk_sizes(rows.len()) {
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let mut sql = insert_sql(table, columns, size, anonymous);
        if anonymous {
            // A SQLite statement that may stop half-way (a key refused on its tenth row) keeps a
            // journal of every page it changes, to undo itself: pages written twice. `OR FAIL`
            // keeps what it wrote before stopping instead; whatever stops a batch's statement
            // rolls the batch back (ops/adr/0035).
            sql = sql.replacen("INSERT INTO", "INSERT OR FAIL INTO", 1);
        }
        out.push_written(&sql, |values| {
            for row in chunk {
                bind(Insert(values), row);
            }
        })
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_split_into_full_statements_and_the_rest() {
        assert_eq!(chunk_sizes(0), Vec::<usize>::new());
        assert_eq!(chunk_sizes(1), vec![1]);
        assert_eq!(chunk_sizes(13), vec![13]);
        assert_eq!(chunk_sizes(64), vec![64]);
        assert_eq!(chunk_sizes(200), vec![64, 64, 64, 8]);
        for count in 0..300 {
            assert_eq!(chunk_sizes(count).iter().sum::<usize>(), count);
        }
    }

    #[test]
    fn numbers_the_parameters_row_after_row() {
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, false),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
        assert_eq!(
            insert_sql("t", &["a", "b"], 2, true),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"
        );
        assert_eq!(tuples(3, 2, false), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(tuples(1, 1, true), "(?)");
        assert_eq!(tuples(2, 0, false), "");
    }
}
