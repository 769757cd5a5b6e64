//! The configuration's `Debug`: every field by name, its secrets and the database URL's
//! password redacted (ops/adr/0016).

use super::Config;

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Every field by name: a new one does not compile here until someone has decided
        // whether it is a secret.
        let Self {
            listen,
            database_url,
            data_dir,
            master_key,
            utc_offset_minutes,
            bootstrap_client_id,
            bootstrap_client_secret,
            public_https,
            public_url,
            cas_ticket_seconds,
            cas_logout_retry_ms,
            cas_http_callbacks,
            database_acquire_timeout_ms,
            sqlite_synchronous,
            limits,
            log_format,
            hainan,
            metrics,
            checkpoints,
            export,
            retention,
            cache,
        } = self;
        f.debug_struct("Config")
            .field("listen", listen)
            .field(
                "database_url",
                &database_url.as_deref().map(without_password),
            )
            .field("data_dir", data_dir)
            .field("master_key", master_key)
            .field("utc_offset_minutes", utc_offset_minutes)
            .field("bootstrap_client_id", bootstrap_client_id)
            .field("bootstrap_client_secret", bootstrap_client_secret)
            .field("public_https", public_https)
            .field("public_url", public_url)
            .field("cas_ticket_seconds", cas_ticket_seconds)
            .field("cas_logout_retry_ms", cas_logout_retry_ms)
            .field("cas_http_callbacks", cas_http_callbacks)
            .field("database_acquire_timeout_ms", database_acquire_timeout_ms)
            .field("sqlite_synchronous", sqlite_synchronous)
            .field("limits", limits)
            .field("log_format", log_format)
            .field("hainan", hainan)
            .field("metrics", metrics)
            .field("checkpoints", checkpoints)
            .field("export", export)
            .field("retention", retention)
            .field("cache", cache)
            .finish()
    }
}

/// A database URL with its password (`user:password@`) and its query (which may carry one)
/// replaced by `[REDACTED]`.
fn without_password(url: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((url, _)) => (url, "?[REDACTED]"),
        None => (url, ""),
    };
    let Some((scheme, rest)) = url.split_once("://") else {
        return format!("{url}{query}");
    };
    let authority_end = rest.find(['/', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            format!("{scheme}://{user}:[REDACTED]@{host}{path}{query}")
        }
        _ => format!("{url}{query}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_keeps_everything_but_its_password() {
        let cases = [
            ("sqlite:///data/idaas.db", "sqlite:///data/idaas.db"),
            ("postgres://idaas@db/idaas", "postgres://idaas@db/idaas"),
            ("postgres://u:p@ss@db/x", "postgres://u:[REDACTED]@db/x"),
            ("postgres://db/x?password=p", "postgres://db/x?[REDACTED]"),
        ];
        for (url, printed) in cases {
            assert_eq!(without_password(url), printed, "{url}");
        }
    }
}
