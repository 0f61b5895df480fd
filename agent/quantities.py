"""Every quantity in a message — money, percentages, durations and counts — with its unit and what it is per.

The brief reader (`agent.understand`) used to look for each target with its own pattern and missed whatever
its patterns had not foreseen ("$5 per 1,000 articles", "a tenth of a cent per message", "right nine times out
of ten"). Here the message is read the other way round: first every quantity is found, whatever it turns out
to be, with its unit (currency, %, seconds) and its denominator (per 1,000 X, per item, per month); then the
reader places each one by its unit and context, and names what it could not place. So a number the user
stated is either in the brief or in the reply — never dropped in silence.

Works on `normalise`d text: NFKC, lower case, English number words and Chinese numerals as digits.
Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import cn2an

Kind = Literal["money", "percent", "duration", "count"]

# ---------------------------------------------------------------- normalising


_UNITS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_WORD = "|".join([*_UNITS, *_TENS, *_SCALES, "a", "an", "and"])
_NUMBER_WORDS = re.compile(r"\b(?:(?:" + _WORD + r")(?:[\s-]+|\b))+", re.I)
_FRACTIONS = {"half": 0.5, "a half": 0.5, "one half": 0.5, "a quarter": 0.25, "one quarter": 0.25,
              "quarter": 0.25, "a third": 1 / 3, "a tenth": 0.1, "one tenth": 0.1, "a fifth": 0.2,
              "a hundredth": 0.01, "three quarters": 0.75}
_FRACTION = "|".join(sorted(map(re.escape, _FRACTIONS), key=len, reverse=True))
_UNIT_NOUN = (r"second|sec|minute|min|hour|millisecond|cent|penny|dollar|buck|euro|pound|day|percent|"
              r"thousand|million|k\b|ms\b")


def _words_value(words: list[str]) -> float | None:
    """"twenty thousand" → 20000, "a hundred and five" → 105, "ninety-five" → 95; None if not a number."""
    total, current, seen = 0.0, 0.0, False
    for at, word in enumerate(words):
        if word in ("and",):
            continue
        if word in ("a", "an"):  # "a hundred" is 100, but "a two-page summary" is 2
            if at + 1 < len(words) and words[at + 1] in _SCALES:
                current = current or 1
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            scale = _SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
        else:
            return None
        seen = seen or word not in ("a", "an")
    return total + current if seen else None


def _digits(value: float) -> str:
    """A number as plain digits (never "1e+06")."""
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def _english_numbers(text: str) -> str:
    """Number words as digits, fractions of a unit as decimals ("a quarter of a second" → "0.25 second")."""
    text = re.sub(r"\b(" + _FRACTION + r")\s+(?:of\s+)?(?:a|an|one)\s+(?=" + _UNIT_NOUN + ")",
                  lambda m: f"{_FRACTIONS[m.group(1)]:g} ", text)
    text = re.sub(r"\b(\d+(?:\.\d+)?) and (?:a )?half\b", lambda m: f"{float(m.group(1)) + 0.5:g}", text)
    text = re.sub(r"\bhalf (?=(?:an? )?(?:hour|second|minute))", "0.5 ", text)
    text = re.sub(r"\b(\d+(?:\.\d+)?) (?:and )?(?:a )?half (?=" + _UNIT_NOUN + ")",
                  lambda m: f"{float(m.group(1)) + 0.5:g} ", text)

    def convert(match: re.Match) -> str:
        chunk = match.group(0)
        words = [w for w in re.split(r"[\s-]+", chunk.strip()) if w]
        # Leading/trailing "a", "and" that belong to the sentence, not the number ("a dollar" is kept below).
        lead: list[str] = []
        while words and words[0] in ("and",):
            lead.append(words.pop(0))
        trail: list[str] = []
        while words and words[-1] in ("a", "an", "and"):
            trail.insert(0, words.pop())
        if not words or all(w in ("a", "an") for w in words):
            return chunk
        following = text[match.end():match.end() + 16]
        if words == ["one"] and not re.match(r"\s*(?:" + _UNIT_NOUN + r"|out of|in \d|of every|%)", following):
            return chunk  # "each right one", "the cheap one": a pronoun, not a number
        value = _words_value(words)
        if value is None:
            return chunk
        ending = chunk[len(chunk.rstrip(" -")):][:1]  # "two-sentence" keeps its hyphen: "2-sentence"
        return " ".join([*lead, _digits(value), *trail]) + ending

    # "a few hundred", "several thousand": vague amounts stay words, to be asked about, never guessed.
    text = re.sub(r"\b(few|several|couple of|some|many|dozens of|hundreds of|thousands of) (hundred|thousand|million)",
                  r"\1 \2s-vague", text)
    text = re.sub(r"(?<![\d.,])(\d+(?:\.\d+)?)\s*(thousand|million|billion)\b",
                  lambda m: _digits(float(m.group(1)) * _SCALES[m.group(2)]), text)
    text = _NUMBER_WORDS.sub(convert, text)
    text = text.replace("s-vague", "")
    # "a dollar", "a cent", "a second" where they are amounts ("under a second", "a dollar per 1,000").
    text = re.sub(r"\b(?:a|an|one) (?=(?:dollar|buck|cent|penny|euro|pound)\b)", "1 ", text)
    text = re.sub(r"\b(within|under|below|in|than|about|around|roughly|max|maximum|at most|less than|over|"
                  r"take|takes|to|of)\s+(?:a|one) (second|minute|millisecond)\b", r"\1 1 \2", text)
    text = re.sub(r"\ba (thousand|million|billion|hundred)\b", r"1 \1", text)
    text = re.sub(r"\b(?:a )?couple (?:of )?(seconds|secs|minutes|mins)\b", r"2 \1", text)  # "a couple of seconds"
    text = re.sub(r"\bsub-?(second|minute)\b", r"under 1 \1", text)  # "real-time, sub-second"
    text = re.sub(r"\b(\d+(?:\.\d+)?) (second|minute|hour)s? and a half\b",
                  lambda m: f"{float(m.group(1)) + 0.5:g} {m.group(2)}s", text)  # "a second and a half"
    # "a dollar fifty", "two pounds twenty": the cents follow the unit
    text = re.sub(r"\b(\d+) (dollar|buck|euro|pound)s? (\d{1,2})\b(?!\s*(?:cents?|%|percent|[.,]?\d))",
                  lambda m: f"{m.group(1)}.{int(m.group(3)):02d} {m.group(2)}s", text)
    return text


_ZH_DIGITS = "零〇一二两三四五六七八九十百千万亿"
# What follows a lone Chinese numeral when it is an amount ("两秒", "三美元", "五个", "九成").
_ZH_MEASURE = r"[成千万亿秒元块分毛角厘美欧英条个次天日周月年小%点百十篇封份单件笔张宗倍类種种位名人家则段句通宗期]"
_ZH_NUMERAL = re.compile(r"[\d.]*[" + _ZH_DIGITS + r"]+(?:点[" + _ZH_DIGITS + r"]+)?")


def _chinese_numbers(text: str) -> str:
    """Chinese numerals as digits ("两秒" → "2秒", "九成五" → "9成5", "一万" → "10000", "半秒" → "0.5秒").
    Vague amounts ("几十", "上千", "数万") stay words: they are asked about, never guessed."""
    text = re.sub(r"(几|数|上|好几|成)(十|百|千|万)", lambda m: m.group(1) + {"十": "拾", "百": "佰", "千": "仟", "万": "萬"}[
        m.group(2)], text)
    text = re.sub(r"(?<![\d" + _ZH_DIGITS + r"])半(?=秒|分钟|小时|美分|分钱)", "0.5", text)
    text = re.sub(r"(\d+)个?半(?=秒|小时|分钟)", lambda m: f"{int(m.group(1)) + 0.5:g}", text)

    def convert(match: re.Match) -> str:
        chunk = match.group(0)
        after = text[match.end():match.end() + 1]
        if len(chunk) == 1 and not re.match(_ZH_MEASURE, after or "x") or text[max(0, match.start() - 1):match.start()] == "第":
            return chunk  # "一下", "统一", "第三方", "三线": words, not numbers
        if re.match(r"[一二三四五六七八九]元(?:[一二三四五六七八九十]次|方程|论|化|对立|结构|函数)", text[match.start():]):
            return chunk  # "二元一次方程": mathematics, not yuan
        if re.fullmatch(r"[千万亿百]+", chunk):
            return chunk  # "每千条", "百万": a denominator word, read where it is used
        try:
            value = cn2an.cn2an(chunk.replace("〇", "零"), "smart")
        except (ValueError, KeyError, IndexError):
            return chunk
        return _digits(float(value))

    text = re.sub("百分之([" + _ZH_DIGITS + r"\d.点]+)",
                  lambda m: convert(re.match(r".*", m.group(1))) + "%", text)  # type: ignore[arg-type]
    text = _ZH_NUMERAL.sub(convert, text)
    text = re.sub(r"(?<![\d.])(\d)\s*毛\s*(\d|[一二三四五六七八九])(?![\d万千百%条个次份篇封天分])",
                  lambda m: f"0.{m.group(1)}{_tenth(m.group(2))}元", text)  # "两毛五": 0.25 元
    # "1块5", "两块五毛": yuan and tenths said the spoken way
    return re.sub(r"(?<![\d.])(\d+)\s*(块|元)\s*(\d|[一二三四五六七八九])(?:毛|角)?(?![\d万千百%条个次份篇封天])|"
                  r"(?<![\d.])(\d+)\s*(块|元)\s*(\d|[一二三四五六七八九])(?:毛|角)",
                  lambda m: f"{m.group(1) or m.group(4)}.{_tenth(m.group(3) or m.group(6))}{m.group(2) or m.group(5)}", text)


def _tenth(digit: str) -> str:
    return digit if digit.isdigit() else str("一二三四五六七八九".index(digit) + 1)


def _short_thousands(match: re.Match) -> str:
    """"一万二" is 12,000 and "三千五" 3,500: the digit after 万 / 千 counts the next unit down."""
    value = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    unit = 10000 if match.group(2) == "万" else 1000
    return str(value[match.group(1)] * unit + value[match.group(3)] * unit // 10)


def normalise(text: str) -> str:
    """NFKC, lower case, number words and Chinese numerals as digits, thin spaces folded."""
    text = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").replace("’", "'").lower()
    text = re.sub(r"(?<![\d零〇一二两三四五六七八九十百千万])([一二两三四五六七八九])(万|千)([一二三四五六七八九])"
                  r"(?![千百十零〇一二两三四五六七八九\d])", _short_thousands, text)  # 一万二 = 12000
    text = _chinese_numbers(text)
    text = re.sub(r"(\d+)秒半", lambda m: f"{int(m.group(1)) + 0.5:g}秒", text)  # 一秒半
    # "年预算三万六": a budget said in Chinese without its currency is in yuan
    text = re.sub(r"(预算(?:是|为|大概|大约|约|有|给了?)?\s*)(\d+(?:\.\d+)?)(?![\d.]|\s*(?:美元|美金|元|块|刀|欧元|英镑|万|千|%|"
                  r"条|个|k\b|usd|rmb|cny|eur|gbp|dollars?|euros?|pounds?))", r"\1\2元", text)
    text = re.sub(r"(\d+)分半钟", lambda m: f"{int(m.group(1)) + 0.5:g}分钟", text)  # 一分半钟
    return _english_numbers(text)


def original_words(original: str, snippet: str) -> str:
    """The user's own words for a snippet of the normalised text ("9 times out of 10" → "nine times out of
    ten", "9成5" → "九成五"): the smallest window around the snippet's own words that normalises to it (the
    snippet itself when none does). Bounded: a few tokens either side of the anchor, so it costs microseconds."""
    folded = unicodedata.normalize("NFKC", original)
    low = folded.lower()
    if snippet in low:
        start = low.index(snippet)
        return folded[start:start + len(snippet)]
    literal = max(re.split(r"[\d.,]+", snippet), key=len).strip()
    anchor = low.find(literal) if literal else -1
    if anchor < 0:
        return snippet
    tokens = [(m.start(), m.end()) for m in re.finditer(r"[a-z]+|\d+(?:[.,]\d+)*|[\u4e00-\u9fff]|\S", low)]
    lefts = [a for a, _ in tokens if a <= anchor][-6:][::-1]
    rights = [b for _, b in tokens if b >= anchor + len(literal)][:6]
    for span in range(len(lefts) + len(rights)):  # fewest added tokens first
        for i in range(min(span, len(lefts) - 1) + 1):
            j = span - i
            if j >= len(rights) or i >= len(lefts):
                continue
            window = folded[lefts[i]:rights[j]]
            if normalise(window).strip() == snippet:
                return window.strip()
    return snippet


# ---------------------------------------------------------------- finding


DENOMINATOR = "denominator"  # `Quantity.placed` of a count that is a price's "per 1,000"


@dataclass
class Quantity:
    """One quantity of a message. `value` is in the unit's base: money in its currency, durations in seconds,
    percentages as a share (0–1), counts as a number."""

    kind: Kind
    value: float
    start: int
    end: int
    text: str
    currency: str | None = None
    # What the amount is per: items (1 = each item, 1000 = per 1,000), or a period in days (a budget per month).
    per_items: float | None = None
    per_days: float | None = None
    per_tokens: bool = False
    # Set by the reader: where it went (a brief field or a fact), or why it went nowhere.
    placed: str | None = None
    extra: dict = field(default_factory=dict)


_N = r"(?<![a-z0-9_.])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
NUM = "(" + _N + ")"
_MULT = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mil": 1e6, "million": 1e6, "b": 1e9,
         "bn": 1e9, "billion": 1e9, "千": 1e3, "万": 1e4, "w": 1e4, "亿": 1e8, "百万": 1e6, "千万": 1e7}
_M = r"(?:\s*(?:k|thousand|mm|mn|mil|million|bn|billion|m|b|w)(?![a-z])|百万|千万|万|千|亿)"
MULT = "(" + _M + ")?"

# Currency words → (ISO code, factor to the currency's main unit). "¥" is read as 元: the product's second
# language is Chinese, and a yen amount is told by "yen"/"円", which no brief here has used.
_CURRENCY_BEFORE = [(r"us\$|\$|usd|us dollars?", "USD"), (r"¥|rmb|cny|人民币", "CNY"), (r"€|eur", "EUR"),
                    (r"£|gbp", "GBP")]
_CURRENCY_AFTER = [
    (r"euro ?cents?", "EUR", 0.01), (r"(?:us )?dollars?|bucks?|usd|us\$|美元|美金|刀", "USD", 1.0),
    (r"cents?|¢|美分", "USD", 0.01), (r"元人民币|块钱|块|元|人民币|rmb|cny|yuan", "CNY", 1.0), (r"毛钱?|角", "CNY", 0.1),
    (r"分钱|fen\b", "CNY", 0.01), (r"mao\b|jiao\b", "CNY", 0.1), (r"厘钱?", "CNY", 0.001), (r"euros?|eur|€|欧元", "EUR", 1.0),
    (r"pounds?|quid|gbp|£|英镑", "GBP", 1.0),
    (r"pence|p\b", "GBP", 0.01)]
_PRE = "|".join(p for p, _ in _CURRENCY_BEFORE)
_POST = "|".join(p for p, _, _ in _CURRENCY_AFTER)
_MONEY = re.compile(r"(?P<pre>" + _PRE + r")\s*(?P<n1>" + _N + r")(?P<m1>" + _M + r")?(?:\s*(?P<post1>" + _POST +
                    r")(?![a-z]))?|(?P<n2>" + _N + r")(?P<m2>" + _M + r")?\s*(?P<post2>" + _POST + r")(?![a-z])")


def _currency_of(pre: str | None, post: str | None) -> tuple[str, float]:
    """The currency and the factor to its main unit of a sign before and a word after an amount."""
    code, factor = None, 1.0
    if post:
        code, factor = next((c, f) for p, c, f in _CURRENCY_AFTER if re.fullmatch(p, post.strip()))
    if pre:
        before = next(c for p, c in _CURRENCY_BEFORE if re.fullmatch(p, pre.strip()))
        code = code if code is not None and factor != 1.0 else before
    return code or "USD", factor


_PERCENT = re.compile(NUM + r"\s*(?:%|percent\b|per cent\b|pct\b|个点|个百分点)")
_TENTHS = re.compile(r"(?<![\d.])(\d)成([\d一二三四五六七八九])?(?!\d)")
_OUT_OF = re.compile(NUM + r"\s*(?:times\s+)?(?:out of|in|of every|of)\s+(\d+)(?:\s+times)?(?=\W|$)")
_DURATION = re.compile(NUM + r"\s*(ms(?![a-z])|msec\w*|millisec\w*|毫秒|seconds?(?![a-z])|secs?(?![a-z])|s(?![a-z])|秒钟?|"
                       r"minutes?(?![a-z])|mins?(?![a-z])|分钟|hours?(?![a-z])|hrs?(?![a-z])|h(?![a-z])|小时|"
                       r"days?(?![a-z])|天)(?!/)")
_COUNT = re.compile(NUM + MULT)
# What follows a four-digit number that counts things ("2000封", "2024 tickets a day") rather than naming a year.
_COUNTED = re.compile(r"\s*(?:[\u4e00-\u9fff](?<![年月])|items?|rows?|messages?|emails?|tickets?|requests?|calls?|"
                      r"documents?|[a-z]+ (?:a|per) )")

PERIODS = {"hour": 1 / 24, "hr": 1 / 24, "h": 1 / 24, "day": 1, "daily": 1, "business day": 1, "workday": 1,
           "night": 1, "nightly": 1, "week": 7, "weekly": 7, "wk": 7, "month": 30, "monthly": 30, "mo": 30, "quarter": 91, "year": 365,
           "yearly": 365, "annually": 365, "annum": 365, "yr": 365, "小时": 1 / 24, "天": 1, "日": 1, "工作日": 1,
           "周": 7, "星期": 7, "礼拜": 7, "月": 30, "个月": 30, "季度": 91, "年": 365, "秒": 1 / 86400, "分钟": 1 / 1440,
           "second": 1 / 86400, "sec": 1 / 86400, "minute": 1 / 1440, "min": 1 / 1440}
_PERIOD_EN = r"(second|sec|minute|min|hour|hr|business day|workday|day|night|week|wk|month|mo|quarter|year|yr|annum)s?\b"
_PERIOD_AFTER = re.compile(r"\s*(?:(?:a|an|per|each|every|/|in a|in one|over a|for a|for the)\s*" + _PERIOD_EN +
                           r"|(daily|weekly|monthly|yearly|annually))")
_PERIOD_ZH_AFTER = re.compile(r"\s*(?:/|每|一)\s*(小时|天|日|工作日|周|星期|月|个月|季度|年)")
_PERIOD_ZH_BEFORE = re.compile(r"(?:每|一|1|单)(?:个)?(秒|分钟|小时|天|日|工作日|周|星期|礼拜|月|季度|年)|(日|月|周|年)均|(日|月|年)度?(?:处理|调用量|请求量|量|预算)|(?:这个|本|这一)(季度|月|年)")

# Denominators of a price: how many items an amount is for.
_PER_ITEMS_EN = [
    (r"(?:1,?000,?000|1m|1mm|one million|a million|million|mil)\b", 1e6),
    (r"(?:10,?000|10k|ten thousand)\b", 1e4),
    (r"(?:1,?000|1k|k|thousand|one thousand|a thousand|1 thousand)\b", 1e3),
    (r"(?:100|hundred|a hundred|one hundred)\b", 100),
]
_DENOM_PREFIX = r"(?:/\s*|per\s+|for every\s+|for each\s+|every\s+|each\s+|for\s+|a\s+|an\s+|in\s+)"
_ITEM_NOUN = r"(?!(?:" + _PERIOD_EN + r"|daily|monthly|tokens?|person|user|seat|head|the\b|our\b|this\b|that\b|it\b|" \
             r"mistake|error|wrong|right|correct|one\b|month)\b)(?![a-z]+ing\b)[^\W\d_][\w-]{2,}"
_PER_ITEMS_ZH = [(r"每(?:一)?百万(?:条|个|次|篇|封)?|每1000000(?:条|个)?|百万条|每100万条", 1e6),
                 (r"每(?:一)?万(?:条|个|次|篇|封|单|件)|每10000(?:条|个|次)?|万条", 1e4),
                 (r"每(?:一)?千(?:条|个|次|篇|封|单|件|张|份|笔|则)?|每1000(?:条|个|次|篇|封|单|件)?|(?:一|1)?千条|"
                  r"1000条", 1e3),
                 (r"每(?:一)?百(?:条|个|次)", 100),
                 (r"每(?:一|1)?(?:条|个(?!月|星期|季度|小时|工作日)|次|篇|封|张|单|份|件|笔|则|段|句|通|宗|次请求|次调用|个请求|请求|调用)|"
                  r"单(?:条|次|篇|封)|"
                  r"(?:一|1)(?:条|次|篇|封)", 1)]


def _multiplier(match: re.Match, group: int) -> float:
    return _MULT.get((match.group(group) or "").strip(), 1.0)


def _amount(raw: str) -> float:
    return float(raw.replace(",", ""))


def _taken(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < b and a < end for a, b in spans)


def find_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text` (already `normalise`d), left to right, spans not overlapping."""
    found: list[Quantity] = []
    spans: list[tuple[int, int]] = []

    def add(q: Quantity) -> None:
        if not _taken(spans, q.start, q.end):
            found.append(q)
            spans.append((q.start, q.end))

    for m in _OUT_OF.finditer(text):
        right, whole = _amount(m.group(1)), _amount(m.group(2))
        if 2 <= whole <= 1000 and 0 < right <= whole and re.search(
                r"right|correct|accura|times|get|should|need|must|answer|usable|good|great|acceptable|ok\b|fine|enough|"
                r"would be|target|aim|goal",
                text[max(0, m.start() - 40):m.end() + 30]):
            add(Quantity("percent", right / whole, m.start(), m.end(), m.group(0)))
    for m in re.finditer(NUM + r"\s*(?:errors?|mistakes?|wrong(?: answers?)?|misses|错|次错)\s*(?:in|out of|per|every|for "
                         r"every)\s*(\d+)", text):
        wrong, whole = _amount(m.group(1)), _amount(m.group(2))
        if whole in (10, 20, 50, 100, 1000) and wrong < whole:
            add(Quantity("percent", 1 - wrong / whole, m.start(), m.end(), m.group(0), extra={"error_rate": True}))
    for m in re.finditer(r"(\d+)\s*(?:次|条|个|篇|份|封)?(?:里|中|当中|里面)[^\d,，。]{0,6}?错[^\d,，。]{0,6}?(\d+)", text):
        whole, wrong = _amount(m.group(1)), _amount(m.group(2))
        if whole in (10, 20, 50, 100, 1000) and wrong < whole:
            add(Quantity("percent", 1 - wrong / whole, m.start(), m.end(), m.group(0), extra={"error_rate": True}))
    for m in re.finditer(r"(\d+)\s*次(?:里|中|当中)?[^\d,，。]{0,3}?(?:对|答对|做对|判对|准|正确)\s*(\d+)\s*次?", text):
        whole, right = _amount(m.group(1)), _amount(m.group(2))  # "十次对九次": right nine times in ten
        if 2 <= whole <= 1000 and 0 < right <= whole:
            add(Quantity("percent", right / whole, m.start(), m.end(), m.group(0)))
    for m in _PERCENT.finditer(text):
        add(Quantity("percent", _amount(m.group(1)) / 100, m.start(), m.end(), m.group(0), extra={"sign": True}))
    for m in _TENTHS.finditer(text):
        tenth = _tenth(m.group(2)) if m.group(2) else ""
        add(Quantity("percent", float(f"0.{m.group(1)}{tenth}"), m.start(), m.end(), m.group(0)))
    for m in _MONEY.finditer(text):
        currency, factor = _currency_of(m.group("pre"), m.group("post1") or m.group("post2"))
        number, mult = (m.group("n1"), m.group("m1")) if m.group("n1") else (m.group("n2"), m.group("m2"))
        value = _amount(number) * _MULT.get((mult or "").strip(), 1.0) * factor
        add(Quantity("money", value, m.start(), m.end(), m.group(0).strip(), currency=currency))
    for m in _DURATION.finditer(text):
        unit = m.group(2)
        deadline = re.search(r"within|under|in|less than|turnaround|内|以内", text[max(0, m.start() - 14):m.start()])
        if re.match(r"天|days?", unit) and not deadline:  # "3 days" is a duration only for a deadline
            continue
        scale = (0.001 if re.match(r"ms|msec|millisec|毫秒", unit) else 60 if re.match(r"min|分钟", unit)
                 else 3600 if re.match(r"hours?|hrs?|h\b|小时", unit) else 86400 if re.match(r"天|day", unit) else 1)
        if unit == "h" and not re.search(r"\d\s*h\b", m.group(0)):
            continue
        add(Quantity("duration", _amount(m.group(1)) * scale, m.start(), m.end(), m.group(0)))
    for m in _COUNT.finditer(text):
        if _taken(spans, m.start(), m.end()):
            continue
        raw = m.group(1)
        after = text[m.end():m.end() + 2]
        before = text[max(0, m.start() - 1):m.start()]
        clock = before == ":" and re.search(r"\d:$", text[:m.start()])  # "9:30", not "准确率:90"
        if re.match(r"[-:/]\d|\.\d", after) and not re.match(r"/\s*(?:day|d\b)", after) or before in ("-", "v") or clock:
            continue  # dates, times, versions, ids ("2026-11-12", "9:30", "v2")
        if re.match(r"[.)、]\s", after) and re.search(r"(?:^|\n|/)\s*$", text[:m.start()]):
            continue  # a list's number ("1. …", "2) …")
        if re.fullmatch(r"(?:19|20)\d\d", raw) and not m.group(2) and not _COUNTED.match(text[m.end():m.end() + 16]):
            continue  # a year
        value = _amount(raw) * _multiplier(m, 2)
        add(Quantity("count", value, m.start(), m.end(), m.group(0).strip()))
    found.sort(key=lambda q: q.start)
    for q in found:
        if q.placed != DENOMINATOR:  # a price read before may have taken it: "per 1,000" is not a count of its own
            _denominator(text, q, found)
    return found


# The number of tokens a price per token is for ("$0.50 per million tokens", "每百万token 4元").
_TOKEN_SCALES = [(r"百万|1000000|1m|million|\bm\b", 1e6), (r"万|10000", 1e4), (r"千|1000|1k|thousand|\bk\b", 1e3)]


def _denominator(text: str, q: Quantity, found: list[Quantity]) -> None:
    """What a money amount or a count is per: items (per 1,000, per message), a period (a month) or tokens."""
    if q.kind not in ("money", "count"):
        return
    tail = text[q.end:q.end + 48]
    head = text[max(0, q.start - 40):q.start]
    stop = re.search(r"[;!?，；。！？\n]|,(?!\d{3})|\.(?!\d)|\band\b|\bbut\b", tail)
    near = tail[:stop.start()] if stop else tail
    if q.kind == "money":
        m = re.match(r"\s*(?:of\s+|worth of\s+)?(?:(?:input|output|prompt|completion)\s+)?" + _DENOM_PREFIX + "?" +
                     r"(?:" + "|".join(p for p, _ in _PER_ITEMS_EN) + r")?\s*(?:input |output )?tokens?\b|"
                     r"\s*/\s*(?:1m|1k|m|k)?\s*tok", near)
        before = re.search(r"(?:每|/|\b(?:per|a|every)\b)\s*(百万|千|万|1000000|1000|10000|1m|1k|million|thousand)?\s*"
                           r"(?:个)?\s*(?:input |output )?tokens?[^\d，,。；;$¥€£]{0,12}$", head)
        if m or re.match(r"\s*(?:/|每)?(?:百万|千)?\s*tokens?", near) or before:
            q.per_tokens = True  # "每百万token不能超过2块钱": a price per token, never per item
            unit = (before.group(1) if before else None) or (m.group(0) if m else "")
            q.extra["per_tokens"] = next((n for w, n in _TOKEN_SCALES if re.search(w, unit or "")), None)
            return
        for pattern, items in _PER_ITEMS_EN:
            m = re.match(r"\s*(?:of\s+)?(?:usage\s+)?" + _DENOM_PREFIX + "(?:every |each )?" + pattern +
                         r"(?:\s+(?:[a-z-]+\s+){0,2}?(?!tokens?)[a-z-]+)?", near)
            if m and not re.search(r"tokens?\b", m.group(0)):
                q.per_items = items
                _consume(found, q.end, q.end + m.end())
                return
        for pattern, items in _PER_ITEMS_ZH:
            after = re.match(r"\s*(?:/|每|一)?\s*(?:" + pattern + ")", near)
            before = re.search(r"(?:" + pattern + r")(?=[^\d，,。；;\n/]{0,12}$)", head)
            if after or before:
                q.per_items = items
                if after:
                    _consume(found, q.end, q.end + after.end())
                else:
                    offset = q.start - len(head)
                    _consume(found, offset + before.start(), offset + before.end())  # type: ignore[union-attr]
                return
        m = re.match(r"\s*" + _DENOM_PREFIX + r"(?:single |individual |one )?" + _ITEM_NOUN, near)
        if not m:  # "each email can cost half a cent": the unit stands before the amount
            m = re.search(r"\b(?:each|every|per|a single|one)\s+" + _ITEM_NOUN + r"\s+(?:(?:can|should|must|may|will|"
                          r"could|would|shall) )?(?:only )?(?:cost|costs|be|is|run|runs|come to)\b[^,;.]{0,20}$", head)
        if m and not _PERIOD_AFTER.match(near):
            q.per_items = 1
            q.extra["unit"] = m.group(0).strip()
            return
        if re.search(r"(?:per|for every|every|each)\s+(?:" + "|".join(p for p, _ in _PER_ITEMS_EN[:3]) +
                     r")\s*(?:[a-z-]+\s+){0,3}?(?:(?:must|should|can|could|has to|needs? to|shall|will|would) )?"
                     r"(?:be |stay |cost |come in |remain |run |go )?(?:under|below|less than|at most|no more than|max|"
                     r"maximum|of|around|about|up to|within|is|:|=)?\s*(?:only\s+)?$", head + " "):
            for pattern, items in _PER_ITEMS_EN:
                if re.search(r"(?:per|every|each)\s+" + pattern, head):
                    q.per_items = items
                    _consume(found, q.start - 24, q.start)
                    return
    m = _PERIOD_AFTER.match(near)
    if not m and q.kind == "count":  # "20,000 orders a day": a few words between the number and its period
        m = re.match(r"\s*(?!(?:shifts?|times|people|agents|staff|employees|hours|meetings|batches|runs|days)\b)"
                     r"(?:[^\W\d_][\w-]*\s*){1,3}?(?:\ba|\ban|\bper|\beach|\bevery|/)\s*" + _PERIOD_EN, near) or re.match(
            r"\s*(?:[^\W\d_][\w-]*\s+){1,2}?(daily|weekly|monthly|yearly)\b", near)
    if m:
        word = next(g for g in m.groups() if g)
        q.per_days = PERIODS[word.rstrip("s") if word.rstrip("s") in PERIODS else word]
        return
    m = _PERIOD_ZH_AFTER.match(near)
    if m:
        q.per_days = PERIODS[m.group(1)]
        return
    m = None
    for candidate in _PERIOD_ZH_BEFORE.finditer(head):
        m = candidate
    if m and not re.search(r"[，,。；;\n/]", head[m.end():]):
        q.per_days = PERIODS[next(g for g in m.groups() if g)]
        return
    m = re.search(r"\b(?:per|a|each|every|for the|for this|this)\s+" + _PERIOD_EN +
                  r"\s*(?:is|of|:|around|about|roughly|~)?\s*$", head) \
        or re.search(r"\b(daily|weekly|monthly|yearly|annual)\b(?:\s+[a-z]+){0,4}\s*(?:is|of|:|around|about|at|~|"
                     r"volume|budget|spend)?\s*$", head)
    if m:
        word = next(g for g in m.groups() if g)
        q.per_days = PERIODS.get({"annual": "year"}.get(word, word).rstrip("s"), 1)


def _consume(found: list[Quantity], start: int, end: int) -> None:
    """A count that is part of a denominator ("per 1,000 articles") is not a quantity of its own: it is marked as
    placed in the price it belongs to."""
    for q in found:
        if q.kind == "count" and start <= q.start and q.end <= end + 1 and q.value in (100, 1e3, 1e4, 1e6, 1):
            q.placed = DENOMINATOR
