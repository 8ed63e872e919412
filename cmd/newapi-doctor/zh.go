package main

import (
	"github.com/newapi-doctor/newapi-doctor/diag/newapi"
	"github.com/newapi-doctor/newapi-doctor/i18n"
)

// zhCmd are the Chinese forms of what the commands print themselves (the
// renderers' words are report's, the hints diag's).
var zhCmd = map[string]string{
	"checking %d endpoint(s) every %s":                                                                    "每隔 %[2]s 检测 %[1]d 个端点",
	"checking %d endpoint(s) on every scrape":                                                             "每次抓取时检测 %d 个端点",
	"serving http://%s/metrics and the status page http://%s/, %s":                                        "已在 http://%s/metrics 提供指标，状态页为 http://%s/；%s",
	"wrote %s: %d files, bundle id %s; hidden: %d secret(s), %d host(s), %d address(es), %d user name(s)": "已写入 %s：%d 个文件，诊断包 ID %s；已隐藏 %d 个密钥、%d 个主机名、%d 个地址、%d 个用户名",
	"%s: %d finding(s)": "%s：发现 %d 处敏感信息",
	"%s: ok (hashes match, nothing sensitive found)":                        "%s：正常（哈希一致，未发现敏感信息）",
	"%s: ok (not a zip: scanned as one text file, nothing sensitive found)": "%s：正常（不是 zip：已作为一个文本文件扫描，未发现敏感信息）",
	"warnings only (exit 3 because of --strict-warnings)":                   "只有警告（因 --strict-warnings 以退出码 3 结束）",
	"--probe: the text names no host or URL to probe":                       "--probe：文本中没有可供实测的主机或 URL",
	"read %d channels from admin API %s; %s":                                "已从管理 API %[2]s 读取 %[1]d 个渠道；%[3]s",
	"read %d channels from %s %s (%s, via %s); %s":                          "已从 %[2]s %[3]s（%[4]s，依据 %[5]s）读取 %[1]d 个渠道；%[6]s",
	"; ":                                     "；",
	newapi.NoKeysNote:                        "--with-keys：new-api 的管理 API 不返回密钥，因此没有发送密钥，密钥也未经检验；请读取数据库（--from-db --with-keys）来检验密钥",
	"%d disabled included (--all)":           "已包含 %d 个禁用的渠道（--all）",
	"%d disabled skipped (--all to include)": "已跳过 %d 个禁用的渠道（加 --all 可包含）",
}

func init() { i18n.Register(zhCmd) }
