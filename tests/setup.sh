#!/bin/bash
# srfd set-up: install what is missing (Debian 12, as root), build, then
#   tests/setup.sh demo   run the netns demo on the embedded default config
#   tests/setup.sh test   run every test (unit, BPF_PROG_TEST_RUN, netns),
#                         then again in an ASan/UBSan build (clang) together
#                         with the bounded fuzzers (SRFD_FUZZ_SECONDS each)
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(gcc meson ninja-build pkg-config clang llvm bpftool libbpf-dev libelf-dev
      zlib1g-dev libmnl-dev libnl-3-dev libnl-route-3-dev libconfig-dev libev-dev
      check iproute2 nftables
      python3 python3-nftables python3-scapy tcpdump iputils-ping iperf3 procps
      libclang-rt-14-dev scdoc)

# test only: routing daemons the FIB test runs as netlink consumers and the
# quick benchmark measures against; its load generator and its plots; what
# the install test uses (systemd-analyze, man, dpkg-buildpackage, and a
# fresh Debian booted under systemd-nspawn)
TEST_PKGS=(frr bird2 stress-ng python3-matplotlib systemd man-db debhelper
           systemd-container debootstrap)

install_missing() {
	local missing=() p
	for p in "${PKGS[@]}" "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if ((${#missing[@]})); then
		echo "installing: ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

# iproute2 names protocol 245 "srfd" from this file (what `meson install`
# puts there too); the tests expect `ip -6 route` to say `proto srfd`
install_names() {
	local f=/etc/iproute2/rt_protos.d/srfd.conf
	cmp -s etc/iproute2/rt_protos.d/srfd.conf "$f" ||
		install -D -m 0644 etc/iproute2/rt_protos.d/srfd.conf "$f"
}

build() {
	if [ ! -f build/build.ninja ]; then
		meson setup build
	fi
	ninja -C build
}

# The same tests under AddressSanitizer + UndefinedBehaviorSanitizer (srfdd
# and srfdctl too, as the netns tests start them), then the libFuzzer targets.
# Sanitizer reports go to files: any file is a failure, printed.
sanitize() {
	local dir=build-san logs rc=0
	if [ ! -f "$dir/build.ninja" ]; then
		CC=clang meson setup "$dir" -Db_sanitize=address,undefined \
			-Db_lundef=false -Dfuzz=true \
			-Dfuzz_seconds="${SRFD_FUZZ_SECONDS:-60}"
	fi
	meson configure "$dir" -Dfuzz_seconds="${SRFD_FUZZ_SECONDS:-60}"
	ninja -C "$dir"
	logs=$(mktemp -d /tmp/srfd-san.XXXXXX)
	ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1" \
	UBSAN_OPTIONS="log_path=$logs/ubsan:halt_on_error=1:print_stacktrace=1" \
	LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp" SRFD_QUICK=1 \
		meson test -C "$dir" --print-errorlogs --no-suite fuzz --no-suite bench || rc=1
	if compgen -G "$logs/*" >/dev/null; then
		echo "sanitizer reports:"
		cat "$logs"/*
		rc=1
	fi
	rm -rf "$logs"
	meson test -C "$dir" --print-errorlogs --suite fuzz || rc=1
	return $rc
}

case "${1:-}" in
demo)
	install_missing
	install_names
	build
	exec /usr/bin/python3 bench/demo.py
	;;
test)
	install_missing "${TEST_PKGS[@]}"
	install_names
	build
	meson test -C build --print-errorlogs
	sanitize
	;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac
