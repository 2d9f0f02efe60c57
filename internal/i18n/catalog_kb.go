package i18n

// zhKB and enKB hold the strings of the knowledge base, search and smart assistance.
var zhKB = map[string]string{
	"search.query_empty":     "请输入要搜索的内容。",
	"search.query_invalid":   "搜索内容包含无效的字符编码。",
	"search.query_too_long":  "搜索内容不能超过 {max} 个字符。",
	"search.too_many_terms":  "搜索词不能超过 {max} 个。",
	"search.only_exclusions": "搜索不能只包含排除词（-词），请至少给出一个要查找的词。",
	"search.kind_invalid":    "搜索类型无效，应为 ticket、message 或 article。",
	"search.page_invalid":    "页码无效。",
}

var enKB = map[string]string{
	"search.query_empty":     "Enter something to search for.",
	"search.query_invalid":   "The search text is not valid UTF-8.",
	"search.query_too_long":  "The search text may be at most {max} characters.",
	"search.too_many_terms":  "A search may have at most {max} terms.",
	"search.only_exclusions": "A search cannot consist of exclusions (-word) only; give at least one term to find.",
	"search.kind_invalid":    "Invalid search kind: use ticket, message or article.",
	"search.page_invalid":    "Invalid page.",
}
