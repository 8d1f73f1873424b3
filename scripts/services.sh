# shellcheck shell=bash
#
# Throwaway backing services for the Linli test suite.
#
# Source this file (it is sourced by test.sh) and call:
#
#   linli_ensure_packages   install missing Debian packages (apt-get)
#   linli_start_postgres    private PostgreSQL cluster on 127.0.0.1:$LINLI_PG_PORT
#   linli_start_rabbitmq    private RabbitMQ node (AMQP + MQTT) on 127.0.0.1
#   linli_stop_services     stop both and remove their temporary directories
#
# Everything listens on loopback only. Data lives in temporary directories
# that are removed again by linli_stop_services. Leftovers of an earlier run
# that was killed hard (stale postmaster / beam / epmd processes, pid files)
# are cleaned up automatically by the start functions.
#
# Settings (environment, all optional):
#   LINLI_PG_PORT              PostgreSQL port                  (54329)
#   LINLI_AMQP_PORT            RabbitMQ AMQP port               (5673)
#   LINLI_MQTT_PORT            RabbitMQ MQTT port               (1884)
#   LINLI_RABBITMQ_DIST_PORT   Erlang distribution port         (25673)
#   LINLI_EPMD_PORT            private epmd port                (43691)
#   LINLI_RABBITMQ_NODENAME    Erlang node name                 (linli-test@localhost)
#   LINLI_SERVICE_TIMEOUT      seconds to wait for a service    (90)
#   LINLI_SERVICES_TMP         base directory for temp dirs     (/tmp)
#   LINLI_RABBITMQ_PLUGINS     plugins to enable                (rabbitmq_mqtt rabbitmq_consistent_hash_exchange)
#
# Only one set of these services can run per machine and port set: a start
# function stops whatever an earlier (killed) run left behind.
#
# Exported on success:
#   LINLI_TEST_POSTGRES   Npgsql connection string (superuser linli/linli)
#   LINLI_TEST_RABBITMQ   amqp://guest:guest@127.0.0.1:5673/
#   LINLI_TEST_MQTT       mqtt://127.0.0.1:1884   (user guest / password guest; anonymous allowed)

LINLI_PG_PORT="${LINLI_PG_PORT:-54329}"
LINLI_AMQP_PORT="${LINLI_AMQP_PORT:-5673}"
LINLI_MQTT_PORT="${LINLI_MQTT_PORT:-1884}"
LINLI_RABBITMQ_DIST_PORT="${LINLI_RABBITMQ_DIST_PORT:-25673}"
LINLI_EPMD_PORT="${LINLI_EPMD_PORT:-43691}"
LINLI_RABBITMQ_NODENAME="${LINLI_RABBITMQ_NODENAME:-linli-test@localhost}"
LINLI_SERVICE_TIMEOUT="${LINLI_SERVICE_TIMEOUT:-90}"

# Small state directory that remembers which temporary directories belong to
# the currently running services, so that a later run can clean up after a
# run that was killed before its EXIT trap could fire.
# Temporary directories live under LINLI_SERVICES_TMP (default /tmp rather than
# $TMPDIR: the postgres OS user must be able to reach the cluster directory).
LINLI_SERVICES_TMP="${LINLI_SERVICES_TMP:-/tmp}"
LINLI_SERVICES_STATE="${LINLI_SERVICES_STATE:-$LINLI_SERVICES_TMP/linli-test-services}"

LINLI_RABBITMQ_SBIN="${LINLI_RABBITMQ_SBIN:-/usr/lib/rabbitmq/bin}"

_linli_log() { printf '[services] %s\n' "$*" >&2; }
_linli_err() { printf '[services] ERROR: %s\n' "$*" >&2; }

# Run a command as root (directly, or through sudo when not root).
_linli_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        _linli_err "need root (or sudo) to run: $*"
        return 1
    fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
_linli_port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") >/dev/null 2>&1
}

# Wait (up to $2 seconds) until nothing listens on 127.0.0.1:$1 any more.
_linli_wait_port_free() {
    local port="$1" timeout="${2:-30}" i=0
    while _linli_port_open "$port"; do
        i=$((i + 1))
        [ "$i" -ge "$((timeout * 2))" ] && return 1
        sleep 0.5
    done
    return 0
}

_linli_pid_alive() {
    [ -n "${1:-}" ] && kill -0 "$1" >/dev/null 2>&1
}

# Send TERM to a pid, wait up to $2 seconds, then KILL it.
_linli_kill_pid() {
    local pid="$1" timeout="${2:-15}" i=0
    _linli_pid_alive "$pid" || return 0
    kill -TERM "$pid" >/dev/null 2>&1 || true
    while _linli_pid_alive "$pid"; do
        i=$((i + 1))
        if [ "$i" -ge "$((timeout * 2))" ]; then
            kill -KILL "$pid" >/dev/null 2>&1 || true
            sleep 0.5
            return 0
        fi
        sleep 0.5
    done
}

_linli_pkg_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------

linli_ensure_packages() {
    # Arguments name further packages a caller needs (scripts/district.sh: haproxy, curl).
    local wanted=(postgresql rabbitmq-server mosquitto-clients chromium fonts-noto-cjk "$@")
    local missing=() pkg

    if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        _linli_err "dpkg/apt-get not found; this script expects Debian 12 (bookworm)"
        return 1
    fi

    for pkg in "${wanted[@]}"; do
        _linli_pkg_installed "$pkg" || missing+=("$pkg")
    done
    # Node.js/npm are needed for `npm ci`; only pull Debian's when none is present.
    if ! command -v npm >/dev/null 2>&1; then
        _linli_pkg_installed nodejs || missing+=(nodejs)
        _linli_pkg_installed npm || missing+=(npm)
    fi

    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi

    _linli_log "installing missing Debian packages: ${missing[*]}"
    # DPkg::Lock::Timeout makes apt wait for a concurrent apt/dpkg run instead of failing.
    _linli_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=900 update -q || {
        _linli_err "apt-get update failed"
        return 1
    }
    _linli_as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=900 install -y -q "${missing[@]}" || {
        _linli_err "apt-get install failed for: ${missing[*]}"
        return 1
    }

    for pkg in "${missing[@]}"; do
        if ! _linli_pkg_installed "$pkg"; then
            _linli_err "package $pkg is still not installed"
            return 1
        fi
    done
}

# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

_linli_pg_bindir() {
    local dir
    if [ -n "${LINLI_PG_BINDIR:-}" ]; then
        printf '%s\n' "$LINLI_PG_BINDIR"
        return 0
    fi
    # Highest installed major version.
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    if [ -z "$dir" ] || [ ! -x "$dir/initdb" ] || [ ! -x "$dir/pg_ctl" ]; then
        return 1
    fi
    printf '%s\n' "$dir"
}

# Run a command as the OS user that owns the cluster (postgres refuses to run as root).
_linli_pg_run() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# Stop a postmaster left over by an earlier run and delete its directory.
_linli_pg_cleanup_dir() {
    local dir="$1" bindir pid
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    bindir="$(_linli_pg_bindir)" || bindir=""
    if [ -f "$dir/data/postmaster.pid" ]; then
        pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
        if _linli_pid_alive "$pid"; then
            if [ -n "$bindir" ]; then
                _linli_pg_run "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
            fi
            _linli_kill_pid "$pid" 15
        fi
    fi
    rm -rf -- "$dir"
}

linli_start_postgres() {
    local bindir dir port="$LINLI_PG_PORT" i=0

    bindir="$(_linli_pg_bindir)" || {
        _linli_err "PostgreSQL server binaries (initdb/pg_ctl) not found under /usr/lib/postgresql/*/bin"
        return 1
    }
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        _linli_err "OS user 'postgres' does not exist (is the postgresql package installed?)"
        return 1
    fi

    mkdir -p "$LINLI_SERVICES_STATE"
    # Clean up after an earlier run that did not reach its EXIT trap.
    if [ -f "$LINLI_SERVICES_STATE/postgres.dir" ]; then
        _linli_log "cleaning up stale PostgreSQL cluster from an earlier run"
        _linli_pg_cleanup_dir "$(cat "$LINLI_SERVICES_STATE/postgres.dir")"
        rm -f "$LINLI_SERVICES_STATE/postgres.dir"
    fi
    if ! _linli_wait_port_free "$port" 10; then
        _linli_err "port 127.0.0.1:$port is already in use by another process; set LINLI_PG_PORT to a free port"
        return 1
    fi

    dir="$(mktemp -d "$LINLI_SERVICES_TMP/linli-pg.XXXXXX")"
    printf '%s\n' "$dir" >"$LINLI_SERVICES_STATE/postgres.dir"
    LINLI_PG_DIR="$dir"
    mkdir -p "$dir/data" "$dir/run"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres:postgres "$dir"
    fi
    chmod 700 "$dir/data"
    chmod 755 "$dir" "$dir/run"

    _linli_log "PostgreSQL: initdb ($bindir) in $dir"
    if ! _linli_pg_run "$bindir/initdb" -D "$dir/data" -U postgres \
        --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 --no-sync \
        >"$dir/initdb.log" 2>&1; then
        _linli_err "initdb failed:"
        cat "$dir/initdb.log" >&2 || true
        return 1
    fi

    cat >>"$dir/data/postgresql.conf" <<EOF

# --- Linli test cluster (throwaway; durability deliberately off) ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
max_connections = 200
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_min_messages = warning
EOF

    if ! _linli_pg_run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t "$LINLI_SERVICE_TIMEOUT" start >/dev/null 2>&1; then
        _linli_err "PostgreSQL failed to start; log follows:"
        tail -n 50 "$dir/postgres.log" >&2 || true
        return 1
    fi

    while ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 1 >/dev/null 2>&1; do
        i=$((i + 1))
        if [ "$i" -ge "$LINLI_SERVICE_TIMEOUT" ]; then
            _linli_err "PostgreSQL did not accept TCP connections on 127.0.0.1:$port within ${LINLI_SERVICE_TIMEOUT}s"
            tail -n 50 "$dir/postgres.log" >&2 || true
            return 1
        fi
        sleep 1
    done

    if ! "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE linli WITH LOGIN SUPERUSER PASSWORD 'linli';" >"$dir/psql.log" 2>&1; then
        _linli_err "could not create role linli:"
        cat "$dir/psql.log" >&2 || true
        return 1
    fi

    # Prove the exported credentials work over TCP.
    if ! PGPASSWORD=linli "$bindir/psql" -X -q -At -h 127.0.0.1 -p "$port" -U linli -d postgres \
        -c 'SELECT 1' >/dev/null 2>"$dir/psql.log"; then
        _linli_err "cannot log in as linli over TCP:"
        cat "$dir/psql.log" >&2 || true
        return 1
    fi

    export LINLI_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=linli;Password=linli;Database=postgres"
    _linli_log "PostgreSQL ready on 127.0.0.1:$port"
}

linli_stop_postgres() {
    local dir="${LINLI_PG_DIR:-}"
    if [ -z "$dir" ] && [ -f "$LINLI_SERVICES_STATE/postgres.dir" ]; then
        dir="$(cat "$LINLI_SERVICES_STATE/postgres.dir")"
    fi
    if [ -n "$dir" ]; then
        _linli_pg_cleanup_dir "$dir"
    fi
    rm -f "$LINLI_SERVICES_STATE/postgres.dir"
    unset LINLI_PG_DIR
}

# ---------------------------------------------------------------------------
# RabbitMQ (AMQP + MQTT)
# ---------------------------------------------------------------------------

# Environment for the rabbitmq scripts. Only ever called inside a subshell so
# that HOME and the RABBITMQ_* variables never leak into the caller.
_linli_rabbit_env() {
    local dir="$1"
    export HOME="$dir/home" # Erlang cookie lives here, not in the real home
    export RABBITMQ_NODENAME="$LINLI_RABBITMQ_NODENAME"
    export RABBITMQ_USE_LONGNAME=false
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$LINLI_AMQP_PORT"
    export RABBITMQ_DIST_PORT="$LINLI_RABBITMQ_DIST_PORT"
    export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$dir/mnesia"
    export RABBITMQ_LOG_BASE="$dir/log"
    export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_EPMD_PORT="$LINLI_EPMD_PORT"
    unset RABBITMQ_ENV_LOADED RABBITMQ_SCRIPTS_DIR
}

# rabbitmqctl / rabbitmq-plugins bound to our private node, killed after
# $LINLI_RABBITMQ_CMD_TIMEOUT seconds (default 60) so a hung CLI never blocks.
_linli_rabbit_cmd() {
    local dir="$1" cmd="$2"
    shift 2
    (
        _linli_rabbit_env "$dir"
        cd "$dir" || exit 1
        exec timeout -k 5 "${LINLI_RABBITMQ_CMD_TIMEOUT:-60}" "$LINLI_RABBITMQ_SBIN/$cmd" "$@"
    )
}

# Stop the node, the private epmd and delete the directory.
_linli_rabbit_cleanup_dir() {
    local dir="$1" pid
    [ -n "$dir" ] && [ -d "$dir" ] || return 0

    pid=""
    [ -f "$dir/rabbitmq.pid" ] && pid="$(head -n 1 "$dir/rabbitmq.pid" 2>/dev/null || true)"
    [ -z "$pid" ] && [ -f "$dir/server.pid" ] && pid="$(head -n 1 "$dir/server.pid" 2>/dev/null || true)"
    if _linli_pid_alive "$pid"; then
        if [ -x "$LINLI_RABBITMQ_SBIN/rabbitmqctl" ]; then
            _linli_rabbit_cmd "$dir" rabbitmqctl -q -n "$LINLI_RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true
        fi
        _linli_kill_pid "$pid" 20
    fi
    # The wrapper shell we started (if it outlived the node).
    if [ -f "$dir/server.pid" ]; then
        _linli_kill_pid "$(head -n 1 "$dir/server.pid" 2>/dev/null || true)" 5
    fi
    if [ -f "$dir/epmd.pid" ]; then
        _linli_kill_pid "$(head -n 1 "$dir/epmd.pid" 2>/dev/null || true)" 5
    fi
    rm -rf -- "$dir"
}

linli_start_rabbitmq() {
    local dir pid i=0 port
    if [ ! -x "$LINLI_RABBITMQ_SBIN/rabbitmq-server" ] || [ ! -x "$LINLI_RABBITMQ_SBIN/rabbitmqctl" ]; then
        _linli_err "RabbitMQ not found in $LINLI_RABBITMQ_SBIN (is the rabbitmq-server package installed?)"
        return 1
    fi
    if ! command -v epmd >/dev/null 2>&1; then
        _linli_err "epmd (Erlang) not found (is the rabbitmq-server package installed?)"
        return 1
    fi

    mkdir -p "$LINLI_SERVICES_STATE"
    if [ -f "$LINLI_SERVICES_STATE/rabbitmq.dir" ]; then
        _linli_log "cleaning up stale RabbitMQ node from an earlier run"
        _linli_rabbit_cleanup_dir "$(cat "$LINLI_SERVICES_STATE/rabbitmq.dir")"
        rm -f "$LINLI_SERVICES_STATE/rabbitmq.dir"
    fi
    for port in "$LINLI_AMQP_PORT" "$LINLI_MQTT_PORT" "$LINLI_RABBITMQ_DIST_PORT" "$LINLI_EPMD_PORT"; do
        if ! _linli_wait_port_free "$port" 10; then
            _linli_err "port 127.0.0.1:$port is already in use by another process (needed by the test RabbitMQ node)"
            return 1
        fi
    done

    dir="$(mktemp -d "$LINLI_SERVICES_TMP/linli-rabbitmq.XXXXXX")"
    printf '%s\n' "$dir" >"$LINLI_SERVICES_STATE/rabbitmq.dir"
    LINLI_RABBITMQ_DIR="$dir"
    mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
    chmod 700 "$dir/home"
    # Private Erlang cookie (read by both the node and rabbitmqctl via HOME).
    (umask 077 && od -An -N 20 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F' >"$dir/home/.erlang.cookie")
    chmod 400 "$dir/home/.erlang.cookie"
    : >"$dir/rabbitmq-env.conf"

    cat >"$dir/rabbitmq.conf" <<EOF
# Linli test node: loopback only; guest/guest (anonymous MQTT clients map to guest).
listeners.tcp.default = 127.0.0.1:$LINLI_AMQP_PORT
listeners.ssl = none
mqtt.listeners.tcp.default = 127.0.0.1:$LINLI_MQTT_PORT
mqtt.listeners.ssl = none
mqtt.allow_anonymous = true
mqtt.default_user = guest
mqtt.default_pass = guest
mqtt.vhost = /
mqtt.exchange = amq.topic
loopback_users.guest = true
disk_free_limit.absolute = 50MB
log.console = false
log.file.level = warning
EOF

    # MQTT (and what LINLI_RABBITMQ_PLUGINS adds); no management UI, nothing else listening.
    local plugins="${LINLI_RABBITMQ_PLUGINS:-rabbitmq_mqtt rabbitmq_consistent_hash_exchange}"
    # shellcheck disable=SC2086 # one plugin per word
    if ! _linli_rabbit_cmd "$dir" rabbitmq-plugins --offline enable $plugins >"$dir/plugins.log" 2>&1; then
        _linli_log "rabbitmq-plugins --offline failed, writing enabled_plugins directly"
        cat "$dir/plugins.log" >&2 || true
        printf '[%s].\n' "$(echo "$plugins" | tr ' ' ',')" >"$dir/enabled_plugins"
    fi

    # Private epmd bound to loopback on its own port (and thus separate from
    # any system RabbitMQ/epmd on 4369).
    (
        export ERL_EPMD_ADDRESS=127.0.0.1
        exec setsid epmd -address 127.0.0.1 -port "$LINLI_EPMD_PORT" </dev/null >"$dir/log/epmd.log" 2>&1
    ) &
    printf '%s\n' "$!" >"$dir/epmd.pid"
    i=0
    while ! _linli_port_open "$LINLI_EPMD_PORT"; do
        i=$((i + 1))
        if [ "$i" -ge 40 ]; then
            _linli_err "epmd did not start on 127.0.0.1:$LINLI_EPMD_PORT"
            cat "$dir/log/epmd.log" >&2 || true
            return 1
        fi
        sleep 0.25
    done

    _linli_log "RabbitMQ: starting node $LINLI_RABBITMQ_NODENAME in $dir"
    (
        _linli_rabbit_env "$dir"
        cd "$dir" || exit 1
        exec setsid "$LINLI_RABBITMQ_SBIN/rabbitmq-server" </dev/null >"$dir/log/server.out" 2>&1
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$dir/server.pid"

    # await_startup fails fast while the node is not reachable yet, so retry
    # it until the deadline (or until the server process dies).
    local deadline=$((SECONDS + LINLI_SERVICE_TIMEOUT)) ok=0
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! _linli_pid_alive "$pid"; then
            break
        fi
        if LINLI_RABBITMQ_CMD_TIMEOUT=30 _linli_rabbit_cmd "$dir" rabbitmqctl -q -n "$LINLI_RABBITMQ_NODENAME" \
            await_startup --timeout 20 >>"$dir/log/await.log" 2>&1; then
            ok=1
            break
        fi
        sleep 1
    done
    if [ "$ok" -ne 1 ]; then
        if _linli_pid_alive "$pid"; then
            _linli_err "RabbitMQ did not start within ${LINLI_SERVICE_TIMEOUT}s; output follows:"
        else
            _linli_err "RabbitMQ server process exited during startup; output follows:"
        fi
        tail -n 40 "$dir/log/server.out" >&2 || true
        tail -n 20 "$dir/log/await.log" >&2 || true
        find "$dir/log" -name '*.log' ! -name await.log -exec tail -n 40 {} + >&2 2>/dev/null || true
        return 1
    fi

    i=0
    while ! _linli_port_open "$LINLI_AMQP_PORT" || ! _linli_port_open "$LINLI_MQTT_PORT"; do
        i=$((i + 1))
        if [ "$i" -ge "$((LINLI_SERVICE_TIMEOUT * 2))" ]; then
            _linli_err "RabbitMQ is up but AMQP 127.0.0.1:$LINLI_AMQP_PORT / MQTT 127.0.0.1:$LINLI_MQTT_PORT are not listening"
            tail -n 40 "$dir/log/server.out" >&2 || true
            return 1
        fi
        sleep 0.5
    done

    export LINLI_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$LINLI_AMQP_PORT/"
    export LINLI_TEST_MQTT="mqtt://127.0.0.1:$LINLI_MQTT_PORT"
    _linli_log "RabbitMQ ready: AMQP 127.0.0.1:$LINLI_AMQP_PORT, MQTT 127.0.0.1:$LINLI_MQTT_PORT"
}

linli_stop_rabbitmq() {
    local dir="${LINLI_RABBITMQ_DIR:-}"
    if [ -z "$dir" ] && [ -f "$LINLI_SERVICES_STATE/rabbitmq.dir" ]; then
        dir="$(cat "$LINLI_SERVICES_STATE/rabbitmq.dir")"
    fi
    if [ -n "$dir" ]; then
        _linli_rabbit_cleanup_dir "$dir"
    fi
    rm -f "$LINLI_SERVICES_STATE/rabbitmq.dir"
    unset LINLI_RABBITMQ_DIR
}

# ---------------------------------------------------------------------------

linli_stop_services() {
    linli_stop_rabbitmq || true
    linli_stop_postgres || true
    rmdir "$LINLI_SERVICES_STATE" 2>/dev/null || true
}
