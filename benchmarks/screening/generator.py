"""Labelled screening queries derived from the lists, with known answers, and negatives.

Every positive query is made from one listed name by one kind of change (the category) and
expects that name's entry among the hits. Negatives are names on no list: real companies,
common person names, and look-alikes (a listed firm's name with its distinctive word changed,
e.g. "China South Industries" for "China North Industries"). A negative whose normalized form
equals a listed name is dropped (it is on a list, so it is not a negative).

The English->Chinese business words below are written for the generator on purpose, apart from
the normalizer's glossary, so Chinese queries are not made from the matcher's own table."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

import opencc
from pypinyin import lazy_pinyin
from pypinyin.phrases_dict import phrases_dict

from npdesk.screening.legal_forms import LEGAL_TOKENS
from npdesk.screening.model import AliasStrength, EntryType, ListEntry, LoadedList
from npdesk.screening.normalize import normalize_name

LATIN_CATEGORIES = (
    "exact",
    "word_order",
    "legal_form",
    "abbreviation",
    "extra_word",
    "dropped_word",
    "typo",
    "wade_giles",
    "pinyin_split",
)
CHINESE_CATEGORIES = ("chinese_person", "chinese_company")
POSITIVE_CATEGORIES = (*LATIN_CATEGORIES, *CHINESE_CATEGORIES, "acronym")
NEGATIVE_CATEGORIES = ("neg_company", "neg_person", "neg_lookalike")


@dataclass(frozen=True)
class LabelledQuery:
    category: str
    text: str
    expected: tuple[str, str] | None  # (list name, source id); None for negatives
    source_name: str = ""


_ABBREVIATE = {
    "international": "Intl",
    "group": "Grp",
    "corporation": "Corp",
    "company": "Co",
    "industries": "Inds",
    "industry": "Ind",
    "technology": "Tech",
    "manufacturing": "Mfg",
    "national": "Natl",
    "engineering": "Eng",
    "development": "Dev",
    "trading": "Trdg",
    "services": "Svcs",
    "limited": "Ltd",
    "incorporated": "Inc",
    "import/export": "I/E",
    "and": "&",
    "brothers": "Bros",
    "association": "Assn",
}
_LEGAL_SWAPS = ("Co., Ltd.", "Limited", "Corporation", "LLC", "Inc.", "Company", "Group Co Ltd")
_EXTRA_WORDS = ("Group", "Holding", "International", "Trading", "Global", "Services")
_GIVEN_NAMES = ("Ahmed", "John", "Maria", "Wei", "Ivan", "Ali", "Jose", "Anna", "Omar", "Chen")

# Generator-side English -> Chinese business words (simplified).
_EN_ZH = {
    "china": "中国",
    "chinese": "中国",
    "international": "国际",
    "trading": "贸易",
    "trade": "贸易",
    "import": "进口",
    "export": "出口",
    "technology": "技术",
    "industry": "工业",
    "industries": "工业",
    "industrial": "实业",
    "machinery": "机械",
    "precision": "精密",
    "electronics": "电子",
    "electronic": "电子",
    "group": "集团",
    "shipping": "航运",
    "chemical": "化工",
    "chemicals": "化工",
    "energy": "能源",
    "petroleum": "石油",
    "investment": "投资",
    "development": "发展",
    "logistics": "物流",
    "materials": "材料",
    "metals": "金属",
    "minerals": "矿产",
    "metallurgy": "冶金",
    "equipment": "设备",
    "instruments": "仪器",
    "aviation": "航空",
    "aerospace": "航天",
    "holding": "控股",
    "holdings": "控股",
    "engineering": "工程",
    "manufacturing": "制造",
    "institute": "研究所",
    "university": "大学",
    "bank": "银行",
    "communication": "通信",
    "communications": "通信",
    "heavy": "重",
    "north": "北方",
    "south": "南方",
    "services": "服务",
    "management": "管理",
    "consulting": "咨询",
    "transport": "运输",
    "nuclear": "核",
    "science": "科学",
    "economic": "经济",
    "hong": "香",
    "kong": "港",
    "new": "新",
    "great": "长",
    "wall": "城",
}
_ZH_LEGAL = ("有限公司", "有限公司", "公司", "有限責任公司", "股份有限公司")

_REAL_COMPANIES = """Siemens AG; Toyota Motor Corporation; Nestle S.A.; Unilever PLC;
Samsung Electronics Co Ltd; Sony Group Corporation; BASF SE; Bosch GmbH; Volkswagen AG;
Honda Motor Co Ltd; Nokia
Oyj; Ericsson AB; ABB Ltd; Schneider Electric SE; Philips NV; Bayer AG; Novartis AG; Roche
Holding AG; Shell plc; BP plc; TotalEnergies SE; Chevron Corporation; ExxonMobil Corporation;
Microsoft Corporation; Apple Inc; Alphabet Inc; Amazon.com Inc; Intel Corporation; Cisco Systems
Inc; Oracle Corporation; IBM Corporation; Hewlett Packard Enterprise; Dell Technologies Inc;
General Electric Company; Caterpillar Inc; Deere and Company; 3M Company; Honeywell
International Inc; Boeing Company; Airbus SE; Rolls-Royce Holdings plc; Thales Group; Safran SA;
Leonardo SpA; Saab AB; Lockheed Martin Corporation; Raytheon Technologies; Northrop Grumman
Corporation; BAE Systems plc; Mitsubishi Heavy Industries Ltd; Kawasaki Heavy Industries;
Hitachi Ltd; Toshiba Corporation; Panasonic Holdings Corporation; Canon Inc; Nikon Corporation;
Olympus Corporation; Fujifilm Holdings; Kyocera Corporation; Murata Manufacturing Co Ltd; TDK
Corporation; LG Electronics Inc; Hyundai Motor Company; Kia Corporation; SK Hynix Inc; POSCO
Holdings; Tata Steel Limited; Infosys Limited; Wipro Limited; Reliance Industries Limited;
Larsen and Toubro Limited; Mahindra and Mahindra; Bharat Electronics Limited; Petrobras;
Vale SA; Embraer SA; Grupo Bimbo; Cemex SAB de CV; America Movil; Telefonica SA; Iberdrola SA;
Banco Santander SA; BBVA; Deutsche Bank AG; Commerzbank AG; Allianz SE; Munich Re; AXA SA; BNP
Paribas SA; Credit Agricole SA; Barclays PLC; HSBC Holdings plc; Standard Chartered PLC; UBS
Group AG; ING Groep NV; Rabobank; Nordea Bank Abp; Danske Bank; Carlsberg A/S; Heineken NV;
Anheuser-Busch InBev; Diageo plc; Pernod Ricard; LVMH; Kering SA; Hermes International; Adidas
AG; Puma SE; Inditex; H and M Hennes and Mauritz AB; IKEA; Electrolux AB; Volvo AB; Scania AB;
Atlas Copco AB; Sandvik AB; SKF AB; Husqvarna AB; Alfa Laval AB; Hexagon AB; Maersk; Novo
Nordisk A/S; Vestas Wind Systems; Orsted A/S; Equinor ASA; Norsk Hydro ASA; Yara International
ASA; Telenor ASA; Kone Oyj; Wartsila Oyj; UPM-Kymmene Oyj; Stora Enso Oyj; Neste Oyj; Fortum
Oyj; Lenovo Group Limited; Haier Smart Home Co Ltd; Midea Group Co Ltd; Gree Electric
Appliances; BYD Company Limited; Geely Automobile Holdings; Tencent Holdings Limited; Alibaba
Group Holding Limited; Baidu Inc; JD.com Inc; NetEase Inc; Xiaomi Corporation; Ping An
Insurance; China Merchants Bank; Anta Sports Products; Li Ning Company Limited; Tsingtao
Brewery; Moutai; Wuliangye Yibin; Sinopec Shanghai Petrochemical; Contemporary Amperex
Technology; Shenzhou International Group; Fuyao Glass Industry Group; Sany Heavy Industry;
Zoomlion Heavy Industry; Weichai Power; Yili Industrial Group; Mengniu Dairy; Foxconn Industrial
Internet; TSMC; MediaTek Inc; Acer Inc; Asustek Computer Inc; Quanta Computer Inc; Pegatron
Corporation; Wistron Corporation; Delta Electronics Inc; Largan Precision; Giant Manufacturing;
Evergreen Marine Corporation; Yang Ming Marine Transport; Singapore Airlines; Keppel
Corporation; Sembcorp Industries; DBS Group Holdings; Oversea-Chinese Banking Corporation;
Jardine Matheson Holdings; Swire Pacific Limited; CK Hutchison Holdings; Li and Fung Limited;
Techtronic Industries; Cathay Pacific Airways; MTR Corporation; Hang Seng Bank; Sun Hung Kai
Properties; Henderson Land Development; New World Development; Woolworths Group; Wesfarmers;
BHP Group; Rio Tinto; Fortescue Metals Group; Qantas Airways; Telstra Group; Commonwealth Bank
of Australia; Westpac Banking Corporation; Fonterra Co-operative Group; Air New Zealand;
Shopify Inc; Bombardier Inc; CAE Inc; Magna International; Thomson Reuters; Nutrien Ltd;
Barrick Gold Corporation; Sasol Limited; Naspers Limited; MTN Group; Anglo American plc; De
Beers Group; Dangote Cement; Safaricom PLC; Ethiopian Airlines; Emirates Airline; Etihad
Airways; Qatar Airways; Saudi Aramco; SABIC; Turkish Airlines; Koc Holding; Arcelik AS; Aselsan
AS; Elbit Systems Ltd; Teva Pharmaceutical Industries; Check Point Software Technologies"""

_LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Muller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Dubois",
    "Durand",
    "Bernard",
    "Rossi",
    "Russo",
    "Ferrari",
    "Esposito",
    "Bianchi",
    "Silva",
    "Santos",
    "Oliveira",
    "Pereira",
    "Kowalski",
    "Nowak",
    "Novak",
    "Horvat",
    "Nagy",
    "Papadopoulos",
    "Jensen",
    "Hansen",
    "Nielsen",
    "Larsen",
    "Andersson",
    "Johansson",
    "Virtanen",
    "Korhonen",
    "Sato",
    "Suzuki",
    "Takahashi",
    "Tanaka",
    "Watanabe",
    "Nakamura",
    "Kobayashi",
    "Yamamoto",
    "Nguyen",
    "Tran",
    "Pham",
    "Kumar",
    "Sharma",
    "Patel",
    "Singh",
    "Gupta",
    "Okafor",
    "Mensah",
    "Mwangi",
    "Kamau",
    "Ochieng",
    "Wang",
    "Zhang",
    "Liu",
    "Yang",
    "Huang",
    "Zhao",
    "Zhou",
    "Wu",
    "Sun",
    "Ma",
    "Hu",
    "Guo",
    "He",
    "Gao",
    "Lin",
    "Luo",
    "Zheng",
    "Liang",
    "Xie",
    "Song",
    "Tang",
    "Han",
    "Feng",
    "Deng",
    "Cao",
]
_FIRST_NAMES = [
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "Michael",
    "Jennifer",
    "William",
    "Linda",
    "David",
    "Elizabeth",
    "Richard",
    "Barbara",
    "Joseph",
    "Susan",
    "Thomas",
    "Jessica",
    "Charles",
    "Sarah",
    "Daniel",
    "Karen",
    "Hans",
    "Klaus",
    "Pierre",
    "Jean",
    "Luca",
    "Marco",
    "Giulia",
    "Sofia",
    "Pedro",
    "Ana",
    "Joao",
    "Piotr",
    "Jan",
    "Eva",
    "Peter",
    "Lars",
    "Erik",
    "Anders",
    "Mikko",
    "Hiroshi",
    "Takeshi",
    "Yuki",
    "Kenji",
    "Minh",
    "Thanh",
    "Rajesh",
    "Priya",
    "Amit",
    "Sunita",
    "Chinedu",
    "Kwame",
    "Amara",
    "Wanjiru",
    "Olga",
    "Sergei",
    "Dmitri",
    "Natalia",
    "Xiaoming",
    "Lihua",
    "Jianguo",
    "Guoqiang",
    "Xiuying",
    "Yanping",
    "Haitao",
    "Zhiwei",
    "Jing",
    "Lei",
    "Tao",
    "Yan",
    "Hua",
    "Ming",
    "Jun",
    "Fang",
    "Min",
    "Hong",
    "Yun",
]
_BRAND_BANK = [
    "Sunrise",
    "Harbor",
    "Maple",
    "Falcon",
    "Summit",
    "Orchid",
    "Crystal",
    "Meadow",
    "Beacon",
    "Cedar",
    "Lotus",
    "Pioneer",
    "Aurora",
    "Granite",
    "Willow",
    "Horizon",
    "Coral",
    "Emerald",
    "Silverline",
    "Bluebird",
    "Redwood",
    "Northstar",
    "Ivory",
    "Amber",
    "Saffron",
    "Juniper",
    "Cobalt",
    "Topaz",
    "Zephyr",
]
_DIRECTIONS = {
    "north": "South",
    "south": "North",
    "east": "West",
    "west": "East",
    "northern": "Southern",
    "southern": "Northern",
    "eastern": "Western",
    "western": "Eastern",
}
_HAND_LOOKALIKES = (
    "China South Industries Group Corporation",
    "China Precision Instruments Import Export Corporation",
    "Dalian Sunrise Industry and Trade Co Ltd",
    "Korea Mining Exploration Trading Corporation",
    "China National Electrical Import Export Corporation",
    "Limmex Economic and Trade Company",
)


@cache
def _syllable_characters() -> dict[str, list[str]]:
    """Pinyin syllable -> the commonest characters read that way (per pypinyin, one character
    at a time). How often a character occurs in pypinyin's phrase dictionary stands in for
    its frequency, so names use everyday characters, not rare ones."""
    frequency = Counter(char for phrase in phrases_dict for char in phrase)
    readings: dict[str, list[str]] = {}
    for code in range(0x4E00, 0x9FA6):
        char = chr(code)
        reading = lazy_pinyin(char)[0]
        if reading.isalpha() and reading != char and frequency[char] >= 3:
            readings.setdefault(reading, []).append(char)
    return {s: sorted(chars, key=lambda c: -frequency[c])[:12] for s, chars in readings.items()}


def pinyin_syllables(token: str) -> list[str] | None:
    """`token` (lower-case) cut into pinyin syllables, longest first with backtracking; None
    when it is not pinyin."""
    syllables = _syllable_characters()

    @cache
    def cut(rest: str) -> tuple[str, ...] | None:
        if not rest:
            return ()
        for size in range(min(6, len(rest)), 0, -1):
            head = rest[:size]
            if head in syllables and (tail := cut(rest[size:])) is not None:
                return (head, *tail)
        return None

    found = cut(token.lower())
    return list(found) if found else None


def _names(entry: ListEntry) -> Iterator[str]:
    yield entry.name
    for alias in entry.aliases:
        if alias.strength is not AliasStrength.WEAK:
            yield alias.name


def _words(name: str) -> list[str]:
    return name.split()


def _content_words(name: str) -> list[str]:
    return [w for w in name.split() if re.sub(r"[^a-z]", "", w.lower()) not in LEGAL_TOKENS]


def _is_chinese(entry: ListEntry) -> bool:
    """Listed with an address or nationality in China, Hong Kong, Macau or Taiwan."""
    return any(c.lower() in _CHINESE_PLACES for c in entry.countries)


_CHINESE_PLACES = {"china", "hong kong", "macau", "taiwan", "cn", "hk", "tw", "mo"}


def _is_latin(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9 ,.&'()/\-]+", name))


class Generator:
    """Makes the labelled queries for `lists` with a fixed `seed`, at most `per_category`
    queries per category."""

    def __init__(self, lists: list[LoadedList], seed: int = 4, per_category: int = 250) -> None:
        self.lists = lists
        self.random = random.Random(seed)
        self.per_category = per_category
        self.to_traditional = opencc.OpenCC("s2t")
        self.listed_forms = {
            form.tokens
            for loaded in lists
            for entry in loaded.entries
            for name in (entry.name, *(a.name for a in entry.aliases), *entry.original_script_names)
            for form in normalize_name(name)
        }

    def generate(self) -> list[LabelledQuery]:
        """All categories, positives then negatives."""
        entries = [e for loaded in self.lists for e in loaded.entries]
        self.random.shuffle(entries)
        people = [e for e in entries if e.type is EntryType.INDIVIDUAL]
        firms = [e for e in entries if e.type is EntryType.ENTITY]
        chinese_people = [
            e for e in people if _is_chinese(e) and self._chinese_person_parts(e.name)
        ]
        chinese_firms = [e for e in firms if _is_chinese(e)]
        makers: dict[str, tuple[list[ListEntry], Callable[[str], str | None]]] = {
            "exact": (entries, lambda n: n),
            "word_order": (people, self._word_order),
            "legal_form": (firms, self._legal_form),
            "abbreviation": (firms, self._abbreviate),
            "extra_word": (entries, self._extra_word),
            "dropped_word": (entries, self._drop_word),
            "typo": (entries, self._typo),
            "wade_giles": (chinese_people, self._wade_giles),
            "pinyin_split": (chinese_people, self._pinyin_split),
            "chinese_person": (chinese_people, self._chinese_person),
            "chinese_company": (chinese_firms, self._chinese_company),
            "acronym": (firms, self._acronym),
        }
        queries: list[LabelledQuery] = []
        for category, (pool, make) in makers.items():
            queries += self._positives(category, pool, make)
        queries += self._listed_chinese_names(entries)
        queries += self._negatives()
        return queries

    def _positives(
        self, category: str, pool: Iterable[ListEntry], make: Callable[[str], str | None]
    ) -> list[LabelledQuery]:
        made: list[LabelledQuery] = []
        for entry in pool:
            if len(made) >= self.per_category:
                break
            names = [n for n in _names(entry) if _is_latin(n)]
            if not names:
                continue
            name = self.random.choice(names)
            text = make(name)
            if text and (text != name or category == "exact"):
                made.append(LabelledQuery(category, text, (entry.list_name, entry.source_id), name))
        return made

    def _listed_chinese_names(self, entries: list[ListEntry]) -> list[LabelledQuery]:
        """Chinese-script names the lists carry, switched between simplified and traditional."""
        made = []
        to_simple = opencc.OpenCC("t2s")
        for entry in entries:
            for name in entry.original_script_names:
                if re.search(r"[\u4e00-\u9fff]", name) and entry.type is EntryType.ENTITY:
                    other = to_simple.convert(name)
                    other = other if other != name else self.to_traditional.convert(name)
                    made.append(
                        LabelledQuery(
                            "chinese_company", other, (entry.list_name, entry.source_id), name
                        )
                    )
        return made

    # Positive makers: each returns the changed name, or None when the change does not apply.

    def _word_order(self, name: str) -> str | None:
        if "," not in name:
            return None
        surname, given = (part.strip() for part in name.split(",", 1))
        return f"{given} {surname}" if given else None

    def _legal_form(self, name: str) -> str | None:
        words = _words(name)
        content = _content_words(name)
        if len(content) < 1 or len(content) == len(words):
            return f"{name} {self.random.choice(_LEGAL_SWAPS)}"
        stripped = " ".join(content).rstrip(",")
        if self.random.random() < 0.5:
            return stripped
        return f"{stripped} {self.random.choice(_LEGAL_SWAPS)}"

    def _abbreviate(self, name: str) -> str | None:
        words = _words(name)
        changed = False
        out = []
        for word in words:
            key = word.lower().strip(",.")
            if key in _ABBREVIATE:
                out.append(_ABBREVIATE[key] + ("," if word.endswith(",") else ""))
                changed = True
            else:
                out.append(word)
        text = " ".join(out).replace("IMPORT AND EXPORT", "I/E").replace("Import and Export", "I/E")
        return text if changed else None

    def _extra_word(self, name: str) -> str | None:
        if "," in name:  # a person: add a given name
            return f"{name} {self.random.choice(_GIVEN_NAMES)}"
        content = _content_words(name)
        if not content:
            return None
        return f"{' '.join(content)} {self.random.choice(_EXTRA_WORDS)}"

    def _drop_word(self, name: str) -> str | None:
        content = [w for w in _content_words(name.replace(",", " ")) if len(w) > 1]
        if len(content) < 3:
            return None
        drop = self.random.randrange(1, len(content))
        return " ".join(w for i, w in enumerate(content) if i != drop)

    def _typo(self, name: str) -> str | None:
        words = _words(name)
        long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not long_words:
            return None
        i = self.random.choice(long_words)
        word = words[i]
        at = self.random.randrange(1, len(word) - 1)
        how = self.random.choice(("substitute", "delete", "transpose", "double"))
        if how == "substitute":
            letter = self.random.choice("aeioustnrl".replace(word[at].lower(), ""))
            word = word[:at] + (letter.upper() if word.isupper() else letter) + word[at + 1 :]
        elif how == "delete":
            word = word[:at] + word[at + 1 :]
        elif how == "transpose":
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        else:
            word = word[:at] + word[at] + word[at:]
        words[i] = word
        return " ".join(words)

    def _chinese_person_parts(self, name: str) -> list[list[str]] | None:
        """Syllables of each name part of a pinyin person name ("LI, Fangwei")."""
        if "," not in name or not _is_latin(name):
            return None
        parts = re.split(r"[\s,\-]+", name.strip())
        cut = [pinyin_syllables(p) for p in parts if p]
        if not cut or any(c is None for c in cut) or not 2 <= sum(len(c or []) for c in cut) <= 4:
            return None
        return [c for c in cut if c]

    def _wade_giles(self, name: str) -> str | None:
        from npdesk.screening.chinese import SYLLABLE_VARIANTS

        to_wg: dict[str, list[str]] = {}
        for spelling, pinyin in SYLLABLE_VARIANTS.items():
            if spelling != pinyin:
                to_wg.setdefault(pinyin, []).append(spelling)
        parts = self._chinese_person_parts(name)
        if not parts:
            return None
        changed = False
        out = []
        for part in parts:
            syllables = []
            for syllable in part:
                if syllable in to_wg:
                    syllables.append(self.random.choice(to_wg[syllable]))
                    changed = True
                else:
                    syllables.append(syllable)
            out.append("-".join(syllables).capitalize())
        return " ".join(out) if changed else None

    def _pinyin_split(self, name: str) -> str | None:
        parts = self._chinese_person_parts(name)
        if not parts:
            return None
        surname, given = parts[0], [s for part in parts[1:] for s in part]
        if len(given) < 2:
            return None
        style = self.random.choice(("spaced", "hyphen", "joined"))
        if style == "spaced":
            given_text = " ".join(s.capitalize() for s in given)
        elif style == "hyphen":
            given_text = "-".join(given).capitalize()
        else:
            given_text = "".join(given).capitalize()
        joined = "".join(surname).capitalize()
        text = f"{given_text} {joined}" if self.random.random() < 0.5 else f"{joined} {given_text}"
        return text

    def _characters_for(self, syllables: list[str]) -> str | None:
        readings = _syllable_characters()
        for _attempt in range(5):
            if any(s not in readings for s in syllables):
                return None
            text = "".join(self.random.choice(readings[s]) for s in syllables)
            if lazy_pinyin(text) == syllables:
                return text
        return None

    def _chinese_person(self, name: str) -> str | None:
        parts = self._chinese_person_parts(name)
        if not parts:
            return None
        text = self._characters_for([s for part in parts for s in part])
        if text and self.random.random() < 0.5:
            text = self.to_traditional.convert(text)
        return text

    def _chinese_company(self, name: str) -> str | None:
        content = _content_words(name.replace(",", " ").replace("&", " and "))
        pieces = []
        for word in content:
            key = re.sub(r"[^a-z]", "", word.lower())
            if key in ("and", "of", "the", ""):
                continue
            if key in _EN_ZH:
                pieces.append(_EN_ZH[key])
                continue
            syllables = pinyin_syllables(key)
            chars = self._characters_for(syllables) if syllables else None
            if chars is None:
                return None
            pieces.append(chars)
        if len(pieces) < 2:
            return None
        text = "".join(pieces) + self.random.choice(_ZH_LEGAL)
        return self.to_traditional.convert(text) if self.random.random() < 0.3 else text

    def _acronym(self, name: str) -> str | None:
        words = [w for w in re.split(r"[\s/]+", name.replace("&", " ")) if w]
        words = [w for w in words if w.lower().strip(",.()") not in ("and", "of", "the")]
        letters = "".join(w.strip(",.()")[0] for w in words if w.strip(",.()"))
        return letters.upper() if len(letters) >= 3 and letters.isalpha() else None

    def volume(self, count: int) -> list[str]:
        """`count` distinct names for throughput runs: listed names with a typo, word-order or
        legal-form change, and invented person and firm names, shuffled."""
        entries = [e for loaded in self.lists for e in loaded.entries]
        changes = (self._typo, self._legal_form, self._word_order, self._drop_word)
        names: set[str] = set()
        while len(names) < count // 2:
            entry = self.random.choice(entries)
            changed = self.random.choice(changes)(entry.name)
            names.add(changed or entry.name)
        while len(names) < count:
            if self.random.random() < 0.5:
                parts = [self.random.choice(_FIRST_NAMES), self.random.choice(_LAST_NAMES)]
                parts.insert(1, self.random.choice("ABCDEFGHJKLMNPRSTW") + ".")
            else:
                parts = [
                    self.random.choice(_BRAND_BANK),
                    self.random.choice(_BRAND_BANK),
                    self.random.choice(_EXTRA_WORDS),
                    self.random.choice(_LEGAL_SWAPS),
                ]
            names.add(
                " ".join(parts) + f" {self.random.randrange(1000)}"
                if len(names) % 3 == 0
                else " ".join(parts)
            )
        ordered = sorted(names)
        self.random.shuffle(ordered)
        return ordered

    # Negatives.

    def _is_listed(self, text: str) -> bool:
        return any(form.tokens in self.listed_forms for form in normalize_name(text))

    def _negatives(self) -> list[LabelledQuery]:
        made: list[LabelledQuery] = []
        companies = [c.strip().replace("\n", " ") for c in _REAL_COMPANIES.split(";")]
        made += [LabelledQuery("neg_company", c, None) for c in companies if not self._is_listed(c)]
        people: set[str] = set()
        while len(people) < self.per_category:
            first, last = self.random.choice(_FIRST_NAMES), self.random.choice(_LAST_NAMES)
            people.add(f"{first} {last}" if self.random.random() < 0.6 else f"{last}, {first}")
        made += [
            LabelledQuery("neg_person", p, None) for p in sorted(people) if not self._is_listed(p)
        ]
        made += [LabelledQuery("neg_lookalike", t, None) for t in _HAND_LOOKALIKES]
        made += self._lookalikes()
        return made

    def _lookalikes(self) -> list[LabelledQuery]:
        """Listed firm names with a direction swapped or the rarest content word replaced."""
        counts: dict[str, int] = {}
        firms = [
            e
            for loaded in self.lists
            for e in loaded.entries
            if e.type is EntryType.ENTITY and _is_latin(e.name)
        ]
        for entry in firms:
            for word in set(re.findall(r"[a-z]+", entry.name.lower())):
                counts[word] = counts.get(word, 0) + 1
        made: list[LabelledQuery] = []
        for entry in firms:
            if len(made) >= self.per_category:
                break
            words = _content_words(entry.name)
            if len(words) < 2:
                continue
            lowered = [re.sub(r"[^a-z]", "", w.lower()) for w in words]
            directions = [i for i, w in enumerate(lowered) if w in _DIRECTIONS]
            if directions:
                i = directions[0]
                words[i] = _DIRECTIONS[lowered[i]]
            else:
                candidates = [i for i, w in enumerate(lowered) if len(w) >= 4]
                if not candidates:
                    continue
                i = min(candidates, key=lambda k: counts.get(lowered[k], 0))
                words[i] = self.random.choice(_BRAND_BANK)
            text = " ".join(words)
            if not self._is_listed(text):
                made.append(LabelledQuery("neg_lookalike", text, None, entry.name))
        return made
