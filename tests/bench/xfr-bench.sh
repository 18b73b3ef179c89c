#!/usr/bin/env bash
# Zone transfer benchmark: the real karmakit-collector with N listed IPv4 addresses (its state rebuilt from a karma.log
# of one black report each) serves AXFR of the blocklist to a raw TCP client (no record printing) ROUNDS times, while
# a second client asks UDP and TCP queries and records their latency. Prints per round the transfer's records,
# messages, bytes and time, the queries' p50/p99/max, and the collector's RSS before and after.
# Usage: tests/bench/xfr-bench.sh   knobs (env): N=1000000 ROUNDS=3 SEED=5782. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}; ROUNDS=${ROUNDS:-3}; SEED=${SEED:-5782}
KK_PORT=5369; HTTP_PORT=5370; ZONE=bl.karmakit.test
run=/tmp/kk-xfr-bench; rm -rf "$run"; mkdir -p "$run/data"; echo '{}' >"$run/collector.json"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

python3 - "$N" "$SEED" "$run/karma.log" <<'PY'
import random, sys, datetime
n, seed, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rnd = random.Random(seed)
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"
seen = set()
with open(path, "w") as out:
    while len(seen) < n:
        x = rnd.randrange(0x01000000, 0xDF000000)
        if (x >> 24) in (10, 100, 127, 169, 172, 192, 198, 203) or x in seen:
            continue  # keep clear of every special-purpose range the collector never lists
        seen.add(x)
        out.write(f"{now} bench black {x >> 24}.{(x >> 16) & 255}.{(x >> 8) & 255}.{x & 255} count=1 first={now} last={now}\n")
PY

dotnet build collector/KarmaKit.Collector -c Release --nologo -v quiet >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
artifacts/bin/KarmaKit.Collector/release/karmakit-collector run --config "$run/collector.json" \
  --Collector:Http=http://127.0.0.1:$HTTP_PORT --Collector:Log="$run/karma.log" --Collector:Data="$run/data" \
  --Collector:Dns:Listen=127.0.0.1:$KK_PORT --Collector:Dns:Zone=$ZONE --Collector:Dns:Transfer:Allow=127.0.0.1 \
  --Logging:LogLevel:Default=Warning >"$run/kk.log" 2>&1 </dev/null & kk_pid=$!; pids+=($kk_pid)
for _ in $(seq 1200); do dig +short +time=1 +tries=1 -p $KK_PORT @127.0.0.1 $ZONE SOA 2>/dev/null | grep -q hostmaster && break; sleep 0.1; done
for _ in $(seq 1200); do [ "$(curl -s http://127.0.0.1:$HTTP_PORT/healthz)" != "" ] && break; sleep 0.1; done
echo "collector up with $N entries; RSS $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$kk_pid/status)"

python3 - "$KK_PORT" "$ZONE" "$ROUNDS" "$kk_pid" <<'PY'
import socket, struct, sys, threading, time
port, zone, rounds, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
def query(name, qtype, qid=1):
    b = struct.pack('>HHHHHH', qid, 0, 1, 0, 0, 0)
    for label in name.split('.'):
        b += bytes([len(label)]) + label.encode()
    return b + b'\0' + struct.pack('>HH', qtype, 1)
def rss():
    return next(l.split()[1] for l in open(f'/proc/{pid}/status') if l.startswith('VmRSS')) + ' kB'
def axfr():
    s = socket.create_connection(('127.0.0.1', port)); m = query(zone, 252)
    t0 = time.perf_counter(); s.sendall(struct.pack('>H', len(m)) + m)
    f = s.makefile('rb'); msgs = total = records = soas = 0
    while soas < 2:
        n = struct.unpack('>H', f.read(2))[0]; d = f.read(n); msgs += 1; total += n
        an = struct.unpack('>H', d[6:8])[0]; records += an
        soas += d.count(b'\x00\x06\x00\x01')  # type SOA, class IN: the first and the last record
    return msgs, total, records, time.perf_counter() - t0
for r in range(rounds):
    stop = False; udp_lat = []; tcp_lat = []
    def udp():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2); i = 0
        while not stop:
            t = time.perf_counter(); s.sendto(query('2.0.0.127.' + zone, 1, i & 0xFFFF), ('127.0.0.1', port)); s.recv(600)
            udp_lat.append(time.perf_counter() - t); i += 1; time.sleep(0.002)
    def tcp():
        s = socket.create_connection(('127.0.0.1', port))
        while not stop:
            m = query('2.0.0.127.' + zone, 16, 7); t = time.perf_counter(); s.sendall(struct.pack('>H', len(m)) + m)
            n = struct.unpack('>H', s.recv(2, socket.MSG_WAITALL))[0]; s.recv(n, socket.MSG_WAITALL)
            tcp_lat.append(time.perf_counter() - t); time.sleep(0.005)
    threads = [threading.Thread(target=udp), threading.Thread(target=tcp)]
    before = rss(); [t.start() for t in threads]; time.sleep(0.2)
    msgs, total, records, elapsed = axfr()
    stop = True; [t.join() for t in threads]
    udp_lat.sort(); tcp_lat.sort()
    pct = lambda l, p: l[min(len(l) - 1, int(len(l) * p))] * 1000
    print(f"round {r + 1}: AXFR {records} records, {msgs} messages, {total / 1e6:.1f} MB in {elapsed:.2f} s; "
          f"during it UDP queries p50 {pct(udp_lat, .5):.2f} / p99 {pct(udp_lat, .99):.2f} / max {udp_lat[-1] * 1000:.1f} ms ({len(udp_lat)}), "
          f"TCP max {tcp_lat[-1] * 1000:.1f} ms ({len(tcp_lat)}); RSS {before} -> {rss()}")
PY
