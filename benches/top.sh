#!/usr/bin/env bash
# Benchmark: CPU time of `toolkit top` against procps `top`, in the same run.
# Run by hand: bash benches/top.sh [SHELLS] [SLEEPS_PER_SHELL] [IDLE_SECONDS]   (default 40 50 60)
#
# 1. Busy refreshes: on a tree of SHELLS * SLEEPS_PER_SHELL sleeping processes (2,041 by default),
#    the CPU time (user + system, from getrusage of the finished child) of
#    `top -b -n 10 -d 0.2` and of `toolkit top -b -n 10 -d 0.2`, per frame, 5 runs each.
# 2. Idle: `top -d 1` and `toolkit top` side by side, each on a terminal of its own (a detached
#    tmux session, 160x50), for IDLE_SECONDS; their utime + stime (/proc/PID/stat, in ticks) and
#    time on a CPU (/proc/PID/schedstat, in ns) read before and after. Once with the tree still
#    there, once after it is gone.
# Prints the figures and the ratios (ours / top's: below 1 means we used less).
# Installs tmux and procps if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
shells=${1:-40}
per_shell=${2:-50}
idle=${3:-60}

need=()
command -v top >/dev/null 2>&1 || need+=(procps)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
if ((${#need[@]})); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
cargo build --release -q
bin=$PWD/target/release/toolkit
sock="toolkit-bench-$$"

. benches/tree.sh
spawn_tree

cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null || true
    # tmux leaves its socket file behind.
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
    stop_tree
}
trap cleanup EXIT

wait_for_tree
total=$(ls /proc | grep -c '^[0-9]')
echo "tree under PID $root: $have processes (want $want); $total processes on the machine"
echo "machine: $(nproc) CPUs, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo

echo "== busy: CPU time per frame of 'top -b -n 10 -d 0.2' (5 runs each, alternating) =="
TOOLKIT="$bin" python3 - <<'PY'
import os, resource, subprocess

def cpu_of(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True,
                   env=dict(os.environ, LANG="C.UTF-8", NO_COLOR="1"))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

ours = [os.environ["TOOLKIT"], "top", "-b", "-n", "10", "-d", "0.2"]
theirs = ["top", "-b", "-n", "10", "-d", "0.2", "-w", "512"]
runs = {"toolkit top": [], "top": []}
for _ in range(5):
    runs["toolkit top"].append(cpu_of(ours) / 10)
    runs["top"].append(cpu_of(theirs) / 10)
for name, values in runs.items():
    ms = sorted(v * 1000 for v in values)
    print(f"{name:12} per frame: median {ms[2]:6.2f} ms CPU (min {ms[0]:.2f}, max {ms[-1]:.2f})")
ratio = sorted(runs["toolkit top"])[2] / sorted(runs["top"])[2]
print(f"ratio ours / top (medians): {ratio:.2f}")
PY
echo

# CPU time of a running process: utime + stime in clock ticks (/proc/PID/stat), and the time it
# spent on a CPU in nanoseconds (/proc/PID/schedstat, the finer figure for small amounts).
cpu_of() {
    echo "$(awk '{print $14 + $15}' "/proc/$1/stat") $(cut -d' ' -f1 "/proc/$1/schedstat")"
}

idle_run() {
    local label=$1
    tmux -L "$sock" new-session -d -s top -x 160 -y 50 "exec top -d 1"
    tmux -L "$sock" new-session -d -s ours -x 160 -y 50 "exec env LANG=C.UTF-8 $bin top"
    sleep 1
    local top_pid ours_pid
    top_pid=$(tmux -L "$sock" display-message -p -t '=top:' '#{pane_pid}')
    ours_pid=$(tmux -L "$sock" display-message -p -t '=ours:' '#{pane_pid}')
    # CPU time used so far (start-up) is subtracted: the figure is the idle loop's.
    local t0 o0 t1 o1
    t0=$(cpu_of "$top_pid")
    o0=$(cpu_of "$ours_pid")
    sleep "$idle"
    t1=$(cpu_of "$top_pid")
    o1=$(cpu_of "$ours_pid")
    tmux -L "$sock" kill-server
    python3 - "$label" "$idle" "$(getconf CLK_TCK)" "$t0" "$t1" "$o0" "$o1" <<'PY'
import sys
label, secs, hz = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
def used(a, b):
    (ta, na), (tb, nb) = (map(int, a.split()), map(int, b.split()))
    return (tb - ta) / hz, (nb - na) / 1e9
top, ours = used(sys.argv[4], sys.argv[5]), used(sys.argv[6], sys.argv[7])
print(f"== idle, {label}: CPU time over {secs:.0f} s at the default refresh (1 s) ==")
for name, (ticks, ns) in (("top -d 1", top), ("toolkit top", ours)):
    print(f"{name:12} {ticks:6.2f} s in ticks, {ns:7.3f} s on a CPU (schedstat, {100 * ns / secs:.2f}% of a CPU)")
print(f"ratio ours / top (schedstat): {ours[1] / top[1]:.2f}" if top[1] else "ratio: top used no measurable time")
PY
    echo
}

idle_run "with the $have-process tree"
stop_tree
idle_run "after the tree is gone ($(ls /proc | grep -c '^[0-9]') processes)"
