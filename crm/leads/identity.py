"""Normalising who an investor is, so the same company or person is recognised however it was typed."""

import re
import unicodedata

import phonenumbers

# Leading place names are dropped from company names: 湖南意华 and 意华 are the same investor to an officer.
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)
CITIES = (
    "株洲", "长沙", "湘潭", "衡阳", "岳阳", "常德", "益阳", "郴州", "永州", "怀化", "娄底", "邵阳", "张家界",
    "湘西", "深圳", "广州", "东莞", "佛山", "珠海", "苏州", "无锡", "常州", "南京", "杭州", "宁波", "温州",
    "合肥", "武汉", "成都", "西安", "郑州", "济南", "青岛", "厦门", "福州", "南昌", "昆明", "贵阳", "南宁",
    "沈阳", "大连", "长春", "哈尔滨", "石家庄", "太原", "呼和浩特", "兰州", "西宁", "银川", "乌鲁木齐",
    "拉萨", "海口", "三亚",
)
PLACE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
# Longest first, so 股份有限公司 is removed whole rather than leaving 股份.
COMPANY_SUFFIXES = (
    "集团股份有限公司", "集团有限责任公司", "集团有限公司", "股份有限公司", "有限责任公司", "有限公司",
    "集团公司", "集团", "公司",
)
# English legal forms are whole words: "Tesco" must not lose its "co".
_ENGLISH_SUFFIX = re.compile(
    r"(?:[\s,.&]+(?:co|corp|corporation|company|ltd|limited|inc|incorporated|llc|plc|gmbh|ag|group|holdings?))+"
    r"[\s.]*$")
_PLACES = sorted(PROVINCES + CITIES, key=len, reverse=True)
_NOISE = re.compile(r"[\s\.\,\-_&·'\"()\[\]（）【】、，。]+")


def fold(text: str) -> str:
    """Full-width to half-width (NFKC) and case folding."""
    return unicodedata.normalize("NFKC", text or "").casefold().strip()


def normalise_company(name: str | None) -> str:
    """The key two spellings of one company share: 湖南意华交通装备股份有限公司 → 意华交通装备."""
    text = fold(name or "")
    # Bracketed places such as 意华（株洲）有限公司 go before punctuation is dropped.
    text = re.sub(r"[(（]\s*(" + "|".join(_PLACES) + r")\s*[)）]", "", text)
    text = _ENGLISH_SUFFIX.sub("", text)
    text = _NOISE.sub("", text)
    changed = True
    while changed:
        changed = False
        for suffix in COMPANY_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
                changed = True
        for place in _PLACES:
            if text.startswith(place) and len(text) > len(place) + 1:
                rest = text[len(place):]
                for mark in PLACE_SUFFIXES:
                    if rest.startswith(mark):
                        rest = rest[len(mark):]
                        break
                # 上海汽车集团 and 广州汽车集团 must not both become 汽车: keep the place when the rest is generic.
                if len(rest) >= 3:
                    text = rest
                    changed = True
                break
    return text


class InvalidMobile(ValueError):
    """A number that is not a callable mobile."""


def normalise_mobile(raw: str | None, region: str = "CN") -> str:
    """A mainland mobile or an international number, as E.164: '138 1234 5678' → '+8613812345678'."""
    text = fold(raw or "").replace(" ", "").replace("-", "")
    if not text:
        raise InvalidMobile("empty")
    text = text.replace("(", "").replace(")", "")  # "(+86) 138..." is a common way to write it
    if text.startswith("00"):
        text = "+" + text[2:]
    if len(text) > 20 or not re.fullmatch(r"\+?[0-9]+", text):
        raise InvalidMobile(raw)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as err:
        raise InvalidMobile(raw) from err
    if not phonenumbers.is_valid_number(number):
        raise InvalidMobile(raw)
    if number.country_code == 86 and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidMobile(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mobile_or_none(raw: str | None) -> str | None:
    """The E.164 form, or None for a number that cannot be normalised (kept as typed elsewhere)."""
    try:
        return normalise_mobile(raw)
    except InvalidMobile:
        return None


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalise_credit_code(raw: str | None) -> str:
    return fold(raw or "").replace(" ", "").upper()


def is_valid_credit_code(code: str) -> bool:
    """GB 32100-2015: 18 characters from a 31-letter alphabet, the last a weighted mod-31 check."""
    if len(code) != 18 or any(ch not in _CREDIT_CHARS for ch in code):
        return False
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return _CREDIT_CHARS[check] == code[17]


def credit_code_with_check(first17: str) -> str:
    """Complete 17 characters with their check character (used to make demo data)."""
    total = sum(_CREDIT_CHARS.index(ch) * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]
