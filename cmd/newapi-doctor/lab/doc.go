// Package lab is newapi-doctor's network fault lab: an integration suite
// (lab_linux_test.go) that builds network namespaces — a client, a router,
// servers — joined by veth pairs, installs real faults (iptables DROP and
// REJECT, unreachable/prohibit routes, an SNI string match, tinyproxy, dante
// (SOCKS5), dnsmasq, upstreams answering 200/429/503/never over https and
// http) and runs the built binary
// in the client namespace, as root and as nobody. It needs root and
// iproute2; .ci/lab-deps.sh installs the Debian packages. Addresses come
// from 198.51.100.0/24 and 203.0.113.0/24 only and nothing routes out.
package lab
