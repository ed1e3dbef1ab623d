#!/bin/bash
# Join storm: 1,000 listeners joining at 200 per second while 3 speakers
# (SPEAKERS in the environment) talk. Join time is WHEP POST sent -> first
# audio packet; the answer and SRTP-ready times show where it goes.
#
#   scripts/netns-run bash bench/join-storm.sh [LISTENERS [RAMP]]
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-1000}
RAMP=${2:-200}
SPEAKERS=${SPEAKERS:-3}
json=$OUT/join-storm-$SPEAKERS.json
bench_machine
bench_server_start
bench_loadgen "$json" --listeners "$N" --speakers "$SPEAKERS" --ramp "$RAMP" \
    --duration $(( N / RAMP + 8 )) --quiet
bench_server_stop
jq -r '"joined \(.joins.joined)/\(.joins.attempted), failed \(.joins.failed)",
       "join ms (POST -> first packet): p50 \(.joins.join_ms.p50) p95 \(.joins.join_ms.p95) p99 \(.joins.join_ms.p99) max \(.joins.join_ms.max)",
       "answer ms (POST -> 201): p50 \(.joins.answer_ms.p50) p99 \(.joins.answer_ms.p99) max \(.joins.answer_ms.max)",
       "SRTP ready ms (POST -> keys): p50 \(.joins.connected_ms.p50) p99 \(.joins.connected_ms.p99) max \(.joins.connected_ms.max)",
       "delay during the storm (all packets): p50 \(.delay_all_ms.p50) p99 \(.delay_all_ms.p99) ms; loss \(.packets.loss_pct)%"' "$json"
