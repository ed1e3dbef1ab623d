# Shared by the load-generator benchmarks (bench/loadgen-*.sh). Sourced,
# inside a private network namespace (scripts/netns-run), from the
# repository root. Starts a release-built server in a temporary data
# directory, makes a room and tokens, and runs `majlis loadgen` with
# --server-pid. Nothing leaves loopback.
#
# Environment:
#   MAJLIS_BIN  the binary (default build/release/majlis; build it with
#               cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo
#               -DMJ_TESTS=OFF && cmake --build build/release)
#   PIN         1 (default): server on CPU 0, load generator on CPU 1, so
#               each has a core of its own on a 2-core machine; 0: no pinning
#   OUT         where the JSON of each run goes (default /tmp/majlis-bench)
#   SERVE_ARGS  more `majlis serve` flags for every run (e.g. "--workers 2
#               --room-split 750")
#   LOADGEN_ARGS more `majlis loadgen` flags for every run (e.g. "--tcp")

BIN=${MAJLIS_BIN:-build/release/majlis}
PIN=${PIN:-1}
OUT=${OUT:-/tmp/majlis-bench}
mkdir -p "$OUT"

if [ ! -x "$BIN" ]; then
    echo "no $BIN: build it first (see bench/lib.sh)" >&2
    exit 1
fi

ip link set lo up 2>/dev/null || true

# taskset execs the command, so $! is the server's own PID.
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ]; then
    ON_CPU0="taskset -c 0"
    ON_CPU1="taskset -c 1"
else
    ON_CPU0=""
    ON_CPU1=""
fi

# bench_server_start [EXTRA SERVE FLAGS...]: sets DATA ROOM SPEAK HEAR URL SERVER_PID
bench_server_start() {
    DATA=$(mktemp -d /tmp/majlis-bench-XXXXXX)
    ROOM=$("$BIN" room create --data "$DATA" "Benchmark")
    # One token per speaker: a token is one person, heard on one slot.
    SPEAK=$(for _ in 1 2 3; do "$BIN" token --data "$DATA" --room "$ROOM" --role speaker; done |
            paste -sd,)
    HEAR=$("$BIN" token --data "$DATA" --room "$ROOM" --role listener)
    URL=http://127.0.0.1:18480
    # Every client of a benchmark is on loopback: no limit per address.
    MAJLIS_RATE_LIMITS=media_address=off $ON_CPU0 "$BIN" serve --data "$DATA" --http 127.0.0.1:18480 --media-port 41480 \
        --log-level warn --max-sessions-per-address 0 ${SERVE_ARGS:-} "$@" >"$DATA/serve.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -sf "$URL/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the server did not start:" >&2
    cat "$DATA/serve.log" >&2
    return 1
}

bench_server_stop() {
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    rm -rf "$DATA"
}

# bench_loadgen JSON LOADGEN FLAGS...: one run against the running server.
bench_loadgen() {
    local json=$1
    shift
    $ON_CPU1 "$BIN" loadgen --url "$URL" --room "$ROOM" --speaker-token "$SPEAK" \
        --listener-token "$HEAR" --server-pid "$SERVER_PID" --json "$json" ${LOADGEN_ARGS:-} "$@"
}

bench_machine() {
    echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
        "$(free -g | awk '/Mem:/ {print $2}') GiB, Linux $(uname -r); pinning: $PIN"
}
