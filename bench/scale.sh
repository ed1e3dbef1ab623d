#!/bin/bash
# Scale: one media worker on a core of its own, fed by enough load
# generator processes that they are never the limit. For a machine with
# many cores (8 or more); on two cores use bench/loadgen-throughput.sh.
#
#   bench/scale.sh [N N ...]          (from the repository root or a bundle)
#
# Each step starts a fresh server pinned to CPU 0 (or, with WORKERS=W, runs
# `--workers W` on CPUs 0..W-1), then LOADGENS processes (default: enough
# for 400 listeners each, at most the CPUs left), pinned to the CPUs after
# the server's plus one, the first with 3 speakers, the rest listen-only
# (--speakers 0). SERVE_ARGS adds serve flags (e.g. --room-split 1500).
# The server's CPU is read from /proc over a fixed window in steady state,
# so its cost per forwarded packet counts everything it did: forwarding,
# consent checks, RTCP. Environment: MAJLIS (the binary, default
# build/release/majlis or ./majlis in a bundle), JQ, OUT, RAMP (joins per
# second in all, shared by the processes; default 400), HOLD (seconds
# measured, default 8).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -x "$here/majlis" ] && [ ! -d "$here/../src" ]; then
    MAJLIS=${MAJLIS:-$here/majlis}; JQ=${JQ:-$here/jq}
else
    cd "$here/.."; MAJLIS=${MAJLIS:-build/release/majlis}; JQ=${JQ:-jq}
fi
OUT=${OUT:-/tmp/majlis-scale}
RAMP=${RAMP:-400}
HOLD=${HOLD:-8}
STEPS=${*:-1000 2000 3000 4000 6000}
CPUS=$(nproc)
WORKERS=${WORKERS:-1}
SERVE_ARGS=${SERVE_ARGS:-}
FIRST=$((WORKERS + 1))   # first load generator CPU (one CPU left for the rest)
mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || true
# Called in the background (&): exec so that $! is the program itself.
pin() { if command -v taskset >/dev/null; then exec taskset -c "$1" "${@:2}"; else exec "${@:2}"; fi; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
healthy() { (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /healthz HTTP/1.0\r\n\r\n' >&3 &&
             grep -q '200 OK' <&3) 2>/dev/null; }

echo "machine: $CPUS CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r)"
echo "server: $MAJLIS, --workers $WORKERS $SERVE_ARGS"
printf '%-9s %-5s %-8s %-9s %-8s %-8s %-9s %-9s %-11s %-9s %-10s %-9s\n' listeners procs "pkt/s" loss% \
    "p50 ms" "p99 ms" "join p99" "srv cores" "srv us/pkt" "lst/core" "RSS MiB" "B/listener"
for n in $STEPS; do
    procs=${LOADGENS:-$(( (n + 399) / 400 ))}
    [ "$procs" -gt $((CPUS - FIRST)) ] && procs=$((CPUS - FIRST))
    [ "$procs" -lt 1 ] && procs=1
    cpu_of() {
        if [ "$CPUS" -gt "$FIRST" ]; then echo $((FIRST + $1 % (CPUS - FIRST)));
        else echo $((CPUS - 1)); fi
    }
    per=$(( (n + procs - 1) / procs ))
    ramp=$(( RAMP / procs )); [ "$ramp" -lt 1 ] && ramp=1
    ramp_s=$(( (per + ramp - 1) / ramp ))
    duration=$(( ramp_s + 3 + HOLD + 2 ))
    data=$(mktemp -d /tmp/majlis-scale-XXXXXX)
    room=$("$MAJLIS" room create --data "$data" Scale)
    speak=$(for _ in 1 2 3; do "$MAJLIS" token --data "$data" --room "$room" --role speaker; done | paste -sd,)
    hear=$("$MAJLIS" token --data "$data" --room "$room" --role listener)
    MAJLIS_RATE_LIMITS=media_address=off pin "0-$((WORKERS - 1))" "$MAJLIS" serve --data "$data" --http 127.0.0.1:18490 \
        --media-port 41490 --workers "$WORKERS" --max-sessions-per-address 0 $SERVE_ARGS --log-level warn >"$data/serve.log" 2>&1 &
    srv=$!
    for _ in $(seq 100); do healthy 18490 && break; sleep 0.1; done
    rss0=$(awk '/VmRSS/ {print $2}' "/proc/$srv/status")
    pids=()
    for p in $(seq 0 $((procs - 1))); do
        spk=0; [ "$p" = 0 ] && spk=3
        pin "$(cpu_of "$p")" "$MAJLIS" loadgen --url http://127.0.0.1:18490 --room "$room" \
            --speaker-token "$speak" --listener-token "$hear" --listeners "$per" \
            --speakers "$spk" --ramp "$ramp" --duration "$duration" --server-pid "$srv" \
            --json "$OUT/scale-$n-$p.json" --quiet >"$OUT/scale-$n-$p.txt" 2>&1 &
        pids+=($!)
        [ "$p" = 0 ] && sleep 1   # the speakers first
    done
    sleep $(( ramp_s + 3 ))
    t0=$(cpu_ticks "$srv"); s0=$(date +%s.%N)
    sleep "$HOLD"
    t1=$(cpu_ticks "$srv"); s1=$(date +%s.%N)
    rss1=$(awk '/VmRSS/ {print $2}' "/proc/$srv/status")
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    kill "$srv"; wait "$srv" 2>/dev/null || true
    rm -rf "$data"
    hz=$(getconf CLK_TCK)
    "$JQ" -s --argjson n "$n" --argjson procs "$procs" --argjson ticks "$((t1 - t0))" \
        --argjson hz "$hz" --argjson secs "$(echo "$s1 - $s0" | bc -l 2>/dev/null || echo "$HOLD")" \
        --argjson rss0 "$rss0" --argjson rss1 "$rss1" -r '
        (map(.packets.received) | add) as $rx
        | (map(.packets.expected) | add) as $exp
        | (map(.packets.lost) | add) as $lost
        | (map(.server.packets_per_s // 0) | add) as $pps
        | ($ticks / $hz) as $cpu
        | [$n, $procs, ($pps|round), (if $exp > 0 then 100 * $lost / $exp else 0 end),
           (map(.delay_ms.p50) | max), (map(.delay_ms.p99) | max), (map(.joins.join_ms.p99) | max),
           ($cpu / $secs), (if $pps > 0 then 1e6 * $cpu / ($pps * $secs) else 0 end),
           (if $cpu > 0 then $n / ($cpu / $secs) else 0 end), ($rss1 / 1024),
           (($rss1 - $rss0) * 1024 / $n)]
        | map(if type == "number" then (. * 100 | round / 100) else . end) | @tsv' \
        "$OUT"/scale-"$n"-*.json |
        awk -F'\t' '{printf "%-9s %-5s %-8s %-9s %-8s %-8s %-9s %-9s %-11s %-9s %-10s %-9s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12}'
done
echo "JSON and text per process in $OUT"
