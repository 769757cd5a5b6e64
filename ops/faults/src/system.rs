//! Faults injected through the operating system (root only): a size-limited tmpfs that can be
//! filled and grown, and a private PostgreSQL cluster (Debian's `pg_createcluster`) that can be
//! stopped and started. Both are undone when dropped: the tmpfs unmounted, the cluster dropped.
//! The shared cluster is never touched.

use std::fs::File;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context as _};

/// Runs a command to completion; its output on failure.
pub fn run(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running {program}"))?;
    if !output.status.success() {
        bail!(
            "{program} {} failed ({}): {}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout).trim(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs a blocking command off the async runtime.
pub async fn run_blocking(program: &'static str, args: Vec<String>) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run(program, &args)
    })
    .await
    .context("joining a command")?
}

/// A tmpfs mounted on a directory, unmounted when dropped.
pub struct Tmpfs {
    pub path: PathBuf,
}

impl Tmpfs {
    pub fn mount(path: &Path, size_mib: u64) -> anyhow::Result<Self> {
        let target = path.to_string_lossy().into_owned();
        let size = format!("size={size_mib}m");
        run(
            "mount",
            &["-t", "tmpfs", "-o", &size, "idaas-faults", &target],
        )?;
        Ok(Self {
            path: path.to_path_buf(),
        })
    }

    /// Changes its size in place (`mount -o remount,size=…`).
    pub fn resize(&self, size_mib: u64) -> anyhow::Result<()> {
        let target = self.path.to_string_lossy().into_owned();
        run(
            "mount",
            &["-o", &format!("remount,size={size_mib}m"), &target],
        )?;
        Ok(())
    }

    /// Fills the file system with `name` until it is full, then frees `leave` bytes of it.
    pub fn fill(&self, name: &str, leave: u64) -> anyhow::Result<u64> {
        let path = self.path.join(name);
        let mut file = File::create(&path).with_context(|| format!("creating {name}"))?;
        let chunk = vec![0x5a_u8; 64 * 1024];
        let mut written: u64 = 0;
        loop {
            match file.write(&chunk) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.kind() == ErrorKind::StorageFull => break,
                Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                Err(e) => return Err(e).context("filling the tmpfs"),
            }
        }
        let kept = written.saturating_sub(leave);
        file.set_len(kept).context("freeing space in the tmpfs")?;
        file.sync_all().ok();
        Ok(kept)
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let target = self.path.to_string_lossy().into_owned();
        if run("umount", &[&target]).is_err() {
            // Something still holds it: detach it now, it goes when released.
            if let Err(e) = run("umount", &["-l", &target]) {
                eprintln!("could not unmount {target}: {e:#}");
            }
        }
    }
}

/// A private PostgreSQL cluster on its own port, trusting local connections; dropped (stopped
/// and removed) when this is dropped.
pub struct PrivateCluster {
    pub version: String,
    pub name: String,
    pub port: u16,
}

impl PrivateCluster {
    /// `pg_createcluster <version> <name> -p <port> -- --auth=trust`, then starts it.
    pub async fn create(version: &str, port: u16) -> anyhow::Result<Self> {
        let random = uuid::Uuid::new_v4().simple().to_string();
        let cluster = Self {
            version: version.to_string(),
            name: format!("idaasfaults{}", &random[..8]),
            port,
        };
        let args = vec![
            cluster.version.clone(),
            cluster.name.clone(),
            "-p".into(),
            port.to_string(),
            "--".into(),
            "--auth=trust".into(),
            // The new cluster is thrown away after the run: no need to wait for its files on disk.
            "--no-sync".into(),
        ];
        if let Err(e) = run_blocking("pg_createcluster", args).await {
            // It may exist half-made: the guard removes whatever there is.
            drop(cluster);
            return Err(e);
        }
        cluster.start().await?;
        Ok(cluster)
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn args(&self, action: &str) -> Vec<String> {
        vec![self.version.clone(), self.name.clone(), action.to_string()]
    }

    pub async fn start(&self) -> anyhow::Result<()> {
        run_blocking("pg_ctlcluster", self.args("start")).await?;
        Ok(())
    }

    /// Stops it the hard way (`-m immediate`: no checkpoint, connections cut).
    pub async fn stop_immediately(&self) -> anyhow::Result<()> {
        let mut args = vec!["--mode=immediate".to_string()];
        args.extend(self.args("stop"));
        run_blocking("pg_ctlcluster", args).await?;
        Ok(())
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let args = ["--stop", self.version.as_str(), self.name.as_str()];
        if let Err(e) = run("pg_dropcluster", &args) {
            eprintln!(
                "could not drop cluster {} {}: {e:#}",
                self.version, self.name
            );
        }
    }
}
