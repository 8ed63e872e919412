#!/usr/bin/env bash
# Debian packages the network-namespace fault lab (cmd/newapi-doctor/lab)
# needs: ip netns/veth, iptables (nft backend is fine), real proxies (tinyproxy,
# dante) and DNS server, setpriv for the unprivileged run, sysctl. Idempotent;
# root only.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
	echo "lab-deps: not root; the lab will skip" >&2
	exit 0
fi
need=()
for p in iproute2:ip iptables:iptables tinyproxy:tinyproxy dante-server:danted dnsmasq-base:dnsmasq util-linux:setpriv procps:sysctl openssl:openssl; do
	command -v "${p#*:}" >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v "${p#*:}" >/dev/null 2>&1 || need+=("${p%%:*}")
done
if [ ${#need[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# tinyproxy's package starts a system instance on :8888 in the host namespace;
# the lab runs its own inside a namespace, so stop the system one if present.
# Likewise dante-server's system danted.
for svc in tinyproxy danted; do
	if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
		systemctl stop "$svc" || true
	fi
done
echo "lab-deps: ok"
