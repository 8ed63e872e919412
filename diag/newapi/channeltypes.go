// Package newapi reads the upstream endpoints an operator already configured
// in new-api (or its parent one-api): from the gateway's database or from its
// admin API. Each channel becomes a diag.Endpoint with the URL and proxy
// new-api itself would use. Nothing here writes to the database, and no key
// ever appears in an error.
package newapi

import "strconv"

// Fork says which gateway made the database: their channel type numbers
// differ from 4 upwards, so the type → host table depends on it.
type Fork string

const (
	ForkNewAPI Fork = "new-api"
	ForkOneAPI Fork = "one-api"
)

// probe kinds: how new-api builds request URLs for a type, so the probe path
// mirrors it (base URL + path; a base URL ending in /v1 gives /v1/v1/… there too).
const (
	pathOpenAI   = "/v1/models"     // OpenAI-compatible relays
	pathGemini   = "/v1beta/models" // Gemini (API key in a query parameter)
	pathAzure    = "/openai/models" // Azure OpenAI
	pathAli      = "/compatible-mode/v1/models"
	pathZhipuV4  = "/api/paas/v4/models"
	pathVolc     = "/api/v3/models"
	pathBaiduV2  = "/v2/models"
	pathRootOnly = "/" // a non-OpenAI protocol: reachability of the host only
)

// chanType is one row of a fork's type table.
type chanType struct {
	Name     string
	BaseURL  string // "" = the channel must bring its own (base_url / other)
	Provider string // provider id used by diag's provider table; "" = infer from host
	Path     string // appended to the base URL's path for the probe
}

// newAPITypes is new-api's constant/channel.go (ChannelBaseURLs, names).
var newAPITypes = map[int]chanType{
	1:  {"OpenAI", "https://api.openai.com", "openai", pathOpenAI},
	2:  {"Midjourney", "https://oa.api2d.net", "", pathOpenAI},
	3:  {"Azure", "", "azure", pathAzure},
	4:  {"Ollama", "http://localhost:11434", "ollama", pathOpenAI},
	5:  {"MidjourneyPlus", "https://api.openai-sb.com", "", pathOpenAI},
	6:  {"OpenAIMax", "https://api.openaimax.com", "", pathOpenAI},
	7:  {"OhMyGPT", "https://api.ohmygpt.com", "", pathOpenAI},
	8:  {"Custom", "", "", ""},
	9:  {"AILS", "https://api.caipacity.com", "", pathOpenAI},
	10: {"AIProxy", "https://api.aiproxy.io", "", pathOpenAI},
	11: {"PaLM", "", "", pathRootOnly},
	12: {"API2GPT", "https://api.api2gpt.com", "", pathOpenAI},
	13: {"AIGC2D", "https://api.aigc2d.com", "", pathOpenAI},
	14: {"Anthropic", "https://api.anthropic.com", "anthropic", pathOpenAI},
	15: {"Baidu", "https://aip.baidubce.com", "", pathRootOnly},
	16: {"Zhipu", "https://open.bigmodel.cn", "zhipu", pathRootOnly},
	17: {"Ali", "https://dashscope.aliyuncs.com", "ali", pathAli},
	18: {"Xunfei", "", "", pathRootOnly}, // websocket; host from the API version
	19: {"360", "https://api.360.cn", "", pathOpenAI},
	20: {"OpenRouter", "https://openrouter.ai/api", "openrouter", pathOpenAI},
	21: {"AIProxyLibrary", "https://api.aiproxy.io", "", pathRootOnly},
	22: {"FastGPT", "https://fastgpt.run/api/openapi", "", pathOpenAI},
	23: {"Tencent", "https://hunyuan.tencentcloudapi.com", "", pathRootOnly},
	24: {"Gemini", "https://generativelanguage.googleapis.com", "gemini", pathGemini},
	25: {"Moonshot", "https://api.moonshot.cn", "moonshot", pathOpenAI},
	26: {"ZhipuV4", "https://open.bigmodel.cn", "zhipu", pathZhipuV4},
	27: {"Perplexity", "https://api.perplexity.ai", "perplexity", "/models"},
	31: {"LingYiWanWu", "https://api.lingyiwanwu.com", "lingyiwanwu", pathOpenAI},
	33: {"AWS", "", "", pathRootOnly}, // bedrock-runtime.{region}.amazonaws.com
	34: {"Cohere", "https://api.cohere.ai", "cohere", pathOpenAI},
	35: {"MiniMax", "https://api.minimax.chat", "", pathOpenAI},
	36: {"SunoAPI", "", "", pathRootOnly},
	37: {"Dify", "https://api.dify.ai", "", pathRootOnly},
	38: {"Jina", "https://api.jina.ai", "", pathOpenAI},
	39: {"Cloudflare", "https://api.cloudflare.com", "", pathRootOnly},
	40: {"SiliconFlow", "https://api.siliconflow.cn", "siliconflow", pathOpenAI},
	41: {"VertexAI", "", "", pathRootOnly}, // {region}-aiplatform.googleapis.com
	42: {"Mistral", "https://api.mistral.ai", "mistral", pathOpenAI},
	43: {"DeepSeek", "https://api.deepseek.com", "deepseek", pathOpenAI},
	44: {"MokaAI", "https://api.moka.ai", "", pathOpenAI},
	45: {"VolcEngine", "https://ark.cn-beijing.volces.com", "volcengine", pathVolc},
	46: {"BaiduV2", "https://qianfan.baidubce.com", "", pathBaiduV2},
	47: {"Xinference", "", "", pathOpenAI},
	48: {"xAI", "https://api.x.ai", "xai", pathOpenAI},
	49: {"Coze", "https://api.coze.cn", "", pathRootOnly},
	50: {"Kling", "https://api.klingai.com", "", pathRootOnly},
	51: {"Jimeng", "https://visual.volcengineapi.com", "", pathRootOnly},
	52: {"Vidu", "https://api.vidu.cn", "", pathRootOnly},
	53: {"Submodel", "https://llm.submodel.ai", "", pathOpenAI},
	54: {"DoubaoVideo", "https://ark.cn-beijing.volces.com", "", pathRootOnly},
	55: {"Sora", "https://api.openai.com", "openai", pathOpenAI},
	56: {"Replicate", "https://api.replicate.com", "", pathRootOnly},
	57: {"Codex", "https://chatgpt.com", "", pathRootOnly},
}

// oneAPITypes is one-api's relay/channeltype (define.go + url.go); the
// numbers agree with new-api's only up to 3.
var oneAPITypes = map[int]chanType{
	1:  {"OpenAI", "https://api.openai.com", "openai", pathOpenAI},
	2:  {"API2D", "https://oa.api2d.net", "", pathOpenAI},
	3:  {"Azure", "", "azure", pathAzure},
	4:  {"CloseAI", "https://api.closeai-proxy.xyz", "", pathOpenAI},
	5:  {"OpenAISB", "https://api.openai-sb.com", "", pathOpenAI},
	6:  {"OpenAIMax", "https://api.openaimax.com", "", pathOpenAI},
	7:  {"OhMyGPT", "https://api.ohmygpt.com", "", pathOpenAI},
	8:  {"Custom", "", "", pathOpenAI},
	9:  {"Ails", "https://api.caipacity.com", "", pathOpenAI},
	10: {"AIProxy", "https://api.aiproxy.io", "", pathOpenAI},
	11: {"PaLM", "https://generativelanguage.googleapis.com", "gemini", pathGemini},
	12: {"API2GPT", "https://api.api2gpt.com", "", pathOpenAI},
	13: {"AIGC2D", "https://api.aigc2d.com", "", pathOpenAI},
	14: {"Anthropic", "https://api.anthropic.com", "anthropic", pathOpenAI},
	15: {"Baidu", "https://aip.baidubce.com", "", pathRootOnly},
	16: {"Zhipu", "https://open.bigmodel.cn", "zhipu", pathRootOnly},
	17: {"Ali", "https://dashscope.aliyuncs.com", "ali", pathAli},
	18: {"Xunfei", "", "", pathRootOnly},
	19: {"AI360", "https://ai.360.cn", "", pathOpenAI},
	20: {"OpenRouter", "https://openrouter.ai/api", "openrouter", pathOpenAI},
	21: {"AIProxyLibrary", "https://api.aiproxy.io", "", pathRootOnly},
	22: {"FastGPT", "https://fastgpt.run/api/openapi", "", pathOpenAI},
	23: {"Tencent", "https://hunyuan.tencentcloudapi.com", "", pathRootOnly},
	24: {"Gemini", "https://generativelanguage.googleapis.com", "gemini", pathGemini},
	25: {"Moonshot", "https://api.moonshot.cn", "moonshot", pathOpenAI},
	26: {"Baichuan", "https://api.baichuan-ai.com", "", pathOpenAI},
	27: {"Minimax", "https://api.minimax.chat", "", pathOpenAI},
	28: {"Mistral", "https://api.mistral.ai", "mistral", pathOpenAI},
	29: {"Groq", "https://api.groq.com/openai", "", pathOpenAI},
	30: {"Ollama", "http://localhost:11434", "ollama", pathOpenAI},
	31: {"LingYiWanWu", "https://api.lingyiwanwu.com", "lingyiwanwu", pathOpenAI},
	32: {"StepFun", "https://api.stepfun.com", "", pathOpenAI},
	33: {"AwsClaude", "", "", pathRootOnly},
	34: {"Coze", "https://api.coze.com", "", pathRootOnly},
	35: {"Cohere", "https://api.cohere.ai", "cohere", pathOpenAI},
	36: {"DeepSeek", "https://api.deepseek.com", "deepseek", pathOpenAI},
	37: {"Cloudflare", "https://api.cloudflare.com", "", pathRootOnly},
	38: {"DeepL", "https://api-free.deepl.com", "", pathRootOnly},
	39: {"TogetherAI", "https://api.together.xyz", "", pathOpenAI},
	40: {"Doubao", "https://ark.cn-beijing.volces.com", "volcengine", pathVolc},
	41: {"Novita", "https://api.novita.ai/v3/openai", "", pathRootOnly},
	42: {"VertexAI", "", "", pathRootOnly},
	43: {"Proxy", "", "", pathRootOnly},
	44: {"SiliconFlow", "https://api.siliconflow.cn", "siliconflow", pathOpenAI},
	45: {"XAI", "https://api.x.ai", "xai", pathOpenAI},
	46: {"Replicate", "https://api.replicate.com/v1/models/", "", pathRootOnly},
	47: {"BaiduV2", "https://qianfan.baidubce.com", "", pathBaiduV2},
	48: {"XunfeiV2", "https://spark-api-open.xf-yun.com", "", pathOpenAI},
	49: {"AliBailian", "https://dashscope.aliyuncs.com", "ali", pathAli},
	50: {"OpenAICompatible", "", "", pathOpenAI},
	51: {"GeminiOpenAICompatible", "https://generativelanguage.googleapis.com/v1beta/openai/", "gemini", pathRootOnly},
}

// Type numbers that need special URL handling, per fork.
const (
	typeAzure      = 3
	typeCustom     = 8
	nTypeBedrock   = 33
	nTypeVertex    = 41
	nTypeXinfer    = 47
	oTypeBedrock   = 33
	oTypeVertex    = 42
	oTypeCompatibl = 50
)

// lookupType returns the row for a type number in a fork's table.
func lookupType(f Fork, t int) (chanType, bool) {
	tab := newAPITypes
	if f == ForkOneAPI {
		tab = oneAPITypes
	}
	ct, ok := tab[t]
	if !ok {
		ct = chanType{Name: "type " + strconv.Itoa(t), Path: pathOpenAI}
	}
	return ct, ok
}
