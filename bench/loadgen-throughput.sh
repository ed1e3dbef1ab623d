#!/bin/bash
# Throughput: 3 speakers and a rising number of listeners, a fresh server
# for each step, until loss passes 0.5% or delay p99 passes 5 ms (that
# step is printed, then the script stops). For each step: loss, delay,
# the server's CPU per forwarded packet, packets per second per core and
# listeners per core, and the load generator's own CPU beside them.
#
#   scripts/netns-run bash bench/loadgen-throughput.sh [N N ...]
#
# Default steps: 250 500 750 1000 1250 1500 2000. RAMP (default 250 joins/s)
# and HOLD (default 12 s of steady state after the ramp) can be set in the
# environment. See bench/lib.sh for MAJLIS_BIN and PIN.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
RAMP=${RAMP:-250}
HOLD=${HOLD:-12}
STEPS=${*:-250 500 750 1000 1250 1500 2000}

bench_machine
echo "3 speakers; ramp $RAMP/s; $HOLD s held after the ramp"
printf '%-9s %-7s %-8s %-8s %-8s %-8s %-9s %-12s %-10s %-8s %-9s\n' listeners loss% \
    "p50 ms" "p99 ms" "app p99" "srv cpu" "us/pkt" "pkt/s/core" "lst/core" "lg cpu" "lg us/pkt"
for n in $STEPS; do
    json=$OUT/throughput-$n.json
    duration=$(( (n + RAMP - 1) / RAMP + HOLD ))
    bench_server_start
    bench_loadgen "$json" --listeners "$n" --speakers 3 --ramp "$RAMP" --duration "$duration" \
        --quiet >"$OUT/throughput-$n.txt" 2>&1 || true
    bench_server_stop
    if [ ! -s "$json" ]; then
        echo "$n: the run failed:" >&2
        cat "$OUT/throughput-$n.txt" >&2
        exit 1
    fi
    jq -r '[.config.listeners, (.packets.loss_pct*1000|round/1000), .delay_ms.p50, .delay_ms.p99,
            .delay_app_ms.p99, .server.cores_used, .server.cpu_us_per_packet,
            .server.packets_per_s_per_core, .server.listeners_per_core, .loadgen.cores_used,
            .loadgen.cpu_us_per_packet] | map(if type == "number" then (.*100|round/100) else . end)
           | @tsv' "$json" | awk -F'\t' '{printf "%-9s %-7s %-8s %-8s %-8s %-8s %-9s %-12s %-10s %-8s %-9s\n", $1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11}'
    stop=$(jq '.packets.loss_pct > 0.5 or .delay_ms.p99 > 5' "$json")
    if [ "$stop" = true ]; then
        echo "stopped: loss over 0.5% or delay p99 over 5 ms at $n listeners"
        break
    fi
done
echo "JSON per step in $OUT/throughput-*.json"
