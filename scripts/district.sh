#!/usr/bin/env bash
#
# A whole Linli district on this machine, everything on 127.0.0.1:
#   - PostgreSQL primary and a streaming replica (pg_basebackup, hot standby),
#   - RabbitMQ with AMQP, MQTT and the consistent-hash exchange,
#   - N equal Linli web nodes (default 3) on the primary, the replica and the broker,
#   - HAProxy in front: device traffic hashed on the device code (one owning node per device, consistent hashing),
#     everything else round-robin, health-checked on /health/ready.
#
#   scripts/district.sh up [--nodes N] [--seed demo|large|none]   build, start everything, print the addresses
#   scripts/district.sh status                                     processes, health, replication lag, queues
#   scripts/district.sh down                                       stop everything (data is kept; --purge removes it)
#   scripts/district.sh kill NODE                                  SIGKILL one web node (failure drills)
#   scripts/district.sh start NODE                                 start one web node again
#   scripts/district.sh infra                                      only the databases and the broker (a bench fills the database first)
#
# Settings (environment, all optional):
#   LINLI_DISTRICT_DIR     state: databases, broker, logs, shared files   (/tmp/linli-district; the postgres user
#                          must be able to reach it)
#   LINLI_DISTRICT_PORT    the load balancer                              (5080)
#   LINLI_DISTRICT_NODE_PORT  first web node; node i listens on +i-1       (5081)
#   LINLI_DISTRICT_PG_PORT primary; the replica listens on +1             (55432)
#   LINLI_DISTRICT_AMQP_PORT / LINLI_DISTRICT_MQTT_PORT                   (5683 / 1893)
#   LINLI_DISTRICT_DIST_PORT / LINLI_DISTRICT_EPMD_PORT  the broker's Erlang ports (25683 / 43701)
#   LINLI_DISTRICT_NO_BUILD  set: use the binaries already built (the test suite builds first)
#   Linli__*               any further setting, passed to every web node (e.g. Linli__Cluster__HeartbeatSeconds)
#
# The same layout on real servers (one host per role, systemd units, the settings each node needs) is described in
# docs/district.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${LINLI_DISTRICT_DIR:-/tmp/linli-district}"
LB_PORT="${LINLI_DISTRICT_PORT:-5080}"
NODE_PORT="${LINLI_DISTRICT_NODE_PORT:-5081}"
PG_PORT="${LINLI_DISTRICT_PG_PORT:-55432}"
REPLICA_PORT=$((PG_PORT + 1))
AMQP_PORT="${LINLI_DISTRICT_AMQP_PORT:-5683}"
MQTT_PORT="${LINLI_DISTRICT_MQTT_PORT:-1893}"
CONFIGURATION="${LINLI_CONFIGURATION:-Release}"

# The broker is started with the suite's own helper, on the district's ports and state directory, so the two never meet.
export LINLI_AMQP_PORT="$AMQP_PORT" LINLI_MQTT_PORT="$MQTT_PORT"
export LINLI_RABBITMQ_DIST_PORT="${LINLI_DISTRICT_DIST_PORT:-25683}" LINLI_EPMD_PORT="${LINLI_DISTRICT_EPMD_PORT:-43701}"
export LINLI_RABBITMQ_NODENAME="linli-district@localhost"
export LINLI_SERVICES_TMP="$DIR" LINLI_SERVICES_STATE="$DIR/state"
export LINLI_RABBITMQ_PLUGINS="rabbitmq_mqtt rabbitmq_consistent_hash_exchange"
# shellcheck source=scripts/services.sh
source "$ROOT/scripts/services.sh"

log() { printf '[district] %s\n' "$*" >&2; }
die() { printf '[district] ERROR: %s\n' "$*" >&2; exit 1; }

PG_BIN="$(_linli_pg_bindir)" || die "PostgreSQL server binaries not found (apt-get install postgresql)"
PRIMARY="$DIR/pg-primary"
REPLICA="$DIR/pg-replica"
DB_NAME=linli
DB_PASSWORD_FILE="$DIR/db.password"
PRIVACY_KEY_FILE="$DIR/privacy.key"

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# -- PostgreSQL -----------------------------------------------------------------------------------------------------

pg_up() {
    mkdir -p "$DIR"
    [ -f "$DB_PASSWORD_FILE" ] || (umask 077 && od -An -N 12 -tx1 /dev/urandom | tr -d ' \n' >"$DB_PASSWORD_FILE")
    local password
    password="$(cat "$DB_PASSWORD_FILE")"
    if [ ! -f "$PRIMARY/data/PG_VERSION" ]; then
        log "PostgreSQL primary: initdb in $PRIMARY"
        mkdir -p "$PRIMARY/data" "$PRIMARY/run"
        [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$PRIMARY"
        chmod 700 "$PRIMARY/data"
        as_postgres "$PG_BIN/initdb" -D "$PRIMARY/data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$PRIMARY/initdb.log" 2>&1 || { cat "$PRIMARY/initdb.log" >&2; die "initdb failed"; }
        cat >>"$PRIMARY/data/postgresql.conf" <<EOF

# --- Linli district primary (loopback only) ---
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PRIMARY/run'
max_connections = 300
shared_buffers = 512MB
wal_level = replica
max_wal_senders = 5
wal_keep_size = 1GB
hot_standby = on
timezone = 'UTC'
log_min_messages = warning
EOF
        echo "host replication replicator 127.0.0.1/32 scram-sha-256" >>"$PRIMARY/data/pg_hba.conf"
        as_postgres "$PG_BIN/pg_ctl" -D "$PRIMARY/data" -l "$PRIMARY/postgres.log" -w start >/dev/null
        as_postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PRIMARY/run" -p "$PG_PORT" -U postgres -d postgres <<EOF
CREATE ROLE linli WITH LOGIN PASSWORD '$password';
GRANT pg_monitor TO linli;
CREATE ROLE replicator WITH LOGIN REPLICATION PASSWORD '$password';
CREATE DATABASE $DB_NAME OWNER linli;
EOF
    elif ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
        log "PostgreSQL primary: starting"
        as_postgres "$PG_BIN/pg_ctl" -D "$PRIMARY/data" -l "$PRIMARY/postgres.log" -w start >/dev/null
    fi

    if [ ! -f "$REPLICA/data/PG_VERSION" ]; then
        log "PostgreSQL replica: base backup from the primary into $REPLICA"
        mkdir -p "$REPLICA/data" "$REPLICA/run"
        [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$REPLICA"
        chmod 700 "$REPLICA/data"
        as_postgres env PGPASSWORD="$password" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U replicator \
            -D "$REPLICA/data" -R -X stream -c fast >"$REPLICA/basebackup.log" 2>&1 || { cat "$REPLICA/basebackup.log" >&2; die "pg_basebackup failed"; }
        cat >>"$REPLICA/data/postgresql.conf" <<EOF

# --- Linli district replica (streams from the primary; read-only) ---
port = $REPLICA_PORT
unix_socket_directories = '$REPLICA/run'
EOF
    fi
    if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$REPLICA_PORT"; then
        log "PostgreSQL replica: starting"
        as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA/data" -l "$REPLICA/postgres.log" -w start >/dev/null
    fi
}

pg_down() {
    local d
    for d in "$REPLICA" "$PRIMARY"; do
        if [ -f "$d/data/postmaster.pid" ]; then
            as_postgres "$PG_BIN/pg_ctl" -D "$d/data" -m fast -w stop >/dev/null 2>&1 || true
        fi
    done
}

connection() { # connection PORT
    echo "Host=127.0.0.1;Port=$1;Database=$DB_NAME;Username=linli;Password=$(cat "$DB_PASSWORD_FILE")"
}

# -- RabbitMQ -------------------------------------------------------------------------------------------------------

broker_up() {
    if [ -f "$LINLI_SERVICES_STATE/rabbitmq.dir" ] && _linli_port_open "$AMQP_PORT"; then return 0; fi
    linli_start_rabbitmq || die "RabbitMQ did not start"
}

# -- web nodes ------------------------------------------------------------------------------------------------------

node_port() { echo $((NODE_PORT + $1 - 1)); }

node_start() { # node_start I SEED
    local i="$1" seed="${2:-none}" port pidfile
    port="$(node_port "$i")"
    pidfile="$DIR/node$i.pid"
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then return 0; fi
    mkdir -p "$DIR/shared"
    [ -f "$PRIVACY_KEY_FILE" ] || (umask 077 && head -c 32 /dev/urandom | base64 >"$PRIVACY_KEY_FILE")
    log "web node $i: http://127.0.0.1:$port"
    (
        cd "$ROOT/src/Linli.Web"
        export ASPNETCORE_ENVIRONMENT=Production DOTNET_NOLOGO=1
        export Urls="http://127.0.0.1:$port"
        export Linli__NodeName="node$i"
        export Linli__Database__Provider=Postgres
        export Linli__Database__ConnectionString="$(connection "$PG_PORT")"
        export Linli__Database__ReplicaConnectionString="$(connection "$REPLICA_PORT")"
        export Linli__RabbitMq__ConnectionString="amqp://guest:guest@127.0.0.1:$AMQP_PORT/"
        export Linli__DataDirectory="$DIR/shared"
        export Linli__Files__Path="$DIR/shared/attachments"
        export Linli__Privacy__Key="$(cat "$PRIVACY_KEY_FILE")"
        export Linli__Seed="$seed"
        exec setsid dotnet "bin/$CONFIGURATION/net10.0/Linli.Web.dll" </dev/null >>"$DIR/node$i.log" 2>&1
    ) &
    echo $! >"$pidfile"
}

node_ready() { # node_ready I TIMEOUT
    local port deadline=$((SECONDS + $2))
    port="$(node_port "$1")"
    while [ "$SECONDS" -lt "$deadline" ]; do
        curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null && return 0
        kill -0 "$(cat "$DIR/node$1.pid")" 2>/dev/null || { tail -n 30 "$DIR/node$1.log" >&2; return 1; }
        sleep 1
    done
    return 1
}

node_stop() { # node_stop I SIGNAL
    local pidfile="$DIR/node$1.pid"
    [ -f "$pidfile" ] || return 0
    kill "-$2" "$(cat "$pidfile")" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.5; done
    rm -f "$pidfile"
}

nodes() { cat "$DIR/nodes" 2>/dev/null || echo 3; }

# -- HAProxy --------------------------------------------------------------------------------------------------------

lb_up() {
    command -v haproxy >/dev/null || die "haproxy not found (apt-get install haproxy)"
    local n i
    n="$(nodes)"
    {
        cat <<EOF
# Generated by scripts/district.sh: the district's front door on 127.0.0.1:$LB_PORT.
global
    maxconn 4000
    pidfile $DIR/haproxy.pid

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    option httplog
    log stdout format raw local0 warning

frontend district
    bind 127.0.0.1:$LB_PORT
    # A device's traffic goes to the node that owns it: a consistent hash of its code (header or path), so that node
    # holds its rule state; when a node is down only that node's devices move.
    acl device_traffic path_beg /api/v1/ingest
    # Metrics are scraped from each node directly, never through the public door.
    http-request deny if { path_beg /metrics }
    use_backend devices if device_traffic
    default_backend web

backend web
    balance roundrobin
    option httpchk GET /health/ready
    http-check expect status 200
EOF
        for i in $(seq 1 "$n"); do echo "    server node$i 127.0.0.1:$(node_port "$i") check inter 1s fall 2 rise 2"; done
        cat <<EOF

backend devices
    hash-type consistent
    balance hdr(X-Device-Id)
    option httpchk GET /health/ready
    http-check expect status 200
EOF
        for i in $(seq 1 "$n"); do echo "    server node$i 127.0.0.1:$(node_port "$i") check inter 1s fall 2 rise 2"; done
    } >"$DIR/haproxy.cfg"
    haproxy -c -q -f "$DIR/haproxy.cfg" || die "haproxy.cfg does not check"
    if [ -f "$DIR/haproxy.pid" ] && kill -0 "$(cat "$DIR/haproxy.pid")" 2>/dev/null; then
        haproxy -D -f "$DIR/haproxy.cfg" -sf "$(cat "$DIR/haproxy.pid")"
    else
        haproxy -D -f "$DIR/haproxy.cfg"
    fi
}

lb_down() {
    [ -f "$DIR/haproxy.pid" ] && kill "$(cat "$DIR/haproxy.pid")" 2>/dev/null || true
    rm -f "$DIR/haproxy.pid"
}

# -- commands -------------------------------------------------------------------------------------------------------

cmd_up() {
    local n=3 seed=demo
    while [ $# -gt 0 ]; do
        case "$1" in
            --nodes) n="$2"; shift 2 ;;
            --seed) seed="$2"; shift 2 ;;
            *) die "unknown option $1" ;;
        esac
    done
    linli_ensure_packages haproxy curl || die "could not install the Debian packages"
    mkdir -p "$DIR"
    echo "$n" >"$DIR/nodes"
    if [ -z "${LINLI_DISTRICT_NO_BUILD:-}" ]; then
        log "building Linli.Web ($CONFIGURATION)"
        dotnet build "$ROOT/src/Linli.Web" -c "$CONFIGURATION" -nologo -v q >"$DIR/build.log" 2>&1 || { tail -n 30 "$DIR/build.log" >&2; die "build failed"; }
    fi
    pg_up
    broker_up
    # The first node migrates and seeds; the others start once it is ready, on the same database.
    node_start 1 "$seed"
    node_ready 1 900 || die "web node 1 did not become healthy (log: $DIR/node1.log)"
    local i
    for i in $(seq 2 "$n"); do node_start "$i" none; done
    for i in $(seq 2 "$n"); do node_ready "$i" 120 || die "web node $i did not become healthy (log: $DIR/node$i.log)"; done
    lb_up
    log "district up: http://127.0.0.1:$LB_PORT (nodes: $(for i in $(seq 1 "$n"); do printf '%s ' "$(node_port "$i")"; done); MQTT 127.0.0.1:$MQTT_PORT)"
}

cmd_status() {
    local n i port state
    n="$(nodes)"
    printf '%-10s %-8s %-24s %s\n' "part" "pid" "address" "state"
    for i in $(seq 1 "$n"); do
        port="$(node_port "$i")"
        state="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" 2>/dev/null || true)"
        printf '%-10s %-8s %-24s %s\n' "node$i" "$(cat "$DIR/node$i.pid" 2>/dev/null || echo -)" "127.0.0.1:$port" "ready: ${state:-down}"
    done
    state="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB_PORT/health" 2>/dev/null || true)"
    printf '%-10s %-8s %-24s %s\n' "haproxy" "$(cat "$DIR/haproxy.pid" 2>/dev/null || echo -)" "127.0.0.1:$LB_PORT" "health: ${state:-down}"
    printf '%-10s %-8s %-24s %s\n' "primary" "-" "127.0.0.1:$PG_PORT" "$("$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" 2>&1 | sed 's/.* - //')"
    printf '%-10s %-8s %-24s %s\n' "replica" "-" "127.0.0.1:$REPLICA_PORT" "$("$PG_BIN/pg_isready" -h 127.0.0.1 -p "$REPLICA_PORT" 2>&1 | sed 's/.* - //')"
    if [ -f "$DB_PASSWORD_FILE" ]; then
        PGPASSWORD="$(cat "$DB_PASSWORD_FILE")" "$PG_BIN/psql" -X -At -h 127.0.0.1 -p "$PG_PORT" -U linli -d "$DB_NAME" -c \
            "SELECT 'replication: ' || application_name || ' ' || state || ', replay lag ' || COALESCE(replay_lag::text, '0') || ', ' || pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) || ' bytes behind' FROM pg_stat_replication" 2>/dev/null || true
    fi
    printf '%-10s %-8s %-24s %s\n' "rabbitmq" "-" "127.0.0.1:$AMQP_PORT" "$(_linli_port_open "$AMQP_PORT" && echo up || echo down) (MQTT 127.0.0.1:$MQTT_PORT)"
}

cmd_down() {
    local i
    lb_down
    for i in $(seq 1 "$(nodes)"); do node_stop "$i" TERM; done
    linli_stop_rabbitmq || true
    pg_down
    if [ "${1:-}" = "--purge" ]; then
        log "removing $DIR"
        rm -rf -- "$DIR"
    fi
    log "district down"
}

case "${1:-}" in
    up) shift; cmd_up "$@" ;;
    infra) mkdir -p "$DIR"; pg_up; broker_up ;;
    status) cmd_status ;;
    down) shift; cmd_down "$@" ;;
    kill) node_stop "${2:?node number}" KILL ;;
    start) node_start "${2:?node number}" none && node_ready "$2" 120 ;;
    *) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
