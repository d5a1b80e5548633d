#!/usr/bin/env bash
# End-to-end landscape benchmark: starts `kclm demo serve --scale large` once and
# measures, against that same server, kclm's time to a fully synced landscape
# (shoots, seeds, projects, cloud profiles, machines, firewalls, CAPI) and its
# peak RSS, next to `kubectl get shoots.core.gardener.cloud -A -o json` (shoots
# alone) as the peer. Prints medians and the ratio.
#
#   benches/landscape.sh [RUNS]      (default 5; SCALE=large|small|N)
#
# Also: the TUI's first frame and idle CPU, and the console's own peak RSS
# (VmHWM) CONSOLE_SECONDS (default 60) after its start.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
SCALE=${SCALE:-large}
CONSOLE_SECONDS=${CONSOLE_SECONDS:-60}
cargo build --release --quiet
BIN=target/release/kclm
DIR=$(mktemp -d)
"$BIN" demo serve --scale "$SCALE" --dir "$DIR" > "$DIR/env" 2>"$DIR/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 600); do grep -q KCLM_METAL_AUTH_TYPE "$DIR/env" 2>/dev/null && break; sleep 0.1; done
set -a; . "$DIR/env"; set +a
export HOME=$DIR KCLM_CONFIG_DIR=$DIR/config KCLM_STATE_DIR=$DIR/state

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() { # label, command... -> "seconds rss_kb" per run
  local label=$1; shift
  for _ in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M' -o "$DIR/t" "$@" > "$DIR/out" 2>/dev/null
    cat "$DIR/t"
  done > "$DIR/$label.runs"
}
"$BIN" debug sync > /dev/null   # warm the server's caches once
kubectl get shoots.core.gardener.cloud -A -o json > /dev/null
measure kclm "$BIN" debug sync
measure kubectl kubectl get shoots.core.gardener.cloud -A -o json
"$BIN" debug sync | tee "$DIR/sync.json" > /dev/null

# Time to the TUI's first frame (logged by kclm itself, measured from main) and
# the console's idle CPU once synced, in tmux against the same server.
first_frames=()
for i in $(seq "$RUNS"); do
  rm -f "$DIR"/state/kclm.log*
  tmux new-session -d -s "kclm-bench-$$" -x 250 -y 70 "$BIN"
  sleep 3
  if [ "$i" = 1 ]; then
    pid=$(pgrep -n -f "^$BIN\$" || true)
    if [ -n "$pid" ]; then
      t1=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 10; t2=$(awk '{print $14+$15}' /proc/$pid/stat)
      idle_cpu=$(echo "($t2-$t1)/$(getconf CLK_TCK)/10*100" | bc -l)
      # the console's own peak, after several metal-api polls (15 s apart)
      sleep $(( CONSOLE_SECONDS > 13 ? CONSOLE_SECONDS - 13 : 0 ))
      console_hwm=$(awk '/VmHWM/{print $2}' /proc/$pid/status)
    fi
  fi
  tmux send-keys -t "kclm-bench-$$" q; sleep 0.5
  tmux kill-session -t "kclm-bench-$$" 2>/dev/null || true
  # the console's log rotates daily (kclm.log.<date>)
  first_frames+=("$(cat "$DIR"/state/kclm.log* 2>/dev/null | sed -n 's/.*first frame drawn ms=\([0-9.]*\).*/\1/p' | tail -1)")
done
ff=$(printf '%s\n' "${first_frames[@]}" | median)

k_s=$(awk '{print $1}' "$DIR/kclm.runs" | median)
k_rss=$(awk '{print $2}' "$DIR/kclm.runs" | median)
c_s=$(awk '{print $1}' "$DIR/kubectl.runs" | median)
c_rss=$(awk '{print $2}' "$DIR/kubectl.runs" | median)
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m); scale $SCALE; $RUNS runs each (median)"
echo "landscape: $(cat "$DIR/sync.json")"
printf 'kclm full sync:        %6.2f s   peak RSS %6.1f MB\n' "$k_s" "$(echo "$k_rss/1024" | bc -l)"
printf 'kubectl shoots only:   %6.2f s   peak RSS %6.1f MB\n' "$c_s" "$(echo "$c_rss/1024" | bc -l)"
printf 'ratio kclm/kubectl:    %6.2f   (goal <= 0.5)\n' "$(echo "$k_s/$c_s" | bc -l)"
printf 'TUI first frame:       %6.1f ms (goal <= 50)\n' "$ff"
printf 'TUI idle CPU, synced:  %6.2f %% of one core over 10 s (landscape changing in the demo)\n' "${idle_cpu:-nan}"
printf 'TUI peak RSS:          %6.1f MB %s s after start (VmHWM)\n' "$(echo "${console_hwm:-0}/1024" | bc -l)" "$CONSOLE_SECONDS"
