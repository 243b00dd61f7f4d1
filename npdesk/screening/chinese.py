"""Chinese names into the Latin forms sanctions lists use.

Traditional characters become simplified (OpenCC), then two readings are produced: a pure
pinyin one (lists often spell Chinese names in pinyin, "ZHONGGUO JINGMI JIXIE") and one where
common business words are translated ("精密机械" -> "precision machinery"), because lists
mostly give Chinese firms' English names. Wade-Giles and Cantonese spellings of syllables map
to pinyin so "Hsu", "Cheung" and "Chang" meet "Xu" and "Zhang"."""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

from npdesk.screening.legal_forms import CHINESE_LEGAL_FORMS

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TO_SIMPLIFIED = opencc.OpenCC("t2s")

# Business words in Chinese firm names and the English words lists use for them (simplified).
GLOSSARY: dict[str, str] = {
    "中国": "china",
    "中华": "china",
    "国际": "international",
    "贸易": "trading",
    "经贸": "economic trading",
    "商贸": "trading",
    "进出口": "import export",
    "进口": "import",
    "出口": "export",
    "技术": "technology",
    "科技": "science technology",
    "工业": "industries",
    "实业": "industries",
    "机械": "machinery",
    "精密": "precision",
    "电子": "electronics",
    "集团": "group",
    "航运": "shipping",
    "船务": "shipping",
    "海运": "shipping",
    "化工": "chemical",
    "能源": "energy",
    "石油": "petroleum",
    "投资": "investment",
    "发展": "development",
    "物流": "logistics",
    "材料": "materials",
    "金属": "metals",
    "矿产": "minerals",
    "冶金": "metallurgy",
    "设备": "equipment",
    "仪器": "instruments",
    "航空": "aviation",
    "航天": "aerospace",
    "电气": "electric",
    "控股": "holding",
    "香港": "hong kong",
    "工程": "engineering",
    "制造": "manufacturing",
    "研究所": "institute",
    "研究院": "research institute",
    "大学": "university",
    "银行": "bank",
    "有色": "nonferrous",
    "钢铁": "iron steel",
    "光电": "optoelectronics",
    "通信": "communication",
    "船舶": "shipbuilding",
    "重工": "heavy industries",
    "北方": "north",
    "南方": "south",
    "东方": "east",
    "西方": "west",
    "长城": "great wall",
    "服务": "services",
    "系统": "systems",
    "产品": "products",
    "管理": "management",
    "咨询": "consulting",
    "运输": "transport",
    "石化": "petrochemical",
    "核": "nuclear",
    "导弹": "missile",
    "火箭": "rocket",
    "兵器": "ordnance",
    "精工": "precision",
    "新": "new",
}
_GLOSSARY_LONGEST = max(len(word) for word in GLOSSARY)

# Wade-Giles and Cantonese spellings -> pinyin (whole syllables only).
SYLLABLE_VARIANTS: dict[str, str] = {
    "hsu": "xu",
    "hsieh": "xie",
    "hsiao": "xiao",
    "hsin": "xin",
    "hsing": "xing",
    "hsiung": "xiong",
    "hsiang": "xiang",
    "hsia": "xia",
    "hsi": "xi",
    "hsueh": "xue",
    "hsien": "xian",
    "hsiu": "xiu",
    "hsun": "xun",
    "hsuan": "xuan",
    "chang": "zhang",
    "cheung": "zhang",
    "chao": "zhao",
    "chiu": "zhao",
    "chou": "zhou",
    "chow": "zhou",
    "chu": "zhu",
    "chueh": "jue",
    "cheng": "zheng",
    "ching": "jing",
    "chiang": "jiang",
    "chien": "jian",
    "chin": "jin",
    "chuang": "zhuang",
    "chung": "zhong",
    "chuan": "zhuan",
    "chun": "zhun",
    "chih": "zhi",
    "chieh": "jie",
    "chia": "jia",
    "chiao": "jiao",
    "kuo": "guo",
    "kwok": "guo",
    "kung": "gong",
    "kao": "gao",
    "ko": "ge",
    "kuei": "gui",
    "kuan": "guan",
    "kuang": "guang",
    "kwong": "guang",
    "ku": "gu",
    "kan": "gan",
    "tsai": "cai",
    "choi": "cai",
    "tsao": "cao",
    "tseng": "zeng",
    "tsang": "zeng",
    "tso": "zuo",
    "tsui": "cui",
    "tsou": "zou",
    "tzu": "zi",
    "tze": "ze",
    "tsu": "zu",
    "tung": "dong",
    "teng": "deng",
    "tai": "dai",
    "tien": "tian",
    "ting": "ding",
    "tuan": "duan",
    "tu": "du",
    "pai": "bai",
    "pao": "bao",
    "pi": "bi",
    "pien": "bian",
    "po": "bo",
    "pu": "bu",
    "jen": "ren",
    "jao": "rao",
    "jung": "rong",
    "juan": "ruan",
    "wong": "wang",
    "chan": "chen",
    "lau": "liu",
    "leung": "liang",
    "ng": "wu",
    "ho": "he",
    "lam": "lin",
    "tam": "tan",
    "yeung": "yang",
    "lee": "li",
    "mak": "mai",
    "fung": "feng",
    "yip": "ye",
    "szeto": "situ",
    "yuen": "yuan",
    "kwan": "guan",
    "kam": "jin",
    "shih": "shi",
    "hu": "hu",
    "yu": "yu",
    "hung": "hong",
    "lo": "luo",
    "loh": "luo",
    "law": "luo",
    "koo": "gu",
    "tong": "tang",
    "au": "ou",
}


def has_chinese(text: str) -> bool:
    """Whether `text` contains any CJK ideograph."""
    return _CJK.search(text) is not None


def to_simplified(text: str) -> str:
    """Traditional characters in `text` as simplified ones (others unchanged)."""
    return str(_TO_SIMPLIFIED.convert(text))


def lazy_pinyin(text: str) -> list[str]:
    """pypinyin's reading of `text`, one syllable per character. Imported on first use:
    pypinyin's phrase tables take half a second to load, which Latin-only screening (and the
    index's cold start) should not pay."""
    from pypinyin import lazy_pinyin as read

    return list(read(text))


def _strip_chinese_legal_forms(text: str) -> str:
    for form in CHINESE_LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form):
            return text[: -len(form)]
    return text


@lru_cache(maxsize=4096)
def chinese_readings(text: str) -> tuple[str, str]:
    """(pinyin reading, glossary reading) of `text`, each a space-joined lower-case string in
    which every Chinese syllable is its own word; non-Chinese parts pass through."""
    simplified = _strip_chinese_legal_forms(to_simplified(text).strip())
    pinyin = _CJK_RUN.sub(lambda m: " " + " ".join(lazy_pinyin(m.group(0))) + " ", simplified)
    return pinyin, _CJK_RUN.sub(lambda m: " " + _translate_run(m.group(0)) + " ", simplified)


def _translate_run(run: str) -> str:
    """Greedy longest-match translation of glossary words; other characters become pinyin
    (pypinyin reads runs as phrases, which picks the right reading of 长 in 长安)."""
    words: list[str] = []
    pending = ""
    position = 0
    while position < len(run):
        for size in range(min(_GLOSSARY_LONGEST, len(run) - position), 0, -1):
            piece = run[position : position + size]
            if piece in GLOSSARY:
                if pending:
                    words.extend(lazy_pinyin(pending))
                    pending = ""
                words.append(GLOSSARY[piece])
                position += size
                break
        else:
            pending += run[position]
            position += 1
    if pending:
        words.extend(lazy_pinyin(pending))
    return " ".join(words)


# Similarity given to two spellings of one syllable ("hsu" and "xu").
VARIANT_SIMILARITY = 0.95

_SPELLINGS: dict[str, set[str]] = {}
for _spelling, _pinyin in SYLLABLE_VARIANTS.items():
    _SPELLINGS.setdefault(_pinyin, {_pinyin}).add(_spelling)
SPELLINGS: dict[str, frozenset[str]] = {
    spelling: frozenset(members) for members in _SPELLINGS.values() for spelling in members
}


def pinyin_syllable(token: str) -> str:
    """The pinyin for a Wade-Giles or Cantonese syllable, or `token` itself."""
    return SYLLABLE_VARIANTS.get(token, token)


def other_spellings(token: str) -> frozenset[str]:
    """Other spellings of the syllable `token` ("hsu" -> {"xu"}; "xu" -> {"hsu"}), empty when
    it has none. Tokens stay as written (so "jinchukou" still meets "jin chu kou"); matching
    treats these spellings as nearly equal instead."""
    return SPELLINGS.get(token, frozenset()) - {token}
