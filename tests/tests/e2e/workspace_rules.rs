//! The workspace's dependency rules, read from `cargo metadata` (direct dependencies of every
//! kind): the HTTP surfaces stand side by side over the use cases, never on each other or on the
//! store; the use cases know no HTTP; the domain knows no database, runtime or HTTP.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The surface crates named by the layering; any other package under `api/` is one too, except
/// these directories (shared HTTP plumbing, XML signatures, the binary that assembles them).
const SURFACES: [&str; 4] = ["idaas-oneaccess", "idaas-sso", "idaas-admin", "idaas-audit"];
const NOT_SURFACES: [&str; 3] = ["api/http", "api/xml-dsig", "api/server"];

/// The crates whose source files are kept short.
const SHORT_FILES_IN: [&str; 6] = [
    "api/oneaccess",
    "api/sso",
    "api/admin",
    "api/audit",
    "api/http",
    "commands/usecases",
];
const MAX_LINES: usize = 400;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate is inside the workspace")
        .to_path_buf()
}

struct Package {
    /// Relative to the workspace root, e.g. `api/sso`.
    dir: String,
    /// Package names of its direct dependencies, with their kind (`normal`, `dev`, `build`).
    dependencies: Vec<(String, String)>,
}

/// Every package of the workspace, by package name.
fn packages() -> BTreeMap<String, Package> {
    let root = workspace_root();
    let output = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("cargo metadata JSON");
    let root = Path::new(metadata["workspace_root"].as_str().expect("workspace_root")).to_owned();
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|package| {
            let manifest = Path::new(package["manifest_path"].as_str().expect("manifest_path"));
            let dir = manifest
                .parent()
                .and_then(|dir| dir.strip_prefix(&root).ok())
                .expect("a workspace package")
                .to_string_lossy()
                .replace('\\', "/");
            let dependencies = package["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .map(|dependency| {
                    (
                        dependency["name"].as_str().expect("name").to_owned(),
                        dependency["kind"].as_str().unwrap_or("normal").to_owned(),
                    )
                })
                .collect();
            let name = package["name"].as_str().expect("name").to_owned();
            (name, Package { dir, dependencies })
        })
        .collect()
}

/// `package`'s direct dependencies that `forbidden` picks, as `package -> dependency (kind)`.
fn violations(
    packages: &BTreeMap<String, Package>,
    package: &str,
    forbidden: impl Fn(&str) -> bool,
) -> Vec<String> {
    let found = packages
        .get(package)
        .unwrap_or_else(|| panic!("no package {package} in the workspace"));
    found
        .dependencies
        .iter()
        .filter(|(name, _)| forbidden(name))
        .map(|(name, kind)| format!("{package} -> {name} ({kind})"))
        .collect()
}

/// The crates of the layering, by directory.
const LAYERING: [&str; 9] = [
    "commands/store",
    "commands/usecases",
    "api/http",
    "api/xml-dsig",
    "api/server",
    "api/oneaccess",
    "api/sso",
    "api/admin",
    "api/audit",
];

#[test]
fn the_crates_of_the_layering_exist_where_expected() {
    let root = workspace_root();
    let missing: Vec<&str> = LAYERING
        .into_iter()
        .filter(|dir| !root.join(dir).join("Cargo.toml").is_file())
        .collect();
    assert!(missing.is_empty(), "no Cargo.toml in {missing:?}");
    let members: Vec<String> = packages().into_values().map(|p| p.dir).collect();
    let outside: Vec<&str> = LAYERING
        .into_iter()
        .filter(|dir| !members.iter().any(|member| member == dir))
        .collect();
    assert!(
        outside.is_empty(),
        "not workspace members: {outside:?} (members: {members:?})"
    );
}

#[test]
fn a_surface_crate_depends_on_no_other_surface_nor_on_the_store_or_sqlx() {
    let packages = packages();
    let surfaces: Vec<&String> = packages
        .iter()
        .filter(|(name, package)| {
            SURFACES.contains(&name.as_str())
                || (package.dir.starts_with("api/")
                    && !NOT_SURFACES.contains(&package.dir.as_str()))
        })
        .map(|(name, _)| name)
        .collect();
    for surface in SURFACES {
        assert!(
            surfaces.iter().any(|s| *s == surface),
            "no surface crate {surface} in the workspace"
        );
    }
    let broken: Vec<String> = surfaces
        .iter()
        .flat_map(|surface| {
            violations(&packages, surface, |dependency| {
                dependency == "idaas-store"
                    || dependency == "sqlx"
                    || (dependency != surface.as_str()
                        && surfaces.iter().any(|other| *other == dependency))
            })
        })
        .collect();
    assert!(
        broken.is_empty(),
        "surface crates depend on another surface, the store or sqlx:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_use_cases_know_no_axum_hyper_or_tower() {
    let broken = violations(&packages(), "idaas-usecases", |dependency| {
        dependency == "axum"
            || dependency.starts_with("axum-")
            || dependency == "hyper"
            || dependency.starts_with("hyper-")
            || dependency == "tower"
            || dependency.starts_with("tower-")
    });
    assert!(
        broken.is_empty(),
        "the use cases depend on HTTP server crates:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_domain_knows_no_database_runtime_or_http() {
    let broken = violations(&packages(), "idaas-domain", |dependency| {
        ["sqlx", "tokio", "axum", "reqwest", "hyper"].contains(&dependency)
            || dependency.starts_with("sqlx-")
            || dependency.starts_with("tokio-")
            || dependency.starts_with("axum-")
            || dependency.starts_with("hyper-")
    });
    assert!(
        broken.is_empty(),
        "the domain depends on infrastructure crates:\n{}",
        broken.join("\n")
    );
}

/// Whether a file is test code: a `tests.rs`, a `*_tests.rs`/`*_test.rs`, or under `tests/` or
/// `benches/`.
fn is_test_file(relative: &Path) -> bool {
    let name = relative
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name == "tests.rs"
        || name.ends_with("_tests.rs")
        || name.ends_with("_test.rs")
        || relative
            .components()
            .any(|c| c.as_os_str() == "tests" || c.as_os_str() == "benches")
}

/// The lines of a source file before its `#[cfg(test)]` module, if it has one at the top level.
fn non_test_lines(text: &str) -> usize {
    text.lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .count()
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_source_file_of_the_surfaces_or_the_use_cases_is_over_400_lines() {
    let root = workspace_root();
    let mut offenders = Vec::new();
    for crate_dir in SHORT_FILES_IN {
        let mut files = Vec::new();
        rust_files(&root.join(crate_dir), &mut files);
        for file in files {
            let relative = file.strip_prefix(&root).expect("inside the workspace");
            if is_test_file(relative.strip_prefix(crate_dir).unwrap_or(relative)) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("readable source");
            let lines = non_test_lines(&text);
            if lines > MAX_LINES {
                offenders.push((lines, relative.display().to_string()));
            }
        }
    }
    offenders.sort_by(|a, b| b.cmp(a));
    assert!(
        offenders.is_empty(),
        "{} files are over {MAX_LINES} lines (not counting a #[cfg(test)] module at the end):\n{}",
        offenders.len(),
        offenders
            .iter()
            .map(|(lines, file)| format!("{lines:>6}  {file}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The JSON surfaces, whose routes are declared with their OpenAPI description
/// (`utoipa_axum::routes!`, ops/adr/0021).
const DESCRIBED_IN: [&str; 6] = [
    "api/admin/src",
    "api/audit/src",
    "api/oneaccess/src",
    "api/inspur/src",
    "api/hainan/src",
    "api/sso/src/oauth",
];

/// Files that may route without `routes!`, and why.
const ROUTED_BY_HAND: [(&str, &str); 1] = [(
    "api/hainan/src/lib.rs",
    "every method reaches the dispatcher, which answers a wrong one in the envelope; the \
     description lists each API name from the dispatcher table",
)];

/// Every route of a JSON surface is described: no plain axum `.route(` outside `ROUTED_BY_HAND`.
#[test]
fn json_surfaces_route_only_described_handlers() {
    let root = workspace_root();
    let mut offenders = Vec::new();
    for dir in DESCRIBED_IN {
        let mut files = Vec::new();
        rust_files(&root.join(dir), &mut files);
        for file in files {
            let relative = file.strip_prefix(&root).expect("inside the workspace");
            let name = relative.display().to_string();
            if is_test_file(relative) || ROUTED_BY_HAND.iter().any(|(f, _)| *f == name) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("readable source");
            for (number, line) in text.lines().enumerate() {
                if line.contains(".route(") || line.contains("routing::") {
                    offenders.push(format!("{name}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "routes without a description (declare them with utoipa_axum::routes!):\n{}",
        offenders.join("\n")
    );
}
