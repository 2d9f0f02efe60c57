// Package corpus generates support tickets in mixed Chinese and English, of
// realistic lengths, for search tests and benchmarks: titles of 6–40
// characters, descriptions of one to ten sentences (about 20–600
// characters), the same sequence for the same seed.
package corpus

import (
	"math/rand/v2"
	"strings"
)

// Gen is a deterministic generator of ticket texts.
type Gen struct{ r *rand.Rand }

// New returns a generator; the same seed gives the same tickets.
func New(seed uint64) *Gen { return &Gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

// Topic is one kind of problem, with the words its tickets use.
type Topic struct {
	Key   string
	Nouns []string
	Verbs []string
	En    []string
}

// Topics are the problems generated tickets are about; Key doubles as a
// category label for classifier tests.
var Topics = []Topic{
	{"hardware", []string{"打印机", "显示器", "键盘", "鼠标", "硬盘", "内存条", "笔记本", "扫描仪", "投影仪", "电源"},
		[]string{"卡纸", "无法开机", "黑屏", "异响", "过热", "不识别", "闪烁", "坏了", "打印模糊"},
		[]string{"printer", "monitor", "keyboard", "laptop", "scanner", "paper jam", "no power", "overheating"}},
	{"network", []string{"网络", "无线网", "路由器", "交换机", "网线", "VPN", "WiFi", "防火墙", "DNS"},
		[]string{"连不上", "断线", "很慢", "掉线", "无法访问", "超时", "丢包", "认证失败"},
		[]string{"network", "wireless", "router", "timeout", "packet loss", "cannot connect", "latency", "proxy"}},
	{"software", []string{"系统", "软件", "邮箱", "浏览器", "客户端", "数据库", "报表", "Office", "Outlook", "ERP"},
		[]string{"崩溃", "报错", "无法安装", "闪退", "蓝屏", "更新失败", "运行缓慢", "打不开", "激活失败"},
		[]string{"crash", "error", "install", "update failed", "blue screen", "license", "browser", "database"}},
	{"account", []string{"密码", "账号", "权限", "验证码", "登录", "邮箱账号", "域账号", "令牌"},
		[]string{"忘记了", "被锁定", "过期", "无法重置", "收不到", "登录失败", "需要开通"},
		[]string{"password", "account", "locked", "reset", "login", "permission", "two-factor", "expired"}},
	{"training", []string{"培训", "操作手册", "新员工", "课程", "考试", "视频", "教程"},
		[]string{"需要安排", "找不到", "无法播放", "报名", "预约", "咨询"},
		[]string{"training", "manual", "course", "onboarding", "tutorial", "schedule", "video"}},
	{"complaint", []string{"服务态度", "响应速度", "维修质量", "工程师", "上门服务", "收费"},
		[]string{"不满意", "太慢", "投诉", "没有解决", "多次反映", "要求退款"},
		[]string{"complaint", "slow response", "refund", "unresolved", "engineer", "service quality"}},
}

var (
	fillers = []string{"今天上午", "昨天下午", "从上周开始", "重启之后", "更新以后", "每次", "偶尔", "一直",
		"在会议室", "在家办公时", "财务部的", "所有同事的", "我的", "公司的"}
	ends = []string{"请尽快处理。", "麻烦帮忙看一下。", "影响正常工作。", "急！", "谢谢。", "已经试过重启，没有用。",
		"附件是截图。", "请联系我。", "。"}
	enSentences = []string{"It worked fine yesterday.", "Please help as soon as possible.", "The error code is 0x80070005.",
		"We have tried restarting the device.", "This affects the whole team.", "See the attached screenshot.",
		"Steps to reproduce are below.", "Thanks in advance."}
	models = []string{"HP LaserJet M404", "Dell U2720Q", "ThinkPad X1", "Cisco 2960", "Windows 11", "macOS 14", "Chrome 120", "iPhone 15"}
)

func (g *Gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// TopicIndex returns a random topic's index.
func (g *Gen) TopicIndex() int { return g.r.IntN(len(Topics)) }

// Ticket returns a title and description about a random topic.
func (g *Gen) Ticket() (title, description string) {
	t, d, _ := g.TicketOf(g.TopicIndex())
	return t, d
}

// TicketOf returns a title and description about topic i, and a
// priority label (P1–P4) that leans on the words used.
func (g *Gen) TicketOf(i int) (title, description, priority string) {
	tp := Topics[i]
	var b strings.Builder
	switch g.r.IntN(4) {
	case 0:
		b.WriteString(g.pick(tp.Nouns) + g.pick(tp.Verbs))
	case 1:
		b.WriteString(g.pick(fillers) + g.pick(tp.Nouns) + g.pick(tp.Verbs))
	case 2:
		b.WriteString(g.pick(tp.En) + " " + g.pick(tp.Verbs) + " " + g.pick(models))
	default:
		b.WriteString(strings.ToUpper(g.pick(tp.En)[:1]) + g.pick(tp.En)[1:] + " issue: " + g.pick(tp.En))
	}
	title = b.String()
	priority = "P3"
	urgent := g.r.IntN(10)
	switch {
	case urgent == 0:
		priority = "P1"
	case urgent < 3:
		priority = "P2"
	case urgent > 7:
		priority = "P4"
	}
	b.Reset()
	n := 1 + g.r.IntN(10)
	if g.r.IntN(4) == 0 {
		n = 1 + g.r.IntN(3)
	}
	for k := 0; k < n; k++ {
		switch g.r.IntN(5) {
		case 0, 1:
			b.WriteString(g.pick(fillers) + g.pick(tp.Nouns) + g.pick(tp.Verbs) + "，" + g.pick(ends))
		case 2:
			b.WriteString("型号 " + g.pick(models) + "，" + g.pick(tp.Nouns) + g.pick(tp.Verbs) + "。")
		case 3:
			b.WriteString(g.pick(enSentences) + " The " + g.pick(tp.En) + " " + g.pick([]string{"keeps failing", "is broken", "stopped working", "shows an error"}) + ". ")
		default:
			b.WriteString(g.pick(tp.Nouns) + "出现问题，" + g.pick(tp.En) + " " + g.pick(ends))
		}
	}
	switch priority {
	case "P1":
		b.WriteString("全部门无法工作，非常紧急！")
	case "P2":
		b.WriteString("比较紧急，影响业务。")
	case "P4":
		b.WriteString("不着急，有空再看。")
	}
	return title, b.String(), priority
}

// Reply returns a short message body: a staff reply or a customer's answer.
func (g *Gen) Reply(topic int) string {
	tp := Topics[topic]
	switch g.r.IntN(3) {
	case 0:
		return "您好，请尝试重新安装" + g.pick(tp.Nouns) + "的驱动后再试。"
	case 1:
		return "Please check the " + g.pick(tp.En) + " settings and try again."
	}
	return "已经按照步骤操作，" + g.pick(tp.Nouns) + "还是" + g.pick(tp.Verbs) + "。"
}
