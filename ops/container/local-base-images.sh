#!/bin/sh
# STAND-IN base images for a machine that has podman but cannot reach any container registry
# (docs/operations.md "Container"). Where `podman pull docker.io/library/rust:1.95-bookworm` works,
# do not use this: pull the real images instead.
#
# It makes, from Debian's package mirror and the host's own Rust toolchain, local images under the
# exact names that Containerfile and compose.yaml use, so both run as written with
# `podman build --pull=never`:
#   docker.io/library/debian:bookworm-slim  debootstrap --variant=minbase bookworm, apt lists and
#                                           caches emptied, no docs/man pages (like the real one)
#   docker.io/library/rust:1.95-bookworm    the same plus build-essential, ca-certificates, curl,
#                                           git, the host's extra CAs (EXTRA_CA_DIR below),
#                                           and the host's Rust toolchain copied to
#                                           /usr/local/rustup and rustup's proxies to
#                                           /usr/local/cargo/bin, with RUSTUP_HOME, CARGO_HOME,
#                                           PATH and RUST_VERSION set as the official image sets
#                                           them. Leaner than the official image (which is built
#                                           on buildpack-deps with many -dev packages), so a
#                                           package the Containerfile forgets shows up here.
#   docker.io/library/postgres:15           (with `postgres` as an argument) Debian's postgresql-15
#                                           on the debian stand-in, with a small entrypoint that
#                                           honours POSTGRES_USER, POSTGRES_PASSWORD and
#                                           POSTGRES_DB on first start and keeps its data in
#                                           /var/lib/postgresql/data, like the official image.
# No stand-in for the OpenTelemetry collector: no registry this script can reach ships its binary.
#
# Run as root (debootstrap and chroot need it), from anywhere:
#   sh ops/container/local-base-images.sh            # debian and rust
#   sh ops/container/local-base-images.sh postgres   # also postgres (after the other two)
# Environment: RUST_TOOLCHAIN (default ~/.rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu),
# RUSTUP_BIN (default ~/.cargo/bin/rustup), DEBIAN_MIRROR (default http://deb.debian.org/debian),
# EXTRA_CA_DIR (default /usr/local/share/ca-certificates: the host's own extra CAs, such as a
# TLS-intercepting proxy's, trusted in the rust stand-in so that cargo can fetch crates),
# WORK (default /var/tmp/idaas-base-images; the rootfs trees, removed at the end, and the .deb
# cache, kept for a second run).
set -eu

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
WORK=${WORK:-/var/tmp/idaas-base-images}
RUST_VERSION=1.95.0
TOOLCHAIN_NAME=$RUST_VERSION-x86_64-unknown-linux-gnu
RUST_TOOLCHAIN=${RUST_TOOLCHAIN:-$HOME/.rustup/toolchains/$TOOLCHAIN_NAME}
RUSTUP_BIN=${RUSTUP_BIN:-$HOME/.cargo/bin/rustup}
SUITE=bookworm

if [ "$(id -u)" != 0 ]; then echo "run as root (debootstrap, chroot)" >&2; exit 1; fi
command -v debootstrap >/dev/null || apt-get install -y debootstrap
mkdir -p "$WORK/debs"

# The apt sources, the dpkg exclusions and the apt cleaning hook of the official slim image.
slim_tweaks() {
  root=$1
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $MIRROR
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'APT::Install-Recommends "false";' >"$root/etc/apt/apt.conf.d/docker-no-recommends"
}

# Empty what a container image should not carry.
clean_rootfs() {
  root=$1
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/root/.cache
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
  find "$root/usr/share/man" "$root/usr/share/info" -mindepth 1 -delete 2>/dev/null || true
  : >"$root/etc/resolv.conf"
  echo localhost >"$root/etc/hostname"
}

# Run a command inside a rootfs with /proc, /sys, /dev and the host's resolver.
in_root() {
  root=$1; shift
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  rc=0
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@" || rc=$?
  umount -R "$root/dev" "$root/sys" "$root/proc"
  return $rc
}

import() {
  root=$1; name=$2; shift 2
  tar --numeric-owner --xattrs -C "$root" -c . | podman import "$@" - "$name"
}

make_debian_and_rust() {
  [ -x "$RUST_TOOLCHAIN/bin/cargo" ] || { echo "no Rust toolchain at $RUST_TOOLCHAIN" >&2; exit 1; }
  "$RUST_TOOLCHAIN/bin/rustc" --version | grep -q "^rustc $RUST_VERSION " \
    || { echo "$RUST_TOOLCHAIN is not rustc $RUST_VERSION" >&2; exit 1; }

  slim=$WORK/slim
  rm -rf "$slim"
  debootstrap --variant=minbase --cache-dir="$WORK/debs" "$SUITE" "$slim" "$MIRROR"
  slim_tweaks "$slim"
  in_root "$slim" sh -c 'apt-get update && apt-get -y upgrade && apt-get clean'
  clean_rootfs "$slim"

  rust=$WORK/rust
  rm -rf "$rust"
  cp -a "$slim" "$rust"
  in_root "$rust" sh -c 'apt-get update && apt-get install -y build-essential ca-certificates curl git && apt-get clean'
  # A host behind a TLS-intercepting proxy trusts the proxy's CA from
  # /usr/local/share/ca-certificates: the build image trusts the same, or cargo cannot fetch
  # crates. EXTRA_CA_DIR= (empty) leaves them out. Only the build image: the runtime image keeps
  # Debian's CAs.
  extra_ca=${EXTRA_CA_DIR-/usr/local/share/ca-certificates}
  if [ -n "$extra_ca" ] && ls "$extra_ca"/*.crt >/dev/null 2>&1; then
    cp "$extra_ca"/*.crt "$rust/usr/local/share/ca-certificates/"
    in_root "$rust" update-ca-certificates
  fi
  clean_rootfs "$rust"
  # The toolchain (without its 800 MB of HTML docs) and rustup, laid out as the official image
  # lays them out: rustup-init --no-modify-path --profile minimal --default-toolchain 1.95.0.
  mkdir -p "$rust/usr/local/rustup/toolchains/$TOOLCHAIN_NAME" "$rust/usr/local/cargo/bin"
  tar -C "$RUST_TOOLCHAIN/" --exclude=./share/doc -c . | tar -C "$rust/usr/local/rustup/toolchains/$TOOLCHAIN_NAME" -x
  cat >"$rust/usr/local/rustup/settings.toml" <<EOF
version = "12"
default_toolchain = "$TOOLCHAIN_NAME"
profile = "minimal"
auto_self_update = "disable"

[overrides]
EOF
  install -m 0755 "$RUSTUP_BIN" "$rust/usr/local/cargo/bin/rustup"
  for proxy in cargo cargo-clippy cargo-fmt clippy-driver rust-gdb rust-gdbgui rust-lldb rustc rustdoc rustfmt; do
    ln -s rustup "$rust/usr/local/cargo/bin/$proxy"
  done
  chmod -R a+w "$rust/usr/local/rustup" "$rust/usr/local/cargo"
  in_root "$rust" sh -c 'export RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH; rustup --version && cargo --version && rustc --version'
  : >"$rust/etc/resolv.conf"

  import "$slim" docker.io/library/debian:bookworm-slim --change 'CMD ["bash"]' \
    --message "stand-in: debootstrap --variant=minbase $SUITE (ops/container/local-base-images.sh)"
  import "$rust" docker.io/library/rust:1.95-bookworm \
    --change 'ENV RUSTUP_HOME=/usr/local/rustup' \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV RUST_VERSION=$RUST_VERSION" \
    --change 'CMD ["bash"]' \
    --message "stand-in: $SUITE + build-essential + host rustc $RUST_VERSION (ops/container/local-base-images.sh)"
  rm -rf "$slim" "$rust"
}

# PostgreSQL 15 from Debian on the debian stand-in, built with podman itself (no network needed
# beyond Debian's mirror).
make_postgres() {
  ctx=$WORK/postgres
  rm -rf "$ctx"; mkdir -p "$ctx"
  cat >"$ctx/entrypoint.sh" <<'EOF'
#!/bin/sh
# Stand-in for the official postgres image's entrypoint: first start runs initdb with
# POSTGRES_USER / POSTGRES_PASSWORD and creates POSTGRES_DB; then postgres in the foreground.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA
if [ "${1:-postgres}" = postgres ]; then
  [ "$#" -gt 0 ] && shift
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
    user=${POSTGRES_USER:-postgres}
    db=${POSTGRES_DB:-$user}
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    pg_ctl -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$db" != postgres ]; then psql -v ON_ERROR_STOP=1 -U "$user" -d postgres -q -c "CREATE DATABASE \"$db\""; fi
    pg_ctl -m fast -w stop >/dev/null
    echo "stand-in postgres: initialised $PGDATA (user $user, database $db)"
  fi
  exec postgres -c listen_addresses='*' "$@"
fi
exec "$@"
EOF
  cat >"$ctx/Containerfile" <<'EOF'
FROM docker.io/library/debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/lib/postgresql/data /var/run/postgresql \
 && chown -R postgres:postgres /var/lib/postgresql /var/run/postgresql \
 && chmod 0700 /var/lib/postgresql/data
COPY --chmod=0755 entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data
USER postgres
VOLUME ["/var/lib/postgresql/data"]
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
EOF
  podman build --pull=never --network host -t docker.io/library/postgres:15 "$ctx"
  rm -rf "$ctx"
}

case "${1:-}" in
  "") make_debian_and_rust ;;
  postgres) make_postgres ;;
  all) make_debian_and_rust; make_postgres ;;
  *) echo "usage: $0 [postgres|all]" >&2; exit 2 ;;
esac
podman images --filter reference=docker.io/library/debian --filter reference=docker.io/library/rust \
  --filter reference=docker.io/library/postgres
