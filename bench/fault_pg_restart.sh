#!/usr/bin/env bash
# PostgreSQL restarted in the middle of a load run (issue 7, point 6): the same stack as
# bench/load_run.sh (gunicorn + a Celery worker + locust) on the seed_scale database; RESTART_AT
# seconds into the run the PostgreSQL cluster is restarted (pg_ctlcluster … restart). Prints, per
# second around the restart, requests and failures; the failures' messages; whether gunicorn's and
# the worker's processes are the same before and after (nothing restarted but the database); and
# the first request after the run.
#
#   bench/fault_pg_restart.sh                 # 10 users, 90 s, restart at 30 s
#   USERS=25 DURATION=120 RESTART_AT=40 bench/fault_pg_restart.sh
#
# Needs the database of bench/load_run.sh (SEED=1 bench/load_run.sh, or seed it as docs/performance.md
# says) and the right to run pg_ctlcluster (root, or the postgres user). Not for CI: it restarts the
# machine's PostgreSQL, which every other test on it uses.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PORT:-8011}
USERS=${USERS:-10}
DURATION=${DURATION:-90}
RESTART_AT=${RESTART_AT:-30}
. bench/stack_env.sh

version=$(pg_lsclusters -h | awk '$2 == "main" {print $1; exit}')
[ -n "$version" ] || { echo "no PostgreSQL cluster named main (pg_lsclusters)"; exit 1; }
$PY bench/scale_targets.py > "$OUT/targets.json" 2>/dev/null

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
$PY -m gunicorn portal.wsgi -w "$WORKERS" -b "127.0.0.1:$PORT" --access-logfile /dev/null \
  --error-logfile "$OUT/pgrestart-gunicorn.log" & gunicorn=$!; pids+=($gunicorn)
$PY -m celery -A portal worker -Q celery,pdf --concurrency=1 --loglevel=WARNING -n "pgrestart-$$@%h" \
  --without-gossip --without-mingle > "$OUT/pgrestart-worker.log" 2>&1 & worker=$!; pids+=($worker)
for _ in $(seq 60); do curl -fs "http://127.0.0.1:$PORT/health/" > /dev/null && break; sleep 1; done
sleep 3  # gunicorn's workers all up
processes_before=$(pgrep -P "$gunicorn" | sort | tr '\n' ' '; echo "worker $worker")

LOAD_TARGETS="$OUT/targets.json" LOAD_PASSWORD="$PASSWORD" $PY -m locust -f bench/locustfile.py --headless \
  -u "$USERS" -r 5 -t "${DURATION}s" --host "http://127.0.0.1:$PORT" --csv "$OUT/pgrestart" --csv-full-history \
  --only-summary --loglevel WARNING StaffUser LeaderUser OfficerUser CouncilUser > "$OUT/pgrestart.log" 2>&1 &
locust=$!
sleep "$RESTART_AT"
restart_started=$(date +%s.%N)
pg_ctlcluster --skip-systemctl-redirect "$version" main restart
restart_done=$(date +%s.%N)
wait "$locust" || true

processes_after=$(pgrep -P "$gunicorn" | sort | tr '\n' ' '; echo "worker $worker")
kill -0 "$worker" 2>/dev/null || processes_after="$processes_after (worker gone)"
after=$(curl -s -o /dev/null -w "%{http_code}" "http://127.0.0.1:$PORT/health/")

$PY - "$OUT" "$restart_started" "$restart_done" "$processes_before" "$processes_after" "$after" <<'PYEOF'
import csv, sys
out, started, done, before, after, health = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), *sys.argv[4:]
rows = [r for r in csv.DictReader(open(f"{out}/pgrestart_stats_history.csv")) if r["Name"] == "Aggregated"]
previous = (0, 0)
per_second = []
for row in rows:
    total, failed = int(row["Total Request Count"]), int(row["Total Failure Count"])
    per_second.append((int(row["Timestamp"]) - started, total - previous[0], failed - previous[1]))
    previous = (total, failed)
failed_at = [t for t, _n, f in per_second if f]
print(f"PostgreSQL restart took {done - started:.1f} s (pg_ctlcluster restart), at t = 0 below")
print(f"requests: {previous[0]}, failures: {previous[1]}")
if failed_at:
    print(f"failures from t = {min(failed_at):+.0f} s to t = {max(failed_at):+.0f} s")
last_failure = max(failed_at) if failed_at else None
after_window = [(n, f) for t, n, f in per_second if t > (done - started) + 5]
print(f"requests more than 5 s after the restart: {sum(n for n, _ in after_window)}, "
      f"failed: {sum(f for _, f in after_window)}")
print("around the restart (t: requests, failures):",
      ", ".join(f"{t:+.0f}: {n}/{f}" for t, n, f in per_second if -5 <= t <= (done - started) + 10))
for row in csv.DictReader(open(f"{out}/pgrestart_failures.csv")):
    print(f"  failure: {row['Method']} {row['Name']}: {row['Error'][:120]} × {row['Occurrences']}")
print(f"gunicorn worker pids and Celery worker before: {before}")
print(f"                                        after:  {after}")
print(f"same processes throughout: {'yes' if before == after else 'NO'}; /health/ after the run: {health}")
PYEOF
