package desktop

import "github.com/newapi-doctor/newapi-doctor/i18n"

// zhDesktop are the Chinese forms of the desktop section's notes and hints.
var zhDesktop = map[string]string{
	"the data folder holds no new-api.db yet: the app's server has not started once, or uses another SQLITE_PATH": "数据目录中还没有 new-api.db：桌面版的服务从未成功启动过，或使用了别的 SQLITE_PATH",
	"who holds port %s is unknown: %s":      "无法得知端口 %s 被谁占用：%s",
	"port %s is new-api's own (PID %s, %s)": "端口 %s 由 new-api 自己占用（PID %s，%s）",
	"%s line %s pins %s to %s: new-api connects there instead of the provider's real address. Remove the line (Watt Toolkit/Steam++ and 'accelerators' write these) unless you put it there on purpose, then flush the DNS cache.":                                                                                                                                                         "%s 第 %s 行把 %s 固定解析到 %s：new-api 会连到这个地址，而不是服务商的真实地址。除非是你有意添加的，否则请删除这一行（Watt Toolkit/Steam++ 和各类“加速器”会写入这类记录），然后刷新 DNS 缓存。",
	"Port %s is taken by another program: new-api's server cannot start there (10048, 'Only one usage of each socket address'). Find it with `netstat -ano | findstr :%s` (last column: the PID) and end it, or start new-api on another port (PORT).":                                                                                                                                     "端口 %s 已被其他程序占用：new-api 的服务无法在此启动（10048，“通常每个套接字地址只允许使用一次”）。用 `netstat -ano | findstr :%s` 找出它（最后一列是 PID）并结束它，或让 new-api 改用其他端口（PORT）。",
	"Port %s is taken by %s: new-api's server cannot start there (10048, 'Only one usage of each socket address'). End that program (Task Manager → Details, or `taskkill /PID %s`), or start new-api on another port (PORT).":                                                                                                                                                             "端口 %s 已被 %s 占用：new-api 的服务无法在此启动（10048，“通常每个套接字地址只允许使用一次”）。请结束该程序（任务管理器 → 详细信息，或执行 `taskkill /PID %s`），或让 new-api 改用其他端口（PORT）。",
	"Port %s lies in the excluded range %s-%s that Hyper-V/WSL/Docker (winnat) reserved: binding it fails with 10013 'forbidden by its access permissions'. Use a port outside the range, or, from a terminal run as Administrator: `net stop winnat`, `netsh int ipv4 add excludedportrange protocol=tcp startport=%s numberofports=1`, `net start winnat` to keep the port for new-api.": "端口 %s 落在 Hyper-V/WSL/Docker（winnat）保留的端口范围 %s-%s 内：绑定时会报 10013“以一种访问权限不允许的方式做了一个访问套接字的尝试”。请改用范围之外的端口，或以管理员身份打开终端依次执行 `net stop winnat`、`netsh int ipv4 add excludedportrange protocol=tcp startport=%s numberofports=1`、`net start winnat`，把该端口留给 new-api。",
}

func init() { i18n.Register(zhDesktop) }
