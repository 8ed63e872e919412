package probe

import "github.com/newapi-doctor/newapi-doctor/i18n"

// zhProbe are the Chinese forms of why ping and trace were skipped, their
// fixes and the silent-hops warning (every OS's wording: priv_*.go, ping.go,
// trace.go, icmpapi_*.go). Commands, paths, sysctls, flags and socket kinds
// stay as they are.
var zhProbe = map[string]string{
	`; %s`:                       `；%s`,
	`running as root`:            `以 root 身份运行`,
	`uid %s with CAP_NET_RAW`:    `uid %s，有 CAP_NET_RAW`,
	`uid %s without CAP_NET_RAW`: `uid %s，没有 CAP_NET_RAW`,
	`net.ipv4.ping_group_range unreadable: %s`:                 `无法读取 net.ipv4.ping_group_range：%s`,
	`net.ipv4.ping_group_range="%s" includes gid %s`:           `net.ipv4.ping_group_range="%s" 包含 gid %s`,
	`net.ipv4.ping_group_range="%s" excludes gid %s`:           `net.ipv4.ping_group_range="%s" 不包含 gid %s`,
	`but the kernel refused a raw socket`:                      `但内核拒绝创建 raw socket`,
	`but the kernel refused an ICMP echo socket`:               `但内核拒绝创建 ICMP echo socket`,
	`uid %s; raw ICMP %v, ICMP echo socket %v`:                 `uid %s；raw ICMP %v，ICMP echo socket %v`,
	`ping needs raw ICMP or an ICMP echo socket: %s`:           `ping 需要 raw ICMP 或 ICMP echo socket：%s`,
	`an ICMP traceroute needs raw sockets: %s`:                 `ICMP traceroute 需要 raw socket：%s`,
	`the %s method needs Linux; raw ICMP needs privileges: %s`: `%s 方式只能在 Linux 上使用；raw ICMP 需要特权：%s`,
	`socket refused: %s`:                                       `socket 被拒绝：%s`,
	`sudo setcap cap_net_raw+ep %s  (or allow unprivileged ping for all groups: sudo sysctl -w net.ipv4.ping_group_range="0 2147483647")`: `sudo setcap cap_net_raw+ep %s（或允许所有用户组使用非特权 ping：sudo sysctl -w net.ipv4.ping_group_range="0 2147483647"）`,
	`sudo setcap cap_net_raw+ep %s  (or run as root)`:            `sudo setcap cap_net_raw+ep %s（或以 root 身份运行）`,
	`run as root: sudo %s ping …`:                                `以 root 身份运行：sudo %s ping …`,
	`run as root: sudo %s trace …`:                               `以 root 身份运行：sudo %s trace …`,
	`raw ICMP socket refused (not running as Administrator): %s`: `raw ICMP socket 被拒绝（未以管理员身份运行）：%s`,
	`running as Administrator`:                                   `以管理员身份运行`,
	`ping uses the Windows ICMP API and needs no privilege; if it fails, check that Windows Defender Firewall or a security suite allows outgoing ICMP echo`:                    `ping 使用 Windows ICMP API，无需管理员权限；如果仍然失败，请检查 Windows Defender 防火墙或安全软件是否放行出站 ICMP echo`,
	`use --method icmp (the default on Windows: the Windows ICMP API, as tracert does, no Administrator needed)`:                                                                `改用 --method icmp（Windows 上的默认方式：与 tracert 一样使用 Windows ICMP API，无需管理员权限）`,
	`every router before the target was silent while the target answered: a firewall on this machine (or the first router) is likely dropping ICMP Time Exceeded, not the path`: `目标有回应，而它之前的每个路由器都没有回应：多半是本机（或第一个路由器）的防火墙丢弃了 ICMP Time Exceeded，路径本身没有问题`,
	`every router before the target was silent while the target answered: Windows Defender Firewall (or a security suite) is dropping the ICMP Time Exceeded replies, not the path. To see the hops, allow them from a terminal run as Administrator: netsh advfirewall firewall add rule name="ICMPv4 Time Exceeded (newapi-doctor)" dir=in action=allow protocol=icmpv4:11,any`: `目标有回应，而它之前的每个路由器都没有回应：是 Windows Defender 防火墙（或安全软件）丢弃了 ICMP Time Exceeded 回包，路径本身没有问题。如需看到各跳，请以管理员身份打开终端执行以下命令放行：netsh advfirewall firewall add rule name="ICMPv4 Time Exceeded (newapi-doctor)" dir=in action=allow protocol=icmpv4:11,any`,
}

func init() { i18n.Register(zhProbe) }
