package demo

import "helpdesk/internal/ticket"

// topic is one kind of problem a category sees again and again, in both
// languages: titles and descriptions with a slot {x} filled from slots,
// and the agent's answers. The history (history.go) draws its tickets from
// these, so the words of each category recur as they do on a real desk and
// the suggestion model has something to learn.
type topic struct {
	cat string
	zh  wording
	en  wording
}

// wording is a topic in one language.
type wording struct {
	titles, bodies, fixes, slots []string
}

// places are where customers sit, {p} in the texts.
var places = map[string][]string{
	"zh": {"三楼财务室", "二楼行政部", "一号车间办公室", "销售部", "仓库", "五楼研发部", "总经理办公室", "前台"},
	"en": {"the finance office", "the sales floor", "meeting room 2A", "the warehouse office", "reception", "the 4th floor"},
}

// urgency are the sentences customers add for each priority, {u} in the
// bodies: what the priority model learns from besides the topic.
var urgency = map[ticket.Priority]map[string][]string{
	ticket.P1: {
		"zh": {"整个部门都无法工作，生产线已经停了，请立即处理！", "全公司都受影响，十万火急！", "所有人都用不了，业务完全中断，紧急！"},
		"en": {"The whole office is down and nobody can work. Urgent!", "Production is stopped for everyone, please treat as critical.", "All users are affected, business is at a standstill."},
	},
	ticket.P2: {
		"zh": {"今天下班前必须解决，比较急。", "影响好几个同事的工作，麻烦尽快。", "客户在等结果，请优先处理。"},
		"en": {"This blocks my work today, please hurry.", "Several colleagues are affected, as soon as possible please.", "A customer is waiting on this, please prioritise."},
	},
	ticket.P3: {
		"zh": {"麻烦帮忙看一下。", "有空请处理一下，谢谢。", ""},
		"en": {"Could you take a look?", "Thanks for looking into it.", ""},
	},
	ticket.P4: {
		"zh": {"不着急，方便的时候回复就行。", "只是想咨询一下，不影响工作。", "下周之前答复即可。"},
		"en": {"No rush, whenever you have time.", "Just a question, nothing is broken.", "Any time before next week is fine."},
	},
}

// titleTags are what some customers put before the title of an urgent
// ticket, and how often.
var titleTags = map[ticket.Priority]struct {
	share float64
	text  map[string]string
}{
	ticket.P1: {0.7, map[string]string{"zh": "【紧急】", "en": "URGENT: "}},
	ticket.P2: {0.3, map[string]string{"zh": "【急】", "en": "Urgent: "}},
}

// topics are the history's problems, per category.
func topics() []topic {
	return []topic{
		// Software.
		{cat: "software",
			zh: wording{titles: []string{"ERP {x}模块报错", "ERP {x}打不开", "ERP 系统{x}功能异常"},
				bodies: []string{"在 ERP {x}模块里保存单据时提示“服务器内部错误”，重新登录后还是一样。{u}", "{p}的同事打开 ERP {x}模块一直转圈，最后报错退出。{u}"},
				fixes:  []string{"已查明是应用服务器会话数满了，已重启 ERP 应用服务并调整连接池，请重新登录再试。", "服务端补丁导致{x}模块缓存失效，已清理缓存并重新发布，请刷新后重试。"},
				slots:  []string{"采购", "库存", "销售订单", "财务总账", "应收应付", "生产计划"}},
			en: wording{titles: []string{"ERP {x} module shows an error", "Cannot open the ERP {x} screen"},
				bodies: []string{"Saving a document in the ERP {x} module fails with \"internal server error\". Signing in again did not help. {u}", "The ERP {x} screen keeps loading and then crashes for everyone in {p}. {u}"},
				fixes:  []string{"The application server ran out of sessions; we restarted the ERP service and raised the pool size. Please sign in again.", "A server patch broke the {x} module cache; it has been cleared and redeployed. Please refresh and try again."},
				slots:  []string{"purchasing", "inventory", "sales order", "general ledger", "invoicing"}}},
		{cat: "software",
			zh: wording{titles: []string{"Outlook {x}", "邮箱{x}", "邮件客户端{x}"},
				bodies: []string{"从今天早上开始 Outlook {x}，重启电脑也没用，网页版邮箱正常。{u}", "Outlook 提示{x}，收发邮件都受影响。{u}"},
				fixes:  []string{"已重建您的 Outlook 配置文件并清理了 OST 缓存，邮件已恢复同步，请确认。", "原因是邮箱容量已满，已为您扩容到 50 GB 并归档旧邮件，现在可以正常收发了。"},
				slots:  []string{"一直提示输入密码", "收不到新邮件", "发送邮件卡在发件箱", "搜索不到邮件", "日历无法同步"}},
			en: wording{titles: []string{"Outlook {x}", "Email {x} since this morning"},
				bodies: []string{"Since this morning Outlook {x}. Restarting did not help; webmail works fine. {u}", "Outlook {x} and I cannot work with my mailbox. {u}"},
				fixes:  []string{"We rebuilt your Outlook profile and cleared the OST cache; mail is syncing again. Please confirm.", "Your mailbox was full; we raised the quota to 50 GB and archived old mail. Sending works again."},
				slots:  []string{"keeps asking for my password", "does not receive new mail", "leaves mail stuck in the outbox", "search finds nothing", "calendar does not sync"}}},
		{cat: "software",
			zh: wording{titles: []string{"Excel {x}", "Office {x}", "Word 文档{x}"},
				bodies: []string{"打开共享盘上的文件时 Office {x}，别的电脑也一样。{u}", "Excel {x}，月底报表要用。{u}"},
				fixes:  []string{"已通过组策略把共享目录加入受信任位置，重启 Office 后即可正常使用。", "已修复 Office 安装并重置了加载项，文件可以正常打开了。"},
				slots:  []string{"宏被禁用", "打开后闪退", "提示文件已损坏", "激活失败显示未授权", "公式计算很慢"}},
			en: wording{titles: []string{"Excel {x}", "Office {x} on my laptop"},
				bodies: []string{"Opening files from the shared drive, Office {x}. It happens on other PCs too. {u}", "Excel {x}; I need it for the month-end report. {u}"},
				fixes:  []string{"We added the share to the trusted locations by group policy; restart Office and it works.", "We repaired the Office installation and reset the add-ins; the files open normally now."},
				slots:  []string{"blocks macros", "crashes on start", "says the file is corrupted", "shows an unlicensed product warning", "recalculates very slowly"}}},
		{cat: "software",
			zh: wording{titles: []string{"CRM {x}", "客户管理系统{x}"},
				bodies: []string{"CRM 系统{x}，销售同事都受影响。{u}", "在 CRM 里{x}，换浏览器也一样。{u}"},
				fixes:  []string{"CRM 供应商已修复该问题并发布了补丁，请清除浏览器缓存后重新登录。", "是权限配置问题，已为您的角色补充了数据权限，请重新登录验证。"},
				slots:  []string{"导出报表失败", "客户列表加载不出来", "商机保存报错", "手机 App 登录闪退", "看不到同事共享的客户"}},
			en: wording{titles: []string{"CRM {x}", "Problem in the CRM: {x}"},
				bodies: []string{"In the CRM, {x}. The whole sales team sees it. {u}", "The CRM {x}, in every browser I tried. {u}"},
				fixes:  []string{"The CRM vendor fixed this in a patch released today; clear the browser cache and sign in again.", "It was a permission setting: your role now has the missing data rights. Please sign in again to check."},
				slots:  []string{"report export fails", "customer list does not load", "saving an opportunity fails", "mobile app crashes on login", "shared accounts are not visible"}}},
		{cat: "software",
			zh: wording{titles: []string{"电脑{x}", "Windows {x}"},
				bodies: []string{"我的电脑{x}，已经重启过两次。{u}", "{p}的电脑{x}，软件用不了。{u}"},
				fixes:  []string{"已远程卸载冲突的更新补丁并重启，系统恢复正常。", "已远程清理启动项和临时文件并修复系统组件，请再试一下。"},
				slots:  []string{"更新后蓝屏", "开机后软件全部很卡", "杀毒软件报毒拦截", "无法安装打印驱动", "系统提示许可证过期"}},
			en: wording{titles: []string{"Windows {x}", "My PC {x}"},
				bodies: []string{"My computer {x}. I restarted it twice already. {u}", "The PC in {p} {x}. {u}"},
				fixes:  []string{"We removed the conflicting update remotely and rebooted; Windows is back to normal.", "We cleaned up startup items and repaired system files remotely. Please try again."},
				slots:  []string{"shows a blue screen after the update", "is very slow after startup", "has antivirus blocking an app", "cannot install the printer driver"}}},

		// Hardware.
		{cat: "hardware",
			zh: wording{titles: []string{"打印机{x}", "{p}打印机{x}"},
				bodies: []string{"{p}的打印机{x}，打印任务一直卡在队列里。{u}", "打印机面板{x}，重启打印机也不行。{u}"},
				fixes:  []string{"已现场清理卡纸并更换搓纸轮，打印测试正常。", "打印机 IP 变了，已设置固定 IP 并更新各电脑的打印端口，请再打印试试。", "硒鼓寿命到了，已更换新硒鼓，打印清晰了。"},
				slots:  []string{"显示脱机", "卡纸", "打印有黑色条纹", "报错 E-05", "无法双面打印", "硒鼓粉量低"}},
			en: wording{titles: []string{"Printer {x}", "The printer in {p} {x}"},
				bodies: []string{"The printer in {p} {x} and print jobs stay in the queue. {u}", "The printer panel {x}; turning it off and on did not help. {u}"},
				fixes:  []string{"We cleared the jam on site and replaced the pickup roller; test prints are fine.", "The printer's IP address had changed. It now has a fixed address and the print ports are updated."},
				slots:  []string{"is offline", "jams all the time", "prints black streaks", "shows error E-05", "will not print double-sided"}}},
		{cat: "hardware",
			zh: wording{titles: []string{"笔记本{x}", "电脑{x}"},
				bodies: []string{"我的笔记本{x}，还在保修期内。{u}", "笔记本从昨天开始{x}，影响出差使用。{u}"},
				fixes:  []string{"已安排更换电池，期间提供备用机，数据已迁移。", "已送修更换键盘，备用机已交给您。", "已更换电源适配器，充电恢复正常。"},
				slots:  []string{"电池鼓包", "键盘部分按键失灵", "无法充电", "屏幕闪烁", "风扇噪音很大", "开不了机"}},
			en: wording{titles: []string{"Laptop {x}", "My laptop {x}"},
				bodies: []string{"My laptop {x}. It is still under warranty. {u}", "Since yesterday the laptop {x}, and I travel next week. {u}"},
				fixes:  []string{"The battery is being replaced under warranty; a loaner with your files is ready at the IT desk.", "We replaced the charger; the laptop charges normally again."},
				slots:  []string{"battery is swollen", "keyboard has dead keys", "will not charge", "screen flickers", "fan is very loud", "does not power on"}}},
		{cat: "hardware",
			zh: wording{titles: []string{"显示器{x}", "会议室投影仪{x}", "扫描仪{x}"},
				bodies: []string{"{p}的设备{x}，换了线也一样。{u}", "设备{x}，下午开会要用。{u}"},
				fixes:  []string{"现场检查是线缆损坏，已更换新线并测试正常。", "已更换设备电源板，功能恢复正常。", "已更新设备固件并重新校准。"},
				slots:  []string{"无信号", "黑屏", "颜色发黄", "频繁重启", "无法识别"}},
			en: wording{titles: []string{"Monitor {x}", "Projector in {p} {x}"},
				bodies: []string{"The display in {p} {x}, even with another cable. {u}", "The device {x} and we have a meeting this afternoon. {u}"},
				fixes:  []string{"The cable was broken inside; we replaced it and tested the display.", "We replaced the power board; the device works again."},
				slots:  []string{"has no signal", "stays black", "shows yellow colours", "keeps restarting"}}},

		// Network.
		{cat: "network",
			zh: wording{titles: []string{"VPN {x}", "居家办公 VPN {x}"},
				bodies: []string{"在家用 VPN 时{x}，公司内网系统都访问不了。{u}", "出差在酒店，VPN {x}。{u}"},
				fixes:  []string{"已在 VPN 网关上下发内网 DNS 并加上搜索域，请重新连接 VPN。", "请在路由器中开启 IPSec 穿透后重连；已确认您的账号证书有效。", "VPN 客户端版本太旧，已推送 4.2 版本，升级后可正常连接。"},
				slots:  []string{"连接失败提示错误 809", "连上后打不开内网", "频繁断开", "证书过期", "登录认证失败"}},
			en: wording{titles: []string{"VPN {x}", "Remote VPN {x}"},
				bodies: []string{"Working from home, the VPN {x} and no internal system works. {u}", "At a hotel the VPN {x}. {u}"},
				fixes:  []string{"The VPN gateway now hands out the internal DNS servers; please reconnect.", "Your VPN client was outdated; version 4.2 has been pushed and connects fine."},
				slots:  []string{"fails with error 809", "connects but the intranet does not open", "drops every few minutes", "rejects my certificate"}}},
		{cat: "network",
			zh: wording{titles: []string{"Wi-Fi {x}", "{p}无线网络{x}"},
				bodies: []string{"{p}的无线网络{x}，手机和电脑都一样。{u}", "连接公司 Wi-Fi 后{x}，有线网络正常。{u}"},
				fixes:  []string{"该区域 AP 在 DFS 信道上频繁切换，已固定到 36 信道并调整功率。", "已更换故障的无线 AP 并恢复配置，信号正常了。", "认证服务器证书已更新，请忘记网络后重新连接。"},
				slots:  []string{"频繁掉线", "信号很弱", "连上但无法上网", "访客网络不弹认证页面", "速度很慢"}},
			en: wording{titles: []string{"Wi-Fi {x}", "Wireless in {p} {x}"},
				bodies: []string{"The Wi-Fi in {p} {x}, on laptops and phones alike. {u}", "On the office Wi-Fi the connection {x}; wired is fine. {u}"},
				fixes:  []string{"The access point kept jumping between DFS channels; it is now pinned to channel 36.", "We replaced the faulty access point; the signal is back to normal."},
				slots:  []string{"keeps dropping", "is very weak", "has no internet", "is very slow"}}},
		{cat: "network",
			zh: wording{titles: []string{"网络{x}", "分公司网络{x}", "内网{x}"},
				bodies: []string{"{p}从上午开始网络{x}，访问总部系统很慢。{u}", "有线网络{x}，视频会议卡顿。{u}"},
				fixes:  []string{"运营商链路故障已修复，已切回主线路，丢包恢复正常。", "交换机端口故障，已更换端口并更新配置。", "DHCP 地址池耗尽，已扩大地址池并清理过期租约。"},
				slots:  []string{"丢包严重", "断网", "获取不到 IP 地址", "DNS 解析失败", "网速很慢"}},
			en: wording{titles: []string{"Network {x}", "Office network {x}"},
				bodies: []string{"Since this morning the network in {p} {x}; reaching head office is slow. {u}", "The wired network {x} and video calls stutter. {u}"},
				fixes:  []string{"The carrier fixed the line fault; we switched back to the main link.", "A switch port was faulty; we moved the uplink and updated the configuration.", "The DHCP pool was exhausted; it is larger now and stale leases are cleared."},
				slots:  []string{"loses packets", "is down", "gives no IP address", "fails DNS lookups"}}},

		// How-to questions.
		{cat: "consultation",
			zh: wording{titles: []string{"咨询：如何{x}", "请问怎么{x}", "{x}的操作方法"},
				bodies: []string{"想请教一下在系统里怎么{x}，找了半天没找到入口。{u}", "新同事想知道如何{x}，有没有操作手册或者培训？{u}"},
				fixes:  []string{"操作步骤已整理发到您的邮箱，帮助中心也有对应的图文教程和视频。", "已为您安排一次 30 分钟的线上培训，会议链接已发送。"},
				slots:  []string{"导出 PDF 报表", "设置邮件签名", "申请新员工账号", "共享日历", "修改审批流程", "预约会议室", "安排 CRM 培训"}},
			en: wording{titles: []string{"How do I {x}?", "Question: how to {x}", "Training request: {x}"},
				bodies: []string{"Could you tell me how to {x}? I could not find it in the menus. {u}", "Our new hires want to learn how to {x}. Is there a guide or a training session? {u}"},
				fixes:  []string{"The steps are in your inbox, and the Help Center has an article with a short video.", "We booked a 30-minute online training for you; the meeting link has been sent."},
				slots:  []string{"export a report to PDF", "set up an email signature", "request an account for a new hire", "share a calendar", "book a meeting room", "use the new CRM"}}},

		// Complaints and suggestions.
		{cat: "complaint",
			zh: wording{titles: []string{"投诉：{x}", "对服务不满意：{x}", "建议：{x}"},
				bodies: []string{"{x}，已经影响到我们的工作，希望给个说法并改进。{u}", "这周遇到{x}，希望你们重视服务质量。{u}"},
				fixes:  []string{"非常抱歉给您带来不便。已核实情况，相关流程已整改，负责人会电话向您说明。", "感谢您的反馈，我们已调整排班并增加热线坐席，今后会提前通知。"},
				slots:  []string{"工程师上门迟到", "热线一直占线没人接", "工单两天没人回复", "问题反复出现没有根治", "工程师态度不好"}},
			en: wording{titles: []string{"Complaint: {x}", "Unhappy with the service: {x}", "Suggestion: {x}"},
				bodies: []string{"{x}, and it affected our work. I'd like an explanation and an improvement. {u}", "This week we experienced {x}. Please take service quality seriously. {u}"},
				fixes:  []string{"I'm sorry for the trouble. We checked what happened, fixed the process and the team lead will call you.", "Thank you for the feedback: we changed the rota and added hotline staff."},
				slots:  []string{"the engineer arrived late", "the hotline was always busy", "nobody answered my ticket for two days", "the same fault keeps coming back"}}},
	}
}

// customerReplies are what customers write back while a ticket is worked on.
var customerReplies = map[string][]string{
	"zh": {"补充一下：问题是今天上午开始的。", "截图已经发到邮箱了，请查收。", "刚才又出现了一次。", "好的，我按您说的试一下。"},
	"en": {"To add: it started this morning.", "I emailed a screenshot.", "It just happened again.", "OK, I'll try that."},
}

// agentQuestions are the agent's first answer when more is needed.
var agentQuestions = map[string][]string{
	"zh": {"您好，收到，我们正在排查，请问是从什么时候开始的？", "您好，麻烦提供一下报错截图，我们马上处理。", "收到，我先远程看一下，请保持电脑开机。"},
	"en": {"Hi, we are on it. When did this start?", "Hi, could you send a screenshot of the error? We'll look right away.", "Got it, I'll connect remotely; please leave your PC on."},
}

// reopenReasons are why a customer says a fix did not hold.
var reopenReasons = map[string][]string{
	"zh": {"今天又出现同样的问题了。", "只好了半天，现在又不行了。"},
	"en": {"The same problem is back today.", "It worked for half a day, now it fails again."},
}

// escalations are why a customer escalates a slow ticket.
var escalations = map[string][]string{
	"zh": {"等了很久还没有人处理，请主管关注。", "问题一直没解决，影响业务，申请升级。"},
	"en": {"Nobody has worked on this for hours, please escalate.", "Still not solved and it hurts our business."},
}

// ratingComments go with some ratings, per score.
var ratingComments = map[ticket.Score]map[string][]string{
	ticket.VerySatisfied: {"zh": {"响应很快，工程师很专业！", "非常感谢，问题彻底解决了。"}, "en": {"Fast and professional, thank you!"}},
	ticket.Satisfied:     {"zh": {"解决了，谢谢。"}, "en": {"Solved, thanks."}},
	ticket.Neutral:       {"zh": {"解决了，但是等的时间有点长。"}, "en": {"Fixed, but it took a while."}},
	ticket.Dissatisfied:  {"zh": {"处理太慢，来回沟通好几次。", "问题反复出现，希望彻底解决。"}, "en": {"Far too slow, and I had to chase it twice."}},
}

// followupNotes are what a supervisor notes after calling back on a poor rating.
var followupNotes = []string{"已电话回访，客户表示理解。", "已回访并向客户致歉，流程已改进。", "Called the customer back; they accepted our apology."}
