#!/usr/bin/env bash
# Chat benchmark: `toolkit chat server` against a production IRC server (InspIRCd, from Debian's
# packages) and the homework's UDP reference design (examples/python/udp_server.py), with the same load
# in the same run, measured by `toolkit chat bench`. Run by hand:
#
#     bash benches/chat.sh          # the full set (about 15 minutes)
#     bash benches/chat.sh quick    # small loads, to check the script
#
# Everything listens on 127.0.0.1 only. Every server this script starts is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-full}
if ! command -v inspircd >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq inspircd
fi
cargo build --release -q
bin=$PWD/target/release/toolkit
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# --- the servers -------------------------------------------------------------------------------

start_toolkit() {
    # stdin from /dev/null: the admin console child sees end-of-file and exits; the server goes on.
    "$bin" chat server --addr 127.0.0.1:0 --max-clients 20000 --max-per-address 0 --rate 0 --queue 65536 </dev/null \
        >"$work/toolkit.out" 2>"$work/toolkit.err" &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 100); do [ -s "$work/toolkit.out" ] && break; sleep 0.05; done
    server_addr=$(head -1 "$work/toolkit.out")
    protocol=toolkit
}

# InspIRCd with its flood protection relaxed so it is measured at full speed: no fake lag, a
# penalty threshold and command rate far above the load, large send/receive queues, and room for
# 20,000 connections from one IP.
start_inspircd() {
    local port
    port=$(free_port)
    cat >"$work/inspircd.conf" <<CONF
<server name="bench.local" description="toolkit bench" network="bench">
<admin name="bench" nick="bench" email="bench@localhost">
<bind address="127.0.0.1" port="$port" type="clients">
<power diepass="bench" restartpass="bench">
<connect name="bench" allow="127.0.0.1" timeout="60" pingfreq="600" threshold="100000000"
         commandrate="100000000" fakelag="no" hardsendq="64M" softsendq="8M" recvq="8M"
         localmax="20000" globalmax="20000" maxchans="20" useident="no">
<channels users="20" opers="60">
<limits maxchan="64" maxnick="30">
<performance softlimit="20000" somaxconn="4096" netbuffersize="65536" clonesonconnect="no" nouserdns="yes">
<dns server="127.0.0.1" timeout="1">
<pid file="$work/inspircd.pid">
<options prefixquit="Quit: " syntaxhints="no" announcets="no" hostintopic="no">
<security userstats="Pu" maxtargets="20">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="$work/inspircd.log">
CONF
    inspircd --config="$work/inspircd.conf" --nofork --runasroot >"$work/inspircd.out" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 100); do
        (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
        sleep 0.1
    done
    server_addr=127.0.0.1:$port
    protocol=irc
}

start_reference() {
    python3 examples/python/udp_server.py </dev/null >"$work/ref.out" 2>"$work/ref.err" &
    server_pid=$!
    pids+=("$server_pid")
    for _ in $(seq 100); do [ -s "$work/ref.out" ] && break; sleep 0.05; done
    server_addr=$(head -1 "$work/ref.out")
    protocol=udp
}

stop_server() {
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
}

# --- the loads ---------------------------------------------------------------------------------

# Full-speed loads: every sender sends as fast as its connection takes it. "fanout" is the issue's
# example shape (1M deliveries, over in a fraction of a second); "sustained" is the same room with
# 10x the messages (10M deliveries, a few seconds), which measures steady state rather than the
# first burst.
if [ "$mode" = quick ]; then
    loads=("fanout 100 5 20" "all-send 20 20 10")
    paced=("fanout 100 5" "all-send 20 20")
    idle=500
    paced_seconds=1
else
    loads=("fanout 1000 10 100" "sustained 1000 10 1000" "all-send 100 100 500")
    # name-of-the-full-speed-load clients senders: paced at half of what ours delivered there.
    paced=("sustained 1000 10" "all-send 100 100")
    idle=10000
    paced_seconds=3
fi

results="$work/results.jsonl"
run() { # name server clients senders messages [rate]
    local name=$1 server=$2 clients=$3 senders=$4 messages=$5 rate=${6:-0}
    "start_$server"
    echo "== $server, $name: $clients clients, $senders senders x $messages messages, rate $rate/s" >&2
    "$bin" chat bench --protocol "$protocol" --addr "$server_addr" --server-pid "$server_pid" \
        --clients "$clients" --senders "$senders" --messages "$messages" --rate "$rate" \
        --duration 120 --json \
        | python3 -c "import json,sys; r=json.load(sys.stdin); r['server_name']='$server'; r['load']='$name'; print(json.dumps(r))" \
        >>"$results" || true
    stop_server
}

# Our saturation in a load already run: the best of its full-speed runs. A shared VM only ever
# makes a run slower, so the best one is the closest to what the server can do.
ours_rate() {
    python3 -c "
import json, sys
rates = [json.loads(l)['deliveries_per_second'] for l in open('$results')
         if json.loads(l)['load'] == '$1' and json.loads(l)['server_name'] == 'toolkit']
if rates: print(int(max(rates)))
"
}

# Each full-speed load three times for ours and InspIRCd (once for the slow UDP reference): one
# run in a noisy moment would otherwise set the paced loads below.
for load in "${loads[@]}"; do
    read -r name clients senders messages <<<"$load"
    for server in toolkit inspircd reference; do
        repeats=3
        [ "$server" = reference ] && repeats=1
        for _ in $(seq "$repeats"); do
            run "$name" "$server" "$clients" "$senders" "$messages"
        done
    done
done

# Latency under load: the same room paced at half of our saturation (the full-speed rate above).
# Each sender sends rate/s messages, spread evenly over the second (the bench staggers senders).
for load in "${paced[@]}"; do
    read -r name clients senders <<<"$load"
    saturation=$(ours_rate "$name")
    [ -n "$saturation" ] || continue
    rate=$(( saturation / 2 / (senders * (clients - 1)) ))
    [ "$rate" -ge 1 ] || rate=1
    # Latency under load varies from run to run on a shared 2-core VM: three runs each.
    for server in toolkit inspircd; do
        for _ in 1 2 3; do
            run "$name-half" "$server" "$clients" "$senders" $(( rate * paced_seconds )) "$rate"
        done
    done
done

for server in toolkit inspircd; do
    run "idle-$idle" "$server" "$idle" 0 0
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ours = {}
for r in rows:
    if r["server_name"] == "toolkit":
        best = ours.get(r["load"])
        if best is None or r["deliveries_per_second"] > best["deliveries_per_second"]:
            ours[r["load"]] = r
print()
print(f"{'load':16} {'server':10} {'clients':>7} {'rate/s':>6} {'deliv/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'read p99':>8} {'prmt p99':>8} {'lost':>7} {'reord':>6} {'cpu s':>6} {'peakMiB':>8} {'KiB/cli':>8} {'gen busy':>8} {'ours/this':>9}")
for r in rows:
    s = r.get("server") or {}
    base = ours.get(r["load"])
    ratio = (base["deliveries_per_second"] / r["deliveries_per_second"]) if base and r["deliveries_per_second"] else float("nan")
    rate = r["rate"] or "max"
    # The load generator's own CPU share; "*" marks a run where it was saturated, so its
    # latencies are upper bounds (see GeneratorUsage in src/bench/mod.rs).
    g = r.get("load_generator") or {}
    busy = "-" if g.get("busy") is None or not r["deliveries"] else f"{g['busy'] * 100:.0f}%" + ("*" if g.get("saturated") else "")
    # The prompt readers' p99: ten clients on a thread of their own (toolkit chat bench --probes).
    p = r.get("prompt")
    prompt = f"{p['latency']['p99_us'] / 1000:.2f}" if p and r["deliveries"] else "-"
    print(f"{r['load']:16} {r['server_name']:10} {r['connected']:>7} {rate:>6} {r['deliveries_per_second']:>10.0f} "
          f"{r['latency']['p50_us']/1000:>8.2f} {r['latency']['p99_us']/1000:>8.2f} {r['read_latency']['p99_us']/1000:>8.2f} {prompt:>8} {r['lost']:>7} {r['out_of_order']:>6} "
          f"{s.get('cpu_seconds', 0):>6.2f} {s.get('peak_rss_kib', 0)/1024:>8.1f} {s.get('rss_per_client_bytes', 0)/1024:>8.1f} {busy:>8} {ratio:>9.2f}")
PY
