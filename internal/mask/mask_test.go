package mask

import "testing"

func TestPhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"13812341234", "138****1234"},
		{"+8613812341234", "+86****1234"},
		{"010-6212345", "010****2345"},
		{"6212345", "*****45"},
		{"12", "**"},
	} {
		if got := Phone(tc.in); got != tc.want {
			t.Errorf("Phone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"zhang.san@example.com", "z***@example.com"},
		{"张三@例子.中国", "张***@例子.中国"},
		{"broken", "***"},
		{"@x.com", "***"},
	} {
		if got := Email(tc.in); got != tc.want {
			t.Errorf("Email(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
