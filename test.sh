#!/usr/bin/env bash
#
# Runs the whole Linli test suite from a fresh clone:
#   - installs missing Debian packages (PostgreSQL, RabbitMQ, mosquitto-clients,
#     Chromium, CJK fonts) and the npm packages from package-lock.json,
#   - starts a throwaway PostgreSQL cluster and RabbitMQ node (AMQP + MQTT) on
#     127.0.0.1 (see scripts/services.sh), stopped again on exit,
#   - builds Linli.slnx once and runs every test project, writing TRX files to
#     TestResults/,
#   - prints per-run counts and a final summary:
#         Passed: N, Failed: M
#         N passed, M failed
#
# Exit status is non-zero when a service cannot be started, the build fails,
# any test fails, a test run crashes (no TRX file) or a run executes no tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

RESULTS_DIR="${LINLI_RESULTS_DIR:-$ROOT/TestResults}"
CONFIGURATION="${LINLI_CONFIGURATION:-Release}"
SOLUTION="Linli.slnx"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export LINLI_CHROMIUM="${LINLI_CHROMIUM:-/usr/bin/chromium}"

# shellcheck source=scripts/services.sh
source "$ROOT/scripts/services.sh"

TOTAL_PASSED=0
TOTAL_FAILED=0
RUNS=0
PROBLEMS=()

print_summary() {
    echo
    echo "================================================================"
    if [ "${#PROBLEMS[@]}" -gt 0 ]; then
        echo "Problems:"
        local p
        for p in "${PROBLEMS[@]}"; do
            echo "  - $p"
        done
    fi
    echo "Passed: $TOTAL_PASSED, Failed: $TOTAL_FAILED"
    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
}

# Abort before any test could run (service/build problem).
fatal() {
    echo "ERROR: $*" >&2
    PROBLEMS+=("$*")
    print_summary
    exit 1
}

cleanup() {
    linli_stop_services || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- prerequisites ---------------------------------------------------------

echo "==> Checking Debian packages"
linli_ensure_packages haproxy curl || fatal "could not install the required Debian packages"

command -v dotnet >/dev/null 2>&1 || fatal "dotnet SDK not found on PATH"
command -v npm >/dev/null 2>&1 || fatal "npm not found on PATH"
[ -x "$LINLI_CHROMIUM" ] || fatal "Chromium not found at $LINLI_CHROMIUM (service missing: chromium)"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm ci"
    npm ci --no-audit --no-fund || fatal "npm ci failed"
fi

# --- services --------------------------------------------------------------

echo "==> Starting PostgreSQL"
linli_start_postgres || fatal "service missing: PostgreSQL did not start (127.0.0.1:${LINLI_PG_PORT})"
echo "==> Starting RabbitMQ (AMQP + MQTT)"
linli_start_rabbitmq || fatal "service missing: RabbitMQ did not start (AMQP 127.0.0.1:${LINLI_AMQP_PORT}, MQTT 127.0.0.1:${LINLI_MQTT_PORT})"

echo "    LINLI_TEST_POSTGRES=$LINLI_TEST_POSTGRES"
echo "    LINLI_TEST_RABBITMQ=$LINLI_TEST_RABBITMQ"
echo "    LINLI_TEST_MQTT=$LINLI_TEST_MQTT"
echo "    LINLI_CHROMIUM=$LINLI_CHROMIUM"

# --- build -----------------------------------------------------------------

[ -f "$SOLUTION" ] || fatal "$SOLUTION not found; nothing to build (no tests ran)"
echo "==> dotnet build $SOLUTION -c $CONFIGURATION"
dotnet build "$SOLUTION" -c "$CONFIGURATION" -nologo || fatal "build failed (no tests ran)"

# --- tests -----------------------------------------------------------------

mkdir -p "$RESULTS_DIR"

# A single test hanging longer than this kills the test host (the run is then
# reported as failed instead of blocking forever). Empty disables it.
HANG_TIMEOUT="${LINLI_TEST_HANG_TIMEOUT-15m}"
HANG_ARGS=()
[ -n "$HANG_TIMEOUT" ] && HANG_ARGS=(--blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type none)

# Value of attribute $2 of the <Counters .../> element in TRX file $1 (0 if absent).
trx_counter() {
    local value
    value="$(tr -d '\r\n' <"$1" \
        | grep -o '<Counters [^>]*>' \
        | head -n 1 \
        | grep -o "[[:space:]]$2=\"[0-9]*\"" \
        | grep -o '[0-9][0-9]*' || true)"
    echo "${value:-0}"
}

# run_tests <label> <project dir> <trx name> [VAR=value ...]
run_tests() {
    local label="$1" dir="$2" name="$3"
    shift 3
    local target trx rc total executed passed failed errors timeouts aborted note

    if [ ! -d "$dir" ]; then
        echo "==> $label: $dir does not exist, skipped"
        return 0
    fi
    RUNS=$((RUNS + 1))
    target="$dir/$(basename "$dir").csproj"
    if [ ! -f "$target" ]; then
        target="$(find "$dir" -maxdepth 1 -name '*.csproj' | sort | head -n 1)"
        if [ -z "$target" ]; then
            echo "$label: no results ($dir contains no .csproj); counted as 1 failed"
            PROBLEMS+=("$label: $dir exists but contains no .csproj")
            TOTAL_FAILED=$((TOTAL_FAILED + 1))
            return 0
        fi
    fi
    trx="$RESULTS_DIR/$name.trx"
    rm -f "$trx"

    echo
    echo "==> $label: dotnet test $target ${*:+($*)}"
    rc=0
    env "$@" dotnet test "$target" -c "$CONFIGURATION" --no-build -nologo \
        --logger "trx;LogFileName=$name.trx" \
        ${HANG_ARGS[@]+"${HANG_ARGS[@]}"} \
        --results-directory "$RESULTS_DIR" || rc=$?

    if [ ! -f "$trx" ]; then
        echo "$label: no results (exit code $rc, $name.trx missing - test run crashed?); counted as 1 failed"
        PROBLEMS+=("$label: no TRX file (exit code $rc)")
        TOTAL_FAILED=$((TOTAL_FAILED + 1))
        return 0
    fi

    total="$(trx_counter "$trx" total)"
    executed="$(trx_counter "$trx" executed)"
    passed="$(trx_counter "$trx" passed)"
    failed="$(trx_counter "$trx" failed)"
    errors="$(trx_counter "$trx" error)"
    timeouts="$(trx_counter "$trx" timeout)"
    aborted="$(trx_counter "$trx" aborted)"
    failed=$((failed + errors + timeouts + aborted))
    note=""

    if [ "$failed" -gt 0 ]; then
        PROBLEMS+=("$label: $failed failed")
    else
        # The run is broken without a failed test to show for it (test host
        # crashed or hung, nothing discovered, ...). Count it as one failure
        # so the summary never reads "0 failed" for a broken run.
        if grep -q 'test run was aborted' "$trx"; then
            PROBLEMS+=("$label: test run aborted (test host crashed or hung), exit code $rc")
            note=" - RUN ABORTED, counted as 1 failed"
            failed=1
        elif [ "$executed" -eq 0 ]; then
            PROBLEMS+=("$label: no tests executed")
            note=" - NO TESTS EXECUTED, counted as 1 failed"
            failed=1
        elif [ "$rc" -ne 0 ]; then
            PROBLEMS+=("$label: dotnet test exited with code $rc")
            note=" - EXIT CODE $rc, counted as 1 failed"
            failed=1
        fi
    fi

    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    echo "$label: $passed passed, $failed failed (total $total, executed $executed)$note"
}

run_tests "domain-tests" tests/Linli.Domain.Tests domain-tests
run_tests "bench-tests" tests/Linli.Bench.Tests bench-tests
run_tests "web-tests (sqlite)" tests/Linli.Web.Tests web-tests-sqlite LINLI_TEST_DB=sqlite
run_tests "web-tests (postgres)" tests/Linli.Web.Tests web-tests-postgres LINLI_TEST_DB=postgres
run_tests "browser-tests" tests/Linli.Browser.Tests browser-tests
# A district of real processes (scripts/district.sh on ports of its own: primary + replica, broker, three nodes, HAProxy).
run_tests "district-tests" tests/Linli.District.Tests district-tests

if [ "$RUNS" -eq 0 ]; then
    PROBLEMS+=("no test projects found under tests/ - no tests ran")
fi

print_summary
[ "${#PROBLEMS[@]}" -eq 0 ]
