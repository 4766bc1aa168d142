#!/usr/bin/env bash
# The performance benchmark (docs/performance.md). Generates deterministic synthetic repositories
# (10,000 and 1,000 applications), then measures in one run:
#   1. iblint check on 10,000 apps: wall time and peak RSS
#   2. the baselines on the same files, with the same walk, threads and allocator: the bare
#      saphyr-parser event loop (the headline ratio's denominator) and the tree-building parse,
#      run in turn with iblint round by round (so are step 4's three)
#   2b. memory at scale: iblint check on 3x and 10x as many apps (30,000 and 100,000): peak RSS,
#      the marginal bytes per app between 10,000 and 30,000, and the 100,000-app wall time; then
#      the same checks with the cache, filling it and reading it
#   3. checkov on the 1,000-app tree next to iblint on the same tree, with finding counts
#   4. 1 thread against all threads
#   5. `iblint check one-file.yaml` inside the 10,000-app git repository (the pre-commit case):
#      without the cache, with a warm cache, and with the file edited before each run; and the
#      cost of filling the cache on a cold full check
#   6. `iblint audit` against the fake API server (10,000 pods, and 50,000 with default options),
#      each next to `kubectl get pods -A -o json` listing the same pods
#   7. human output against JSON on one 1.3 MB file with 8,000 findings (snippets must not make
#      the human format slower than twice the JSON one)
#   8. growth: commands whose cost a benchmark of one size hides, each on an input and on three
#      times as much of the same shape (linear is ~3, a square ~9): `iblint map` on 10,000 and
#      30,000 apps, `iblint fix --dry-run` on one file of 1,000 and 3,000 apps; and the audit of
#      50,000 pods against 10,000 (linear: ~5)
#   9. manifests as real repositories write them (3,000 apps whose pods carry probes, resources,
#      security contexts, affinity, a sidecar; and vendored CRDs): check against the event loop
# and prints every figure and ratio, and writes them to bench/out/results.json.
#
# Environment: BENCH_N (default 10000), BENCH_SMALL_N (default 1000), BENCH_SCALE=0 to skip step
# 2b (its sizes: BENCH_LARGE_N, default 3 x BENCH_N; BENCH_HUGE_N, default 10 x BENCH_N; 0 skips
# one), BENCH_RUNS (default 3,
# the best run counts), BENCH_SKIP_CHECKOV=1 to skip step 3, BENCH_PODS (default 10000: the fake
# cluster's pods; half as many ServiceAccounts, a fifth as many roles and bindings), BENCH_PODS_LARGE
# (default 50000: the large cluster, same proportions), BENCH_REAL_N (default 3000: step 9's
# apps), BENCH_OUT
# (default bench/out), BENCH_PROFILE (default release; the test suite's smoke run uses dev),
# BENCH_BIN_DIR (binaries already built — iblint, kubectl-iblint, examples/parse_only,
# examples/fake_apiserver — as the test suite has them; what is missing there is built).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${BENCH_OUT:-$ROOT/bench/out}
N=${BENCH_N:-10000}
SMALL_N=${BENCH_SMALL_N:-1000}
LARGE_N=${BENCH_LARGE_N:-$((N * 3))}
HUGE_N=${BENCH_HUGE_N:-$((N * 10))}
[[ ${BENCH_SCALE:-1} == 0 ]] && LARGE_N=0 HUGE_N=0
RUNS=${BENCH_RUNS:-3}
PODS=${BENCH_PODS:-10000}
PODS_LARGE=${BENCH_PODS_LARGE:-50000}
REAL_N=${BENCH_REAL_N:-3000}
PROFILE=${BENCH_PROFILE:-release}
mkdir -p "$OUT"
WORK=$(mktemp -d)
FAKE=
# The fake API servers of step 6 are stopped however the script ends (a server left running
# would take processor time from every later figure, and outlive the run).
trap 'if [[ -n $FAKE ]]; then kill "$FAKE" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=${BENCH_BIN_DIR:-$TARGET/$([[ $PROFILE == dev ]] && echo debug || echo "$PROFILE")}
# Builds what BENCH_BIN_DIR lacks (everything, without it): cargo-build ARGS... -- FILES...
build_unless_present() {
  local args=() files=() seen=0
  for a in "$@"; do
    if [[ $a == -- ]]; then seen=1; elif [[ $seen == 0 ]]; then args+=("$a"); else files+=("$a"); fi
  done
  if [[ -n ${BENCH_BIN_DIR:-} ]]; then
    local f missing=0
    for f in "${files[@]}"; do [[ -x $BIN/$f ]] || missing=1; done
    [[ $missing == 0 ]] && return 0
  fi
  cargo build --profile "$PROFILE" --quiet "${args[@]}"
}
build_unless_present --bin iblint --example parse_only -- iblint examples/parse_only
IBLINT=$BIN/iblint
PARSE_ONLY=$BIN/examples/parse_only
THREADS=$(nproc)

echo "generating $N and $SMALL_N apps in $WORK"
python3 bench/gen_repo.py "$N" "$WORK/big"
python3 bench/gen_repo.py "$SMALL_N" "$WORK/small"
git -C "$WORK/big" init -q # the pre-commit case resolves references across the git work tree
BIG_BYTES=$(find "$WORK/big" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')

# run_once NAME DIR CMD...: one run of CMD in DIR; NAME keeps its best wall seconds and the peak
# RSS (KB) of that run.
declare -A WALL RSS BEST_KB
run_once() {
  local name=$1 dir=$2
  shift 2
  # Wall time from the nanosecond clock (time's %e has 10 ms steps: too coarse for ratios of
  # sub-second runs); peak RSS from /usr/bin/time.
  local t0 t1 wall kb
  t0=$(date +%s%N)
  (cd "$dir" && /usr/bin/time -f '%M' -o "$WORK/time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err") || true
  t1=$(date +%s%N)
  wall=$(awk "BEGIN {printf \"%.3f\", ($t1 - $t0) / 1e9}")
  # /usr/bin/time appends "Command exited with non-zero status" on exit 1: keep the last line.
  kb=$(tail -n1 "$WORK/time")
  if [[ -z ${WALL[$name]:-} ]] || awk "BEGIN {exit !($wall < ${WALL[$name]})}"; then
    WALL[$name]=$wall
    BEST_KB[$name]=$kb
  fi
}

# report NAME: prints NAME's best run (and sets its RSS in MB).
report() {
  RSS[$1]=$(awk "BEGIN {printf \"%.1f\", ${BEST_KB[$1]} / 1024}")
  printf '%-28s %8.3f s  %8s MB\n' "$1" "${WALL[$1]}" "${RSS[$1]}"
}

# measure NAME DIR CMD...: best of RUNS runs.
measure() {
  local name=$1
  unset "WALL[$name]"
  for _ in $(seq "$RUNS"); do run_once "$@"; done
  report "$name"
}

# measure_in_turn DIR NAME...: the commands named (each in the array CMD_<NAME>) run in turn, RUNS
# rounds, each keeping its best: a busy spell of the shared machine then weighs on a ratio's
# numerator and denominator alike, where measuring one after the other let it fall on one.
measure_in_turn() {
  local dir=$1 name
  shift
  for name in "$@"; do unset "WALL[$name]"; done
  for _ in $(seq "$RUNS"); do
    for name in "$@"; do
      local cmd="CMD_${name}[@]"
      run_once "$name" "$dir" "${!cmd}"
    done
  done
  for name in "$@"; do report "$name"; done
}

# Milliseconds, for the pre-commit case (time's %e has 10 ms resolution).
measure_ms() {
  local name=$1 dir=$2
  shift 2
  local best=""
  for _ in $(seq $((RUNS * 3))); do
    local t0 t1
    t0=$(date +%s%N)
    (cd "$dir" && "$@" >/dev/null 2>&1) || true
    t1=$(date +%s%N)
    local ms=$(((t1 - t0) / 1000000))
    if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
  done
  WALL[$name]=$(awk "BEGIN {printf \"%.3f\", $best / 1000}")
  printf '%-28s %8d ms\n' "$name" "$best"
}

# What share of a tree's YAML streams the line scanner read whole (the rest saphyr-parser read).
line_share() {
  (cd "$1" && IBLINT_TIMINGS=1 "$IBLINT" check . --format sarif --fail-on never --no-cache 2>&1 >/dev/null) |
    sed -n 's/^iblint timings: yaml streams: \([0-9]*\) read by the line scanner, \([0-9]*\) declined by it$/\1 of \1+\2/p' |
    awk -F' of ' '{split($2, n, "+"); printf "%d of %d", $1, n[1] + n[2]}'
}

count_sarif() { python3 -c 'import json,sys; print(sum(len(r.get("results", [])) for r in json.load(open(sys.argv[1]))["runs"]))' "$1"; }

echo "== 1-2. $N apps ($BIG_BYTES bytes), $THREADS threads"
# shellcheck disable=SC2034 # read by measure_in_turn, by name
CMD_check_big=("$IBLINT" check . --format sarif --fail-on never --no-cache)
# shellcheck disable=SC2034
CMD_events_only_big=("$PARSE_ONLY" --events .)
# shellcheck disable=SC2034
CMD_parse_only_big=("$PARSE_ONLY" .)
measure_in_turn "$WORK/big" check_big events_only_big parse_only_big
CHECK_BIG_FINDINGS=$(count_sarif "$WORK/check_big.out")
SHARE_BIG=$(line_share "$WORK/big")
DOCS=$(grep -o '[0-9]* documents' "$WORK/parse_only_big.out" | cut -d' ' -f1)

echo "== 2b. memory at scale"
# One tree at a time on disk: each is generated, measured and removed.
for scale in large huge; do
  n=$([[ $scale == large ]] && echo "$LARGE_N" || echo "$HUGE_N")
  [[ $n == 0 ]] && continue
  echo "generating $n apps"
  python3 bench/gen_repo.py "$n" "$WORK/$scale"
  RUNS_SAVED=$RUNS RUNS=1
  measure "check_$scale" "$WORK/$scale" "$IBLINT" check . --format sarif --fail-on never --no-cache
  # The same check as a user runs it, with the cache (the default): filling an empty one, then
  # reading it. The tree is no git work tree, so the cache is in the user's cache directory.
  measure "check_${scale}_cache_cold" "$WORK/$scale" sh -c 'rm -rf "$1" && XDG_CACHE_HOME="$1" exec "$0" check . --format sarif --fail-on never' "$IBLINT" "$WORK/xdg-$scale"
  measure "check_${scale}_cache_warm" "$WORK/$scale" env XDG_CACHE_HOME="$WORK/xdg-$scale" "$IBLINT" check . --format sarif --fail-on never
  # Step 8's map of three times the apps, while the tree is on disk.
  [[ $scale == large ]] && measure map_large "$WORK/large" "$IBLINT" map .
  RUNS=$RUNS_SAVED
  rm -rf "${WORK:?}/xdg-$scale"
  rm -rf "${WORK:?}/$scale"
done

echo "== 4. 1 thread vs $THREADS"
# The check at all threads is measured again here, in turn with the one-thread check: the ratio
# then compares runs of the same spell of a shared machine, not of steps minutes apart.
# shellcheck disable=SC2034 # read by measure_in_turn, by name
CMD_check_big_1thread=("$IBLINT" --threads 1 check . --format sarif --fail-on never --no-cache)
# shellcheck disable=SC2034
CMD_check_big_all_threads=("${CMD_check_big[@]}")
# shellcheck disable=SC2034
CMD_events_only_big_1thread=("$PARSE_ONLY" --threads 1 --events .)
# shellcheck disable=SC2034
CMD_parse_only_big_1thread=("$PARSE_ONLY" --threads 1 .)
measure_in_turn "$WORK/big" check_big_1thread check_big_all_threads events_only_big_1thread parse_only_big_1thread

echo "== 3. checkov vs iblint on $SMALL_N apps"
measure check_small "$WORK/small" "$IBLINT" check . --format sarif --fail-on never --no-cache
CHECK_SMALL_FINDINGS=$(count_sarif "$WORK/check_small.out")
CHECKOV_FINDINGS=null
if [[ ${BENCH_SKIP_CHECKOV:-0} != 1 ]] && command -v checkov >/dev/null; then
  RUNS_SAVED=$RUNS RUNS=1
  measure checkov_small "$WORK/small" checkov -d . --framework kubernetes -o sarif --skip-download -s --output-file-path "$WORK/checkov"
  RUNS=$RUNS_SAVED
  CHECKOV_FINDINGS=$(count_sarif "$WORK/checkov/results_sarif.sarif" 2>/dev/null || echo null)
else
  echo "checkov: skipped (BENCH_SKIP_CHECKOV=1, or not installed: pip install checkov)"
fi

echo "== 5. pre-commit: one file inside the $N-app repository"
ONE=apps/team-03/app-00003.yaml
# Without the cache (every file of the work tree read and evaluated), then with it: warm (nothing
# changed) and, as on a real commit, after an edit of the staged file (its result computed
# again, the cache file rewritten). The cache's cost on a cold full check: the same check that
# fills an empty cache against one that uses none.
measure_ms precommit_no_cache "$WORK/big" "$IBLINT" check "$ONE" --fail-on never --no-cache
rm -rf "$WORK/big/.git/iblint"
"$IBLINT" check "$ONE" --fail-on never >/dev/null 2>&1 || true
measure_ms precommit_warm "$WORK/big" "$IBLINT" check "$ONE" --fail-on never
EDIT=0
edit_and_check() {
  EDIT=$((EDIT + 1))
  printf '# edit %s\n' "$EDIT" >>"$ONE"
  "$IBLINT" check "$ONE" --fail-on never
}
measure_ms precommit_after_edit "$WORK/big" edit_and_check
measure check_big_fill_cache "$WORK/big" sh -c 'rm -rf .git/iblint && exec "$0" check . --format sarif --fail-on never' "$IBLINT"
CACHE_BYTES=$(find "$WORK/big/.git/iblint" -type f -printf '%s\n' | awk '{s+=$1} END {print s + 0}')

echo "== 6. audit against the fake API server"
AUDIT=skipped
if [[ -f examples/fake_apiserver.rs ]]; then
  build_unless_present --features live --example fake_apiserver --bin kubectl-iblint -- examples/fake_apiserver kubectl-iblint
  "$BIN/examples/fake_apiserver" --pods "$PODS" --service-accounts $((PODS / 2)) --rbac $((PODS / 5)) \
    --kubeconfig "$WORK/kubeconfig" >"$WORK/fake.log" 2>&1 &
  FAKE=$!
  for _ in $(seq 100); do grep -q 'listening on' "$WORK/fake.log" && break; sleep 0.1; done
  measure audit_10k_pods "$ROOT" "$BIN/kubectl-iblint" audit --kubeconfig "$WORK/kubeconfig" --fail-on never
  measure audit_10k_pods_no_sar "$ROOT" "$BIN/kubectl-iblint" audit --kubeconfig "$WORK/kubeconfig" --fail-on never --no-sar
  # Baseline: kubectl listing the same pods the same way (pages of 500), as JSON.
  if command -v kubectl >/dev/null; then
    measure kubectl_get_pods_10k "$ROOT" kubectl --kubeconfig "$WORK/kubeconfig" get pods -A -o json --chunk-size 500
  fi
  kill "$FAKE" 2>/dev/null || true
  # The large cluster, audited with the default options (time limits, SubjectAccessReviews).
  "$BIN/examples/fake_apiserver" --pods "$PODS_LARGE" --service-accounts $((PODS_LARGE / 2)) --rbac $((PODS_LARGE / 5)) \
    --kubeconfig "$WORK/kubeconfig-large" >"$WORK/fake-large.log" 2>&1 &
  FAKE=$!
  for _ in $(seq 600); do grep -q 'listening on' "$WORK/fake-large.log" && break; sleep 0.1; done
  measure audit_50k_pods "$ROOT" "$BIN/kubectl-iblint" audit --kubeconfig "$WORK/kubeconfig-large" --fail-on never --format json
  LARGE_PODS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["audit"]["pods"])' "$WORK/audit_50k_pods.out")
  if [[ $LARGE_PODS != "$PODS_LARGE" ]]; then
    echo "the audit of the large cluster read $LARGE_PODS pods of $PODS_LARGE" >&2
    exit 1
  fi
  if command -v kubectl >/dev/null; then
    measure kubectl_get_pods_50k "$ROOT" kubectl --kubeconfig "$WORK/kubeconfig-large" get pods -A -o json --chunk-size 500
  fi
  kill "$FAKE" 2>/dev/null || true
  FAKE=
  AUDIT=measured
else
  echo "skipped: no fake API server"
fi

echo "== 7. human vs JSON output, one file with many findings"
python3 - "$WORK/many/list.yaml" <<'PY'
import os, sys
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
items = []
for i in range(8000):
    # An unquoted number as an annotation value: one IB002 error per item.
    items.append(f"""- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: account-{i:05d}
    namespace: team-{i % 50:02d}
    annotations:
      azure.workload.identity/service-account-token-expiration: 3600
      description: "padding"
""")
open(sys.argv[1], "w").write("apiVersion: v1\nkind: List\nitems:\n" + "".join(items))
PY
measure many_findings_json "$WORK/many" "$IBLINT" check list.yaml --format json --fail-on never
measure many_findings_human "$WORK/many" "$IBLINT" check list.yaml --format human --no-color --fail-on never

echo "== 8. growth: three times the input"
# One run, as the map of three times the apps had (step 2b).
RUNS_SAVED=$RUNS RUNS=1
measure map_big "$WORK/big" "$IBLINT" map .
RUNS=$RUNS_SAVED
# one_file DIR COUNT: the first COUNT applications of the big tree as one file of documents.
# (The list is read whole first: `head` in a pipeline ends `sort` with SIGPIPE, which pipefail
# turns into the script's failure.)
one_file() {
  local apps f
  mkdir -p "$1"
  mapfile -t apps < <(find "$WORK/big/apps" -name 'app-*.yaml' | sort)
  for f in "${apps[@]:0:$2}"; do
    cat "$f"
    echo '---'
  done >"$1/all.yaml"
}
GROWTH_N=$(((N + 9) / 10))
one_file "$WORK/one" "$GROWTH_N"
one_file "$WORK/one3" $((GROWTH_N * 3))
measure fix_one_file "$WORK/one" "$IBLINT" fix --dry-run --unsafe .
measure fix_one_file_3x "$WORK/one3" "$IBLINT" fix --dry-run --unsafe .

echo "== 9. manifests as repositories write them: $REAL_N apps with full pod specs, and CRDs"
# What the main tree's small pods lack: named ports, resources, probes, security contexts,
# affinity, tolerations, a sidecar; and vendored CustomResourceDefinitions (bench/gen_realistic.py).
python3 bench/gen_realistic.py "$REAL_N" "$WORK/real"
# shellcheck disable=SC2034 # read by measure_in_turn, by name
CMD_check_real=("$IBLINT" check . --format sarif --fail-on never --no-cache)
# shellcheck disable=SC2034
CMD_events_only_real=("$PARSE_ONLY" --events .)
measure_in_turn "$WORK/real" check_real events_only_real
SHARE_REAL=$(line_share "$WORK/real")
rm -rf "${WORK:?}/real"

ratio() { awk "BEGIN {a=$1; b=$2; if (b > 0) printf \"%.2f\", a / b; else print \"null\"}"; }
R_REAL=$(ratio "${WALL[check_real]}" "${WALL[events_only_real]}")
R_EVENTS=$(ratio "${WALL[check_big]}" "${WALL[events_only_big]}")
R_PARSE=$(ratio "${WALL[check_big]}" "${WALL[parse_only_big]}")
R_TREE=$(ratio "${WALL[parse_only_big]}" "${WALL[events_only_big]}")
# Marginal memory per app between N and LARGE_N apps, in bytes.
PER_APP=null
[[ -n ${RSS[check_large]:-} ]] && PER_APP=$(awk "BEGIN {printf \"%.0f\", (${RSS[check_large]} - ${RSS[check_big]}) * 1048576 / ($LARGE_N - $N)}")
R_THREADS=$(ratio "${WALL[check_big_1thread]}" "${WALL[check_big_all_threads]}")
R_AUDIT=null
[[ -n ${WALL[kubectl_get_pods_10k]:-} ]] && R_AUDIT=$(ratio "${WALL[audit_10k_pods]}" "${WALL[kubectl_get_pods_10k]}")
R_AUDIT_LARGE=null
[[ -n ${WALL[kubectl_get_pods_50k]:-} ]] && R_AUDIT_LARGE=$(ratio "${WALL[audit_50k_pods]}" "${WALL[kubectl_get_pods_50k]}")
R_CHECKOV=null
[[ -n ${WALL[checkov_small]:-} ]] && R_CHECKOV=$(ratio "${WALL[checkov_small]}" "${WALL[check_small]}")
R_HUMAN=$(ratio "${WALL[many_findings_human]}" "${WALL[many_findings_json]}")
R_WARM=$(ratio "${WALL[precommit_warm]}" "${WALL[precommit_no_cache]}")
R_FILL=$(ratio "${WALL[check_big_fill_cache]}" "${WALL[check_big]}")
R_MAP_GROWTH=null
[[ -n ${WALL[map_large]:-} ]] && R_MAP_GROWTH=$(ratio "${WALL[map_large]}" "${WALL[map_big]}")
R_FIX_GROWTH=$(ratio "${WALL[fix_one_file_3x]}" "${WALL[fix_one_file]}")
R_AUDIT_GROWTH=null
[[ -n ${WALL[audit_50k_pods]:-} ]] && R_AUDIT_GROWTH=$(ratio "${WALL[audit_50k_pods]}" "${WALL[audit_10k_pods]}")
echo "== ratios"
echo "check / bare event loop ($N apps):   $R_EVENTS   (target <= 1.5)"
echo "check / tree-building parse:         $R_PARSE"
echo "tree-building parse / event loop:    $R_TREE"
echo "peak RSS, $N apps:                   ${RSS[check_big]} MB   (target <= 120)"
echo "peak RSS, $LARGE_N apps:                   ${RSS[check_large]:-skipped} MB   (target <= 250)"
echo "marginal bytes per app:              $PER_APP   (target <= 4096)"
echo "$HUGE_N apps:                         ${WALL[check_huge]:-skipped} s, ${RSS[check_huge]:-?} MB   (targets <= 8 s, <= 600 MB)"
echo "with the cache, $LARGE_N apps:              filling ${RSS[check_large_cache_cold]:-skipped} MB, reading ${RSS[check_large_cache_warm]:-skipped} MB   (target <= 250)"
echo "with the cache, $HUGE_N apps:             filling ${WALL[check_huge_cache_cold]:-skipped} s, ${RSS[check_huge_cache_cold]:-?} MB; reading ${WALL[check_huge_cache_warm]:-skipped} s, ${RSS[check_huge_cache_warm]:-?} MB   (targets <= 8 s, <= 600 MB)"
echo "checkov / iblint (1k apps):          $R_CHECKOV   (target >= 100)"
echo "1 thread / $THREADS threads (10k apps):     $R_THREADS   (target >= 1.7)"
echo "pre-commit one file ($N apps), no cache:      ${WALL[precommit_no_cache]} s"
echo "pre-commit one file ($N apps), warm cache:    ${WALL[precommit_warm]} s   (target <= 0.150)"
echo "pre-commit one file ($N apps), after an edit: ${WALL[precommit_after_edit]} s   (target <= 0.150)"
echo "warm / no cache:                     $R_WARM"
echo "check filling the cache / no cache:  $R_FILL   (cache file $CACHE_BYTES bytes)"
echo "audit, 10k pods:                     ${WALL[audit_10k_pods]:-skipped} s, ${RSS[audit_10k_pods]:-?} MB   (targets <= 3 s, <= 300 MB)"
echo "audit / kubectl get pods -A -o json: $R_AUDIT"
echo "audit, 50k pods (default options):   ${WALL[audit_50k_pods]:-skipped} s, ${RSS[audit_50k_pods]:-?} MB; kubectl get pods -A -o json: ${WALL[kubectl_get_pods_50k]:-?} s, ${RSS[kubectl_get_pods_50k]:-?} MB (ratio $R_AUDIT_LARGE)"
echo "human / JSON, 8,000 findings in 1 file: $R_HUMAN   (target <= 2)"
echo "growth, map of $LARGE_N / $N apps:      $R_MAP_GROWTH   (linear ~3, a square ~9)"
echo "growth, fix of one file, $((GROWTH_N * 3)) / $GROWTH_N apps: $R_FIX_GROWTH   (linear ~3, a square ~9)"
echo "growth, audit of $PODS_LARGE / $PODS pods:     $R_AUDIT_GROWTH   (linear ~$((PODS_LARGE / PODS)))"
echo "check / bare event loop, full pod specs and CRDs ($REAL_N apps): $R_REAL"
echo "YAML streams the line scanner read: $SHARE_BIG ($N apps), $SHARE_REAL ($REAL_N apps, full pod specs and CRDs)"
echo "findings: iblint $CHECK_SMALL_FINDINGS, checkov $CHECKOV_FINDINGS (1k apps); iblint $CHECK_BIG_FINDINGS (10k apps)"

{
  echo "{"
  echo "  \"machine\": {\"cpus\": $THREADS, \"model\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\"},"
  echo "  \"apps\": $N, \"bytes\": $BIG_BYTES, \"documents\": ${DOCS:-null}, \"small_apps\": $SMALL_N, \"pods\": $PODS, \"pods_large\": $PODS_LARGE,"
  echo "  \"large_apps\": $LARGE_N, \"huge_apps\": $HUGE_N, \"marginal_bytes_per_app\": $PER_APP,"
  echo "  \"wall_seconds\": {"
  first=1
  for k in "${!WALL[@]}"; do
    [[ $first == 1 ]] || echo ","
    printf '    "%s": %s' "$k" "${WALL[$k]}"
    first=0
  done
  echo ""
  echo "  },"
  echo "  \"peak_rss_mb\": {"
  first=1
  for k in "${!RSS[@]}"; do
    [[ $first == 1 ]] || echo ","
    printf '    "%s": %s' "$k" "${RSS[$k]}"
    first=0
  done
  echo ""
  echo "  },"
  echo "  \"ratios\": {\"check_over_event_loop\": $R_EVENTS, \"check_over_parse_only\": $R_PARSE, \"parse_only_over_event_loop\": $R_TREE, \"checkov_over_iblint\": $R_CHECKOV, \"one_thread_over_all\": $R_THREADS, \"audit_over_kubectl_get_pods\": $R_AUDIT, \"audit_50k_over_kubectl_get_pods\": $R_AUDIT_LARGE, \"human_over_json\": $R_HUMAN, \"precommit_warm_over_no_cache\": $R_WARM, \"check_filling_cache_over_no_cache\": $R_FILL, \"map_growth_3x\": $R_MAP_GROWTH, \"fix_one_file_growth_3x\": $R_FIX_GROWTH, \"audit_growth_50k_over_10k\": $R_AUDIT_GROWTH, \"check_over_event_loop_full_pod_specs\": $R_REAL},"
  echo "  \"cache_bytes\": $CACHE_BYTES,"
  echo "  \"yaml_streams_read_by_lines\": {\"apps\": \"$SHARE_BIG\", \"full_pod_specs\": \"$SHARE_REAL\"},"
  echo "  \"findings\": {\"iblint_small\": $CHECK_SMALL_FINDINGS, \"checkov_small\": $CHECKOV_FINDINGS, \"iblint_big\": $CHECK_BIG_FINDINGS},"
  echo "  \"audit\": \"$AUDIT\""
  echo "}"
} >"$OUT/results.json"
python3 -m json.tool "$OUT/results.json" >/dev/null
echo "wrote $OUT/results.json"
