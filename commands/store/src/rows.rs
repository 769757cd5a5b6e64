//! Many rows in few statements (ops/adr/0030): the writer's batches insert the rows of their
//! audit trail and request metadata together at the batch's end. A statement holds at most
//! `MOST_ROWS` rows, and its row count is a power of two, so that only a handful of statement
//! shapes are ever prepared.

/// The most rows one statement inserts.
pub const MOST_ROWS: usize = 64;

/// How `count` rows are split into statements: as many `MOST_ROWS` as fit, then the powers of
/// two of the rest, largest first (13 → 8, 4, 1).
pub fn chunk_sizes(count: usize) -> Vec<usize> {
    let mut sizes = vec![MOST_ROWS; count / MOST_ROWS];
    let rest = count % MOST_ROWS;
    let mut size = MOST_ROWS / 2;
    while size > 0 {
        if rest & size != 0 {
            sizes.push(size);
        }
        size /= 2;
    }
    sizes
}

/// `INSERT INTO <table> (<columns>) VALUES ($1, $2), ($3, $4), …` for `rows` rows of the
/// columns, whose values are bound row after row.
pub fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    let width = columns.len();
    let values: Vec<String> = (0..rows)
        .map(|row| {
            let params: Vec<String> = (1..=width)
                .map(|column| format!("${}", row * width + column))
                .collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values.join(", ")
    )
}

/// A statement being built, to which `insert_all`'s caller binds one row's values.
pub type Insert<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Inserts `rows` into `table`, many to a statement: `bind` binds one row's values, in the
/// order of `columns`.
pub async fn insert_all<R>(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[R],
    bind: impl for<'q> Fn(Insert<'q>, &'q R) -> Insert<'q>,
) -> anyhow::Result<()> {
    let mut rest = rows;
    for size in chunk_sizes(rows.len()) {
        let (chunk, after) = rest.split_at(size);
        rest = after;
        let sql = insert_sql(table, columns, size);
        let mut insert = sqlx::query(&sql);
        for row in chunk {
            insert = bind(insert, row);
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_split_into_powers_of_two_that_add_up() {
        assert_eq!(chunk_sizes(0), Vec::<usize>::new());
        assert_eq!(chunk_sizes(1), vec![1]);
        assert_eq!(chunk_sizes(13), vec![8, 4, 1]);
        assert_eq!(chunk_sizes(64), vec![64]);
        assert_eq!(chunk_sizes(200), vec![64, 64, 64, 8]);
        for count in 0..300 {
            assert_eq!(chunk_sizes(count).iter().sum::<usize>(), count);
        }
    }

    #[test]
    fn numbers_the_parameters_row_after_row() {
        assert_eq!(
            insert_sql("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
