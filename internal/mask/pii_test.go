package mask

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPII(t *testing.T) {
	people := People{Names: []string{"张三", "John Smith"}, Orgs: []string{"Acme 公司"}}
	for _, tc := range []struct {
		name, in, want string
		kinds          []Kind
		hints          []string
	}{
		{"mobile", "请打13812341234联系", "请打[PHONE-1]联系", []Kind{KindPhone}, []string{"138****1234"}},
		{"mobile with +86 and dashes", "tel +86 138-1234-1234.", "tel [PHONE-1].", []Kind{KindPhone}, []string{"138****1234"}},
		{"same number twice, one placeholder", "13812341234 或 138 1234 1234", "[PHONE-1] 或 [PHONE-1]", []Kind{KindPhone, KindPhone}, nil},
		{"landline", "座机 010-12345678 或 (0755) 8888 6666", "座机 [PHONE-1] 或 [PHONE-2]", []Kind{KindPhone, KindPhone}, nil},
		{"international", "call +1 415 555 2671 now", "call [PHONE-1] now", []Kind{KindPhone}, nil},
		{"email", "邮箱 zhang.san@example.com。", "邮箱 [EMAIL-1]。", []Kind{KindEmail}, []string{"z***@example.com"}},
		{"id card valid", "身份证11010519491231002X", "身份证[ID-1]", []Kind{KindIDCard}, []string{"110*************2X"}},
		{"id card lower x", "id 11010519491231002x end", "id [ID-1] end", []Kind{KindIDCard}, nil},
		{"id card bad checksum kept", "编号110105194912310021", "编号110105194912310021", nil, nil},
		{"bank card luhn", "卡号 6222021001123456789 谢谢", "卡号 [CARD-1] 谢谢", []Kind{KindBankCard}, []string{"**** 6789"}},
		{"bank card grouped", "card 4111 1111 1111 1111", "card [CARD-1]", []Kind{KindBankCard}, nil},
		{"bank card bad luhn kept", "4111 1111 1111 1112", "4111 1111 1111 1112", nil, nil},
		{"ipv4", "服务器 192.168.1.20 无法访问", "服务器 [IP-1] 无法访问", []Kind{KindIP}, []string{"192.168.*.*"}},
		{"ipv4 out of range kept", "版本 300.1.2.3", "版本 300.1.2.3", nil, nil},
		{"ipv6", "addr 2001:db8::8a2e:370:7334 down", "addr [IP-1] down", []Kind{KindIP}, nil},
		{"time is not ipv6", "会议 12:30:45 开始", "会议 12:30:45 开始", nil, nil},
		{"names", "张三反馈，张先生说 Acme 公司的 john smith 也遇到", "[NAME-1]反馈，[NAME-2]说 [ORG-1]的 [NAME-3] 也遇到",
			[]Kind{KindName, KindName, KindOrg, KindName}, nil},
		{"ticket number kept", "见工单 TS20261122001", "见工单 TS20261122001", nil, nil},
		{"digits inside a longer number kept", "序列号 9138123412345", "序列号 9138123412345", nil, nil},
		{"nothing", "打印机卡纸", "打印机卡纸", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, fs := PII(tc.in, people)
			if got != tc.want {
				t.Errorf("PII(%q) = %q, want %q", tc.in, got, tc.want)
			}
			var kinds []Kind
			var hints []string
			for _, f := range fs {
				kinds = append(kinds, f.Kind)
				hints = append(hints, f.Hint)
			}
			if !slices.Equal(kinds, tc.kinds) {
				t.Errorf("kinds = %v, want %v", kinds, tc.kinds)
			}
			if tc.hints != nil && !slices.Equal(hints, tc.hints) {
				t.Errorf("hints = %q, want %q", hints, tc.hints)
			}
		})
	}
}

func TestPIIDeterministic(t *testing.T) {
	in := "张三 13812341234 zhang@example.com 10.0.0.1 6222021001123456789"
	a, fa := PII(in, People{Names: []string{"张三"}})
	for range 20 {
		b, fb := PII(in, People{Names: []string{"张三"}})
		if a != b || !slices.Equal(fa, fb) {
			t.Fatalf("PII not deterministic: %q vs %q", a, b)
		}
	}
}

func FuzzPII(f *testing.F) {
	for _, s := range []string{"13812341234", "11010519491231002X", "a@b.cn", "::1", "4111 1111 1111 1111", "张三 010-12345678",
		"192.168.0.1", "+44 20 7946 0958", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, fs := PII(in, People{Names: []string{"张三", "Bob"}, Orgs: []string{"Acme"}})
		valid := strings.ToValidUTF8(in, "\uFFFD")
		if !utf8.ValidString(out) {
			t.Fatalf("output is not UTF-8: %q", out)
		}
		prev := 0
		for _, f := range fs {
			if f.Start < prev || f.End <= f.Start || f.End > len(valid) {
				t.Fatalf("finding %+v out of order or bounds in %q", f, in)
			}
			prev = f.End
			if !strings.Contains(out, f.Replacement) || f.Hint == "" {
				t.Fatalf("finding %+v not reflected in %q", f, out)
			}
		}
		if again, _ := PII(in, People{Names: []string{"张三", "Bob"}, Orgs: []string{"Acme"}}); again != out {
			t.Fatalf("not deterministic")
		}
	})
}

func BenchmarkPII(b *testing.B) {
	text := strings.Repeat("您好，我是张三，电话 13812341234，邮箱 zhang.san@example.com。服务器 192.168.1.20 打印机卡纸，"+
		"The printer at 10.0.0.5 keeps failing, card 6222021001123456789. ", 10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		PII(text, People{Names: []string{"张三"}, Orgs: []string{"Acme 公司"}})
	}
}
