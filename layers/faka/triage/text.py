"""Text as the triage sees it: one normal form for every script, and the features the intent model reads.

The same functions run when the model is trained and in the Lambda, so a feature means the same thing in both.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

# Traditional → simplified for the characters buyers use about orders, keys, accounts and money (pairs of
# traditional, simplified). A full OpenCC table is ~2 MB; this one covers the domain, and the model's
# character n-grams absorb the rest. data/triage/generate.py uses the pairs backwards to write traditional rows.
TRADITIONAL_SIMPLIFIED = (
    "無无 碼码 兌兑 換换 號号 訂订 單单 帳账 賬账 戶户 購购 買买 賣卖 錢钱 還还 沒没 貨货 發发 給给 這这 "
    "個个 們们 為为 麼么 樣样 請请 問问 題题 謝谢 說说 話话 語语 認认 證证 驗验 電电 郵邮 網网 區区 國国 "
    "東东 臺台 灣湾 陸陆 歐欧 韓韩 錯错 誤误 對对 應应 該该 經经 過过 時时 間间 後后 會会 來来 嗎吗 騙骗 "
    "詐诈 盜盗 竊窃 擾扰 鎖锁 錄录 動动 異异 處处 辦办 決决 幫帮 聯联 繫系 係系 務务 員员 轉转 專专 費费 "
    "兩两 額额 餘余 銀银 寶宝 訊讯 遊游 戲戏 點点 數数 儲储 禮礼 啟启 綁绑 輸输 顯显 敗败 標标 價价 寫写 "
    "實实 際际 與与 態态 狀状 況况 進进 詢询 達达 訴诉 評评 爛烂 氣气 壞坏 讚赞 滿满 優优 業业 記记 註注 "
    "冊册 機机 設设 備备 裝装 載载 開开 關关 閉闭 讀读 書书 頁页 選选 擇择 項项 條条 規规 則则 現现 馬马 "
    "儘尽 盡尽 須须 誰谁 裡里 裏里 於于 從从 讓让 將将 帶带 歸归 變变 頭头 張张 長长 門门 閃闪 質质 舉举 "
    "報报 嚴严 緊紧 調调 試试 蘋苹 齊齐 領领 獲获 償偿 賠赔 虧亏 鐘钟 鬧闹 憑凭 據据 擊击 線线 紅红 綠绿 "
    "貼贴 圖图 傳传 遞递 跡迹 運运 貸贷 幣币 闆板 親亲 愛爱 誠诚 確确 壓压 覺觉 廢废 嘗尝 剛刚 纔才 頻频 "
    "補补 卻却 僅仅 終终 繼继 續续 總总 結结 構构 並并 準准 義义 筆笔 陳陈 舊旧 緩缓 遲迟 擔担 憂忧 護护 "
    "衛卫 權权 隱隐 風风 險险 惡恶 騷骚 濫滥 勁劲 嘆叹 歎叹 聽听 見见 視视 覽览 觀观 識识 憶忆 邊边 礙碍 "
    "夠够 種种 類类 統统 體体 匯汇 產产 廠厂 蹤踪 癒愈 餵喂 吋寸 掃扫 擋挡 攔拦 絕绝 擬拟 簡简 隊队 階阶 "
    "連连 鏈链 鍵键 級级 紀纪 約约 絡络 維维 綫线 縮缩 織织 繳缴 罰罚 腦脑 萬万 葉叶 著着 蓋盖 蘭兰 術术 "
    "衝冲 複复 訪访 許许 詳详 誌志 課课 諮咨 謊谎 譯译 貓猫 負负 貢贡 責责 貴贵 資资 趕赶 軟软 較较 輕轻 "
    "辭辞 邏逻 鄉乡 醫医 釋释 鐵铁 鑰钥 閱阅 陣阵 隨随 雙双 雜杂 難难 靈灵 響响 預预 頓顿 顏颜 願愿 飛飞 "
    "館馆 驚惊 髮发 鬆松 麗丽 黨党 齡龄 龍龙 幾几 內内 別别 販贩 銷销 庫库 刪删 審审 細细 鈕钮 側侧 屬属 議议 "
    "編编 計计 鋪铺 駭骇 虛虚 稱称 雲云 圓圆 團团 參参 億亿 圍围 獎奖 勵励 歷历 鑽钻 湊凑 歡欢 習习 斷断 導导 "
    "穩稳 檢检 測测 獨独 講讲 當当 廣广 場场 瀏浏 聞闻 簽签 觸触 遠远 適适 離离 稅税 紙纸 組组 職职 臉脸 華华 "
    "違违 遺遗 鈔钞 閑闲 順顺 頂顶 養养 贈赠 車车 陰阴 靜静 驟骤 鏡镜 櫃柜"
)
_T2S = str.maketrans({pair[0]: pair[1] for pair in TRADITIONAL_SIMPLIFIED.split()})

# Buyers drop Spanish accents as often as they type them; folding makes "código" and "codigo" one word.
_LATIN_FOLD = str.maketrans("áàâäãåéèêëíìîïóòôöõúùûüçñ’‘`", "aaaaaaeeeeiiiiooooouuuucn'''")

# Word lists for language and tone: data, kept apart from the rules that use them.
LEXICON: dict[str, dict[str, list[str]]] = json.loads(Path(__file__).with_name("lexicon.json").read_text("utf-8"))

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKENS = re.compile(rf"[{CJK}]+|[a-z0-9_]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_LATIN_PHRASE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)+")
# Word boundaries for lexicon phrases: any non-word character, and where Chinese meets Latin ("到App Store").
_BOUNDARY = re.compile(rf"[^\w]|(?<=[{CJK}])(?=[a-z0-9])|(?<=[a-z0-9])(?=[{CJK}])")
_CJK_RUN = re.compile(rf"[{CJK}]")
_DIGITS = re.compile(r"^\d+$")


def fold(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), traditional → simplified; case is kept."""
    return unicodedata.normalize("NFKC", text).translate(_T2S)


def fold_case(folded: str) -> str:
    """Lower-case and accent-free, keeping every character (``normalize`` also drops apostrophes)."""
    return folded.lower().translate(_LATIN_FOLD)


def normalize(text: str) -> str:
    """Lower-case, accent-free, simplified, apostrophes dropped: the form the model's features come from."""
    return fold_case(fold(text)).replace("'", "")


class Vocabulary:
    """Finds lexicon entries in text: a set lookup per Latin word, a substring test per CJK or multi-word
    entry. An alternation regex over the same lists costs ~50 µs a message; this costs a few."""

    def __init__(self, entries: dict[str, str]) -> None:
        """``entries``: lower-case, accent-free entry → the value reported when it is found."""
        self._words = {entry: value for entry, value in entries.items() if _LATIN_WORD.fullmatch(entry)}
        # Multi-word Latin entries must start and end on word boundaries, so they are searched space-padded.
        self._phrases = tuple(
            (f" {entry} " if _LATIN_PHRASE.fullmatch(entry) else entry, value)
            for entry, value in entries.items()
            if entry not in self._words
        )

    def find(self, lowered: str) -> list[tuple[int, str]]:
        """(position, value) of every entry found in ``lowered`` (from ``fold_case``); positions order finds."""
        spaced = " " + _BOUNDARY.sub(" ", lowered) + " "
        found = [(m.start(), self._words[m[0]]) for m in _LATIN_WORD.finditer(spaced) if m[0] in self._words]
        for phrase, value in self._phrases:
            # Entries with symbols (":)", "ee.uu") are looked for as written, the rest in the spaced copy.
            at = spaced.find(phrase) if phrase.replace(" ", "").isalnum() else lowered.find(phrase)
            if at >= 0:
                found.append((at, value))
        return found


def tokens(normalized: str) -> list[str]:
    """Runs of CJK characters and Latin words; numbers become ``0`` since their value never names an intent."""
    return ["0" if _DIGITS.match(token) else token for token in _TOKENS.findall(normalized)]


def is_cjk(token: str) -> bool:
    return bool(_CJK_RUN.match(token))


def features(normalized: str) -> set[str]:
    """Binary features: CJK character 1–3-grams, Latin word 1–2-grams and word-bounded character 3–4-grams.

    CJK text has no spaces, so character n-grams stand in for words; Latin character n-grams make typos
    ("recieved", "reembolzo") land near the right word.
    """
    found: set[str] = set()
    previous = ""
    for token in tokens(normalized):
        if is_cjk(token):
            for size in (1, 2, 3):
                for start in range(len(token) - size + 1):
                    found.add("h:" + token[start : start + size])
            previous = ""
            continue
        found.add("w:" + token)
        if previous:
            found.add(f"b:{previous} {token}")
        previous = token
        if len(token) > 2 and not token.startswith("_"):
            padded = f" {token} "
            for size in (3, 4):
                for start in range(len(padded) - size + 1):
                    found.add("c:" + padded[start : start + size])
    return found
