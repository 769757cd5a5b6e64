//! Where the writer's statements go (ops/adr/0035). On SQLite they are gathered into one script,
//! which SQLite's thread runs in a single hand-off (sqlx runs the statements of a string one after
//! another, binding anonymous parameters in order across them): a batch of management tokens was
//! nine hand-offs between the writer's thread and SQLite's, and their waits were a third of the
//! batch's time. A script is kept prepared by its text in sqlx's statement cache (100 per
//! connection), so a batch of the same shape as an earlier one is not parsed again: parsing was
//! 14 % of SQLite's thread under management tokens. On PostgreSQL each statement is sent at once
//! and kept prepared (ops/adr/0033).
//!
//! Whatever reads (a guard, a version check, the audit trail's previous values) first runs what is
//! gathered, through `conn`.

use anyhow::Context;
use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, Arguments, Encode, Type};

/// The values of one statement (or, on SQLite, of a whole script), bound in order.
#[derive(Default)]
pub struct Values {
    arguments: AnyArguments<'static>,
    /// The first value that could not be encoded, reported when the statement runs.
    refused: Option<String>,
}

impl Values {
    /// Binds the next value.
    pub fn bind<T>(&mut self, value: T) -> &mut Self
    where
        T: Encode<'static, Any> + Type<Any> + Send + 'static,
    {
        if let Err(error) = self.arguments.add(value) {
            self.refused.get_or_insert(error.to_string());
        }
        self
    }
}

/// The statements of one step of a batch.
pub struct Statements<'c> {
    conn: &'c mut AnyConnection,
    /// SQLite: what is gathered and not yet run.
    script: Option<Script>,
}

#[derive(Default)]
struct Script {
    sql: String,
    values: Values,
}

impl<'c> Statements<'c> {
    /// Statements on `conn`: gathered on SQLite, sent one by one on PostgreSQL.
    pub fn on(conn: &'c mut AnyConnection) -> Self {
        let gathers = conn.backend_name() == "SQLite";
        Self {
            conn,
            script: gathers.then(Script::default),
        }
    }

    /// Whether statements are gathered (SQLite), so their parameters are written anonymously
    /// (`?`): a numbered one would name a value of the whole script.
    pub fn gathers(&self) -> bool {
        self.script.is_some()
    }

    /// Runs `sql` (written with numbered parameters, `$1`, `$2`, … each once and in order) with
    /// the values `bind` gives, or gathers it.
    pub async fn push(&mut self, sql: &str, bind: impl FnOnce(&mut Values)) -> anyhow::Result<()> {
        match self.gathers() {
            true => self.push_written(&anonymous(sql)?, bind).await,
            false => self.push_written(sql, bind).await,
        }
    }

    /// Gathers `sql` as written (its parameters anonymous where `gathers`), or runs it.
    pub(crate) async fn push_written(
        &mut self,
        sql: &str,
        bind: impl FnOnce(&mut Values),
    ) -> anyhow::Result<()> {
        match &mut self.script {
            Some(script) => {
                script.sql.push_str(sql);
                script.sql.push_str(";\n");
                bind(&mut script.values);
                Ok(())
            }
            None => {
                let mut values = Values::default();
                bind(&mut values);
                run(self.conn, sql, values).await
            }
        }
    }

    /// Runs what is gathered.
    pub async fn send(&mut self) -> anyhow::Result<()> {
        match self.script.take() {
            Some(script) if !script.sql.is_empty() => {
                self.script = Some(Script::default());
                run(self.conn, &script.sql, script.values).await
            }
            script => {
                self.script = script;
                Ok(())
            }
        }
    }

    /// The connection, for a read: what is gathered runs first, so the read sees it.
    pub async fn conn(&mut self) -> anyhow::Result<&mut AnyConnection> {
        self.send().await?;
        Ok(self.conn)
    }
}

/// Runs `sql` with `values`, kept prepared (sqlx's default).
async fn run(conn: &mut AnyConnection, sql: &str, values: Values) -> anyhow::Result<()> {
    if let Some(refused) = values.refused {
        anyhow::bail!("a value could not be bound: {refused}");
    }
    sqlx::query_with(sql, values.arguments)
        .execute(conn)
        .await
        .context("running the batch's statements")?;
    Ok(())
}

/// `sql` with its numbered parameters (`$1`, `$2`, …, each once and in order) made anonymous
/// (`?`), as a script's statements need them.
fn anonymous(sql: &str) -> anyhow::Result<String> {
    let mut out = String::with_capacity(sql.len());
    let mut next = 1usize;
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '$' || !chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) {
            out.push(c);
            continue;
        }
        let mut number = 0usize;
        while let Some((_, d)) = chars.peek().copied().filter(|(_, d)| d.is_ascii_digit()) {
            number = number * 10 + d.to_digit(10).unwrap_or_default() as usize;
            chars.next();
        }
        if number != next {
            anyhow::bail!("parameter ${number} is not the next one (${next}) in: {sql}");
        }
        next += 1;
        out.push('?');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_parameters_in_order_become_anonymous() {
        assert_eq!(
            anonymous("UPDATE t SET a = $1 WHERE b = $2 AND c = $3").unwrap(),
            "UPDATE t SET a = ? WHERE b = ? AND c = ?"
        );
        assert_eq!(anonymous("SELECT '$' || x").unwrap(), "SELECT '$' || x");
    }

    #[test]
    fn a_parameter_out_of_order_or_used_twice_is_refused() {
        assert!(anonymous("SELECT $2, $1").is_err());
        assert!(anonymous("SELECT $1, $1").is_err());
    }

    async fn memory() -> AnyConnection {
        sqlx::any::install_default_drivers();
        <AnyConnection as sqlx::Connection>::connect("sqlite::memory:")
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn gathered_statements_run_together_with_their_values_in_order() {
        let mut conn = memory().await;
        sqlx::query("CREATE TABLE t (a BIGINT, b TEXT)")
            .execute(&mut conn)
            .await
            .unwrap();
        let mut out = Statements::on(&mut conn);
        assert!(out.gathers());
        out.push("INSERT INTO t (a, b) VALUES ($1, $2)", |v| {
            v.bind(1i64).bind("one".to_string());
        })
        .await
        .unwrap();
        out.push("UPDATE t SET b = $1 WHERE a = $2", |v| {
            v.bind("uno".to_string()).bind(1i64);
        })
        .await
        .unwrap();
        out.push("INSERT INTO t (a, b) VALUES ($1, $2)", |v| {
            v.bind(2i64).bind("two".to_string());
        })
        .await
        .unwrap();
        let read: Vec<(i64, String)> = sqlx::query_as("SELECT a, b FROM t ORDER BY a")
            .fetch_all(out.conn().await.unwrap())
            .await
            .unwrap();
        assert_eq!(read, vec![(1, "uno".to_string()), (2, "two".to_string())]);
    }

    #[tokio::test]
    async fn a_failing_statement_stops_the_script_there() {
        let mut conn = memory().await;
        sqlx::query("CREATE TABLE t (a BIGINT PRIMARY KEY)")
            .execute(&mut conn)
            .await
            .unwrap();
        let mut out = Statements::on(&mut conn);
        for a in [1i64, 1, 2] {
            out.push("INSERT INTO t (a) VALUES ($1)", |v| {
                v.bind(a);
            })
            .await
            .unwrap();
        }
        assert!(out.send().await.is_err());
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t")
            .fetch_one(out.conn().await.unwrap())
            .await
            .unwrap();
        assert_eq!(count, 1, "the statement after the failing one did not run");
    }
}
