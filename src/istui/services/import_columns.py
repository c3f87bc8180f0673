"""Reading another tool's lead file: its encoding, which column is which lead field (Salesforce, HubSpot and
Japanese headers), and values of other tools as istui's (a Salesforce status as a stage, 展示会 as a source)."""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, tzinfo
from datetime import time as dt_time
from typing import Any

from istui.domain.errors import BadInput
from istui.domain.model import DEFAULT_SOURCES, Stage
from istui.i18n import N_, _

IMPORT_FIELDS = (
    "company", "company_kana", "contact", "contact_kana", "first_name", "last_name", "first_kana", "last_kana",
    "title", "department", "phone", "mobile",
    "email", "source", "motion", "stage", "temp", "owner", "tags", "memo", "next", "dnc", "external_id", "created",
    "ignore",
)

_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "company": ("company", "companyname", "companyaccount", "account", "accountname", "organization",
                "organisation", "associatedcompany", "会社名", "企業名", "法人名", "社名", "会社", "取引先名",
                "取引先会社名", "取引先企業名"),
    "contact": ("name", "fullname", "contact", "contactname", "leadname", "担当者名", "担当者", "氏名",
                "名前", "お名前", "顧客名", "取引先担当者名", "取引先担当者"),
    "company_kana": ("companykana", "companyreading", "会社名カナ", "会社名かな", "会社名フリガナ", "会社名ふりがな",
                     "フリガナ会社名", "企業名カナ", "企業名フリガナ", "法人名カナ", "会社カナ", "社名カナ",
                     "取引先名カナ"),
    "contact_kana": ("contactkana", "namekana", "namereading", "担当者カナ", "担当者名カナ", "担当者フリガナ",
                     "担当者名フリガナ", "フリガナ担当者", "氏名カナ", "氏名フリガナ", "氏名ふりがな", "名前カナ",
                     "お名前カナ", "お名前フリガナ", "フリガナ", "ふりがな", "カナ", "よみがな", "読み"),
    "first_kana": ("firstnamekana", "メイ", "名カナ", "名フリガナ", "めい"),
    "last_kana": ("lastnamekana", "セイ", "姓カナ", "姓フリガナ", "せい"),
    "first_name": ("firstname", "givenname", "first", "名"),
    "last_name": ("lastname", "surname", "familyname", "last", "姓"),
    "title": ("title", "jobtitle", "position", "role", "designation", "役職", "役職名", "肩書き", "肩書"),
    "department": ("department", "dept", "部署", "部署名", "部門"),
    "phone": ("phone", "phonenumber", "tel", "telephone", "businessphone", "電話番号", "電話", "代表電話",
              "代表電話番号", "会社電話番号", "tel番号", "workphone", "officephone"),
    "mobile": ("mobile", "mobilephone", "mobilephonenumber", "cellphone", "携帯電話", "携帯電話番号", "携帯", "携帯番号"),
    "email": ("email", "emailaddress", "mail", "mailaddress", "メールアドレス", "メール", "eメール",
              "eメールアドレス", "emailアドレス"),
    "source": ("leadsource", "source", "originalsource", "sourcetype", "リードソース", "流入元", "流入経路",
               "獲得経路", "リード獲得経路", "ソース"),
    "motion": ("motion", "type", "sdrbdr", "種別"),
    "stage": ("status", "leadstatus", "stage", "ステータス", "ステージ", "商談ステータス", "状況"),
    "temp": ("rating", "temperature", "temp", "温度感", "ランク", "見込み度"),
    "owner": ("owner", "leadowner", "contactowner", "hubspotowner", "ownername", "leadownername", "担当営業", "所有者",
              "リード所有者", "担当者id", "営業担当", "営業担当者", "担当営業名"),
    "tags": ("tags", "tag", "labels", "category", "categories", "タグ", "カテゴリー", "カテゴリ"),
    "memo": ("description", "notes", "note", "memo", "comments", "メモ", "備考", "コメント"),
    "next": ("nextaction", "nextactiondate", "followup", "次回アクション日", "次回連絡日"),
    "dnc": ("donotcall", "dnc", "架電ng", "架電禁止", "電話ng"),
    # a CRM's own record id: kept, so that a second import of the same export updates instead of duplicating
    "external_id": ("id", "recordid", "leadid", "contactid", "externalid", "crmid", "sfid", "salesforceid",
                    "レコードid", "リードid", "顧客id"),
    "created": ("createdate", "createddate", "createdtime", "createdat", "datecreated", "作成日", "作成日時",
                "登録日", "登録日時", "リード作成日", "獲得日"),
    "ignore": ("ownerid", "lastmodifieddate", "lastmodifiedtime", "modifiedtime", "lastmodified"),
}
_VALUE_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "source": {
        "web_inquiry": ("web", "webinquiry", "website", "webform", "inquiry", "contactus", "organicsearch",
                        "directtraffic", "paidsearch", "webお問い合わせ", "お問い合わせ", "問い合わせ", "問合せ",
                        "webサイト", "ウェブ", "hp問い合わせ", "phoneinquiry", "inboundcall", "chat", "onlinestore",
                        "電話問い合わせ", "電話問合せ", "入電"),
        "download": ("download", "contentdownload", "whitepaper", "ebook", "資料dl", "資料ダウンロード",
                     "ホワイトペーパー", "資料請求", "webdownload"),
        "webinar": ("webinar", "ウェビナー", "オンラインセミナー"),
        "seminar": ("seminar", "event", "seminarinternal", "seminarpartner", "internalseminar", "セミナー", "イベント"),
        "trade_show": ("tradeshow", "expo", "exhibition", "展示会", "offlinesources"),
        "referral": ("referral", "referrals", "employeereferral", "externalreferral", "wordofmouth", "紹介", "顧客紹介"),
        "partner": ("partner", "partnerreferral", "パートナー", "代理店"),
        "outbound_list": ("purchasedlist", "list", "coldcall", "outbound", "outboundlist", "リスト",
                          "購入リスト", "テレアポ", "新規開拓", "webresearch"),
        "other": ("other", "その他", "socialmedia", "emailmarketing", "othercampaigns", "advertisement", "paidsocial",
                  "publicrelations", "offline"),
    },
    "stage": {
        Stage.NEW: ("new", "opennotcontacted", "open", "notcontacted", "未対応", "新規", "未接触"),
        Stage.WORKING: ("working", "workingcontacted", "contacted", "attemptedtocontact", "inprogress", "connected", "prequalified",
                    "対応中", "アプローチ中", "コンタクト済", "架電中", "不在"),
        Stage.NURTURING: ("nurturing", "nurture", "badtiming", "contactinfuture", "ナーチャリング", "育成中", "追客中",
                          "保留"),
        Stage.MEETING: ("meeting", "qualified", "openopportunity", "opendeal", "closedconverted", "converted", "商談化",
                    "案件化", "アポ獲得", "アポ済", "商談中"),
        Stage.HANDED_OFF: ("handedoff", "handoff", "引き渡し済", "トスアップ済"),
        Stage.WON: ("won", "closedwon", "受注"),
        Stage.LOST: ("lost", "closedlost", "lostlead", "失注"),
        Stage.DISQUALIFIED: ("disqualified", "unqualified", "closednotconverted", "baddata", "junklead", "notqualified",
                             "対象外", "失格", "ng"),
    },
    "temp": {
        "hot": ("hot", "a", "高", "ホット"),
        "warm": ("warm", "b", "中", "ウォーム"),
        "cold": ("cold", "c", "低", "コールド"),
    },
}


_FOLDED = re.compile(r"[\s_\-/.()・:：]")


@functools.lru_cache(maxsize=4096)  # (an event export names the same few events on every row)
def column_key(text: str) -> str:
    """A column name or a value as a file writes it, folded: width, case, spaces and separators do not matter
    (`Email Address`, `email_address` and `ＥＭＡＩＬ　ＡＤＤＲＥＳＳ` are one)."""
    return _FOLDED.sub("", unicodedata.normalize("NFKC", text).lower())


_BARE_READINGS = {"フリガナ", "ふりがな", "カナ", "よみがな", "読み"}  # (column_key leaves kana as it is)
_HEADER_INDEX = {column_key(alias): name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}
_VALUE_INDEX = {
    field_name: {
        **{column_key(alias): str(value) for value, aliases in table.items() for alias in aliases},
        **{column_key(value): str(value) for value in table},
    }
    for field_name, table in _VALUE_ALIASES.items()
}
for _source, _ja in DEFAULT_SOURCES.items():
    _VALUE_INDEX["source"][column_key(_ja)] = _source


#: Files that are no text, by their first bytes: what they are, said in the sentence that refuses them.
_SIGNATURES = ((b"%PDF-", N_("a PDF document")), (b"\x89PNG\r\n\x1a\n", N_("a PNG image")),
               (b"\xff\xd8\xff", N_("a JPEG image")), (b"GIF8", N_("a GIF image")),
               (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", N_("an Excel 97–2003 workbook (or another Office file)")),
               (b"\x1f\x8b", N_("a gzip archive")), (b"Rar!", N_("a RAR archive")), (b"7z\xbc\xaf", N_("a 7-Zip archive")))
_UTF16_BOMS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def _not_text(raw: bytes) -> str | None:
    """What a file that is no text is (`an Excel workbook`, `a PDF document`), or None for text."""
    if raw.startswith(b"PK\x03\x04"):  # a zip: .xlsx (its parts under xl/), .ods, .docx, or a plain archive
        if b"xl/" in raw:
            return _("an Excel workbook")
        if b"opendocument.spreadsheet" in raw[:200]:
            return _("an OpenDocument spreadsheet")
        return _("a zip archive")
    for signature, kind in _SIGNATURES:
        if raw.startswith(signature):
            return _(kind)
    return _("a binary file") if b"\x00" in raw[:4096] else None


def _utf16(raw: bytes) -> str | None:
    """The UTF-16 codec of a file written as UTF-16 (Excel's "Unicode text"): by its BOM, or without one by the
    zero bytes of ASCII text (`c\x00o\x00…`); None otherwise."""
    for bom, codec in _UTF16_BOMS:
        if raw.startswith(bom) and not raw.startswith(b"\xff\xfe\x00\x00"):  # (that is UTF-32)
            return codec
    sample = raw[:2048]
    if len(sample) >= 4 and len(sample) % 2 == 0:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        half = len(sample) // 2
        if odd >= half * 0.6 and even <= half * 0.05:  # (a zero byte in 一, U+4E00, is no ASCII)
            return "utf-16-le"
        if even >= half * 0.6 and odd <= half * 0.05:
            return "utf-16-be"
    return None


def is_workbook(raw: bytes) -> bool:
    """An .xlsx workbook (a zip with its parts under xl/)."""
    return raw.startswith(b"PK\x03\x04") and b"xl/" in raw


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | dt_time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # (a number typed in a cell: 5 is 5, not 5.0)
    return str(value)


def workbook_rows(raw: bytes) -> Iterator[list[str]]:
    """The rows of an .xlsx workbook's first sheet as text (the values Excel last computed, not formulas; dates as
    ISO 8601). A workbook openpyxl cannot read is refused in one sentence."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, IndexError, ValueError, OSError) as exc:
        raise BadInput(_("The workbook could not be read ({reason}); save it again in Excel as .xlsx, or as CSV (UTF-8).")
                       .format(reason=" ".join(str(exc).split())[:120] or type(exc).__name__)) from None

    def rows() -> Iterator[list[str]]:
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [_cell_text(value) for value in values]
        finally:
            book.close()
    return rows()


def decode(raw: bytes, encoding: str = "auto") -> tuple[str, str]:
    """CSV bytes to text: UTF-8 (with or without BOM) or CP932 (Excel in Japan), `auto` tries both; UTF-16 (Excel's
    "Unicode text") is read whatever `encoding` says. A file that is no text (an Excel workbook, a PDF) is refused
    in one sentence."""
    choices = {"auto": ("utf-8-sig", "cp932"), "utf-8": ("utf-8-sig",), "utf8": ("utf-8-sig",),
               "cp932": ("cp932",), "shift_jis": ("cp932",), "sjis": ("cp932",)}
    if encoding.lower() not in choices:
        raise BadInput(_("encoding: '{encoding}' is not one of auto, utf-8, cp932.").format(encoding=encoding))
    wide = _utf16(raw)  # always told by its BOM (or its zero bytes): it says more than --encoding
    if wide is None:
        kind = _not_text(raw)
        if kind is not None:
            raise BadInput(_("The file is {kind}, not CSV; save it as CSV (UTF-8) and import that.").format(kind=kind))
    candidates = (wide,) if wide else choices[encoding.lower()]
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate.startswith("utf-16"):
            return text.removeprefix("\ufeff"), "utf-16"
        return text, "utf-8" if candidate == "utf-8-sig" else candidate
    raise BadInput(_("The file is not readable as {encodings}; save it as UTF-8 or CP932 and try again.").format(
        encodings=" or ".join(candidates)))


def delimiter(text: str) -> str:
    """The CSV's separator, from its header line: a comma, or a tab (Excel's "Unicode text", TSV) or a semicolon
    (Excel where the decimal mark is a comma) when the header holds more of those than commas."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def read_table(raw: bytes, empty: str) -> tuple[list[str], Iterator[list[str]]]:
    """The header and the rows of a CSV (any of `decode`'s encodings and `delimiter`'s separators) or an .xlsx
    workbook's first sheet, rows read as they are used; `empty`: the sentence for a file without a header."""
    if is_workbook(raw):
        rows = workbook_rows(raw)
    else:
        text, _encoding = decode(raw)
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    try:
        header = next(rows)
    except StopIteration:
        raise BadInput(empty) from None
    except csv.Error as exc:
        raise BadInput(_("The file is not readable as CSV: {reason}.").format(reason=exc)) from None
    return [cell.strip() for cell in header], rows


def find_columns(header: list[str], known: dict[str, str], overrides: Iterable[str], fields: Iterable[str]) -> dict[str, int]:
    """field → column index: the first column whose folded name `known` names, then `--map COLUMN=field`."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        named = known.get(column_key(name))
        if named and named not in found:
            found[named] = index
    fields = tuple(fields)
    for override in overrides:
        index, target = mapped_column(header, override, fields)
        found[target] = index
    return found


#: zone abbreviations exports write after a time (dateutil knows UTC and GMT itself)
_ZONE_NAMES = {"JST": 9 * 3600, "KST": 9 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600, "EST": -5 * 3600,
               "EDT": -4 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600}


def parse_file_time(text: str, tz: tzinfo) -> datetime:
    """A moment as an export writes it: Unix seconds (SendGrid), milliseconds (HubSpot), or a date and time as
    written (`2026-03-05T01:22:00.000Z`, `2026/3/5 10:22`, `2026年3月5日 10:22`; without an offset, `tz`'s).
    ValueError for anything else, or a year outside 2000–2100."""
    text = unicodedata.normalize("NFKC", text).strip()
    if len(text) >= 16 and text[4] in "-/" and text[:4].isdigit():  # `2026-03-05 10:22[:00]`: read at once
        try:
            moment = datetime.fromisoformat(text.replace("/", "-", 2).replace("Z", "+00:00"))
        except ValueError:
            pass  # (`2026/3/5 9:05`, a zone name: dateutil below)
        else:
            moment = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
            if 2000 <= moment.year <= 2100:
                return moment
            raise ValueError(text)
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        seconds = float(text) / (1000 if len(text.split(".")[0]) == 13 else 1)  # 13 digits: milliseconds
        moment = datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    else:
        import warnings

        from dateutil import parser

        text = text.replace("年", "-").replace("月", "-").replace("日", " ").replace("時", ":").replace("分", "")
        with warnings.catch_warnings():
            warnings.simplefilter("error", parser.UnknownTimezoneWarning)  # `10:00 XYZ`: no time of ours to guess
            try:
                moment = parser.parse(text, tzinfos=_ZONE_NAMES)
            except parser.UnknownTimezoneWarning:
                raise ValueError(text) from None
        moment = moment.replace(tzinfo=tz) if moment.tzinfo is None else moment.astimezone(tz)
    if not 2000 <= moment.year <= 2100:  # (a negative, a year 9999: no event of a sales team)
        raise ValueError(text)
    return moment


def mapped_column(header: list[str], override: str, fields: Iterable[str]) -> tuple[int, str]:
    """The column index and field of one `--map COLUMN=field` (the column by its name as written or folded); BadInput,
    one sentence, for a malformed one, a field not among `fields` or a column the file does not have."""
    column, sep, target = override.partition("=")
    if not sep:
        raise BadInput(_("map: '{text}' should look like COLUMN=field, e.g. 'Firma=company'.").format(text=override))
    target = target.strip().lower()
    if target not in fields:
        raise BadInput(_("map: '{field}' is not an importable field; use one of {fields}.").format(
            field=target, fields=", ".join(fields)))
    matches = [i for i, name in enumerate(header) if name.strip() == column.strip() or column_key(name) == column_key(column)]
    if not matches:
        raise BadInput(_("map: the file has no column '{column}'; its columns are {columns}.").format(
            column=column.strip(), columns=", ".join(header)))
    return matches[0], target


def map_columns(header: list[str], overrides: Iterable[str] = ()) -> dict[int, str]:
    """Column index → lead field, from known header names and `--map COLUMN=field` overrides."""
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        found = _HEADER_INDEX.get(column_key(name))
        if found and found not in mapping.values():
            mapping[index] = found
    names = set(mapping.values())
    contact = next((i for i, name in mapping.items() if name == "contact"), None)
    if contact is not None and column_key(header[contact]) in ("担当者", "担当") and names & {"first_name", "last_name"}:
        mapping[contact] = "ignore" if "owner" in names else "owner"  # with 姓・名, 担当者 is the rep who owns it
    company = next((i for i, name in mapping.items() if name == "company"), None)
    reading = mapping.get(company + 1) if company is not None else None
    if reading == "contact_kana" and column_key(header[company + 1]) in _BARE_READINGS and "company_kana" not in mapping.values():
        mapping[company + 1] = "company_kana"  # `会社名, フリガナ`: the reading beside the company is the company's
    for override in overrides:
        index, target = mapped_column(header, override, IMPORT_FIELDS)
        for other, mapped in list(mapping.items()):
            if mapped == target:
                del mapping[other]
        mapping[index] = target
    if "company" not in mapping.values():
        raise BadInput(_("The file has no company column (e.g. Company, 会社名); name it with --map COLUMN=company. "
                         "Its columns are: {columns}.").format(columns=", ".join(header)))
    return mapping
