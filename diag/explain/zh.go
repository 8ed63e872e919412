package explain

import "github.com/newapi-doctor/newapi-doctor/i18n"

// zhExplain are the Chinese forms of explain's own sentences (the hints
// themselves are diag's).
var zhExplain = map[string]string{
	"newapi-doctor does not recognise this text. Run `newapi-doctor check` against the channel's base URL to see which layer fails.": "newapi-doctor 无法识别这段文本。请对该渠道的 Base URL 执行 `newapi-doctor check`，看看是哪一层出了问题。",
}

func init() { i18n.Register(zhExplain) }
