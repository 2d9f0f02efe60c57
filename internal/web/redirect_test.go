package web

import "testing"

func TestLocalPathRefusesOtherSites(t *testing.T) {
	for _, c := range []struct{ next, want string }{
		{"/desk?view=mine", "/desk?view=mine"},
		{"/t/HD-1#m2", "/t/HD-1#m2"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example/", "/"},
		{"/\t/evil.example/", "/"},
		{"/\n/evil.example/", "/"},
		{"/\r\n/evil.example", "/"},
		{"/x\\..\\\\evil.example", "/"},
		{"evil.example", "/"},
	} {
		t.Run(c.next, func(t *testing.T) {
			if got := localPath(c.next, "/"); got != c.want {
				t.Errorf("localPath(%q) = %q, want %q", c.next, got, c.want)
			}
		})
	}
}
