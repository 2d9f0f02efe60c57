package search

import "unicode"

// fold maps one rune to its search form: full-width ASCII to half-width,
// the ideographic space to a space, traditional Chinese characters to
// simplified ones (for a small table of common characters) and letters to
// lower case. It maps rune to rune, so offsets in runes of a folded text are
// offsets in the original — highlighting depends on that.
func fold(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	}
	if s, ok := tradToSimp[r]; ok {
		return s
	}
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// Fold returns text in its search form (see fold); its rune count equals
// the input's.
func Fold(text string) string {
	out := make([]rune, 0, len(text))
	for _, r := range text {
		out = append(out, fold(r))
	}
	return string(out)
}

// tradToSimp folds common traditional characters, chiefly those met in
// support requests (電腦, 網絡, 帳號, 密碼, 列印, 連線 …), to simplified ones.
var tradToSimp = func() map[rune]rune {
	pairs := []string{
		"電电", "腦脑", "網网", "絡络", "帳账", "號号", "碼码", "線线", "連连", "機机",
		"體体", "無无", "錯错", "誤误", "請请", "問问", "題题", "開开", "關关", "啟启",
		"統统", "資资", "訊讯", "數数", "據据", "庫库", "雲云", "伺伺", "務务", "設设",
		"備备", "軟软", "硬硬", "單单", "頁页", "檔档", "庫库", "裝装", "驅驱", "動动",
		"寬宽", "頻频", "線线", "區区", "來来", "時时", "間间", "後后", "會会", "對对",
		"點点", "擊击", "鍵键", "盤盘", "顯显", "示示", "螢萤", "幕幕", "聲声", "話话",
		"郵邮", "傳传", "輸输", "與与", "為为", "這这", "個个", "們们", "說说", "們们",
		"還还", "沒没", "麼么", "樣样", "讓让", "嗎吗", "經经", "過过", "現现", "發发",
		"見见", "覽览", "戶户", "員员", "車车", "門门", "長长", "東东", "務务", "條条",
		"當当", "錄录", "認认", "證证", "驗验", "權权", "限限", "級级", "給给", "紙纸",
		"卡卡", "印印", "表表", "報报", "廣广", "際际", "國国", "華华", "東东", "雜杂",
		"龍龙", "萬万", "億亿", "質质", "價价", "買买", "賣卖", "費费", "貨货", "幣币",
		"銀银", "行行", "號号", "終终", "結结", "斷断", "續续", "維维", "護护", "處处",
		"理理", "應应", "用用", "擬拟", "虛虚", "憑凭", "記记", "憶忆", "體体", "舊旧",
		"新新", "換换", "壞坏", "問问", "態态", "狀状", "復复", "異异", "常常", "響响",
		"慢慢", "轉转", "變变", "節节", "點点", "優优", "選选", "擇择", "實实", "際际",
		"從从", "專专", "業业", "學学", "習习", "書书", "筆笔", "鐘钟", "錶表", "熱热",
		"風风", "燈灯", "頭头", "臉脸", "確确", "儲储", "存存", "號号", "碟碟", "碼码",
		"掃扫", "描描", "隊队", "組组", "織织", "門门", "戶户", "客客", "語语", "言言",
	}
	m := make(map[rune]rune, len(pairs))
	for _, p := range pairs {
		r := []rune(p)
		if r[0] != r[1] {
			m[r[0]] = r[1]
		}
	}
	return m
}()
