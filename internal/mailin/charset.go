package mailin

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// chineseCharsets maps the labels Chinese mail clients write to decoders.
// GB2312 and GBK are decoded as GB18030, their superset: clients that say
// gb2312 routinely send GBK-only characters (e.g. 镕, 喆).
var chineseCharsets = map[string]encoding.Encoding{
	"gb2312": simplifiedchinese.GB18030, "gbk": simplifiedchinese.GB18030, "cp936": simplifiedchinese.GB18030,
	"x-gbk": simplifiedchinese.GB18030, "euc-cn": simplifiedchinese.GB18030, "x-euc-cn": simplifiedchinese.GB18030,
	"csgb2312": simplifiedchinese.GB18030, "gb18030": simplifiedchinese.GB18030, "windows-936": simplifiedchinese.GB18030,
	"hz-gb-2312": simplifiedchinese.HZGB2312, "hz": simplifiedchinese.HZGB2312,
	"big5": traditionalchinese.Big5, "big5-hkscs": traditionalchinese.Big5, "cp950": traditionalchinese.Big5,
	"x-big5": traditionalchinese.Big5, "csbig5": traditionalchinese.Big5,
	"utf-8": unicode.UTF8, "utf8": unicode.UTF8, "us-ascii": unicode.UTF8, "ascii": unicode.UTF8,
}

// lookupCharset finds a decoder for a charset label.
func lookupCharset(label string) (encoding.Encoding, error) {
	l := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if e, ok := chineseCharsets[l]; ok {
		return e, nil
	}
	if e, err := htmlindex.Get(l); err == nil && e != nil {
		return e, nil
	}
	if e, err := ianaindex.MIME.Encoding(l); err == nil && e != nil {
		return e, nil
	}
	return nil, fmt.Errorf("unknown charset %q", label)
}

// charsetReader converts r from charset to UTF-8.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	e, err := lookupCharset(charset)
	if err != nil {
		return nil, err
	}
	return transform.NewReader(r, e.NewDecoder()), nil
}

// wordDecoder decodes RFC 2047 encoded words in any charset we know.
var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeHeader decodes a header value to UTF-8. Encoded words are decoded
// in their charset; raw 8-bit bytes that are not UTF-8 (some clients send
// GBK headers unencoded) are decoded as GB18030; whatever is left invalid is
// replaced.
func decodeHeader(v string) string {
	if !utf8.ValidString(v) {
		if b, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), []byte(v)); err == nil && utf8.Valid(b) {
			v = string(b)
		}
	}
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		v = d
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}

// toUTF8 makes text UTF-8: it is decoded from charset when one is given and
// known; bytes that are still invalid are tried as GB18030 and finally
// replaced, so the result is always valid.
func toUTF8(b []byte, charset string) (string, bool) {
	ok := true
	if charset != "" {
		if e, err := lookupCharset(charset); err == nil {
			if d, _, err := transform.Bytes(e.NewDecoder(), b); err == nil {
				b = d
			}
		} else {
			ok = false
		}
	}
	if !utf8.Valid(b) {
		if d, _, err := transform.Bytes(simplifiedchinese.GB18030.NewDecoder(), b); err == nil && utf8.Valid(d) {
			b = d
		}
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD"))), ok
}
