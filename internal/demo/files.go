package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"time"
)

// fileContent makes the content of a demo attachment uploaded at the given time.
func fileContent(name string, at time.Time) ([]byte, error) {
	switch name {
	case "erp-client.log":
		return erpLog(at), nil
	case "screen-flicker.png":
		return flickerPNG()
	}
	return nil, fmt.Errorf("demo: no content for attachment %q", name)
}

// erpLog is a client log ending shortly before the upload, in the upload's
// time zone as a Windows client would write it.
func erpLog(at time.Time) []byte {
	t := at.Add(-40 * time.Minute)
	lines := []struct {
		after time.Duration
		text  string
	}{
		{0, "INFO  [main] ERP client 8.2.1 (build 20815) starting, server=https://erp.huadong.local"},
		{2 * time.Second, "INFO  [auth] user zhangsan signed in, session 7f3a9c"},
		{5 * time.Second, "INFO  [http] GET /api/menu -> 200 (84 ms)"},
		{9 * time.Second, "ERROR [http] GET /api/finance/ledger -> 500 Internal Server Error (812 ms)"},
		{0, "ERROR [http] body: {\"code\":\"DB_POOL\",\"message\":\"ORA-12516: TNS:listener could not find available handler\"}"},
		{0, "WARN  [ui] 提示用户：服务器内部错误，请联系系统管理员"},
		{2 * time.Second, "WARN  [retry] retrying GET /api/finance/ledger in 2 s (attempt 2/3)"},
		{3 * time.Second, "ERROR [http] GET /api/finance/ledger -> 500 Internal Server Error (790 ms)"},
		{3 * time.Second, "ERROR [http] GET /api/finance/ledger -> 500 Internal Server Error (805 ms)"},
		{0, "ERROR [retry] giving up after 3 attempts"},
		{20 * time.Second, "ERROR [http] GET /api/sales/orders -> 500 Internal Server Error (776 ms)"},
		{0, "ERROR [http] body: {\"code\":\"DB_POOL\",\"message\":\"ORA-12516: TNS:listener could not find available handler\"}"},
		{30 * time.Second, "INFO  [main] ERP client shutting down"},
	}
	var b strings.Builder
	for i, l := range lines {
		t = t.Add(l.after + time.Duration(i*37)*time.Millisecond)
		fmt.Fprintf(&b, "%s %s\r\n", t.Format("2006-01-02 15:04:05.000"), l.text)
	}
	return []byte(b.String())
}

// flickerPNG is a small picture of a monitor with a dark band across it,
// as a phone photo of a flickering screen might show.
func flickerPNG() ([]byte, error) {
	const w, h = 64, 40
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 40, G: 40, B: 48, A: 255} // bezel
			if x >= 3 && x < w-3 && y >= 3 && y < h-3 {
				c = color.RGBA{R: uint8(90 + x*2), G: uint8(140 + y), B: 230, A: 255}
				if y >= 16 && y < 22 {
					c = color.RGBA{R: 8, G: 8, B: 12, A: 255}
				}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("demo: png: %w", err)
	}
	return buf.Bytes(), nil
}
