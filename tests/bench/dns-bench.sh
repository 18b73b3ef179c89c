#!/usr/bin/env bash
# Side-by-side DNSBL benchmark, one run, same data and same query file: rbldnsd (Debian's package, ip4set) and the
# collector's built-in DNS server (tests/KarmaKit.Benchmarks `dns-serve`, the same DnsServerService over a
# StaticListing loaded from rbldnsd's file). dnsperf (UDP, no EDNS, 100 outstanding per client) reports queries per
# second, lost queries and latency; the script also prints each server's RSS.
# Usage: tests/bench/dns-bench.sh   knobs (env): N=1000000 NQ=200000 DUR=20 CLIENTS=4 ROUNDS=2 PIN=0 SEED=5782 RECEIVERS=0
#   PIN=1 runs each server on cpu0 and dnsperf on cpu1 (-T 1), as in ../shared/research/dnsbl-anchors.md.
# Needs: apt-get install -y rbldnsd dnsperf dnsutils; python3; root (rbldnsd is started with -u rbldns).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-1000000}; NQ=${NQ:-200000}; DUR=${DUR:-20}; CLIENTS=${CLIENTS:-4}; ROUNDS=${ROUNDS:-2}; PIN=${PIN:-0}; SEED=${SEED:-5782}; RECEIVERS=${RECEIVERS:-0}
RBL_PORT=5358; KK_PORT=5359; ZONE=bl.karmakit.test
work=/tmp/kk-dns-bench; data="$work/data-$N-$SEED"
for t in rbldnsd dnsperf dig python3; do command -v $t >/dev/null || { echo "missing $t (apt-get install -y rbldnsd dnsperf dnsutils)"; exit 2; }; done
mkdir -p "$data"; chmod 755 "$work" "$data"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if [ ! -s "$data/queries.txt" ]; then
  python3 - "$data" "$N" "$NQ" "$SEED" "$ZONE" <<'PY'
import random, sys
d, n, nq, seed, zone = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
rnd = random.Random(seed)
def public(x):
    a, b, c = x >> 24, (x >> 16) & 255, (x >> 8) & 255
    return not (a in (0, 10, 127) or a >= 224 or (a == 100 and 64 <= b < 128) or (a == 169 and b == 254)
                or (a == 172 and 16 <= b < 32) or (a == 192 and b == 168) or (a == 192 and b == 0 and c in (0, 2))
                or (a == 198 and b in (18, 19)) or (a == 198 and b == 51 and c == 100) or (a == 203 and b == 0 and c == 113))
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

dotnet build tests/KarmaKit.Benchmarks -c Release --nologo -v quiet >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -r); $(rbldnsd -h 2>&1 | head -1 | cut -c1-40 || true)"
echo "data: $N listed IPv4 + 127.0.0.2; queries: $NQ (half listed, half not); dnsperf ${DUR}s, $CLIENTS clients, PIN=$PIN"

wait_dns() { for _ in $(seq 200); do dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 2.0.0.127.$ZONE A 2>/dev/null | grep -q 127.0.0.2 && return 0; sleep 0.1; done; echo "port $1 never answered"; exit 1; }
t0=$(date +%s.%N)
rbldnsd -n -u rbldns -b 127.0.0.1/$RBL_PORT -w "$data" -t 300 $ZONE:ip4set:bl.zone >"$work/rbldnsd.log" 2>&1 & rbl_pid=$!; pids+=($rbl_pid)
wait_dns $RBL_PORT; t1=$(date +%s.%N)
dotnet artifacts/bin/KarmaKit.Benchmarks/release/KarmaKit.Benchmarks.dll dns-serve --listen 127.0.0.1:$KK_PORT --data "$data/bl.zone" --zone $ZONE --receivers "$RECEIVERS" \
  >"$work/kk.log" 2>&1 </dev/null & kk_pid=$!; pids+=($kk_pid)
wait_dns $KK_PORT; t2=$(date +%s.%N)
echo "start to first answer: rbldnsd $(echo "$t1 - $t0" | bc) s, karmakit $(echo "$t2 - $t1" | bc) s ($(head -1 "$work/kk.log"))"

# Same answers for a listed and an unlisted address.
listed=$(sed -n 1p "$data/queries.txt" | cut -d' ' -f1)
for p in $RBL_PORT $KK_PORT; do echo "  port $p: $(dig +short -p $p @127.0.0.1 2.0.0.127.$ZONE A) / $(dig -p $p @127.0.0.1 "$listed" A | grep -o 'status: [A-Z]*') for $listed"; done

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
  echo "round $r:"
  run rbldnsd $rbl_pid $RBL_PORT
  run karmakit $kk_pid $KK_PORT
done
