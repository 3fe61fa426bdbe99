#!/usr/bin/env bash
# local-pg.sh: a throwaway PostgreSQL with pg_cron >= 1.5 for pg_dispatch's tests, without Docker.
#
# Why this exists: Debian 12 (the CI and dev host) ships PostgreSQL 15 with pg_cron 1.4, which has
# no 'N seconds' schedules, and installing trixie's packages on the host would upgrade libc and
# ~50 other packages. So we download Debian's binary packages for a newer suite with apt, using a
# private apt configuration (nothing on the host changes), unpack them with `dpkg-deb -x` into a
# folder, and run PostgreSQL in that folder as a chroot, as an unprivileged `postgres` user.
#
# Usage (machine-readable results on stdout, progress and diagnostics on stderr):
#   local-pg.sh root                      build the root if missing; print its host path
#   local-pg.sh start NAME PORT [DBNAME]  create (initdb) and/or start cluster NAME on 127.0.0.1:PORT;
#                                         print postgres://postgres@127.0.0.1:PORT/DBNAME
#                                         (DBNAME defaults to pgdispatch; pg_cron lives there)
#   local-pg.sh stop NAME [MODE]          pg_ctl stop -m MODE (smart|fast|immediate; default fast);
#                                         no error if not running. `immediate` simulates a crash.
#   local-pg.sh restart NAME              start again with the same settings (restart if running);
#                                         waits until it accepts connections; prints the URL
#   local-pg.sh status NAME               print the URL and exit 0 if running; exit 3 if not
#   local-pg.sh destroy NAME              stop (immediate) and remove the cluster's data
#   local-pg.sh extdir                    print the host path of the server's extension directory
#   local-pg.sh bindir                    print the host path of the server's bin directory
#   local-pg.sh exec CMD [ARGS...]        run CMD (psql, pgbench, ...) from the root, inside the
#                                         chroot, as postgres. The host's files are NOT visible
#                                         there: feed SQL on stdin or copy files under `root`/tmp.
#
# Environment:
#   PG_MAJOR                   17 (default, Debian trixie) or 18 (Debian unstable)
#   PGDISPATCH_CACHE           cache folder (default $HOME/.cache/pg_dispatch); the root is
#                              $PGDISPATCH_CACHE/pg$PG_MAJOR-root. Delete that folder to rebuild.
#   PGDISPATCH_DEBIAN_SUITE    override the Debian suite the packages come from
#   PGDISPATCH_DEBIAN_MIRROR   override the mirror (default http://deb.debian.org/debian)
#
# Clusters live inside the root at /var/lib/pgdispatch/NAME (host: <root>/var/lib/pgdispatch/NAME),
# server log in <datadir>/server.log. Needs root on the host (chroot, mknod), as CI has.
set -euo pipefail

# A restrictive umask (077 in some CI images) would make the root's folders unreadable to the
# unprivileged postgres user inside the chroot.
umask 022

PROG=local-pg
log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

PG_MAJOR="${PG_MAJOR:-17}"
[[ "$PG_MAJOR" =~ ^[0-9]+$ ]] || die "PG_MAJOR must be a number, got '$PG_MAJOR'"
case "$PG_MAJOR" in
  17) default_suite=trixie ;;    # Debian 13: postgresql-17 17.x + postgresql-17-cron 1.6.x
  18) default_suite=unstable ;;  # sid: postgresql-18 + postgresql-18-cron
  *) default_suite="" ;;
esac
SUITE="${PGDISPATCH_DEBIAN_SUITE:-$default_suite}"
[[ -n "$SUITE" ]] || die "no Debian suite known for PG_MAJOR=$PG_MAJOR; set PGDISPATCH_DEBIAN_SUITE"
MIRROR="${PGDISPATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# The host's keyring (debian-archive-keyring) already carries the keys that sign trixie and sid.
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# dash: /bin/sh inside the root, which pg_ctl needs to launch the postmaster.
PACKAGES=("postgresql-$PG_MAJOR" "postgresql-$PG_MAJOR-cron" dash)

CACHE="${PGDISPATCH_CACHE:-${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}/.cache/pg_dispatch}"
ROOT="$CACHE/pg$PG_MAJOR-root"
PGBIN="/usr/lib/postgresql/$PG_MAJOR/bin"   # path inside the root
CLUSTERS=/var/lib/pgdispatch                 # path inside the root
SOCKDIR=/var/run/postgresql                  # path inside the root

# Locks (flock): fd 8 guards the root build, fd 9 one cluster. in_root closes them (and every other
# inherited descriptor) so that the postmaster never holds a lock for its whole life.
BUILD_DIR=""
CHROOT="$(command -v chroot || echo /usr/sbin/chroot)"

unavailable() {
  # One clear message for "we cannot get a server here", whatever the cause.
  die "cannot set up PostgreSQL $PG_MAJOR with pg_cron from Debian '$SUITE' ($MIRROR): $1.
  Either fix that (this script needs root, apt-get, dpkg-deb, chroot and HTTP access to $MIRROR),
  or point the tests at a server with pg_cron >= 1.5:
    export PGDISPATCH_TEST_DATABASE_URL=postgres://USER@HOST:PORT/DB"
}

need_host_tools() {
  [[ "$(id -u)" == 0 ]] || unavailable "this script must run as root (it uses chroot and mknod)"
  local t
  for t in apt-get dpkg-deb dpkg chroot flock mknod; do
    command -v "$t" >/dev/null 2>&1 || unavailable "'$t' is missing on this host (Debian/Ubuntu tools expected)"
  done
  [[ -r "$KEYRING" ]] || unavailable "$KEYRING is missing (apt-get install debian-archive-keyring)"
}

# ----------------------------------------------------------------------------------------------
# Building the root
# ----------------------------------------------------------------------------------------------

# Writes an apt configuration that touches nothing of the host's apt: own sources (only $SUITE),
# own lists/archives, no host apt.conf.d (its hooks, pins and extra index targets would apply
# otherwise), and an EMPTY dpkg status file so apt resolves the full dependency closure instead of
# assuming the host's (bookworm) packages are installed in the root.
write_apt_conf() {
  local a="$1"
  mkdir -p "$a/etc/apt.conf.d" "$a/etc/sources.list.d" "$a/etc/preferences.d" \
           "$a/lists/partial" "$a/archives/partial" "$a/cache" "$a/log"
  : >"$a/status"
  echo "deb [signed-by=$KEYRING] $MIRROR $SUITE main" >"$a/etc/sources.list"
  cat >"$a/apt.conf" <<EOF
Dir::Etc::main "/dev/null";
Dir::Etc::parts "$a/etc/apt.conf.d";
Dir::Etc::sourcelist "$a/etc/sources.list";
Dir::Etc::sourceparts "$a/etc/sources.list.d";
Dir::Etc::preferences "/dev/null";
Dir::Etc::preferencesparts "$a/etc/preferences.d";
Dir::State "$a";
Dir::State::lists "$a/lists";
Dir::State::status "$a/status";
Dir::State::extended_states "$a/extended_states";
Dir::Cache "$a/cache";
Dir::Cache::archives "$a/archives";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Dir::Log "$a/log";
APT::Architecture "$(dpkg --print-architecture)";
APT::Architectures { "$(dpkg --print-architecture)"; };
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
Acquire::Retries "3";
// Our folders are private to root (mktemp -d); don't drop to the _apt user to download.
APT::Sandbox::User "root";
EOF
  # From the host's apt configuration keep only how it reaches the network: proxies (http_proxy in
  # the environment works anyway) and the Release date checks. Hosts pinned to a snapshot mirror
  # turn those off; without that, sid's Release file (valid 7 days) is refused as expired.
  apt-config dump 2>/dev/null |
    grep -E '^Acquire::((http|https)::Proxy|Check-Valid-Until|Check-Date|Max-FutureTime)' >>"$a/apt.conf" || true
}

build_root() {
  local build="$1" a="$1/apt" r="$1/root" uid gid
  write_apt_conf "$a"
  export APT_CONFIG="$a/apt.conf"

  log "downloading the index of Debian $SUITE ..."
  if ! apt-get -q update --error-on=any >"$a/update.log" 2>&1; then
    sed 's/^/  apt: /' "$a/update.log" | tail -n 15 >&2
    unavailable "apt-get update failed (see apt's messages above; no network access to the mirror?)"
  fi
  log "downloading ${PACKAGES[*]} and their dependencies ..."
  if ! apt-get -q -y install --download-only "${PACKAGES[@]}" >"$a/install.log" 2>&1; then
    sed 's/^/  apt: /' "$a/install.log" | tail -n 15 >&2
    unavailable "apt could not resolve or download ${PACKAGES[*]} from '$SUITE'"
  fi
  local debs=("$a"/archives/*.deb)
  [[ -e "${debs[0]}" ]] || unavailable "apt downloaded no package"
  log "unpacking ${#debs[@]} packages ($(du -sh "$a/archives" | cut -f1)) ..."

  mkdir -p "$r"
  # dpkg-deb -x runs no maintainer scripts, which is what we want: only files. bookworm's dpkg-deb
  # (1.21.22) reads xz and zstd members natively (linked to liblzma and libzstd), so no extra
  # host tool is needed; Debian's own archives use xz.
  # Packages are independent file sets, so unpacking in parallel is safe and much faster.
  printf '%s\0' "${debs[@]}" |
    xargs -0 -n 8 -P "$(nproc 2>/dev/null || echo 2)" sh -c 'for d; do dpkg-deb -x "$d" "$0" || exit 255; done' "$r" ||
    die "dpkg-deb -x failed (see above)"

  # usr-merge: trixie ships everything under /usr, but binaries are linked against
  # /lib64/ld-linux-x86-64.so.2 and scripts start with #!/bin/sh. Merge any stray top-level
  # folder first (in case some package still ships one), then link.
  local d
  for d in bin lib lib64 sbin; do
    mkdir -p "$r/usr/$d"
    if [[ -d "$r/$d" && ! -L "$r/$d" ]]; then
      cp -a "$r/$d/." "$r/usr/$d/"
      rm -rf "${r:?}/$d"
    fi
    ln -sfn "usr/$d" "$r/$d"
  done
  [[ -e "$r/usr/bin/sh" ]] || ln -s dash "$r/usr/bin/sh"
  [[ -x "$r$PGBIN/postgres" ]] || die "the unpacked root has no $PGBIN/postgres"

  # Users: take the host's postgres ids when it has one (so `ls -l` on the host reads well),
  # otherwise ids unlikely to collide with a host user.
  if uid="$(id -u postgres 2>/dev/null)" && gid="$(id -g postgres 2>/dev/null)"; then :; else
    uid=5432 gid=5432
  fi
  mkdir -p "$r/etc" "$r/root" "$r/var/lib/postgresql" "$r$CLUSTERS" "$r$SOCKDIR" "$r/dev" "$r/tmp"
  # Files written by us, not by the packages' maintainer scripts (which never run).
  cat >"$r/etc/passwd" <<EOF
root:x:0:0:root:/root:/bin/sh
postgres:x:$uid:$gid:PostgreSQL administrator:/var/lib/postgresql:/bin/sh
EOF
  cat >"$r/etc/group" <<EOF
root:x:0:
postgres:x:$gid:
EOF
  # Only IPv4 for localhost: the server listens on 127.0.0.1 only, and pg_cron connects to
  # `localhost` for every job run; a ::1 entry would cost a failed attempt per run.
  echo '127.0.0.1 localhost' >"$r/etc/hosts"
  cat >"$r/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
shadow: files
hosts: files
networks: files
protocols: files
services: files
EOF
  # Device nodes (no /dev mount in a plain chroot). PostgreSQL and pg_ctl's shell use /dev/null;
  # OpenSSL/libc may read the random devices.
  mknod -m 666 "$r/dev/null" c 1 3
  mknod -m 666 "$r/dev/zero" c 1 5
  mknod -m 666 "$r/dev/random" c 1 8
  mknod -m 666 "$r/dev/urandom" c 1 9
  # A filesystem mounted nodev (some /tmp or home mounts) makes those nodes useless: say so now
  # rather than with an obscure initdb failure later.
  if ! : >"$r/dev/null" 2>/dev/null || ! head -c 1 "$r/dev/urandom" >/dev/null 2>&1; then
    unavailable "device nodes do not work under $CACHE (filesystem mounted nodev?); set PGDISPATCH_CACHE to another filesystem"
  fi
  chmod 1777 "$r/tmp"
  chown "$uid:$gid" "$r/var/lib/postgresql" "$r$CLUSTERS" "$r$SOCKDIR"
  chmod 2775 "$r$SOCKDIR"

  # A record of what went in, for humans.
  {
    echo "suite=$SUITE mirror=$MIRROR built=$(date -u +%FT%TZ)"
    (cd "$a/archives" && ls -1 -- *.deb)
  } >"$r/.pgdispatch-root"

  # Check that the root actually works before publishing it.
  in_root "$r" postgres --version >&2 || die "the unpacked server does not run in the chroot"
}

ensure_root() {
  [[ -x "$ROOT$PGBIN/postgres" ]] && return 0   # fast path: the root is only ever renamed in whole
  need_host_tools
  mkdir -p "$CACHE"
  # One builder at a time; a second caller waits here and then finds the root ready.
  exec 8>"$CACHE/pg$PG_MAJOR-root.lock"
  flock 8
  if [[ ! -x "$ROOT$PGBIN/postgres" ]]; then
    # Leftovers of builds that were killed (SIGKILL skips our trap) or an incomplete old root.
    rm -rf "$CACHE/.pg$PG_MAJOR-build."*
    [[ -e "$ROOT" ]] && rm -rf "$ROOT"
    local start=$SECONDS
    BUILD_DIR="$(mktemp -d "$CACHE/.pg$PG_MAJOR-build.XXXXXX")"
    # Build into a temp folder and rename it at the end: an interrupted build never leaves a
    # half root where the fast path above would take it for a good one.
    trap 'rm -rf "$BUILD_DIR"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    log "building a PostgreSQL $PG_MAJOR root from Debian $SUITE in $ROOT (once; cached) ..."
    build_root "$BUILD_DIR"
    mv -T "$BUILD_DIR/root" "$ROOT"
    rm -rf "$BUILD_DIR"
    trap - EXIT INT TERM
    log "root ready in $((SECONDS - start)) s ($(du -sh "$ROOT" | cut -f1))"
  fi
  exec 8>&-
}


# Runs a command inside root $1 as postgres with a clean environment: the host's LANG/LC_* may name
# locales the root doesn't have, and PG* variables (PGPORT, PGDATA, ...) must not steer the server.
# Every inherited descriptor above 2 is closed too: a postmaster started here would otherwise keep
# our locks, or a caller's pipe (a test runner waiting for EOF would hang until the server stops).
in_root() {
  local r="$1"; shift
  (
    for fd in /proc/self/fd/*; do
      fd="${fd##*/}"
      # No 2>/dev/null on this loop: bash would park stderr on a high descriptor that the loop
      # then closes, silencing every error of the command. Closing a closed fd prints nothing.
      if ((fd > 2)); then eval "exec $fd>&-"; fi
    done
    # The host's env clears the environment (the root has no coreutils); chroot then looks the
    # command up in that PATH inside the root.
    exec env -i PATH="$PGBIN:/usr/bin:/usr/sbin" HOME=/var/lib/postgresql LC_ALL=C.UTF-8 TZ=UTC \
      "$CHROOT" --userspec=postgres:postgres "$r" "$@"
  )
}

# Same for client programs run by `exec`: they get the caller's libpq variables (PGPASSWORD,
# PGOPTIONS, PGHOST, ...), but not ours (PGDISPATCH_*, PG_MAJOR).
in_root_client() {
  local r="$1"; shift
  local -a envs=(PATH="$PGBIN:/usr/bin:/usr/sbin" HOME=/var/lib/postgresql LC_ALL=C.UTF-8 TZ=UTC)
  local v
  for v in $(compgen -e); do
    [[ "$v" == PG* && "$v" != PGDISPATCH_* ]] && envs+=("$v=${!v}")
  done
  [[ -n "${TERM:-}" ]] && envs+=("TERM=$TERM")
  env -i "${envs[@]}" "$CHROOT" --userspec=postgres:postgres "$r" "$@" 8>&- 9>&-
}

# ----------------------------------------------------------------------------------------------
# Clusters
# ----------------------------------------------------------------------------------------------

NAME="" DATA_IN="" DATA_HOST=""

set_cluster() {
  NAME="${1:-}"
  [[ "$NAME" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ ]] || die "bad cluster NAME '${NAME}' (letters, digits, _ . -)"
  DATA_IN="$CLUSTERS/$NAME"
  DATA_HOST="$ROOT$DATA_IN"
}

# Serialises start/stop/restart/destroy of one cluster. The lock file sits next to the data dirs.
lock_cluster() {
  exec 9>"$ROOT$CLUSTERS/.$NAME.lock"
  flock 9
}

has_cluster() { [[ -s "$DATA_HOST/PG_VERSION" ]]; }
is_running() { has_cluster && in_root "$ROOT" pg_ctl -D "$DATA_IN" status >/dev/null 2>&1; }

# Our settings live in <datadir>/pgdispatch.conf, included from postgresql.conf and rewritten on
# every start; postgresql.auto.conf (ALTER SYSTEM, e.g. from tests) is read last and still wins.
conf_get() {  # conf_get KEY -> value without quotes, or nothing
  [[ -f "$DATA_HOST/pgdispatch.conf" ]] || return 0
  sed -n "s/^$1 = '\{0,1\}\([^']*\)'\{0,1\}\$/\1/p" "$DATA_HOST/pgdispatch.conf" | tail -n 1
}

write_conf() {  # write_conf PORT DBNAME
  cat >"$DATA_HOST/pgdispatch.conf" <<EOC
# Written by scripts/local-pg.sh on each start. Throwaway test server: do not copy to production.
listen_addresses = '127.0.0.1'
port = $1
unix_socket_directories = '$SOCKDIR'
max_connections = 200
shared_preload_libraries = 'pg_cron'
# pg_cron lives in exactly one database; its launcher connects there at startup.
cron.database_name = '$2'
cron.max_running_jobs = 32
# No /dev/shm in the chroot.
dynamic_shared_memory_type = sysv
# Speed over durability; synchronous_commit stays on so commit semantics are the real ones.
fsync = off
full_page_writes = off
# stderr goes to server.log through pg_ctl -l.
logging_collector = off
EOC
  chown --reference="$DATA_HOST" "$DATA_HOST/pgdispatch.conf"
}

url() { echo "postgres://postgres@127.0.0.1:$1/$2"; }

pg_start() {  # pg_start (start|restart)
  # -w waits until the server accepts connections (after crash recovery too).
  if ! in_root "$ROOT" pg_ctl -D "$DATA_IN" -l "$DATA_IN/server.log" -w -t 120 -m fast "$1" >&2; then
    log "server did not start; last lines of $DATA_HOST/server.log:"
    tail -n 20 "$DATA_HOST/server.log" >&2 || true
    die "pg_ctl $1 failed for cluster $NAME"
  fi
}

# Creates DBNAME in single-user mode with pg_cron NOT loaded: pg_cron's launcher needs its
# database to exist when the server starts.
create_db() {
  local out
  out="$(in_root "$ROOT" postgres --single -D "$DATA_IN" -c shared_preload_libraries= \
           -c dynamic_shared_memory_type=sysv postgres <<<"CREATE DATABASE \"$1\"" 2>&1)" ||
    { echo "$out" >&2; die "could not create database $1"; }
  if grep 'ERROR:' <<<"$out" | grep -vq 'already exists'; then
    echo "$out" >&2; die "could not create database $1"
  fi
}

cmd_start() {
  [[ $# -ge 2 && $# -le 3 ]] || usage
  set_cluster "$1"
  local port="$2" db="${3:-pgdispatch}"
  [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "bad PORT '$port'"
  [[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "bad DBNAME '$db' (letters, digits, _)"
  ensure_root
  lock_cluster
  if is_running; then
    local rport rdb
    rport="$(conf_get port)" rdb="$(conf_get cron.database_name)"
    [[ "$rport" == "$port" && "$rdb" == "$db" ]] ||
      die "cluster $NAME is already running on port $rport with database $rdb; stop it first"
    url "$port" "$db"
    return
  fi
  local fresh=0
  if ! has_cluster; then
    rm -rf "${DATA_HOST:?}"   # leftovers of an interrupted initdb
    log "initdb cluster $NAME ..."
    # -N: no fsync of the new files (throwaway). --no-locale: C collation, UTF8 encoding; the
    # root has no locales but C.UTF-8 and none are needed.
    in_root "$ROOT" initdb -D "$DATA_IN" -A trust -U postgres -E UTF8 --no-locale -N >&2 ||
      die "initdb failed for cluster $NAME"
    echo "include_if_exists = 'pgdispatch.conf'" >>"$DATA_HOST/postgresql.conf"
    fresh=1
  fi
  local old_db
  old_db="$(conf_get cron.database_name)"
  write_conf "$port" "$db"
  if ((fresh)) || [[ "$old_db" != "$db" ]]; then create_db "$db"; fi
  pg_start start
  url "$port" "$db"
}

cmd_restart() {
  [[ $# -eq 1 ]] || usage
  set_cluster "$1"
  ensure_root
  has_cluster || die "no cluster $NAME (use: start $NAME PORT [DBNAME])"
  lock_cluster
  if is_running; then pg_start restart; else pg_start start; fi
  url "$(conf_get port)" "$(conf_get cron.database_name)"
}

cmd_stop() {
  [[ $# -ge 1 && $# -le 2 ]] || usage
  set_cluster "$1"
  local mode="${2:-fast}"
  [[ "$mode" =~ ^(smart|fast|immediate)$ ]] || die "bad stop MODE '$mode' (smart|fast|immediate)"
  [[ -d "$ROOT$CLUSTERS" ]] || return 0   # no root: nothing can be running
  lock_cluster
  if is_running; then
    in_root "$ROOT" pg_ctl -D "$DATA_IN" -m "$mode" -w -t 120 stop >&2
  else
    log "cluster $NAME is not running"
  fi
}

cmd_status() {
  [[ $# -eq 1 ]] || usage
  set_cluster "$1"
  [[ -d "$ROOT$CLUSTERS" ]] && is_running || { log "cluster $NAME is not running"; exit 3; }
  url "$(conf_get port)" "$(conf_get cron.database_name)"
}

cmd_destroy() {
  [[ $# -eq 1 ]] || usage
  set_cluster "$1"
  [[ -d "$ROOT$CLUSTERS" ]] || return 0
  lock_cluster
  if is_running; then
    in_root "$ROOT" pg_ctl -D "$DATA_IN" -m immediate -w -t 120 stop >&2
  fi
  rm -rf "${DATA_HOST:?}"
  log "cluster $NAME destroyed"
}

usage() {  # usage [EXIT_CODE]
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in -h|--help|help|"") usage 0 ;; esac
  # chroot (and mknod, to build) need root; say so up front rather than fail inside chroot.
  [[ "$(id -u)" == 0 ]] || unavailable "this script must run as root (it uses chroot and mknod)"
  case "$cmd" in
    root)    [[ $# -eq 0 ]] || usage; ensure_root; echo "$ROOT" ;;
    start)   cmd_start "$@" ;;
    stop)    cmd_stop "$@" ;;
    restart) cmd_restart "$@" ;;
    status)  cmd_status "$@" ;;
    destroy) cmd_destroy "$@" ;;
    extdir)  [[ $# -eq 0 ]] || usage; ensure_root; echo "$ROOT/usr/share/postgresql/$PG_MAJOR/extension" ;;
    bindir)  [[ $# -eq 0 ]] || usage; ensure_root; echo "$ROOT$PGBIN" ;;
    exec)    [[ $# -ge 1 ]] || usage; ensure_root; in_root_client "$ROOT" "$@" ;;
    *) usage ;;
  esac
}

main "$@"
