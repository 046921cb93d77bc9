"""Folding what people type before comparing it: one `fold`, one digit table, for every caller.

Pure core. Callers that also need words separated or abbreviations expanded do it on top of
`fold` (catalogue places, site search); nobody folds text another way.
"""

from __future__ import annotations

import re
import unicodedata

# Arabic-Indic (٠-٩) and Persian (۰-۹) digits: phone keyboards send both.
DIGITS: dict[int, str] = {0x0660 + i: str(i) for i in range(10)} | {
    0x06F0 + i: str(i) for i in range(10)
}
# Harakat and hamza seats go with the accents (NFKD); these letters have spelling variants
# people mix freely, and the tatweel only stretches a word.
_ARABIC_VARIANTS: dict[int, str | None] = {
    ord("ى"): "ي",
    # Persian keyboards type ی and ک, Arabic ones ي and ك: Dari written on an Arabic keyboard
    # (or Arabic on a Persian one) is the same word.
    ord("ی"): "ي",
    ord("ک"): "ك",
    ord("ة"): "ه",
    ord("ـ"): None,
    ord("’"): "'",
    ord("`"): "'",
}
# Traditional Chinese letters (Taiwan, Hong Kong, older émigrés) as their simplified forms, the
# ones the cues are written in: "居留證" is "居留证", "和法國人結婚" "和法国人结婚". The common
# letters of the trade and of everyday messages, not a full conversion table.
_TRADITIONAL = (
    "國證結領預約簡訊丟續駕護號過問請嗎錢費學讀車醫體檢員會時間這裡個們還沒麼給來長報遺損壞辦歸雙網電腦從簽華務權許況與為將應"
    "該關係啟開門寫說話語後幾點聽見覺幫處準備發現兒婦孫議協盜搶傷紙張單種換掛層滿歲歷舊邊遠區縣廳館場貨買賣產萬錄錯鐘週實優機"
    "術屬專業養參讓認識題總統節紀級練組織經濟際隨創隊項順頁類風馬驗齡標樣檔歡氣決測無熱獎環畫當療確禮稱穩積緊線罰聯職臺舉藥視"
    "觀計訂記設診詢試詳誤課調談諮講變貸資賠質購輛輸轉農運達遞適選釋銀鎖閒離雲靜韓頭額願飯髮麗黃齊團圍圖園壓夠對尋導屆島幣廣強"
    "復徵態憑戶擁據擇擔敗數斷東條極歐漢灣營爭狀獨獲畢異碼紅細終絕繼義習聲腳興補裝複規親訪評詞誰謝負貴軍較載輕進遊違鋼鐵閱陽難"
    "響頂頻顏飲驚龍亂價傳僅兩內冊劃勞勝勢匯卻嚴圓執堅塊夢寧審寶師帳帶幹庫廢徹惡愛慣擬攜於暫書殺毀滅漸潔濕災燒獄監眾稅竊築糾紋"
    "納純紛紹絡絲綁綜綠維緒緣編緩縮績繩繳羅聞聰脫臉臨葉蓋蘇衛製觸討訓託訴註証詐誠論謹譯讚財貧販責貼賀賓賞賴贈贏踐輔輪連遲遷郵"
    "鄰銷鋪鍵鎮閃閉階險雖靈須頸顯飛餘駐騙鮮鹽黨陸陳陰罷虛隻錶闆麵嘗邏輯鏡懷濫瀏覽鄉藝衝擊壯聖獻軟碩籤撥擴掃鑰"
)
_SIMPLIFIED = (
    "国证结领预约简讯丢续驾护号过问请吗钱费学读车医体检员会时间这里个们还没么给来长报遗损坏办归双网电脑从签华务权许况与为将应"
    "该关系启开门写说话语后几点听见觉帮处准备发现儿妇孙议协盗抢伤纸张单种换挂层满岁历旧边远区县厅馆场货买卖产万录错钟周实优机"
    "术属专业养参让认识题总统节纪级练组织经济际随创队项顺页类风马验龄标样档欢气决测无热奖环画当疗确礼称稳积紧线罚联职台举药视"
    "观计订记设诊询试详误课调谈咨讲变贷资赔质购辆输转农运达递适选释银锁闲离云静韩头额愿饭发丽黄齐团围图园压够对寻导届岛币广强"
    "复征态凭户拥据择担败数断东条极欧汉湾营争状独获毕异码红细终绝继义习声脚兴补装复规亲访评词谁谢负贵军较载轻进游违钢铁阅阳难"
    "响顶频颜饮惊龙乱价传仅两内册划劳胜势汇却严圆执坚块梦宁审宝师帐带干库废彻恶爱惯拟携于暂书杀毁灭渐洁湿灾烧狱监众税窃筑纠纹"
    "纳纯纷绍络丝绑综绿维绪缘编缓缩绩绳缴罗闻聪脱脸临叶盖苏卫制触讨训托诉注证诈诚论谨译赞财贫贩责贴贺宾赏赖赠赢践辅轮连迟迁邮"
    "邻销铺键镇闪闭阶险虽灵须颈显飞余驻骗鲜盐党陆陈阴罢虚只表板面尝逻辑镜怀滥浏览乡艺冲击壮圣献软硕签拨扩扫钥"
)
_AFTER_DECOMPOSITION = DIGITS | _ARABIC_VARIANTS | str.maketrans(_TRADITIONAL, _SIMPLIFIED)


def ascii_digits(text: str) -> str:
    """Arabic-Indic and Persian digits made ASCII ("٠٦١٢" → "0612"); the rest unchanged."""
    return text.translate(DIGITS)


def spaced_out(text: str, scripts: frozenset[str]) -> str:
    """Every letter of `scripts` (scripts written without spaces, bot.locales.unspaced_scripts)
    set apart as a word of its own: "3月15日下午" → "3 月 15 日 下 午 ". Readers that split on
    spaces then match a word of such a language as a run of letters (a phrase), longest first.
    Script names are Unicode's: the first word of a letter's name (CJK, LATIN)."""
    if not scripts or text.isascii():
        return text
    return "".join(f" {char} " if in_scripts(char, scripts) else char for char in text)


def joined_up(text: str, scripts: frozenset[str]) -> str:
    """The spaces `spaced_out` put beside the letters of `scripts` taken away again, to quote
    words as they are written: "下 午 3 点" → "下午3点"; other spaces stay ("mardi 3")."""
    if not scripts or text.isascii():
        return text
    kept = []
    for i, char in enumerate(text):
        if char == " " and (
            in_scripts(text[i - 1 : i], scripts) or in_scripts(text[i + 1 : i + 2], scripts)
        ):
            continue
        kept.append(char)
    return "".join(kept)


def in_scripts(char: str, scripts: frozenset[str]) -> bool:
    """Whether `char` is a letter of one of `scripts` (Unicode's names: CJK, LATIN…)."""
    return (
        bool(char)
        and unicodedata.category(char).startswith("L")
        and (unicodedata.name(char, "").split(" ", 1)[0] in scripts)
    )


def fold(text: str) -> str:
    """Lower case, no accents, harakat or hamza seats, Arabic letter variants unified (Persian ی ک
    as Arabic ي ك), traditional Chinese letters simplified, ASCII digits.

    "Côte-d'Or" → "cote-d'or", "الثلاثاء" stays, "مساعدة" → "مساعده", "١٥" → "15".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.translate(_AFTER_DECOMPOSITION)


# Where a message sets one part against another: "lundi je travaille, jeudi c'est mieux", "j'ai
# le passeport, pas encore les photos" (punctuation of every script, "but" in each language —
# Persian « ولی », « اما », Pashto « خو », « مګر »; not a decimal point).
_CLAUSES = re.compile(
    r"[,;!?\n،؛؟，。；！？]+|(?<!\d)\.(?!\d)"
    r"|\s(?:mais|but|لكن|ولكن|بصح|но|але|ولی|ولي|اما|خو|مگر|مګر)\s"
)


def clauses(text: str) -> list[str]:
    """The non-empty clauses of `text`."""
    return [c for c in _CLAUSES.split(text or "") if c and c.strip()]
