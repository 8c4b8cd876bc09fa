#!/bin/bash
# srfd set-up: install what is missing (Debian 12, as root), build, then
#   tests/setup.sh demo   run the netns demo on the embedded default config
#   tests/setup.sh test   run every test (unit, BPF_PROG_TEST_RUN, netns)
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(gcc meson ninja-build pkg-config clang llvm bpftool libbpf-dev libelf-dev
      zlib1g-dev libmnl-dev libnl-3-dev libnl-route-3-dev libconfig-dev libev-dev
      check iproute2 nftables
      python3 python3-nftables python3-scapy tcpdump iputils-ping iperf3 procps)

install_missing() {
	local missing=() p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if ((${#missing[@]})); then
		echo "installing: ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
}

build() {
	if [ ! -f build/build.ninja ]; then
		meson setup build
	fi
	ninja -C build
}

case "${1:-}" in
demo)
	install_missing
	build
	exec /usr/bin/python3 bench/demo.py
	;;
test)
	install_missing
	build
	exec meson test -C build --print-errorlogs
	;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac
