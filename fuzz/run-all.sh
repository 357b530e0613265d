#!/usr/bin/env bash
# Runs every fuzz target in two parallel streams (one per core) for the given minutes each; logs to fuzz/logs/.
# Usage: fuzz/run-all.sh MINUTES   (from the repository root or anywhere)
set -u
cd "$(dirname "$0")"
minutes=${1:-10}
mkdir -p logs corpus
export ASAN_OPTIONS=allocator_may_return_null=1  # as the real allocator: a refused reservation is an error
run() {
  local target=$1 max_len=$2
  mkdir -p "corpus/$target"
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time=$((minutes * 60)) -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=65536 -max_len="$max_len" -print_final_stats=1 \
    > "logs/$target.log" 2>&1
  echo "$target: exit $?" >> logs/summary.txt
}
( run geojson 16384; run csv 8192; run crs 4096 ) &
( run shapefile 8192; run gpkg 40000; run config 8192; run scenario 4096; run osm 16384 ) &
wait
