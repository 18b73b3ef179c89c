#!/usr/bin/env bash
# Side-by-side DNSBL benchmark, one run, same data and same query file: rbldnsd (Debian's package, ip4set) and the
# real karmakit-collector (its state rebuilt from a karma.log of the same addresses, answering from the listing
# engine's published index). dnsperf (UDP, no EDNS, 100 outstanding per client) reports queries per second, lost
# queries and latency; the script also prints each server's RSS. The last round runs with `report-feed` posting
# 1,000 reports a second of new public addresses to the collector (each one a new listing, so its index changes at
# that rate) for the whole round, rbldnsd's turn included, and prints the feed's "200 to listed in DNS" delays.
# Usage: tests/bench/dns-bench.sh   knobs (env): N=1000000 NQ=200000 DUR=20 CLIENTS=4 ROUNDS=2 PIN=0 SEED=5782
#   RECEIVERS=0 (collector UDP receive threads, 0 = one per core) FEED_RATE=1000 (0 skips the loaded round)
#   PIN=1 runs each server on cpu0 and dnsperf on cpu1 (-T 1), as in ../shared/research/dnsbl-anchors.md.
# Needs: apt-get install -y rbldnsd dnsperf dnsutils; python3; root (rbldnsd is started with -u rbldns).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}; NQ=${NQ:-200000}; DUR=${DUR:-20}; CLIENTS=${CLIENTS:-4}; ROUNDS=${ROUNDS:-2}; PIN=${PIN:-0}; SEED=${SEED:-5782}
RECEIVERS=${RECEIVERS:-0}; FEED_RATE=${FEED_RATE:-1000}
RBL_PORT=5358; KK_PORT=5359; HTTP_PORT=5360; ZONE=bl.karmakit.test; TOKEN=dns-bench-token-0123456789
work=/tmp/kk-dns-bench; data="$work/data-$N-$SEED"; run="$work/run"
for t in rbldnsd dnsperf dig python3; do command -v $t >/dev/null || { echo "missing $t (apt-get install -y rbldnsd dnsperf dnsutils)"; exit 2; }; done
mkdir -p "$data"; chmod 755 "$work" "$data"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if [ ! -s "$data/queries.txt" ] || [ ! -s "$data/listed.txt" ]; then
  python3 - "$data" "$N" "$NQ" "$SEED" "$ZONE" <<'PY'
import random, sys
d, n, nq, seed, zone = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rnd = random.Random(seed)
def public(x):  # outside the ranges the collector never lists (README, "Never listed"), and outside the feed's 11/8
    a, b, c = x >> 24, (x >> 16) & 255, (x >> 8) & 255
    return not (a in (0, 10, 11, 127) or a >= 224 or (a == 100 and 64 <= b < 128) or (a == 169 and b == 254)
                or (a == 172 and 16 <= b < 32) or (a == 192 and b == 168) or (a == 192 and b == 0 and c in (0, 2))
                or (a == 192 and b == 88 and c == 99) or (a == 198 and b in (18, 19)) or (a == 198 and b == 51 and c == 100)
                or (a == 203 and b == 0 and c == 113))
listed = set()
while len(listed) < n:
    x = rnd.getrandbits(32)
    if public(x): listed.add(x)
ip = lambda x: "%d.%d.%d.%d" % (x >> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255)
rev = lambda x: "%d.%d.%d.%d" % (x & 255, (x >> 8) & 255, (x >> 16) & 255, x >> 24)
with open(d + "/bl.zone", "w") as f:
    f.write("$TTL 300\n$SOA 0 ns1.karmakit.test hostmaster.karmakit.test 0 3600 600 604800 60\n$NS 0 ns1.karmakit.test\n")
    f.write(":127.0.0.2:listed - see http://127.0.0.1:8440/lookup/$\n127.0.0.2\n")
    for x in sorted(listed): f.write(ip(x) + "\n")
with open(d + "/listed.txt", "w") as f:
    for x in sorted(listed): f.write(ip(x) + "\n")
pool = sorted(listed)
qs = [rev(rnd.choice(pool)) for _ in range(nq // 2)]
while len(qs) < nq:
    x = rnd.getrandbits(32)
    if public(x) and x not in listed: qs.append(rev(x))
rnd.shuffle(qs)
with open(d + "/queries.txt", "w") as f:
    for q in qs: f.write("%s.%s A\n" % (q, zone))
PY
fi
chmod 644 "$data"/*

# The collector's karma.log: one black report of each listed address, received now (within every policy window).
rm -rf "$run"; mkdir -p "$run/data"; echo '{}' >"$run/collector.json"
python3 - "$data/listed.txt" "$run/karma.log" <<'PY'
import sys, datetime
now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "000Z"
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as out:
    for line in src:
        out.write(f"{now} bench black {line.strip()} count=1 first={now} last={now}\n")
PY

dotnet build tests/KarmaKit.Benchmarks -c Release --nologo -v quiet >/dev/null
dotnet build collector/KarmaKit.Collector -c Release --nologo -v quiet >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "data: $N listed IPv4 + 127.0.0.2; queries: $NQ (half listed, half not); dnsperf ${DUR}s, $CLIENTS clients, PIN=$PIN"

wait_dns() { # port name
  for _ in $(seq 600); do dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 "$2" A 2>/dev/null | grep -q '^127\.' && return 0; sleep 0.1; done
  echo "port $1 never answered $2 as listed"; exit 1
}
listed=; unlisted=
for name in $(cut -d' ' -f1 "$data/queries.txt" | head -50); do
  a=$(echo "$name" | cut -d. -f1-4 | awk -F. '{print $4"."$3"."$2"."$1}')
  if grep -qx "$a" "$data/listed.txt"; then listed=${listed:-$name}; else unlisted=${unlisted:-$name}; fi
done
t0=$(date +%s.%N)
rbldnsd -n -u rbldns -b 127.0.0.1/$RBL_PORT -w "$data" -t 300 $ZONE:ip4set:bl.zone >"$work/rbldnsd.log" 2>&1 & rbl_pid=$!; pids+=($rbl_pid)
wait_dns $RBL_PORT "$listed"; t1=$(date +%s.%N)
artifacts/bin/KarmaKit.Collector/release/karmakit-collector run --config "$run/collector.json" \
  --Collector:Http=http://127.0.0.1:$HTTP_PORT --Collector:Log="$run/karma.log" --Collector:Data="$run/data" \
  --Collector:Dns:Listen=127.0.0.1:$KK_PORT --Collector:Dns:Zone=$ZONE --Collector:Dns:UdpReceivers="$RECEIVERS" \
  --Collector:Reporters:bench:Token=$TOKEN --Collector:Ingest:RateLimit:Burst=100000 --Collector:Ingest:RateLimit:BatchesPerPeriod=100000 \
  --Logging:LogLevel:Default=Warning >"$work/kk.log" 2>&1 </dev/null & kk_pid=$!; pids+=($kk_pid)
wait_dns $KK_PORT "$listed"; t2=$(date +%s.%N)
echo "start to first listed answer: rbldnsd $(echo "$t1 - $t0" | bc) s, karmakit-collector $(echo "$t2 - $t1" | bc) s (replay of $N log lines included)"

# Same answers for the test entry, a listed and an unlisted address.
for p in $RBL_PORT $KK_PORT; do
  echo "  port $p: test entry $(dig +short -p $p @127.0.0.1 2.0.0.127.$ZONE A), $listed $(dig +short -p $p @127.0.0.1 "$listed" A), $unlisted $(dig -p $p @127.0.0.1 "$unlisted" A | grep -o "status: [A-Z]*")"
done

run() { # name pid port
  local name=$1 pid=$2 port=$3 out
  if [ "$PIN" = 1 ]; then
    taskset -apc 0 "$pid" >/dev/null
    out=$(taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$data/queries.txt" -l "$DUR" -c "$CLIENTS" -T 1 2>&1)
  else
    out=$(dnsperf -s 127.0.0.1 -p "$port" -d "$data/queries.txt" -l "$DUR" -c "$CLIENTS" 2>&1)
  fi
  local qps lost lat nx
  qps=$(echo "$out" | awk '/Queries per second/ {print $4}')
  lost=$(echo "$out" | awk '/Queries lost/ {print $3}')
  lat=$(echo "$out" | awk '/Average Latency/ {print $4 " avg, max " $8}' | tr -d ')')
  nx=$(echo "$out" | grep -o 'NXDOMAIN [0-9]*' | cut -d' ' -f2)
  printf "  %-9s %9.0f qps  lost %-4s latency %s s  NXDOMAIN %s  RSS %s MB\n" "$name" "$qps" "$lost" "$lat" "$nx" \
    "$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$pid"/status)"
}
for r in $(seq "$ROUNDS"); do
  echo "round $r (load average $(cut -d' ' -f1 /proc/loadavg)):"
  run rbldnsd $rbl_pid $RBL_PORT
  run karmakit $kk_pid $KK_PORT
done
if [ "$FEED_RATE" -gt 0 ]; then
  echo "loaded round: report-feed posting $FEED_RATE reports/s to the collector throughout (load average $(cut -d' ' -f1 /proc/loadavg)):"
  dotnet artifacts/bin/KarmaKit.Benchmarks/release/KarmaKit.Benchmarks.dll report-feed --url http://127.0.0.1:$HTTP_PORT/ \
    --reporter bench=$TOKEN --dns 127.0.0.1:$KK_PORT --zone $ZONE --rate "$FEED_RATE" --seconds $((2 * DUR + 6)) >"$work/feed.log" 2>&1 & feed_pid=$!
  sleep 3
  run rbldnsd $rbl_pid $RBL_PORT
  run karmakit $kk_pid $KK_PORT
  wait $feed_pid || echo "  report-feed failed"
  sed 's/^/  /' "$work/feed.log"
fi
