#!/bin/bash
# Memory: the server's resident memory with N listeners (1 speaker, three
# slots each), a fresh server per step, and the slope of RSS against N by
# least squares: the bytes one more listener costs.
#
#   scripts/netns-run bash bench/memory.sh [N N ...]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
STEPS=${*:-500 1000 2000 3000}
RAMP=${RAMP:-500}
bench_machine
printf '%-10s %-16s %-14s %-14s %-12s\n' listeners "speakers only" "with listeners" "peak (HWM)" "per listener"
pairs=""
for n in $STEPS; do
    json=$OUT/memory-$n.json
    bench_server_start
    bench_loadgen "$json" --listeners "$n" --speakers 1 --ramp "$RAMP" \
        --duration $(( n / RAMP + 8 )) --quiet >"$OUT/memory-$n.txt" 2>&1 || true
    bench_server_stop
    jq -r '[.config.listeners, .server.speakers_in.rss_kib, .server.at_end.rss_kib,
            .server.at_end.hwm_kib, (.server.rss_per_listener_bytes|round)] | @tsv' "$json" |
        awk -F'\t' '{printf "%-10s %-16s %-14s %-14s %-12s\n", $1, $2 " KiB", $3 " KiB", $4 " KiB", $5 " B"}'
    pairs="$pairs $(jq -r '"\(.joins.joined):\(.server.at_end.rss_kib)"' "$json")"
done
echo "$pairs" | tr ' ' '\n' | awk -F: 'NF == 2 {n++; x += $1; y += $2 * 1024; xx += $1 * $1; xy += $1 * $2 * 1024}
    END { if (n > 1) { b = (n * xy - x * y) / (n * xx - x * x); a = (y - b * x) / n;
          printf "slope: %.0f bytes per listener (intercept %.1f MiB)\n", b, a / 1048576 } }'
