#!/usr/bin/env bash
# Check the Spark SQL stages against csqa: the bundled data, and generated
# 3-month sets (naive timestamps in a zone with daylight saving, aware
# timestamps) with bad rows and duplicates added, each month run by
# `csqa monthly` and by the stages on the loopback cluster, every pack table
# compared to 1e-9 with the counts, reasons and rejected rows.
#
#   bench/spark/check.sh [--quick] [CSQA_BINARY]   # default target/debug/csqa
#
# --quick: one month of each generated set (the naive one with the DST gap,
# the aware one), without the FCR-scope and second-month runs.
#
# Needs the cluster running (.ci/spark-cluster install && .ci/spark-cluster start).
set -euo pipefail
cd "$(dirname "$0")/../.."
quick=false
if [ "${1:-}" = --quick ]; then
    quick=true
    shift
fi
csqa=$(realpath "${1:-target/debug/csqa}")
py=${CSQA_SPARK_HOME:-$HOME/.cache/csqa-spark}/venv/bin/python
stages="$py bench/spark/stages.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf 'timezone = "Europe/Berlin"\n' >"$work/berlin.toml"
printf 'timezone = "Europe/Berlin"\n[fcr]\nscope = "customer_business_line"\n' >"$work/berlin-line.toml"
printf 'timezone = "Asia/Shanghai"\n' >"$work/shanghai.toml"

echo "== the naive-time reading at every transition of three zones"
$stages --check-zone Europe/Berlin --check-zone America/New_York --check-zone Australia/Lord_Howe

# check DATA MONTH CONFIG [--fcr-by-line]
check() {
    local data=$1 month=$2 config=$3 tz out
    tz=$(sed -n 's/^timezone = "\(.*\)"/\1/p' "$config")
    out=$work/out-$(basename "$data")-$(basename "$config" .toml)
    "$csqa" --quiet monthly --config "$config" --data-dir "$data" --out-dir "$out" --month "$month" >/dev/null
    echo "== $(basename "$data") $month ($(basename "$config" .toml))"
    $stages --data "$data" --month "$month" --timezone "$tz" \
        --csqa-out "$out/monthly/$month" "${@:4}" 2>/dev/null | grep -E "equal|DIFF|read,|on Spark"
}

check data 2026-09 "$work/shanghai.toml"

"$csqa" --quiet generate --config "$work/berlin.toml" --out "$work/naive-berlin" \
    --from 2026-02 --months 3 --sessions-per-month 8000 --timestamps naive --seed 11 >/dev/null
$py bench/spark/dirty.py "$work/naive-berlin" 2026-03 Europe/Berlin >/dev/null
check "$work/naive-berlin" 2026-03 "$work/berlin.toml"
if ! $quick; then
    check "$work/naive-berlin" 2026-03 "$work/berlin-line.toml" --fcr-by-line
    check "$work/naive-berlin" 2026-04 "$work/berlin.toml"
fi

"$csqa" --quiet generate --config "$work/shanghai.toml" --out "$work/aware-shanghai" \
    --from 2026-08 --months 3 --sessions-per-month 8000 --timestamps aware --seed 12 >/dev/null
$py bench/spark/dirty.py "$work/aware-shanghai" 2026-09 Asia/Shanghai >/dev/null
check "$work/aware-shanghai" 2026-09 "$work/shanghai.toml"
$quick || check "$work/aware-shanghai" 2026-10 "$work/shanghai.toml"
echo "== every check passed"
