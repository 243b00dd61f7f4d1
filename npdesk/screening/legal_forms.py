"""Legal forms of organisations in English, other Latin-script languages, Chinese pinyin and
Chinese characters. They say nothing about who a party is, so matching drops them."""

from __future__ import annotations

import re

# Single tokens (after lower-casing and removing punctuation) that are legal forms.
LEGAL_TOKENS = frozenset(
    [
        "co",
        "company",
        "companies",
        "corp",
        "corporation",
        "corporations",
        "cos",
        "ltd",
        "limited",
        "inc",
        "incorporated",
        "llc",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "jsc",
        "ojsc",
        "cjsc",
        "pjsc",
        "ooo",
        "oao",
        "zao",
        "fze",
        "fzco",
        "fzc",
        "fzllc",
        "llp",
        "lp",
        "pte",
        "pvt",
        "pty",
        "bhd",
        "kk",
        "oy",
        "ab",
        "kft",
        "sro",
        "doo",
        "ltda",
        "cia",
        "sac",
        "sae",
        "saog",
        "wll",
        "est",
        "establishment",
        "sal",
        "sl",
        "slu",
        "ad",
        "eood",
        "ood",
        "tov",
        "tob",
        "pp",
        "chp",
        "ltdco",
        "gongsi",
        "youxian",
        "youxiangongsi",
        "zonggongsi",
        "fengongsi",
        "youxianzerengongsi",
        "gufen",
    ]
)

# Multi-word legal forms, removed as phrases before tokenising (longest first).
LEGAL_PHRASES = (
    "limited liability partnership",
    "limited liability company",
    "public joint stock company",
    "closed joint stock company",
    "open joint stock company",
    "joint stock company",
    "private limited company",
    "public limited company",
    "sociedad anonima de capital variable",
    "sa de cv",
    "s de rl de cv",
    "s de rl",
    "sp z oo",
    "youxian zeren gongsi",
    "gufen youxian gongsi",
    "youxian gongsi",
    "zong gongsi",
)
_PHRASES = re.compile(r"\b(" + "|".join(re.escape(p) for p in LEGAL_PHRASES) + r")\b")

# Chinese legal forms (simplified; traditional text is converted first), longest first.
CHINESE_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "分公司",
    "总公司",
    "公司",
)

# Words that, beside the legal forms above, mark a name as an organisation's.
_ORGANISATION_WORDS = frozenset(
    [
        "industries",
        "industry",
        "industrial",
        "trading",
        "trade",
        "group",
        "international",
        "technologies",
        "technology",
        "aviation",
        "airlines",
        "airline",
        "shipping",
        "services",
        "enterprises",
        "enterprise",
        "holdings",
        "holding",
        "electronics",
        "engineering",
        "systems",
        "bank",
        "exchange",
        "import",
        "export",
        "institute",
        "university",
    ]
)


def remove_legal_phrases(text: str) -> str:
    """`text` (lower-case, punctuation already spaces) without multi-word legal forms."""
    return _PHRASES.sub(" ", text)


def looks_like_organisation(name: str) -> bool:
    """Whether `name` carries a legal form or an organisation word (used where a list gives no
    party type, such as the BIS Denied Persons List)."""
    words = set(re.sub(r"[^\w]+", " ", name.casefold()).split())
    return bool(words & LEGAL_TOKENS or words & _ORGANISATION_WORDS)
