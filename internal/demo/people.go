package demo

import "helpdesk/internal/identity"

// adminLogin is created last: its presence marks a completed seeding.
const adminLogin = "admin"

// markerLogin tells the demo's admin from a real desk's.
const markerLogin = "super"

// orgs are the customer organizations (客户单位).
func orgs() []string {
	return []string{"华东制造有限公司", "星辰科技", "Northwind Traders"}
}

// users is the cast, staff first. The standard groups (hardware, software,
// network, training, complaint) come with the migrations.
func users() []identity.NewUser {
	const (
		huadong   = "华东制造有限公司"
		xingchen  = "星辰科技"
		northwind = "Northwind Traders"
	)
	return []identity.NewUser{
		{Login: markerLogin, Name: "孙主管", Role: identity.RoleSupervisor, GroupKeys: []string{"software", "network"},
			Email: "sun.lixin@helpdesk.example.com", Lang: "zh-CN"},
		{Login: "super2", Name: "周主管", Role: identity.RoleSupervisor, GroupKeys: []string{"hardware", "training", "complaint"},
			Email: "zhou.haiyan@helpdesk.example.com", Lang: "zh-CN"},
		{Login: "wangwei", Name: "王伟", Role: identity.RoleAgent, GroupKeys: []string{"software"}, Lang: "zh-CN"},
		{Login: "lina", Name: "李娜", Role: identity.RoleAgent, GroupKeys: []string{"software", "training"}, Lang: "zh-CN"},
		{Login: "zhaolei", Name: "赵磊", Role: identity.RoleAgent, GroupKeys: []string{"network"}, Lang: "zh-CN"},
		{Login: "qianjun", Name: "钱俊", Role: identity.RoleAgent, GroupKeys: []string{"hardware"}, Lang: "zh-CN"},
		{Login: "chenjing", Name: "陈静", Role: identity.RoleAgent, GroupKeys: []string{"complaint", "training"}, Lang: "zh-CN"},
		{Login: "emily", Name: "Emily Carter", Role: identity.RoleAgent, GroupKeys: []string{"software", "network"}, Lang: "en"},

		{Login: "zhangsan", Name: "张三", Role: identity.RoleCustomer, OrgName: huadong,
			Phone: "13812345678", Email: "zhangsan@huadong-mfg.example.com", Lang: "zh-CN"},
		{Login: "liming", Name: "李明", Role: identity.RoleCustomer, OrgName: huadong, OrgVisible: true,
			Phone: "0512-66881234", Email: "liming@huadong-mfg.example.com", Lang: "zh-CN"},
		{Login: "wangfang", Name: "王芳", Role: identity.RoleCustomer, OrgName: xingchen,
			Email: "wangfang@xingchen-tech.example.com", Lang: "zh-CN"},
		{Login: "liuyang", Name: "刘洋", Role: identity.RoleCustomer, OrgName: xingchen, Phone: "13900001111"},
		{Login: "john", Name: "John Smith", Role: identity.RoleCustomer, OrgName: northwind,
			Phone: "+1 206 555 0142", Email: "john.smith@northwind.example.com", Lang: "en"},
		{Login: "sarah", Name: "Sarah Johnson", Role: identity.RoleCustomer, OrgName: northwind,
			Email: "sarah.johnson@northwind.example.com", Lang: "en"},
	}
}

// admin is the demo's administrator.
func admin() identity.NewUser {
	return identity.NewUser{Login: adminLogin, Name: "系统管理员", Role: identity.RoleAdmin,
		Email: "admin@helpdesk.example.com", Lang: "zh-CN"}
}

// logins are the accounts worth trying, one per way of using the desk.
func logins() []Login {
	return []Login{
		{"admin", adminLogin, Password, "全部权限、用户与分类 / everything, users, categories"},
		{"supervisor", markerLogin, Password, "软件+网络组主管，分派转组 / assigns, transfers"},
		{"agent", "wangwei", Password, "软件组客服 / software agent"},
		{"agent", "emily", Password, "English-speaking agent (software, network)"},
		{"customer", "zhangsan", Password, "华东制造客户，提单与确认 / files, confirms"},
		{"customer", "liming", Password, "可看本单位全部工单 / sees the whole org's tickets"},
		{"customer", "john", Password, "English customer, Northwind Traders"},
	}
}
