#!/usr/bin/env bash
# Benchmark: `toolkit ps-tree -p` against `pstree -p` and `ps axjf`, in the same run, on a tree of
# many sleeping processes. Run by hand: bash benches/ps_tree.sh [SHELLS] [SLEEPS_PER_SHELL]
# Prints hyperfine's table and the ratios. Installs hyperfine and psmisc if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
shells=${1:-40}
per_shell=${2:-50}

need=()
command -v hyperfine >/dev/null 2>&1 || need+=(hyperfine)
command -v pstree >/dev/null 2>&1 || need+=(psmisc)
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v cc >/dev/null 2>&1 || need+=(gcc libc6-dev)
[ -x /usr/bin/time ] || need+=(time)
if ((${#need[@]})); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
cargo build --release -q
bin=target/release/toolkit

. benches/tree.sh
spawn_tree
trap stop_tree EXIT
wait_for_tree
total=$(ls /proc | grep -c '^[0-9]')
echo "tree under PID $root: $have processes (want $want); $total processes on the machine"

# The floor: a C program that only opens and reads each /proc/PID/stat (benches/floor.c).
floor=$(mktemp -d)/floor
cc -O2 -o "$floor" benches/floor.c

hyperfine --warmup 3 --runs 30 -N --export-json /tmp/ps_tree_bench.json \
    "$bin ps-tree -p $root" \
    "pstree -p $root" \
    "ps axjf" \
    "$floor"

python3 - <<'PY'
import json
r = json.load(open("/tmp/ps_tree_bench.json"))["results"]
ours = r[0]["mean"]
print()
print(f"{'command':32} {'mean ms':>9} {'ratio (them / ours)':>20}")
for x in r:
    print(f"{x['command'][:32]:32} {x['mean']*1000:9.2f} {x['mean']/ours:20.2f}")
PY

# The whole listing, on the same machine: toolkit ps (and --json) against ps aux.
hyperfine --warmup 3 --runs 30 -N --export-json /tmp/ps_bench.json \
    "$bin ps" \
    "$bin ps --json" \
    "ps aux"

python3 - <<'PY'
import json
r = json.load(open("/tmp/ps_bench.json"))["results"]
theirs = r[2]["mean"]
print()
print(f"{'command':32} {'mean ms':>9} {'ps aux / this':>14}")
for x in r:
    print(f"{x['command'][:32]:32} {x['mean']*1000:9.2f} {theirs/x['mean']:14.2f}")
PY

# Peak memory of one listing each (GNU time's maximum resident set size, KiB).
if command -v /usr/bin/time >/dev/null 2>&1; then
    for cmd in "$bin ps" "$bin ps --json" "ps aux"; do
        kib=$( { /usr/bin/time -f %M $cmd >/dev/null; } 2>&1 | tail -1 )
        echo "peak RSS of '$cmd': $kib KiB"
    done
fi

# Where the time goes: system calls per process on the machine (strace -c -f), each command once.
processes=$(ls /proc | grep -c '^[0-9]')
echo
echo "system calls per process ($processes processes):"
for cmd in "$bin ps-tree -p $root" "pstree -p $root" "$bin ps" "$bin ps --json" "ps aux" "$floor"; do
    calls=$(strace -c -f -o /tmp/strace_count.txt $cmd >/dev/null 2>&1; awk '/total$/ {print $4}' /tmp/strace_count.txt)
    echo "  $cmd: $calls calls, $(python3 -c "print(f'{$calls / $processes:.1f}')") per process"
done
