"""Believable demo data: a team of reps, SDR and BDR leads, months of calls and e-mails, notes, targets.

Sources convert the way real ones do (web inquiries several times better than trade shows),
connect rates follow the hour of day, and follow-ups fall due today and overdue. `seed` makes
every record (ids included) reproducible for a given `now`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from istui.domain.ids import new_id
from istui.domain.model import Stage
from istui.domain.outcomes import CallOutcome
from istui.domain.phones import parse_phone
from istui.domain.schedule import decide
from istui.services.calendar import work_calendar
from istui.services.demo_loop import DemoLoop
from istui.services.demo_notes import JA_NOTES, MAIL_TEMPLATES, NOTES
from istui.store.roster import add_members
from istui.store.workspace import Record, Workspace, iso

C = CallOutcome


@dataclass(frozen=True, slots=True)
class Scale:
    reps: int
    leads: int
    days: int
    touches_per_lead: float  # mean number of calls and e-mails per contacted lead
    notes: int
    activities: int | None = None  # topped up to exactly this many with nurture touches


SCALES = {
    "small": Scale(reps=4, leads=600, days=61, touches_per_lead=5.0, notes=14),
    "team": Scale(reps=8, leads=2_000, days=61, touches_per_lead=5.0, notes=40),
    "team-year": Scale(reps=20, leads=50_000, days=365, touches_per_lead=34.0, notes=500, activities=1_000_000),
}

REPS = ("sato", "alice", "tanaka", "ben", "suzuki", "chloe", "takahashi", "dan", "ito", "emma", "watanabe",
        "frank", "yamamoto", "grace", "nakamura", "henry", "kobayashi", "iris", "kato", "jack")
JA_REPS = ("sato", "tanaka", "suzuki", "takahashi", "ito", "watanabe", "yamamoto", "nakamura", "kobayashi", "kato",
           "yoshida", "yamada", "sasaki", "yamaguchi", "matsumoto", "inoue", "kimura", "hayashi", "shimizu", "mori")

# source: (weight, chance a contacted lead books a meeting, motion)
SOURCE_PROFILE: dict[str, tuple[float, float, str]] = {
    "web_inquiry": (14, 0.34, "sdr"),
    "download": (20, 0.12, "sdr"),
    "webinar": (10, 0.11, "sdr"),
    "seminar": (7, 0.10, "sdr"),
    "trade_show": (15, 0.055, "sdr"),
    "referral": (5, 0.38, "sdr"),
    "partner": (5, 0.18, "bdr"),
    "outbound_list": (22, 0.035, "bdr"),
    "other": (2, 0.08, "sdr"),
}

JA_COMPANY_HEADS = ("東洋", "大和", "北斗", "青葉", "日本", "富士", "三和", "中央", "光陽", "さくら", "明星", "新日本",
                    "丸山", "西武", "朝日", "昭和", "東邦", "大成", "双葉", "国際")
JA_COMPANY_TAILS = ("商事", "製作所", "システムズ", "物流", "テクノロジー", "ホールディングス", "電機", "食品", "建設",
                    "ソリューションズ", "工業", "化学", "不動産", "メディカル", "エンジニアリング")
EN_COMPANY_HEADS = ("Acme", "Globex", "Northwind", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
                    "Tyrell", "Soylent", "Cyberdyne", "Oscorp", "Wonka", "Aperture", "Gringotts", "Pied Piper",
                    "Blue Sun", "Monarch", "Oceanic")
EN_COMPANY_TAILS = ("Labs", "Systems", "Logistics", "Foods", "Analytics", "Robotics", "Health", "Capital", "Media",
                    "Networks", "Energy", "Retail", "Software", "Partners", "Industries")
JA_SURNAMES = (("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("伊藤", "ito"),
               ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"),
               ("加藤", "kato"), ("吉田", "yoshida"), ("山田", "yamada"), ("松本", "matsumoto"), ("井上", "inoue"))
JA_GIVEN = (("太郎", "taro"), ("花子", "hanako"), ("健一", "kenichi"), ("美咲", "misaki"), ("大輔", "daisuke"),
            ("陽子", "yoko"), ("翔太", "shota"), ("由美", "yumi"), ("拓也", "takuya"), ("真理", "mari"))
EN_FIRST = ("Olivia", "Liam", "Emma", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan", "Chloe", "Owen")
EN_LAST = ("Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Moore", "Clark", "Lewis", "Walker", "Young")
JA_TITLES = ("営業部 部長", "情報システム部 課長", "経営企画室 室長", "総務部 担当", "代表取締役", "マーケティング部 マネージャー",
             "人事部 課長", "購買部 主任")
EN_TITLES = ("Head of Sales", "IT Manager", "COO", "Operations Lead", "CEO", "Marketing Director", "HR Manager",
             "Procurement Lead")
TAGS = ("SaaS", "製造業", "enterprise", "SMB", "再訪", "競合利用中", "budget-q1", "IT", "物流", "expansion")

# chance a call reaches a person, by hour of day (lunch and evening are worst)
CONNECT_BY_HOUR = {9: 0.20, 10: 0.27, 11: 0.25, 12: 0.10, 13: 0.15, 14: 0.19, 15: 0.21, 16: 0.26, 17: 0.22, 18: 0.12}
HOURS = tuple(CONNECT_BY_HOUR)
HOUR_WEIGHTS = (8, 12, 11, 4, 8, 11, 11, 12, 9, 4)

KANA = {
    "東洋": "トウヨウ", "大和": "ダイワ", "北斗": "ホクト", "青葉": "アオバ", "日本": "ニホン", "富士": "フジ", "三和": "サンワ",
    "中央": "チュウオウ", "光陽": "コウヨウ", "さくら": "サクラ", "明星": "メイセイ", "新日本": "シンニホン", "丸山": "マルヤマ",
    "西武": "セイブ", "朝日": "アサヒ", "昭和": "ショウワ", "東邦": "トウホウ", "大成": "タイセイ", "双葉": "フタバ", "国際": "コクサイ",
    "商事": "ショウジ", "製作所": "セイサクショ", "システムズ": "システムズ", "物流": "ブツリュウ", "テクノロジー": "テクノロジー",
    "ホールディングス": "ホールディングス", "電機": "デンキ", "食品": "ショクヒン", "建設": "ケンセツ", "ソリューションズ": "ソリューションズ",
    "工業": "コウギョウ", "化学": "カガク", "不動産": "フドウサン", "メディカル": "メディカル", "エンジニアリング": "エンジニアリング",
    "佐藤": "サトウ", "鈴木": "スズキ", "高橋": "タカハシ", "田中": "タナカ", "伊藤": "イトウ", "渡辺": "ワタナベ", "山本": "ヤマモト",
    "中村": "ナカムラ", "小林": "コバヤシ", "加藤": "カトウ", "吉田": "ヨシダ", "山田": "ヤマダ", "松本": "マツモト", "井上": "イノウエ",
    "太郎": "タロウ", "花子": "ハナコ", "健一": "ケンイチ", "美咲": "ミサキ", "大輔": "ダイスケ", "陽子": "ヨウコ", "翔太": "ショウタ",
    "由美": "ユミ", "拓也": "タクヤ", "真理": "マリ",
}
# the Japanese demo's words for the mixed demo's English values
JA_TEXT = {
    "enterprise": "大企業", "SMB": "中小企業", "budget-q1": "予算Q1", "expansion": "拡大検討", "call back": "折り返し待ち",
    "check budget": "予算確認", "$20k-40k": "200〜400万円", "CEO signs": "社長決裁", "pipeline visibility": "案件の見える化",
    "Q1": "第1四半期", "field-lee": "field-ishii", "Online (Zoom)": "オンライン（Zoom）", "Customer's office": "先方オフィス",
    "Online (Teams)": "オンライン（Teams）", "Who signs off, by name": "決裁者の氏名がほしい",
    "The budget's basis": "予算の根拠が知りたい", "Current tool and when its contract ends": "現行ツールと契約更新時期",
    "How many seats they need": "必要なライセンス数", "Budget is next fiscal year": "予算は来期",
    "Contact has moved on": "担当者が異動済み", "Already talking to us via a partner": "パートナー経由で商談中",
}
def _company(rng: random.Random, japanese: bool) -> tuple[str, str, str]:
    """Name, e-mail domain and reading (カナ; '' for a non-Japanese name)."""
    if japanese:
        head, tail = rng.choice(JA_COMPANY_HEADS), rng.choice(JA_COMPANY_TAILS)
        name = f"株式会社{head}{tail}" if rng.random() < 0.6 else f"{head}{tail}株式会社"
        domain = f"{JA_COMPANY_HEADS.index(head)}{JA_COMPANY_TAILS.index(tail)}"
        return name, f"corp{domain}.co.jp", KANA[head] + KANA[tail]
    head, tail = rng.choice(EN_COMPANY_HEADS), rng.choice(EN_COMPANY_TAILS)
    suffix = rng.choice(("Inc.", "Ltd.", "K.K.", "Co."))
    return f"{head} {tail} {suffix}", f"{head}{tail}".lower().replace(" ", "") + ".com", ""


def _person(rng: random.Random, japanese: bool, domain: str) -> tuple[str, str, str, str]:
    """Name, title, e-mail and reading (カナ, family name first; '' for a non-Japanese name)."""
    if japanese:
        (surname, surname_r), (given, given_r) = rng.choice(JA_SURNAMES), rng.choice(JA_GIVEN)
        return (f"{surname} {given}", rng.choice(JA_TITLES), f"{given_r[0]}.{surname_r}@{domain}",
                f"{KANA[surname]} {KANA[given]}")
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    return f"{first} {last}", rng.choice(EN_TITLES), f"{first.lower()}.{last.lower()}@{domain}", ""


def _phone(rng: random.Random, region: str) -> dict[str, Any]:
    """A Japanese number (Tokyo, Osaka or a mobile; the draws stay in this order), as a workspace of `region` keeps it."""
    kind = rng.random()
    area = "3" if kind < 0.5 or kind >= 0.95 else "6" if kind < 0.7 else f"{rng.choice('789')}0"
    return parse_phone(f"+81 {area} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}", region).fields()


class _Builder:
    def __init__(self, ws: Workspace, scale: Scale, seed: int, japanese: bool = False) -> None:
        self.ws, self.scale, self.japanese = ws, scale, japanese
        self.region = ws.settings.phone_region
        self.rng, self.seed = random.Random(seed), seed
        self.now = ws.now().replace(microsecond=0)
        self.reps = demo_reps_for(scale, japanese)
        self.start = (self.now - timedelta(days=scale.days)).replace(hour=0, minute=0, second=0)
        self.leads: list[Record] = []
        self.activities: list[Record] = []
        self.scripts: list[str] = []
        self.loop = DemoLoop(self)

    def text(self, value: str) -> str:
        """A demo value in the demo's language (the Japanese team has no English tags or notes)."""
        return JA_TEXT.get(value, value) if self.japanese else value

    def new_id(self, moment: datetime) -> str:
        return new_id(int(moment.timestamp() * 1000), self.rng.getrandbits(80))

    def working_moment(self, after: datetime, within_days: float) -> datetime | None:
        """A weekday business-hour moment after `after`, or None if it falls in the future."""
        rng = self.rng
        day = (after + timedelta(days=rng.random() * within_days)).date()
        while True:
            while day.weekday() >= 5:
                day += timedelta(days=1)
            hour = rng.choices(HOURS, HOUR_WEIGHTS)[0]
            moment = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=self.ws.tz)
            if moment > after:
                return moment if moment < self.now else None
            day += timedelta(days=1)

    def activity(self, lead: Record, kind: str, outcome: str, at: datetime, **extra: Any) -> None:
        stamp = iso(at)
        record = {"id": self.new_id(at), "lead": lead["id"], "rep": lead["owner"], "kind": kind, "outcome": outcome,
                  "at": stamp, "created_at": stamp, "updated_at": stamp, "updated_by": lead["owner"], **extra}
        self.activities.append(record)

    def build(self) -> None:
        rng, scale = self.rng, self.scale
        sources = list(SOURCE_PROFILE)
        weights = [SOURCE_PROFILE[s][0] for s in sources]
        span = (self.now - self.start).total_seconds()
        for index in range(scale.leads):
            # most leads arrive in working hours; a few land today, not yet contacted (speed to lead)
            created = self.start + timedelta(seconds=rng.random() * span * 0.985)
            source = rng.choices(sources, weights)[0]
            if index < max(4, scale.leads // 80):
                created = self.now - timedelta(minutes=rng.randint(3, 300))
                source = rng.choice(("web_inquiry", "download", "webinar"))
            self.simulate(self.new_lead(created, source))
        self.this_morning()
        if scale.activities:
            self.nurture(scale.activities)

    def nurture(self, total: int) -> None:
        """Leads still being nurtured get more calls and e-mails until the history holds `total` activities."""
        rng = self.rng
        pool = [lead for lead in self.leads if lead["stage"] in ("working", "nurturing")]
        while len(self.activities) < total and pool:
            lead = rng.choice(pool)
            created = datetime.fromisoformat(lead["created_at"])
            moment = self.working_moment(created, max((self.now - created).days, 1))
            if moment is None:
                continue
            if rng.random() < 0.5 and lead["email"]:
                self.activity(lead, "email", "sent", moment)
            else:
                reached = rng.random() < CONNECT_BY_HOUR.get(moment.hour, 0.1) * 1.6
                self.activity(lead, "call", rng.choice((C.CONNECTED, C.CALLBACK)) if reached else
                              rng.choice((C.NO_ANSWER, C.VOICEMAIL, C.GATEKEEPER, C.BUSY)), moment)
        del self.activities[total:]

    def this_morning(self) -> None:
        """Each rep already made some calls today (on a weekday, in working hours), as a real team would have; each
        lead called gets the follow-up the retry schedule gives, as `istui log call` would (not listed overdue)."""
        opens, closes = self.ws.settings.work_hours
        start = self.now.replace(hour=opens.hour, minute=opens.minute, second=0)
        end = min(self.now, self.now.replace(hour=closes.hour, minute=closes.minute, second=0))
        if self.now.weekday() >= 5 or end <= start:
            return
        is_working_day = work_calendar(self.ws).is_working_day
        seconds = (end - start).total_seconds()
        open_leads = [lead for lead in self.leads if lead["stage"] in ("working", "nurturing")]
        for rep in self.reps:
            mine = [lead for lead in open_leads if lead["owner"] == rep]
            for lead in self.rng.sample(mine, min(len(mine), int(seconds / 3600 * 9))):
                moment = start + timedelta(seconds=self.rng.random() * seconds)
                reached = self.rng.random() < CONNECT_BY_HOUR.get(moment.hour, 0.1) * 1.6
                outcome = self.rng.choice((C.CONNECTED, C.CALLBACK)) if reached else self.rng.choice(
                    (C.NO_ANSWER, C.VOICEMAIL, C.GATEKEEPER))
                self.activity(lead, "call", outcome, moment)
                for since in (moment, self.now):  # a follow-up already past is counted from now, as logging does
                    next_at = decide(outcome, since, self.ws.settings.schedule, (opens, closes), is_working_day,
                                     attempts=0 if reached else 1).next_at
                    lead["next_at"] = iso(next_at) if next_at is not None else lead["next_at"]
                    if next_at is None or next_at > self.now:
                        break

    def new_lead(self, created: datetime, source: str) -> Record:
        rng = self.rng
        japanese = rng.random() < 0.6 or self.japanese  # the draw happens either way: the same numbers in both demos
        company, domain, company_kana = _company(rng, japanese)
        contact, title, email, contact_kana = _person(rng, japanese, domain)
        stamp = iso(created)
        owner = rng.choice(self.reps)
        lead = {
            "id": self.new_id(created), "company": company, "contact": contact, "title": title, **_phone(rng, self.region),
            "email": email if rng.random() < 0.9 else "", "source": source, "motion": SOURCE_PROFILE[source][2],
            "stage": Stage.NEW.value, "temp": rng.choices(("hot", "warm", "cold"), (2, 5, 3))[0], "owner": owner,
            "next_at": None, "next_action": "", "tags": [self.text(tag) for tag in rng.sample(TAGS, rng.choice((0, 0, 1, 2)))],
            "amount": None, "memo": "", "handoff": None, "created_at": stamp, "updated_at": stamp, "updated_by": owner,
        }
        if company_kana:
            lead["company_kana"], lead["contact_kana"] = company_kana, contact_kana
        self.leads.append(lead)
        return lead

    def simulate(self, lead: Record) -> None:
        rng = self.rng
        created = datetime.fromisoformat(lead["created_at"])
        age_days = (self.now - created).total_seconds() / 86400
        if age_days < 0.3 and lead["motion"] == "sdr":
            return  # brand-new inbound lead: waits in today's queue
        meeting_chance = SOURCE_PROFILE[lead["source"]][1]
        before = len(self.activities)
        touches = max(1, round(rng.expovariate(1 / self.scale.touches_per_lead)))
        moment: datetime | None = created
        booked_at: datetime | None = None
        for _ in range(touches):
            moment = self.working_moment(moment, min(4.0, max(age_days / touches, 0.2)))
            if moment is None:
                break
            if rng.random() < 0.22 and lead["email"]:
                self.email(lead, moment)
                continue
            connected = rng.random() < CONNECT_BY_HOUR.get(moment.hour, 0.1) * 1.6
            if connected and rng.random() < meeting_chance * 1.4:
                self.activity(lead, "call", CallOutcome.MEETING_BOOKED.value, moment, duration=rng.randint(180, 900),
                              **self.script_used())
                booked_at = moment
                break
            if connected:
                outcome = rng.choices((C.CONNECTED, C.CALLBACK, C.NOT_INTERESTED, C.DO_NOT_CALL), (5, 4, 3, 0.3))[0]
                self.activity(lead, "call", outcome, moment, duration=rng.randint(30, 600), **self.script_used())
                if outcome == "do_not_call":
                    lead["stage"] = Stage.DISQUALIFIED.value
                    lead["dnc"] = True
                    return
            else:
                outcome = rng.choices((C.NO_ANSWER, C.VOICEMAIL, C.BUSY, C.GATEKEEPER, C.WRONG_NUMBER), (10, 5, 2, 6, 0.4))[0]
                self.activity(lead, "call", outcome, moment)
        lead["stage"] = Stage.WORKING.value if len(self.activities) > before else Stage.NEW.value
        if booked_at:
            lead["stage"] = Stage.MEETING.value
            self.after_meeting(lead, booked_at)
        elif lead["stage"] == Stage.WORKING:
            if rng.random() < 0.25:
                lead["stage"] = Stage.NURTURING.value
            self.follow_up(lead)

    def script_used(self) -> dict[str, Any]:
        if self.scripts and self.rng.random() < 0.3:
            return {"script": self.rng.choice(self.scripts)}
        return {}

    def email(self, lead: Record, moment: datetime) -> None:
        rng = self.rng
        self.activity(lead, "email", "sent", moment)
        if rng.random() < 0.04:
            self.activity(lead, "email", "bounced", moment + timedelta(minutes=1))
            return
        later = moment + timedelta(hours=rng.uniform(0.2, 30))
        if later < self.now and rng.random() < 0.42:
            self.activity(lead, "email", "opened", later)
            if rng.random() < 0.28:
                self.activity(lead, "email", "clicked", later + timedelta(minutes=rng.randint(1, 30)))
            if rng.random() < 0.12 and later + timedelta(hours=2) < self.now:
                self.activity(lead, "email", "replied", later + timedelta(hours=2))

    def follow_up(self, lead: Record) -> None:
        rng = self.rng
        roll = rng.random()
        today = self.now.date()
        if roll < 0.12:
            day = today - timedelta(days=rng.randint(1, 5))
        elif roll < 0.30:
            day = today
        elif roll < 0.75:
            day = today + timedelta(days=rng.randint(1, 10))
        else:  # a later follow-up (the queue never loses a lead); no draw, so the rest of the demo stays the same
            day = today + timedelta(days=14 + int(roll * 1000) % 21)
            lead["next_at"] = iso(datetime.combine(day, time(10, 0), tzinfo=self.ws.tz))
            return
        hour = rng.choice((10, 11, 14, 15, 16))
        lead["next_at"] = iso(datetime.combine(day, time(hour, rng.choice((0, 30))), tzinfo=self.ws.tz))
        lead["next_action"] = self.text(rng.choice(("再架電", "call back", "資料送付後フォロー", "check budget", "決裁者確認", "")))

    def after_meeting(self, lead: Record, booked_at: datetime) -> None:
        rng = self.rng
        handoff_at = self.working_moment(booked_at, 5)
        field_sales = [self.text(name) for name in ("field-kimura", "field-lee", "field-mori")]
        if handoff_at is None or rng.random() > 0.75:
            self.loop.booked(lead, booked_at, field_sales)
            return
        self.activity(lead, "stage", Stage.HANDED_OFF.value, handoff_at, from_stage=Stage.MEETING.value)
        lead["stage"] = Stage.HANDED_OFF.value
        lead["handoff"] = {"to": self.text(rng.choice(("field-kimura", "field-lee", "field-mori"))), "at": iso(handoff_at),
                           "by": lead["owner"], "budget": self.text(rng.choice(("300万円程度", "$20k-40k", "未定", "年間500万円"))),
                           "authority": self.text(rng.choice(("部長決裁", "CEO signs", "稟議必要"))),
                           "need": self.text(rng.choice(("問い合わせ対応の工数削減", "pipeline visibility", "リード管理の一元化"))),
                           "timeline": self.text(rng.choice(("来期4月", "Q1", "3ヶ月以内"))), "note": ""}
        self.activities[-1]["to"] = lead["handoff"]["to"]  # the stage activity names the recipient, as hand_off does
        closed_at = self.working_moment(handoff_at, 30)
        if closed_at is None:
            self.loop.handed_off(lead, handoff_at, None)
            return
        roll = rng.random()
        if roll < 0.32:
            amount = rng.choice((600_000, 1_200_000, 1_800_000, 2_400_000, 3_600_000, 6_000_000))
            self.activity(lead, "stage", Stage.WON.value, closed_at, amount=amount, from_stage=Stage.HANDED_OFF.value)
            lead["stage"], lead["amount"] = Stage.WON.value, amount
        elif roll < 0.65:
            self.activity(lead, "stage", Stage.LOST.value, closed_at, from_stage=Stage.HANDED_OFF.value)
            lead["stage"] = Stage.LOST.value
        self.loop.handed_off(lead, handoff_at, closed_at if lead["stage"] != Stage.HANDED_OFF else None)

    def notes(self) -> list[Record]:
        records = []
        base = self.start
        for index in range(self.scale.notes):
            template = (JA_NOTES if self.japanese else NOTES)[index % len(NOTES)]
            moment = base + timedelta(hours=index * 3)
            note = {**template, "tags": list(template["tags"]), "pinned": template.get("pinned", False)}
            if index >= len(NOTES):
                note["title"] = f"{template['title']} (v{index // len(NOTES) + 1})"
                note["pinned"] = False
            stamp = iso(moment)
            note.update(id=self.new_id(moment), created_at=stamp, updated_at=stamp,
                        updated_by=self.reps[index % len(self.reps)])
            records.append(note)
        self.scripts = [n["id"] for n in records if n["kind"] == "script"][:10]
        return records

    def mail_templates(self) -> list[Record]:
        """The e-mail templates (the Japanese one alone in a Japanese demo), with ids from bits of their own: the rest
        of the demo stays what it was before there were templates."""
        bits, lang = random.Random(self.seed + 1), "ja" if self.japanese else "en"
        made = [(self.start - timedelta(days=7, hours=index), template)  # ids apart from the notes' in their first 10
                for index, (langs, template) in enumerate(MAIL_TEMPLATES) if lang in langs]
        return [{"id": new_id(int(moment.timestamp() * 1000), bits.getrandbits(80)), **template, "tags": list(template["tags"]),
                 "pinned": False, "created_at": iso(moment), "updated_at": iso(moment), "updated_by": self.reps[0]}
                for moment, template in made]

    def targets(self) -> list[Record]:
        stamp = iso(self.start)
        rows: list[tuple[str, float, str, str | None, str | None]] = []
        for rep in self.reps:
            rows += [("calls", 60, "day", rep, None), ("connects", 12, "day", rep, None),
                     ("meetings", 1, "day", rep, None), ("calls", 300, "week", rep, None),
                     ("meetings", 5, "week", rep, None), ("meetings", 18, "month", rep, None),
                     ("emails", 60, "month", rep, None)]
        team = len(self.reps)
        rows += [("meetings", 18 * team, "month", None, None), ("orders", 2 * team, "month", None, None),
                 ("amount", 4_000_000 * team, "month", None, None), ("handoffs", 12 * team, "month", None, None),
                 ("target_accounts", 40 * team, "month", None, "bdr"), ("amount", 45_000_000 * team, "fiscal_year", None, None)]
        return [{"id": self.new_id(self.start), "metric": metric, "value": value, "per": per, "rep": rep, "motion": motion,
                 "created_at": stamp, "updated_at": stamp, "updated_by": self.reps[0]}
                for metric, value, per, rep, motion in rows]  # one millisecond, 80 seeded random bits each: unique ids


def build_demo(ws: Workspace, scale: str = "small", seed: int = 7, lang: str = "en") -> dict[str, int]:
    """Fill an empty workspace with demo data (`lang="ja"`: a Japanese team, every company, person, tag
    and note in Japanese with readings); returns how many records of each kind were written."""
    builder = _Builder(ws, SCALES[scale], seed, japanese=lang == "ja")
    notes = builder.notes()
    builder.build()
    targets = builder.targets()
    notes += builder.mail_templates()
    ws.bulk_insert(leads=builder.leads, activities=builder.activities, notes=notes, targets=targets)
    add_members(ws, demo_roster(builder.reps, builder.japanese))
    return {"reps": len(builder.reps), "leads": len(builder.leads), "activities": len(builder.activities),
            "notes": len(notes), "targets": len(targets)}


#: the demo team's display names (Japanese team: in kanji), field-sales recipients and manager
JA_DISPLAY = {"sato": "佐藤", "tanaka": "田中", "suzuki": "鈴木", "takahashi": "高橋", "ito": "伊藤", "watanabe": "渡辺",
              "yamamoto": "山本", "nakamura": "中村", "kobayashi": "小林", "kato": "加藤", "yoshida": "吉田", "yamada": "山田",
              "sasaki": "佐々木", "yamaguchi": "山口", "matsumoto": "松本", "inoue": "井上", "kimura": "木村",
              "hayashi": "林", "shimizu": "清水", "mori": "森"}
FIELD_SALES = {"field-kimura": ("Ken Kimura", "木村 健"), "field-lee": ("Dana Lee", ""),
               "field-ishii": ("", "石井 彩"), "field-mori": ("Aki Mori", "森 亮")}
MANAGER = ("nakano", "Yuko Nakano", "中野 優子")


def demo_roster(reps: list[str], japanese: bool) -> dict[str, dict[str, str]]:
    """The demo team on the roster: its reps (inside sales), the field-sales people handoffs go to, a manager."""
    roster = {rep: {"display": JA_DISPLAY.get(rep, rep) if japanese else rep.capitalize(), "role": "is",
                    "email": f"{rep}@demo.example.com"} for rep in reps}
    for name, (english, japanese_name) in FIELD_SALES.items():
        display = japanese_name if japanese else english
        if display:
            roster[name] = {"display": display, "role": "field", "email": f"{name.split('-')[1]}@demo.example.com"}
    name, english, japanese_name = MANAGER
    roster[name] = {"display": japanese_name if japanese else english, "role": "manager", "email": f"{name}@demo.example.com"}
    return roster


def demo_reps(scale: str = "small", lang: str = "en") -> list[str]:
    return demo_reps_for(SCALES[scale], lang == "ja")


def demo_reps_for(scale: Scale, japanese: bool) -> list[str]:
    return list((JA_REPS if japanese else REPS)[: scale.reps])

