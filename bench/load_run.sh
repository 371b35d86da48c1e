#!/usr/bin/env bash
# Load test: gunicorn + a Celery worker + locust (headless) against a PostgreSQL database filled by
# `manage.py seed_scale`, at 10, 25 and 50 users, then the framework floor (/health/) at 25 users.
# Prints p50/p95/p99 (ms), requests/s and failures per run; CSVs and logs go to $OUT.
#
#   bench/load_run.sh                      # 5 minutes per level (the figures of docs/performance.md)
#   DURATION=60s bench/load_run.sh         # shorter runs
#   SEED=1 bench/load_run.sh               # (re)create $DB and seed it first (about a minute)
#
# Environment: DB (portal_h10), PGURL (postgres://postgres@127.0.0.1:5432), REDIS (broker, redis://127.0.0.1:6379/5),
# CACHE (the shared cache, redis://127.0.0.1:6379/6),
# PORT (8010), WORKERS (gunicorn workers, 4), USERS ("10 25 50"), DURATION (5m), OUT (var/load).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8010}
USERS=${USERS:-"10 25 50"}
DURATION=${DURATION:-5m}
. bench/stack_env.sh

if [ "${SEED:-0}" = 1 ]; then
  psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" -c "CREATE DATABASE \"$DB\""
  $PY manage.py migrate -v0
  /usr/bin/time -f "seed_scale: %e s wall" $PY manage.py seed_scale --password "$PASSWORD"
else
  $PY manage.py migrate -v0
fi
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
$PY -m gunicorn portal.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT" --access-logfile /dev/null \
  --error-logfile "$OUT/gunicorn.log" & pids+=($!)
$PY -m celery -A portal worker -Q celery,pdf --concurrency=1 --loglevel=WARNING -n "load-$$@%h" \
  --without-gossip --without-mingle > "$OUT/worker.log" 2>&1 & pids+=($!)
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/health/" > /dev/null && break; sleep 1; done

run() {  # name users classes...
  local name=$1 users=$2; shift 2
  # what each login works on, as the database is now (an earlier level moved dossiers along)
  $PY bench/scale_targets.py > "$OUT/targets.json" 2>/dev/null
  LOAD_TARGETS="$OUT/targets.json" LOAD_PASSWORD="$PASSWORD" $PY -m locust -f bench/locustfile.py --headless \
    -u "$users" -r 5 -t "$DURATION" --reset-stats --host "http://127.0.0.1:$PORT" --csv "$OUT/$name" \
    --only-summary --loglevel WARNING "$@" > "$OUT/$name.log" 2>&1 || true
  $PY - "$OUT/${name}_stats.csv" "$name" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
agg = next(r for r in rows if r["Name"] == "Aggregated")
print(f"{sys.argv[2]:>10}: p50 {agg['50%']:>5} ms  p95 {agg['95%']:>5} ms  p99 {agg['99%']:>5} ms  "
      f"{float(agg['Requests/s']):6.1f} req/s  {agg['Request Count']:>6} requests  {agg['Failure Count']} failures")
def ms(value):
    return float(value) if value not in ("", "N/A") else 0.0
for r in sorted(rows, key=lambda r: -ms(r["95%"])):
    if r["Name"] != "Aggregated":
        print(f"{'':>12}{r['Name'][:34]:<34} p50 {r['50%']:>5}  p95 {r['95%']:>5}  p99 {r['99%']:>5}  n={r['Request Count']:>5}  fail={r['Failure Count']}")
PYEOF
}

echo "Load test on $DB, $WORKERS gunicorn workers, $DURATION per run ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
for users in $USERS; do
  run "users$users" "$users" StaffUser LeaderUser OfficerUser CouncilUser
done
run floor25 25 FloorUser
echo "Report jobs queued during the runs: $($PY manage.py shell -c 'from portal.models import ReportJob as J; from collections import Counter; print(dict(Counter(J.objects.values_list("state", flat=True))))' 2>/dev/null)"
