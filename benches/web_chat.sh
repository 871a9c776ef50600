#!/usr/bin/env bash
# The browser side of the chat, measured: WebSocket fan-out against TCP fan-out on the same
# server in the same run, what an idle web member costs, and a classroom's latency (300 members,
# 30 sending once a second, half on TCP and half on the WebSocket), beside the floor for that
# classroom on this machine (benches/fanout_floor.c: a "server" that does nothing but the writes,
# measured the same way). Run by hand:
#
#     bash benches/web_chat.sh          # about 4 minutes
#
# Everything listens on 127.0.0.1. The server this script starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=$PWD/target/release/toolkit
command -v cc >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev; }
floor_dir=$(mktemp -d)
floor=$floor_dir/fanout_floor
cc -O2 -pthread -o "$floor" benches/fanout_floor.c
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work" "$floor_dir"
}
trap cleanup EXIT

start() {
    if [ -n "$server_pid" ]; then kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; fi
    : >"$work/out"
    "$bin" chat server --addr 127.0.0.1:0 --web 127.0.0.1:0 --max-clients 20000 --max-per-address 0 \
        --rate 0 --queue 65536 --history 0 </dev/null >"$work/out" 2>"$work/err" &
    server_pid=$!
    for _ in $(seq 100); do [ "$(wc -l <"$work/out")" -ge 2 ] && break; sleep 0.05; done
    tcp=$(sed -n 1p "$work/out")
    web=$(sed -n 2p "$work/out" | sed -e 's#^http://##' -e 's#/$##')
}

# bench NAME ARGS...: one run, one JSON line of the figures that matter.
bench() {
    local name=$1
    shift
    "$bin" chat bench --server-pid "$server_pid" --json "$@" >"$work/run.json"
    python3 - "$name" "$work/run.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
def find(d, *keys):
    for k in keys:
        if isinstance(d, dict) and k in d:
            d = d[k]
        else:
            return None
    return d
print(json.dumps({"run": name, **{k: r.get(k) for k in r if not isinstance(r.get(k), (dict, list))},
                  "latency": r.get("latency"), "prompt": r.get("prompt"), "server": r.get("server")}))
PY
}

for round in 1 2 3; do
    start
    bench "tcp 1000x10x1000 #$round" --addr "$tcp" --clients 1000 --senders 10 --messages 1000 --duration 60
    start
    bench "ws 1000x10x1000 #$round" --protocol ws --addr "$web" --clients 1000 --senders 10 --messages 1000 --duration 60
done
start
bench "ws idle 1000" --protocol ws --addr "$web" --clients 1000 --senders 1 --messages 1 --duration 30
start
bench "tcp idle 1000" --addr "$tcp" --clients 1000 --senders 1 --messages 1 --duration 30
for round in 1 2 3; do
    start
    bench "classroom mixed 300x30x1/s #$round" --protocol mixed --addr "$tcp" --web-addr "$web" \
        --clients 300 --senders 30 --messages 20 --rate 1 --duration 60
    start
    bench "classroom tcp 300x30x1/s #$round" --addr "$tcp" --clients 300 --senders 30 --messages 20 --rate 1 --duration 60
    # The floor: 300 members, the writes shared by two threads as our two sweepers share them,
    # 600 lines at 30 a second (the classroom's 30 senders x 20).
    # (Assigned first, so that a failed floor stops the script.)
    floor_out=$("$floor" 300 2 600 33333)
    echo "{\"run\": \"classroom floor 300x600 at 30/s #$round\", \"floor\": \"$floor_out\"}"
done
