package i18n

// zhReport and enReport hold the strings of reports, the operations dashboard, alerts and the audit log.
var zhReport = map[string]string{
	"report.date_invalid":         "日期 {value} 无效，请使用 YYYY-MM-DD 格式。",
	"report.interval_invalid":     "时间粒度 {value} 无效，请使用 hour、day、week 或 month。",
	"report.priority_invalid":     "优先级 {value} 无效，请使用 P1–P4。",
	"report.channel_invalid":      "渠道 {value} 无效，请使用 web、email、phone 或 api。",
	"report.period_reversed":      "结束日期早于开始日期。",
	"report.period_too_long":      "统计周期最长 {max} 天。",
	"report.hour_period_too_long": "按小时统计时，周期最长 {max} 天。",
	"report.group_unknown":        "没有支持组 {value}。",
	"report.agent_unknown":        "没有客服人员 {value}。",
	"report.org_unknown":          "没有名为 {value} 的组织。",
	"report.category_unknown":     "没有分类 {value}。",
	"report.dim_invalid":          "无法按 {value} 分组，请使用 agent 或 group。",
}

var enReport = map[string]string{
	"report.date_invalid":         "The date {value} is invalid; use YYYY-MM-DD.",
	"report.interval_invalid":     "The interval {value} is invalid; use hour, day, week or month.",
	"report.priority_invalid":     "The priority {value} is invalid; use P1–P4.",
	"report.channel_invalid":      "The channel {value} is invalid; use web, email, phone or api.",
	"report.period_reversed":      "The end date is before the start date.",
	"report.period_too_long":      "A period may span at most {max} days.",
	"report.hour_period_too_long": "By the hour, a period may span at most {max} days.",
	"report.group_unknown":        "No support group {value}.",
	"report.agent_unknown":        "No staff member {value}.",
	"report.org_unknown":          "No organization named {value}.",
	"report.category_unknown":     "No category {value}.",
	"report.dim_invalid":          "Cannot break down by {value}; use agent or group.",
}
