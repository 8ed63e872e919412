package report

import (
	"github.com/newapi-doctor/newapi-doctor/diag"
	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// categoryNames are the categories as a person reads them; the identifiers
// (JSON, --warn-on, docs) stay English and are shown beside them.
var categoryNames = map[diag.Category]string{
	diag.CatOK: "ok", diag.CatDNS: "dns", diag.CatRefused: "refused", diag.CatBlocked: "blocked",
	diag.CatUnreachable: "unreachable", diag.CatProxy: "proxy", diag.CatTLS: "tls",
	diag.CatOverloaded: "overloaded", diag.CatAuth: "auth", diag.CatHTTP: "http",
}

// CategoryName is the category in the language: the identifier in English,
// its name in Chinese (the catalogue's "category:<id>" key).
func CategoryName(c diag.Category, l i18n.Lang) string {
	if !l.IsZH() {
		return string(c)
	}
	return l.T("category:" + string(c))
}

// GradeName is a severity grade in the language.
func GradeName(g diag.Grade, l i18n.Lang) string {
	if !l.IsZH() {
		return string(g)
	}
	return l.T("grade:" + string(g))
}

// zhReport are the Chinese forms of the renderers' words (text, markdown,
// html, probe, explain); what a format's consumer parses (JSON, junit,
// github) stays English.
var zhReport = map[string]string{
	"category:ok":          "正常",
	"category:dns":         "域名解析失败",
	"category:refused":     "连接被拒绝",
	"category:blocked":     "被拦截",
	"category:unreachable": "网络不可达",
	"category:proxy":       "代理故障",
	"category:tls":         "TLS/证书错误",
	"category:overloaded":  "上游繁忙或限流",
	"category:auth":        "密钥被拒",
	"category:http":        "HTTP 应答异常",
	"grade:error":          "错误",
	"grade:warning":        "警告",
	"grade:info":           "提示",

	// text
	"fails the run":                        "导致本次检测失败",
	"does not fail the run":                "不导致本次检测失败",
	"%d %s":                                "%[2]s %[1]d",
	", ":                                   "，",
	"%d ok, %d failed":                     "%d 个正常，%d 个失败",
	", 1 warning":                          "，1 个警告",
	", %d warnings":                        "，%d 个警告",
	" (%s)":                                "（%s）",
	"at %s after %s":                       "在 %s 层失败，用时 %s",
	"channel: %s":                          "渠道：%s",
	"hint:":                                "建议：",
	"proxy: %s (%s)":                       "代理：%s（%s）",
	"proxy note: %s":                       "代理说明：%s",
	"system proxy: %s":                     "系统代理：%s",
	"note: %s":                             "备注：%s",
	"path: %s":                             "路径：%s",
	"Summary":                              "汇总",
	"%s: %s of %d in %.1f s; severity: %s": "%[1]s：共 %[3]d 个端点，%[2]s，用时 %.1[4]f 秒；严重程度：%[5]s",
	" — interrupted":                       "（已中断）",
	"desktop app:":                         "桌面版：",
	"app folder: %s":                       "程序目录：%s",
	"database: %s":                         "数据库：%s",
	"data folder: %s":                      "数据目录：%s",
	"port %s: taken (the owner's PID is not known)": "端口 %s：已被占用（占用进程的 PID 未知）",
	"port %s: held by PID %s %s":                    "端口 %s：被 PID %s %s 占用",
	"port %s: free":                                 "端口 %s：空闲",
	"port %s is inside the excluded range %s-%s":    "端口 %s 落在系统保留端口范围 %s-%s 内",
	"log %s (%s): %d error line(s)":                 "日志 %s（%s）：%d 行错误",
	"hosts: %s:%s %s %s":                            "hosts 文件：%s:%s %s %s",
	"hint: %s":                                      "建议：%s",

	// markdown
	"newapi-doctor report":       "newapi-doctor 诊断报告",
	"version %s":                 "版本 %s",
	"started %s":                 "开始于 %s",
	"interrupted":                "已中断",
	"%s of %d; severity: %s":     "%s，共 %d 个端点；严重程度：%s",
	"No endpoints were checked.": "没有检测任何端点。",
	"| | Endpoint | URL | Category | Cause | Severity | Failing layer | Time |": "| | 端点 | URL | 类别 | 原因 | 严重程度 | 失败层 | 耗时 |",
	"Desktop app":    "桌面版",
	"%s:":            "%s：",
	"URL":            "URL",
	"Provider":       "服务商",
	"Defined in":     "定义位置",
	"Channel status": "渠道状态",
	"What happened":  "发生了什么",
	"Failing layer":  "失败层",
	"Hint":           "建议",
	"Proxy":          "代理",
	"none":           "无",
	"Proxy note":     "代理说明",
	"System proxy":   "系统代理",
	"Note":           "备注",
	"Attempts":       "各次尝试",
	"Path":           "路径",
	"Extra":          "附加信息",
	"Layers":         "各层详情",
	"| Layer | Result | Time | Error | Detail |": "| 层 | 结果 | 耗时 | 错误 | 详情 |",

	// html
	"newapi-doctor status": "newapi-doctor 状态",
	"No check round has finished yet; this page reloads by itself.": "还没有完成任何一轮检测；本页会自动刷新。",
	"%s of %d":      "%s，共 %d 个端点",
	"started":       "开始于",
	"version":       "版本",
	"took":          "耗时",
	"reloads every": "刷新间隔",
	"Hint:":         "建议：",
	"proxy:":        "代理：",
	"channel:":      "渠道：",
	"to":            "→",
	"hop":           "跳",
	"address":       "地址",
	"loss":          "丢包",
	"rtt (ms)":      "往返时延 (ms)",
	"config":        "配置",
	"proxy DNS":     "代理 DNS",
	"proxy TCP":     "代理 TCP",
	"proxy TLS":     "代理 TLS",
	"proxy CONNECT": "代理 CONNECT",
	"DNS":           "DNS",
	"TCP":           "TCP",
	"TLS":           "TLS",
	"first byte":    "首字节",
	"transfer":      "传输",
	// explain
	"not recognised":       "无法识别",
	"  text:  %s\n":        "  文本：%s\n",
	"  text:     %s\n":     "  文本：    %s\n",
	"  hint:  %s\n":        "  建议：%s\n",
	"at %s":                "在 %s 层",
	"  channel:  #%d %s\n": "  渠道：    #%d %s\n",
	"target:":              "目标：",
	"  url:      %s\n":     "  URL：     %s\n",
	"  status:   %d\n":     "  状态码：  %d\n",
	"  evidence: %s\n":     "  依据：    %s\n",
	"  guess:    only the word %q points here; no rule read this text\n": "  猜测：    只有 %q 一词指向这里，没有规则读懂这段文字\n",
	"  hint:     %s\n":                 "  建议：    %s\n",
	"  confirm:  %s\n":                 "  验证：    %s\n",
	"  probe:    %s %s (%s)":           "  实测：    %s %s（%s）",
	" at %s":                           "，在 %s 层",
	"the probe confirms the diagnosis": "实测结果证实了这一诊断",
	"the path works from here now: the fault was transient, or lies where the text came from (another host, container or network)": "从本机看这条路径现在是通的：故障是暂时的，或出在这段文本的来源处（另一台主机、容器或网络）",
	"the probe sees a different fault from here: trust the probe for this machine":                                                 "从本机实测到的是另一种故障：就本机而言，请以实测结果为准",
	"%s %d lines (%s), %d errors classified, %d not recognised":                                                                    "%s 共 %d 行（%s），已归类 %d 条错误，%d 条无法识别",
	"log:":                          "日志：",
	", %d not text":                 "，%d 行不是文本",
	", %d over-long (read in part)": "，%d 行过长（只读了一部分）",
	"%s %d of new-api's own follow-up lines (channel error, relay error) counted with their request's real cause\n": "%s new-api 自身的 %d 行后续日志（渠道错误、relay 错误）已按所属请求的真实原因计入\n",
	"client left:": "客户端离开：",
	"%s %d requests ended by new-api's own client leaving (context canceled): no channel is blamed\n": "%s %d 个请求因 new-api 自己的客户端离开而结束（context canceled）：不算作任何渠道的故障\n",
	"joined:":                          "已合并：",
	", %d lines GB18030/GBK":           "，%d 行为 GB18030/GBK",
	"encoding:":                        "编码：",
	"span:":                            "时间范围：",
	"no upstream errors recognised":    "没有识别到上游错误",
	"by category":                      "按类别",
	"by cause":                         "按原因",
	"  … %d more causes (--verbose)\n": "  … 还有 %d 种原因（--verbose 查看全部）\n",
	"            e.g. %s\n":            "            例如 %s\n",
	"            confirm: %s\n":        "            验证：%s\n",
	"worst channels":                   "错误最多的渠道",
	"  … %d more (--verbose)\n":        "  … 还有 %d 个（--verbose 查看全部）\n",
	"  %s %8d errors, mostly %s (%s)":  "  %s %8d 条错误，主要是 %s（%s）",
	", %d auto-disable lines":          "，%d 行自动禁用记录",
	"  (%d errors over the channel cap counted under (other))\n": "  （超出渠道数上限的 %d 条错误计入 (other)）\n",
	"not recognised, e.g.": "无法识别的示例",
	"by hour":              "按小时",
	"  (last 48 of %d hours; --verbose for all)\n": "  （%d 小时中的最后 48 小时；--verbose 查看全部）\n",

	// ping, trace
	"ping %s: skipped: %s\n  fix: %s\n":                 "ping %s：已跳过：%s\n  解决：%s\n",
	"ping %s: error: %s\n":                              "ping %s：出错：%s\n",
	"ping %s (%s ICMP)\n":                               "ping %s（%s ICMP）\n",
	"  reply from %s: seq=%d ttl=%d time=%.3f ms\n":     "  来自 %s 的回复：seq=%d ttl=%d 时间=%.3f ms\n",
	"%d sent, %d received, %.1f%% loss":                 "已发送 %d，已接收 %d，丢包 %.1f%%",
	", %d duplicates":                                   "，重复 %d",
	"rtt min/avg/max/stddev = %.3f/%.3f/%.3f/%.3f ms\n": "往返时延 最小/平均/最大/标准差 = %.3f/%.3f/%.3f/%.3f ms\n",
	"no reply: the target does not answer ping (or ICMP is filtered on the way)\n": "没有回复：目标不响应 ping（或 ICMP 在途中被过滤）\n",
	"error: %s\n":                                      "出错：%s\n",
	"trace %s: skipped: %s\n  fix: %s\n":               "trace %s：已跳过：%s\n  解决：%s\n",
	"trace %s: error: %s\n":                            "trace %s：出错：%s\n",
	"trace %s, %s\n":                                   "路由跟踪 %s，%s\n",
	"reached the target at hop %d\n":                   "在第 %d 跳到达目标\n",
	"this machine":                                     "本机",
	"ended at hop %d: %s answered %s (ICMP code %d)\n": "在第 %d 跳终止：%s 回复 %s（ICMP code %d）\n",
	"not traced: the %s layer's connection proved the path open": "未追踪：%s 层的连接已证明路径是通的",
	"last answer at hop %d (%s)":                                 "最后一次应答在第 %d 跳（%s）",
	"no hop answered":                                            "没有任何一跳回应",
	"ping skipped: %s":                                           "ping 已跳过：%s",
	"silence: no hop answered\n":                                 "无应答：没有任何一跳回复\n",
	"silence after hop %d: the path ends there; the target does not answer\n": "第 %d 跳之后再无应答：路径在此中断；目标没有回复\n",
	"note: %s\n": "备注：%s\n",
}

func init() { i18n.Register(zhReport) }
