package diag

import "github.com/newapi-doctor/newapi-doctor/i18n"

// zhPath are the Chinese forms of the path summaries (path.go, pathplan.go).
// Hop numbers, ports, addresses, ICMP reasons, layers and flags stay as they
// are (TestPathSummariesChinese checks).
var zhPath = map[string]string{
	`the target`:         `目标`,
	`the proxy`:          `代理`,
	`ping`:               `ping`,
	`this machine`:       `本机`,
	`an ICMP traceroute`: `ICMP traceroute`,
	`a %s traceroute`:    `%s traceroute`,
	` (%s)`:              `（%s）`,
	`; %s`:               `；%s`,
	`anything wrong is above TCP (a filter reading the TLS handshake, or the server itself)`: `问题出在 TCP 之上（检查 TLS 握手的过滤设备，或服务器本身）`,

	`%s accepts TCP %s (hop %d): the network path is open; %s`:                 `%[1]s接受 TCP %[2]s 连接（第 %[3]d 跳）：网络路径是通的；%[4]s`,
	`%s answers with a reset on TCP %s (hop %d): the network path is open; %s`: `%[1]s对 TCP %[2]s 回以 RST（第 %[3]d 跳）：网络路径是通的；%[4]s`,
	`hop %d (%s) answers %s (ICMP code %d): the path ends there`:               `第 %[1]d 跳（%[2]s）回应 %[3]s（ICMP code %[4]d）：路径在此中断`,
	`hop %d (%s) refuses TCP %s with ICMP %s (code %d): a filter on the port`:  `第 %[1]d 跳（%[2]s）以 ICMP %[4]s（code %[5]d）拒绝 TCP %[3]s：该端口被过滤`,
	`; %s itself answers %s`: `；%[1]s本身能回应 %[2]s`,
	`%s answers %s but not TCP %s: a filter on the port (TCP probes stop after hop %d%s)`: `%[1]s能回应 %[2]s，但 TCP %[3]s 不通：该端口被过滤（TCP 探测止于第 %[4]d 跳%[5]s）`,
	`%s answers %s`:                          `%[1]s能回应 %[2]s`,
	`%s answers ping and %s`:                 `%[1]s能回应 ping 和 %[2]s`,
	`%s answers ping`:                        `%[1]s能回应 ping`,
	` (%d hops)`:                             `（共 %[1]d 跳）`,
	`; TCP %s could not be traced`:           `；TCP %[1]s 无法追踪`,
	`path localisation skipped: %s; fix: %s`: `路径定位已跳过：%[1]s；解决办法：%[2]s`,
	`no probe ran`:                           `没有运行任何探测`,
	`path localisation could not run: %s`:    `路径定位未能运行：%[1]s`,
	`no hop answered: packets die on this machine or at its first router (local firewall, default route), or every hop drops probes`: `没有任何一跳回应：数据包在本机或第一个路由器处就丢了（本机防火墙、默认路由），或者每一跳都丢弃探测包`,
	`the path ends after hop %d%s; %s does not answer`:            `路径在第 %[1]d 跳%[2]s之后中断；%[3]s无回应`,
	` (probed from this machine directly, not through the proxy)`: `（从本机直接探测，未经代理）`,

	`the proxy connected to the target's TCP %s (the %s layer): the network path is open; %s`:                                          `代理已连上目标的 TCP %[1]s（%[2]s 层）：网络路径是通的；%[3]s`,
	`the proxy accepted TCP %s (the %s layer connected): the path to the proxy is open; anything wrong is above TCP (the proxy's TLS)`: `代理接受了 TCP %[1]s 连接（%[2]s 层已连上）：到代理的路径是通的；问题出在 TCP 之上（代理的 TLS）`,
	`%s accepted TCP %s (the %s layer connected): the network path is open; %s`:                                                        `%[1]s接受了 TCP %[2]s 连接（%[3]s 层已连上）：网络路径是通的；%[4]s`,
	`; --deep pings and traces it anyway`: `；加 --deep 仍会 ping 并 trace`,
}

func init() { i18n.Register(zhPath) }
