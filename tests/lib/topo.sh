# shellcheck shell=bash
# Shared netns helpers for srfd's integration tests, demo and benchmarks.
# Every namespace name carries a per-run prefix; topo_cleanup removes them
# and stops the srfdd processes this run started (by PID only).

SRFD_BUILD=${SRFD_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
SRFDD=${SRFDD:-$SRFD_BUILD/src/srfdd}
SRFDCTL=${SRFDCTL:-$SRFD_BUILD/src/srfdctl}
TOPO_PREFIX=${TOPO_PREFIX:-srfdt$$}
TOPO_DIR=${TOPO_DIR:-$(mktemp -d /tmp/srfd-topo.XXXXXX)}
TOPO_PIDS=()

ns() { echo "${TOPO_PREFIX}-$1"; }
nsx() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }

topo_cleanup() {
	local pid n
	for pid in "${TOPO_PIDS[@]}"; do
		kill -CONT "$pid" 2>/dev/null
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${TOPO_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	TOPO_PIDS=()
	for n in $(ip netns list | awk '{print $1}' | grep "^${TOPO_PREFIX}-"); do
		ip netns del "$n"
	done
	rm -rf "$TOPO_DIR"
}

_node() {
	ip netns add "$(ns "$1")"
	nsx "$1" ip link set lo up
	nsx "$1" sysctl -qw net.ipv6.conf.all.forwarding=1
	nsx "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0
	nsx "$1" sysctl -qw net.ipv6.conf.default.accept_dad=0
}

# _link NODE1 IF1 ADDR1 NODE2 IF2 ADDR2
_link() {
	ip link add "$2" netns "$(ns "$1")" type veth peer name "$5" netns "$(ns "$4")"
	nsx "$1" ip -6 addr add "$3/64" dev "$2" nodad
	nsx "$4" ip -6 addr add "$6/64" dev "$5" nodad
	nsx "$1" ip link set "$2" up
	nsx "$4" ip link set "$5" up
}

# A - B - C. A monitors link A-B with probes A -> B (End.X back) -> A.
# SIDs: A fc00:a::bf (End.BPF, installed by srfdd), B fc00:b::e1 (End.X to A).
topo_abc() {
	_node A; _node B; _node C
	_link A a-b fc00:ab::1 B b-a fc00:ab::2
	_link B b-c fc00:bc::1 C c-b fc00:bc::2
	nsx A ip -6 addr add fc00:a::1/128 dev lo
	nsx B ip -6 addr add fc00:b::1/128 dev lo
	nsx C ip -6 addr add fc00:c::1/128 dev lo
	nsx B ip -6 route add fc00:b::e1/128 encap seg6local action End.X nh6 fc00:ab::1 dev b-a
	nsx B ip -6 route add fc00:a::/48 via fc00:ab::1
	nsx C ip -6 route add default via fc00:bc::1
	nsx A ip -6 route add default via fc00:ab::2
	# resolve neighbours now so the first probes are not queued behind ND
	nsx A ping -6 -c1 -W1 fc00:ab::2 >/dev/null
}

# Silent failure of link A-B at B: the link stays up, packets vanish.
fail_link_ab() {
	nsx B nft -f - <<-NFT
	table netdev srfdfail {
		chain in { type filter hook ingress device "b-a" priority 0; policy drop; }
		chain out { type filter hook egress device "b-a" priority 0; policy drop; }
	}
	NFT
}
repair_link_ab() { nsx B nft delete table netdev srfdfail; }

# srfdd_start NODE CONFIG [extra args]: run srfdd for NODE in the background.
srfdd_start() {
	local node=$1 conf=$2; shift 2
	"$SRFDD" -c "$conf" -n "$(ns "$node")" "$@" >"$TOPO_DIR/srfdd-$node.log" 2>&1 &
	TOPO_PIDS+=($!)
	SRFDD_PID=$!
}

# wait_state INSTANCE SESSION STATE TIMEOUT_S
wait_state() {
	local inst=$1 sess=$2 want=$3 deadline=$((SECONDS + $4))
	while ((SECONDS <= deadline)); do
		if "$SRFDCTL" -i "$inst" -j session show 2>/dev/null |
			python3 -c 'import json,sys; s=[x for x in json.load(sys.stdin) if x["name"]==sys.argv[1]]; sys.exit(0 if s and s[0]["state"]==sys.argv[2] else 1)' "$sess" "$want"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# session_field INSTANCE SESSION FIELD
session_field() {
	"$SRFDCTL" -i "$1" -j session show |
		python3 -c 'import json,sys; print([x for x in json.load(sys.stdin) if x["name"]==sys.argv[1]][0][sys.argv[2]])' "$2" "$3"
}

# write_conf FILE INSTANCE INTERVAL_US MULTIPLIER
write_conf() {
	cat >"$1" <<-CONF
	instance = "$2";
	local_sid = "fc00:a::bf";
	source = "fc00:a::1";
	sessions = (
	  { name = "a-b"; interface = "a-b"; neighbor = "fc00:ab::2";
	    segments = [ "fc00:b::e1" ]; interval_us = $3; multiplier = $4; }
	);
	CONF
}
