#!/usr/bin/env bash
# Prepare a machine to run geosvc: PostgreSQL + PostGIS, a virtualenv, a .env and the schema.
#
# Idempotent: a second run installs nothing and takes a few seconds. Used by `make demo`,
# `make test` and CI. Three situations are handled:
#
#   * a fresh Debian 12 machine (root, Python 3.11 and apt only): installs PostgreSQL and
#     PostGIS from Debian's packages, starts the cluster and creates a login role;
#   * PostgreSQL already listening on 127.0.0.1:$GEOSVC_PGPORT (default 5432), e.g. a dev
#     machine or CI with trust auth: only what is missing (PostGIS, say) is installed;
#   * GEOSVC_DATABASE_URL set in the environment: no local PostgreSQL is installed, started
#     or touched; that URL is used as it is (its server must have PostGIS available).
#
# Environment:
#   GEOSVC_DATABASE_URL  use this database; skip everything about a local server
#   GEOSVC_PGPORT        port of the local cluster to use (default 5432)
#
# Options:
#   --venv-only          only create/update the virtualenv (no database, no .env, no migrations)
#   --browser            also install Debian's Chromium for the browser tests (Playwright
#                        drives it; it never downloads a browser of its own)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PORT="${GEOSVC_PGPORT:-5432}"
VENV="$ROOT/.venv"
VENV_ONLY=0
BROWSER=0

for arg in "$@"; do
    case "$arg" in
        --venv-only) VENV_ONLY=1 ;;
        --browser) BROWSER=1 ;;
        -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup.sh: unknown option: $arg" >&2; exit 2 ;;
    esac
done

step() { printf '==> %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

# --- system packages ---------------------------------------------------------------------

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo)
fi

APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null || die "cannot install $* here: no apt-get (install it by hand)"
    if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null; then
        die "installing $* needs root (or sudo)"
    fi
    if [[ $APT_UPDATED -eq 0 ]]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        APT_UPDATED=1
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

have_pkg() { dpkg -s "$1" >/dev/null 2>&1; }

# --- virtualenv --------------------------------------------------------------------------

pick_python() {
    local cand
    for cand in python3.11 python3; do
        if command -v "$cand" >/dev/null \
            && "$cand" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$cand"
            return
        fi
    done
    return 1
}

setup_venv() {
    local py
    if ! py="$(pick_python)"; then
        step "installing python3 (3.11 or newer is needed)"
        apt_install python3 python3-venv
        py="$(pick_python)" || die "no Python >= 3.11 found"
    fi

    # A venv whose interpreter is gone (Python upgraded, tree copied) is rebuilt.
    if [[ -d $VENV ]] && ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        step "removing broken virtualenv $VENV"
        rm -rf "$VENV"
    fi
    if [[ ! -d $VENV ]]; then
        step "creating virtualenv .venv with $py"
        if ! "$py" -m venv "$VENV" >/dev/null 2>&1; then
            # Debian's python3 ships without ensurepip until python3-venv is installed.
            rm -rf "$VENV"
            step "installing python3-venv"
            apt_install python3-venv
            "$py" -m venv "$VENV"
        fi
    fi

    # Reinstall only when pyproject.toml changed, or when a top-level package that exists
    # now was not there at the last install (setuptools' editable finder maps packages by
    # name at install time).
    local sha stamp missing=0 pkg
    sha="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    stamp="$VENV/.installed-$sha"
    for pkg in geosvc etl api; do
        # -I and cd /: find the package through the venv only, not the working directory.
        if [[ -f $pkg/__init__.py ]] && ! (cd / && "$VENV/bin/python" -I -c \
            "import importlib.util, sys; sys.exit(importlib.util.find_spec('$pkg') is None)" \
            2>/dev/null); then
            missing=1
        fi
    done
    if [[ -f $stamp && $missing -eq 0 ]]; then
        step "virtualenv up to date (pyproject.toml unchanged)"
    else
        step "installing geosvc and its dev dependencies into .venv (pip install -e '.[dev]')"
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/python" -m pip install -q -e '.[dev]'
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

# --- local PostgreSQL ----------------------------------------------------------------------

listening() { timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; }

# "<version> <name> <status>" of the Debian cluster on $PORT, if any.
cluster_on_port() {
    command -v pg_lsclusters >/dev/null || return 0
    pg_lsclusters --no-header 2>/dev/null | awk -v p="$PORT" '$3 == p { print $1, $2, $4; exit }'
}

# psql as the postgres OS user over the local socket (peer auth).
psql_peer() {
    local runas=(runuser -u postgres --)
    [[ $(id -u) -ne 0 ]] && runas=(sudo -u postgres)
    (cd / && "${runas[@]}" psql -X -q -p "$PORT" -d postgres -v ON_ERROR_STOP=1 "$@")
}

# psql over TCP with the credentials chosen below.
psql_tcp() {
    PGCONNECT_TIMEOUT=5 PGPASSWORD="${DB_PASSWORD:-}" \
        psql -X -w -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres -v ON_ERROR_STOP=1 "$@"
}

setup_local_postgres() {
    local cluster ver name status

    if ! listening; then
        if ! command -v pg_lsclusters >/dev/null \
            || [[ -z $(pg_lsclusters --no-header 2>/dev/null) ]]; then
            step "installing PostgreSQL (apt-get install postgresql)"
            apt_install postgresql
        fi
        cluster="$(cluster_on_port)"
        [[ -n $cluster ]] || die "nothing listens on 127.0.0.1:$PORT and no cluster in" \
            "pg_lsclusters uses port $PORT; create one (pg_createcluster --port $PORT)" \
            "or set GEOSVC_DATABASE_URL"
        read -r ver name status <<<"$cluster"
        if [[ $status != online* ]]; then
            step "starting PostgreSQL cluster $ver/$name on port $PORT"
            "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
        fi
    fi

    if ! command -v psql >/dev/null || ! command -v pg_isready >/dev/null; then
        step "installing the PostgreSQL client (psql)"
        apt_install postgresql-client
    fi

    local i
    for ((i = 0; i < 30; i++)); do
        pg_isready -q -h 127.0.0.1 -p "$PORT" && break
        sleep 1
    done
    pg_isready -q -h 127.0.0.1 -p "$PORT" || die "PostgreSQL on 127.0.0.1:$PORT is not ready"

    cluster="$(cluster_on_port)"
    ver="" name=""
    [[ -n $cluster ]] && read -r ver name status <<<"$cluster"

    # Connection: passwordless postgres over TCP works on trust-auth machines (dev, CI).
    # A fresh Debian cluster has peer auth on the socket and scram over TCP, so there we
    # create a password role through the socket instead.
    DB_USER=postgres DB_PASSWORD=""
    if psql_tcp -Atc 'select 1' >/dev/null 2>&1; then
        step "PostgreSQL on 127.0.0.1:$PORT accepts postgres without a password"
        DB_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/geosvc"
    else
        DB_USER=geosvc DB_PASSWORD=geosvc
        if psql_tcp -Atc 'select 1' >/dev/null 2>&1; then
            step "PostgreSQL on 127.0.0.1:$PORT: using role geosvc (password geosvc)"
        else
            [[ -n $ver ]] || die "cannot log in to 127.0.0.1:$PORT as postgres and it is not" \
                "a local Debian cluster; set GEOSVC_DATABASE_URL to a URL that works"
            step "creating role geosvc (password geosvc) in cluster $ver/$name"
            # SUPERUSER because `geosvc db upgrade` runs CREATE EXTENSION postgis and the
            # tests create and drop databases of their own. The password is a well-known,
            # local-only default; for other credentials set GEOSVC_DATABASE_URL instead.
            psql_peer -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE geosvc LOGIN SUPERUSER PASSWORD ''geosvc'''
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'geosvc')
\gexec
SQL
            psql_tcp -Atc 'select 1' >/dev/null \
                || die "role geosvc cannot log in to 127.0.0.1:$PORT with password geosvc" \
                    "(an older role with another password?); set GEOSVC_DATABASE_URL"
        fi
        DB_URL="postgresql+psycopg://geosvc:geosvc@127.0.0.1:$PORT/geosvc"
    fi

    # PostGIS for the running server's major version.
    if [[ -z $ver ]]; then
        ver="$(psql_tcp -Atc 'show server_version_num')"
        ver=$((ver / 10000))
    fi
    local available
    available="$(psql_tcp -Atc \
        "select count(*) from pg_available_extensions where name = 'postgis'" || echo 0)"
    if [[ -f /usr/share/postgresql/$ver/extension/postgis.control || $available != 0 ]]; then
        step "PostGIS available for PostgreSQL $ver"
    else
        step "installing PostGIS (postgresql-$ver-postgis-3)"
        apt_install "postgresql-$ver-postgis-3"
    fi
}

# --- .env ----------------------------------------------------------------------------------

write_env() {
    local url="$1" tmp
    tmp="$(mktemp "$ROOT/.env.XXXXXX")"
    if [[ -f .env ]]; then
        grep -v '^GEOSVC_DATABASE_URL=' .env >"$tmp" || true
    fi
    printf 'GEOSVC_DATABASE_URL=%s\n' "$url" >>"$tmp"
    mv "$tmp" .env
    step "wrote GEOSVC_DATABASE_URL to .env"
}

# --- browser for the tests ------------------------------------------------------------------

setup_browser() {
    if command -v chromium >/dev/null; then
        step "Chromium available for the browser tests"
    else
        step "installing Chromium for the browser tests (apt-get install chromium)"
        apt_install chromium
    fi
}

# --- main ----------------------------------------------------------------------------------

if [[ $VENV_ONLY -eq 1 ]]; then
    setup_venv
    exit 0
fi

if [[ -n ${GEOSVC_DATABASE_URL:-} ]]; then
    step "using GEOSVC_DATABASE_URL from the environment (no local PostgreSQL set up)"
    DB_URL="$GEOSVC_DATABASE_URL"
else
    setup_local_postgres
fi
write_env "$DB_URL"
setup_venv
if [[ $BROWSER -eq 1 ]]; then setup_browser; fi

step "migrating the database (geosvc db upgrade)"
GEOSVC_DATABASE_URL="$DB_URL" "$VENV/bin/geosvc" db upgrade
step "done"
