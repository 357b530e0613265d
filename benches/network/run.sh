#!/usr/bin/env bash
# The walking-network benchmark of issue 8, arenagap against pandana, in one sitting (docs/performance.md,
# "Walking network (issue 8)"). Usage, from the repository root, after make_grid.py has written the grids:
#
#     cp target/release/arenagap /tmp/arenagap-bench
#     benches/network/run.sh [ROUNDS] [PANDANA_1M_TIMEOUT_S]   # default 3 rounds, 3600 s
#
# Each round runs arenagap on the 100k grid, pandana on the 100k grid, arenagap on the 1M grid, interleaved; then
# pandana runs once on the 1M grid, stopped after the timeout. Every line of /usr/bin/time goes to $LOG.
set -euo pipefail
ROUNDS=${1:-3}
TIMEOUT_1M=${2:-3600}
BIN=${ARENAGAP:-/tmp/arenagap-bench}
DATA=${DATA:-/tmp/netbench}
LOG=${LOG:-$DATA/sitting.log}
HERE=$(cd "$(dirname "$0")" && pwd)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}   # pandana's faster setting on this loaded 2-core machine
FMT="wall %e s, max RSS %M KB, user %U s, sys %S s"

arenagap() {  # grid, round
    rm -rf "$DATA/ag-$1-$2"
    /usr/bin/time -o "$DATA/time.tmp" -f "$FMT" "$BIN" analyze -q --network "$DATA/$1/grid.osm.pbf" \
        --children "$DATA/$1/children.csv" --children-count children --arenas "$DATA/$1/arenas.csv" \
        --arena-kind kind --crs EPSG:3006 --out "$DATA/ag-$1-$2" --gpkg false --map false
    echo "$(date +%T) arenagap $1 round $2: $(tr "\n" " " < "$DATA/time.tmp")" | tee -a "$LOG"
}

pandana() {  # grid, round, timeout
    local out
    out=$(/usr/bin/time -o "$DATA/time.tmp" -f "$FMT" timeout "$3" stdbuf -o0 \
        python3 "$HERE/peer_pandana.py" "$DATA/$1" --out "$DATA/pandana-$1-$2.csv" 2>&1 \
        | tee "$DATA/pandana-$1-$2.log" | tail -1) || out="stopped after $3 s ($(tail -c 300 "$DATA/pandana-$1-$2.log" | tr '\n' ' '))"
    echo "$(date +%T) pandana $1 round $2: $(tr "\n" " " < "$DATA/time.tmp" 2>/dev/null); $out" | tee -a "$LOG"
    rm -f "$DATA/time.tmp"
}

echo "$(date '+%F %T') sitting: $ROUNDS rounds, OMP_NUM_THREADS=$OMP_NUM_THREADS, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$LOG"
for r in $(seq 1 "$ROUNDS"); do
    arenagap grid100k "$r"
    pandana grid100k "$r" 100000
    arenagap grid1m "$r"
done
pandana grid1m 1 "$TIMEOUT_1M"
arenagap grid1m after
echo "$(date '+%F %T') done, load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$LOG"
