package diag

// notFoundHints say what a 404 means under each provider's URL convention:
// new-api builds a request URL as base URL + its own path, so the base URL
// must stop where that path begins, and where it begins differs. Providers
// not listed follow OpenAI's convention (openAIStyleNotFound); a test holds
// every provider of the table to one or the other.
var notFoundHints = map[string]func(f HintFacts) string{
	"azure": func(f HintFacts) string {
		v := ""
		if f.APIVersion != "" {
			v = f.tr(" (%s was asked)", f.APIVersion)
		}
		return f.tr("Azure answers 404 for three things: a base URL that is not the bare resource endpoint (https://NAME.openai.azure.com; new-api adds /openai/deployments/… itself), "+
			"an api-version it does not serve%s (new-api takes it from the channel's API version field, 'other'), "+
			"and a deployment that does not exist (new-api sends each model to the deployment of the same name: name deployments after the models, or map the names in the channel's model mapping).", v)
	},
	"gemini":     fixed("new-api appends /v1beta/models/… itself: the base URL is https://generativelanguage.googleapis.com, with no /v1beta or /v1."),
	"anthropic":  fixed("new-api appends /v1/messages itself: the base URL is https://api.anthropic.com, with no /v1."),
	"openrouter": fixed("new-api appends /v1/… to OpenRouter's base URL, which keeps its /api: https://openrouter.ai/api, with no /v1."),
	"zhipu":      fixed("new-api appends /api/paas/v4/… itself: the base URL is https://open.bigmodel.cn, with no path."),
	"ali":        fixed("new-api appends DashScope's paths itself: the base URL is https://dashscope.aliyuncs.com, with no /compatible-mode/v1 or /api/v1."),
	"volcengine": fixed("new-api appends /api/v3/… itself: the base URL is https://ark.cn-beijing.volces.com, with no path."),
	"ollama":     fixed("new-api appends the API path itself: the base URL is http://HOST:11434, with no /v1, /api or /api/generate."),
	"newapi":     fixed("this address does not serve new-api's /api/status: another service answers on this port, or a reverse proxy publishes new-api under a path (put that path in the URL)."),
}

// openAIStyleNotFound: OpenAI and the OpenAI-compatible APIs.
const openAIStyleNotFound = "the base URL's path is likely wrong. new-api appends /v1/... itself: drop a trailing /v1 (or /api/generate, /chat/completions) from the channel's base URL."

// customNotFound: a Custom channel's base_url is the whole request URL.
const customNotFound = "new-api calls a Custom channel's base_url as the full request URL ({model} replaced), and this server has no such path. Check it against the server's documentation (e.g. https://HOST/v1/chat/completions)."

func notFoundHint(f HintFacts) string {
	at := f.tr("404 at %s: ", orHost(f, f.Path))
	if f.FullURL {
		return at + f.Lang.T(customNotFound)
	}
	if h, ok := notFoundHints[f.Provider]; ok {
		return at + h(f)
	}
	return at + f.Lang.T(openAIStyleNotFound)
}
