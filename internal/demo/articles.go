package demo

import (
	"context"
	"fmt"
	"time"

	"helpdesk/internal/kb"
)

// article is a published help-center article of the demo, in one language.
type article struct {
	title, body, category, audience, lang string
	tags                                  []string
}

// articles are the demo's help center: the answers behind the demo's
// commonest tickets, each in Chinese and in English.
func articles() []article {
	return []article{
		{title: "打印机显示“脱机”怎么办", category: "hardware", audience: "public", lang: "zh-CN", tags: []string{"打印机"},
			body: "打印机显示**脱机**、打印任务一直排队时，请按顺序检查：\n\n1. 确认打印机已开机，面板上没有卡纸或缺纸提示。\n" +
				"2. 在电脑上打开 **设置 → 蓝牙和其他设备 → 打印机和扫描仪**，选中打印机，取消勾选“脱机使用打印机”。\n" +
				"3. 清空打印队列后重新打印。\n4. 网络打印机请确认与电脑在同一网络，并能 ping 通打印机的 IP 地址。\n\n" +
				"仍然无法打印？请提交工单，并写明打印机型号和面板上的错误代码。"},
		{title: "Printer shows \"offline\"", category: "hardware", audience: "public", lang: "en", tags: []string{"printer"},
			body: "When the printer shows **offline** and jobs stay in the queue, check in this order:\n\n" +
				"1. The printer is on and its panel shows no paper jam or empty tray.\n" +
				"2. Open **Settings → Bluetooth & devices → Printers & scanners**, pick the printer and untick \"Use printer offline\".\n" +
				"3. Clear the print queue and print again.\n4. For a network printer, make sure it is on the same network and answers a ping to its IP address.\n\n" +
				"Still not printing? File a ticket with the printer model and the error code on its panel."},
		{title: "如何重置 ERP 登录密码", category: "software", audience: "public", lang: "zh-CN", tags: []string{"ERP", "密码"},
			body: "忘记密码或密码过期时，可以自助重置：\n\n1. 在 ERP 登录页点击 **忘记密码**。\n2. 输入工号和绑定的手机号，获取短信验证码。\n" +
				"3. 设置新密码：至少 10 位，包含字母和数字，不能与最近 3 次相同。\n\n连续输错 5 次密码会锁定 30 分钟，锁定期间无需提交工单，到时自动解锁。"},
		{title: "Resetting your ERP password", category: "software", audience: "public", lang: "en", tags: []string{"ERP", "password"},
			body: "If you forgot your password or it expired, reset it yourself:\n\n1. On the ERP sign-in page, click **Forgot password**.\n" +
				"2. Enter your staff number and the mobile number on file to get a text message code.\n" +
				"3. Choose a new password: at least 10 characters, letters and digits, not one of your last 3.\n\n" +
				"Five wrong passwords in a row lock the account for 30 minutes; it unlocks by itself, no ticket needed."},
		{title: "VPN 连接失败的常见原因", category: "network", audience: "customers", lang: "zh-CN", tags: []string{"VPN", "网络"},
			body: "VPN 无法连接时，请先检查：\n\n- 本地网络能否正常访问外部网站；\n- VPN 客户端是否为 **4.2 或以上版本**（旧版本已停用）；\n" +
				"- 系统时间是否准确（误差超过 5 分钟会导致证书校验失败）；\n- 酒店、机场等公共网络可能屏蔽 VPN 端口，可改用手机热点。\n\n" +
				"提交工单时请附上 VPN 客户端的错误提示截图。"},
		{title: "Why the VPN won't connect", category: "network", audience: "customers", lang: "en", tags: []string{"VPN", "network"},
			body: "When the VPN does not connect, check first:\n\n- that your own network reaches outside websites;\n" +
				"- that the VPN client is **version 4.2 or later** (older ones are switched off);\n" +
				"- that your computer's clock is right (more than 5 minutes off breaks the certificate check);\n" +
				"- hotels and airports may block VPN ports: try your phone's hotspot.\n\nWith a ticket, attach a screenshot of the client's error."},
		{title: "Excel 提示“宏已被阻止”", category: "software", audience: "public", lang: "zh-CN", tags: []string{"Office", "Excel"},
			body: "Office 更新后，来自网络共享或邮件的含宏工作簿会被阻止运行，顶部显示红色提示条。\n\n" +
				"1. 在文件资源管理器中右键文件 → **属性**，勾选 **解除锁定** 后确定。\n" +
				"2. 长期使用的共享目录，可请 IT 将其加入受信任位置。\n\n请勿随意启用来源不明文件中的宏。"},
		{title: "Excel says \"macros have been blocked\"", category: "software", audience: "public", lang: "en", tags: []string{"Office", "Excel"},
			body: "Since an Office update, workbooks with macros from a network share or an email are blocked, with a red bar at the top.\n\n" +
				"1. In File Explorer, right-click the file → **Properties**, tick **Unblock** and confirm.\n" +
				"2. For a share you use every day, ask IT to add it to the trusted locations.\n\nNever enable macros in files you do not trust."},
	}
}

// knowledgeBase writes the demo articles as an agent and publishes them
// as the supervisor, through the knowledge base's review workflow.
func (s *seeder) knowledgeBase(ctx context.Context, d Deps) error {
	svc := kb.NewService(kb.Deps{Store: d.DB.KB(), Tickets: s.tickets, Now: s.clock.Now})
	author, err := s.actor("lina")
	if err != nil {
		return err
	}
	reviewer, err := s.actor(markerLogin)
	if err != nil {
		return err
	}
	for _, a := range articles() {
		s.clock.t = s.clock.t.Add(7 * time.Minute)
		ar, err := svc.Create(ctx, author, kb.Draft{Title: a.title, Body: a.body, Category: a.category, Tags: a.tags,
			Audience: a.audience, Lang: a.lang})
		if err == nil {
			_, err = svc.Submit(ctx, author, ar.ID, "")
		}
		if err == nil {
			_, err = svc.Approve(ctx, reviewer, ar.ID, "")
		}
		if err != nil {
			return fmt.Errorf("demo: article %q: %w", a.title, err)
		}
	}
	return nil
}
