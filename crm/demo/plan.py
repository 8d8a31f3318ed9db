"""The demo zone's leads as plain rows: each lead with the activities and audit trail that brought it to its stage.

Nothing here touches the database, so the rows can be written in bulk (seed.py) and the story checked in
tests. Every choice comes from one random.Random, so a seed gives the same zone every time (only the
status tokens, which must stay secret, and the dates, which follow today, change between runs).

This runs 100,000 times for the scale data set, so the inner loops draw with `Dice` (a few times cheaper
than random.choice and friends) and keep every timestamp on whole seconds without calling replace().
"""

import json
import math
import secrets
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from string import Formatter

from crm.demo import names
from crm.leads.identity import credit_code_with_check, normalise_company

PIPELINE = ("enquiry", "contacted", "site_visit", "negotiation", "signed")
DAY = timedelta(days=1)
MINUTE_S = 60
HOUR_S = 3600
EPOCH = datetime(1970, 1, 1)
# Officers and investors keep office hours: planned moments before today are moved into 08:30-18:30 zone time.
OFFICE_OPENS = 8 * 3600 + 1800
OFFICE_DAY = 10 * 3600

# The funnel: the share of leads in each stage, and how old a lead in that stage is (days: youngest,
# "recent" boundary, oldest; then the share that is recent). Stale enquiries exist in every zone office;
# signed ones took months. The oldest lead is about fourteen months old.
FUNNEL = (
    ("enquiry", 26, (0, 30, 425), 0.4),
    ("contacted", 20, (3, 60, 425), 0.35),
    ("site_visit", 14, (10, 90, 425), 0.4),
    ("negotiation", 10, (25, 120, 425), 0.4),
    ("signed", 8, (60, 200, 425), 0.4),
    ("on_hold", 7, (30, 120, 425), 0.3),
    ("lost", 15, (5, 90, 425), 0.3),
)
KINDS = (("investment", 35), ("factory_rental", 35), ("land", 15), ("office", 15))
SOURCES = (("web_form", 35), ("hotline", 12), ("wechat", 12), ("expo", 10), ("referral", 10),
           ("business_referral", 10), ("agent", 8), ("other", 3))
# Sources an officer types in himself; referrals come through the manager; web forms through nobody.
OFFICER_SOURCES = frozenset(("hotline", "wechat", "expo", "agent", "other"))
LOST_FROM = (("enquiry", 25), ("contacted", 35), ("site_visit", 25), ("negotiation", 15))
HELD_FROM = (("contacted", 40), ("site_visit", 35), ("negotiation", 25))
FOLLOW_UP_KINDS = (("call", 35), ("wechat", 35), ("email", 15), ("note", 15))
OUTCOMES = {"call": names.CALL_OUTCOMES, "wechat": names.WECHAT_OUTCOMES, "email": names.EMAIL_OUTCOMES,
            "note": names.NOTE_OUTCOMES}
COLLISION_RATE = 0.02
KEY_LEAD_MIN_INVESTMENT = 30000  # 万元: 3亿元 and up is worth a leader's time
# Figures that change from the investor's first numbers to the agreed ones, in audit order.
AGREED_FIELDS = ("planned_investment_wan", "land_mu", "floor_area_m2", "expected_output_wan",
                 "expected_tax_wan", "jobs")
NEEDS = {"investment": "投资建厂用地", "factory_rental": "标准厂房", "land": "工业用地", "office": "办公用房"}
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Which placeholders each activity text uses, so only those are drawn.
_FIELDS = {template: {name for _, name, _, _ in Formatter().parse(template) if name}
           for group in (names.CALL_OUTCOMES, names.WECHAT_OUTCOMES, names.VISIT_OUTCOMES, names.MEETING_OUTCOMES,
                         names.EMAIL_OUTCOMES, names.NOTE_OUTCOMES, names.SIGNING_OUTCOMES, names.FIGURES_OUTCOMES)
           for template in group}


class Table:
    """Codes with weights, drawn with one random number and a bisect."""

    def __init__(self, pairs):
        self.codes = [code for code, _ in pairs]
        self.cumulative = []
        total = 0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total


class Dice:
    """Fast draws from one random.Random: the same stream, so the same seed gives the same zone."""

    def __init__(self, rng):
        self.random = rng.random

    def pick(self, seq):
        return seq[int(self.random() * len(seq))]

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def whole(self, low: int, high: int) -> int:
        """An integer from low to high, both included."""
        return low + int(self.random() * (high - low + 1))

    def weighted(self, table: Table) -> str:
        return table.codes[bisect(table.cumulative, self.random() * table.total)]

    def loguniform(self, low: float, high: float) -> float:
        return math.exp(math.log(low) + (math.log(high) - math.log(low)) * self.random())


@dataclass
class Cast:
    """The people a story needs: user ids by role."""

    manager_id: int
    officer_ids: list[int]


@dataclass
class Batch:
    """Rows for one slice of leads, ready for executemany."""

    leads: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    notifications: list[dict] = field(default_factory=list)


class LeadPlanner:
    """Makes lead rows with ascending ids and ascending creation times, a batch at a time."""

    def __init__(self, rng, cast: Cast, *, now: datetime, today: date, first_id: int, utc_offset: int = 8 * 3600):
        """`now` is naive UTC, `today` the zone's date, `utc_offset` the zone's offset in seconds."""
        self.dice = Dice(rng)
        self.cast = cast
        self.now_s = int((now - EPOCH).total_seconds())
        self.today = today
        self.offset = utc_offset
        self.today_starts = self.midnight(today)
        self.next_id = first_id
        # Company keys, mobiles and credit codes already taken: each investor appears once (collisions
        # aside). Fill them from the database when adding to an existing zone.
        self.used_keys: set[str] = set()
        self.used_mobiles: set[str] = set()
        self.used_codes: set[str] = set()
        # Earlier investors a later lead may collide with: (id, owner_id, identity).
        self.recent: list[tuple] = []
        self.kinds = Table(KINDS)
        self.sources = Table(SOURCES)
        self.industries = Table(names.INDUSTRY_WEIGHTS.items())
        self.funnel = Table([(row[0], row[1]) for row in FUNNEL])
        self.ages = {row[0]: (row[2], row[3]) for row in FUNNEL}
        self.lost_from = Table(LOST_FROM)
        self.held_from = Table(HELD_FROM)
        self.follow_ups = Table(FOLLOW_UP_KINDS)

    def midnight(self, day: date) -> int:
        """The moment (epoch seconds) the zone's calendar day begins."""
        return (day - EPOCH.date()).days * 86400 - self.offset

    def stamp(self, moment: int) -> datetime:
        """A planned moment as stored: naive UTC, squeezed into office hours unless it is today.

        Each earlier day is mapped onto 08:30-18:30 zone time in order, so the order of events holds;
        today's moments stay as they are, so nothing lands after now.
        """
        if moment < self.today_starts:
            local = moment + self.offset
            of_day = local % 86400
            moment = local - of_day + OFFICE_OPENS + of_day * OFFICE_DAY // 86400 - self.offset
        return EPOCH + timedelta(seconds=moment)

    def draws(self, count: int) -> list[tuple[float, str]]:
        """(age in days, stage) for each lead, oldest first, so ids and references follow creation dates."""
        dice = self.dice
        draws = []
        for _ in range(count):
            stage = dice.weighted(self.funnel)
            (low, middle, high), recent = self.ages[stage]
            age = dice.between(low, middle) if dice.random() < recent else dice.between(middle, high)
            draws.append((max(age, 0.02), stage))
        draws.sort(reverse=True)
        return draws

    def batch(self, draws: list[tuple[float, str]]) -> Batch:
        out = Batch()
        for age, stage in draws:
            self._lead(age, stage, out)
        return out

    # --- one lead --------------------------------------------------------------------------------------------

    def _lead(self, age: float, stage: str, out: Batch) -> None:
        dice = self.dice
        lead_id = self.next_id
        self.next_id += 1
        created = self.now_s - int(age * 86400)
        industry = dice.weighted(self.industries)
        kind = dice.weighted(self.kinds)
        source = dice.weighted(self.sources)
        path = self._path(stage)

        collided = None
        if dice.random() < COLLISION_RATE and self.recent:
            collided = dice.pick(self.recent)
        identity = self._retyped(collided[2]) if collided else self._identity(industry)
        industry = identity["industry"]  # a collision is the earlier investor again, in its own industry
        if industry == "agriculture" and kind == "office":
            kind = "land"
        owner_id = self._owner(stage, source, age)
        figures, first = self._figures(kind, industry)
        # Agreed figures replace the investor's first numbers during negotiation (always before signing).
        agreed = stage == "signed" or ("negotiation" in path and dice.random() < 0.5)
        current = figures if agreed else first
        is_key = ("site_visit" in path and figures["planned_investment_wan"] >= KEY_LEAD_MIN_INVESTMENT
                  and dice.random() < 0.5)
        leader = dice.pick(names.SPONSORING_LEADERS) if is_key and dice.random() < 0.9 else None
        if is_key and first["planned_investment_wan"] is None:
            first["planned_investment_wan"] = figures["planned_investment_wan"]  # why it is a key lead

        story = _Story(self, lead_id, created, owner_id, source, stage, path, age, identity)
        story.tell(out, figures, first, agreed, is_key, leader)
        if collided:
            story.collide(out, collided[0], collided[1])
        created_at = self.stamp(created)
        if owner_id is None and age < 7:
            out.notifications.append({"user_id": self.cast.manager_id, "lead_id": lead_id, "kind": "new_enquiry",
                                      "payload": "{}", "created_at": created_at, "read_at": None})
        if owner_id is not None:
            self.recent.append((lead_id, owner_id, identity))
            if len(self.recent) > 500:
                del self.recent[:100]

        web = source == "web_form"
        out.leads.append({
            "id": lead_id,
            "status_token": secrets.token_urlsafe(24),
            "kind": kind,
            "source": source,
            "company_name": identity["company_name"],
            "company_key": identity["company_key"],
            "credit_code": identity["credit_code"],
            "contact_name": identity["contact_name"],
            "mobile": identity["mobile"],
            "email": identity["email"],
            "industry_code": industry,
            "intended_use": identity["intended_use"],
            "land_mu": current["land_mu"],
            "floor_area_m2": current["floor_area_m2"],
            "budget_wan": current["budget_wan"],
            "timing": dice.pick(names.TIMINGS),
            "planned_investment_wan": current["planned_investment_wan"],
            "expected_output_wan": current["expected_output_wan"],
            "expected_tax_wan": current["expected_tax_wan"],
            "jobs": current["jobs"],
            "message": dice.pick(names.WEB_MESSAGES).format(
                use=identity["intended_use"], need=NEEDS[kind], timing=dice.pick(names.TIMINGS)) if web else None,
            "stage": stage,
            "stage_entered_at": self.stamp(story.stage_entered),
            "owner_id": owner_id,
            "sponsoring_leader": leader,
            "priority": 1 if is_key else (1 if dice.random() < 0.1 else (3 if dice.random() < 0.17 else 2)),
            "is_key": is_key,
            "next_action": story.next_action,
            "next_action_due": story.next_action_due,
            "lost_reason": story.lost_reason,
            "hold_reason": story.hold_reason,
            "consent": web,
            "consent_at": created_at if web else None,
            "consent_version": "1" if web else None,
            "collides_with_id": collided[0] if collided else None,
            "collision_reason": story.collision_reason,
            "created_by_id": story.created_by_id,
            "created_at": created_at,
            "updated_at": self.stamp(story.updated),
            "last_activity_at": None if story.last_activity is None else self.stamp(story.last_activity),
            "version": 1,
        })

    def _path(self, stage: str) -> list[str]:
        """The stages a lead went through after enquiry, ending at its current stage."""
        if stage in PIPELINE:
            return list(PIPELINE[1:PIPELINE.index(stage) + 1])
        reached = self.dice.weighted(self.lost_from if stage == "lost" else self.held_from)
        return list(PIPELINE[1:PIPELINE.index(reached) + 1]) + [stage]

    def _owner(self, stage: str, source: str, age: float) -> int | None:
        """Web enquiries of the last days may still wait for an owner; everything past enquiry has one."""
        dice = self.dice
        if stage == "enquiry" and source == "web_form":
            if (age < 12 and dice.random() < 0.6) or dice.random() < 0.05:
                return None
        return dice.pick(self.cast.officer_ids)

    # --- who the investor is ---------------------------------------------------------------------------------

    def _identity(self, industry: str) -> dict:
        dice = self.dice
        identity = self._foreign(industry) if dice.random() < 0.05 else None
        if identity is None:
            identity = self._domestic(industry)
        identity["company_key"] = normalise_company(identity["company_name"])
        identity["industry"] = industry
        identity["intended_use"] = dice.pick(names.INTENDED_USES[industry])
        identity["mobile"] = self._mobile()
        identity["credit_code"] = (self._credit_code()
                                   if dice.random() < (0.15 if identity["foreign"] else 0.4) else None)
        return identity

    def _domestic(self, industry: str) -> dict:
        dice = self.dice
        words = names.INDUSTRY_WORDS[industry]
        parts = names.BRAND_PARTS
        while True:
            first, second = dice.pick(parts), dice.pick(parts)
            if first is second:
                continue
            word = dice.pick(words)
            # For these parts the company key is exactly brand + word (the tests hold every row to
            # normalise_company), so uniqueness is checked without normalising each candidate.
            stem = first[0] + second[0] + word
            if stem not in self.used_keys:
                break
        self.used_keys.add(stem)
        surname, given, contact_py = self._person()
        brand_py = first[1] + second[1]
        identity = {"foreign": False, "brand": first[0] + second[0], "word": word,
                    "contact_name": surname + given}
        identity["company_name"] = self._spell(identity)
        identity["email"] = (f"{contact_py}@{brand_py}.{dice.pick(names.EMAIL_DOMAINS)}"
                             if dice.random() < 0.4 else None)
        return identity

    def _spell(self, identity: dict, *, avoid: str | None = None) -> str:
        """One way of typing a Chinese company name: 湖南华锐轨道装备有限公司, 华锐（株洲）轨道装备有限公司..."""
        dice = self.dice
        brand, word = identity["brand"], identity["word"]
        for _ in range(10):
            suffix = dice.pick(names.COMPANY_SUFFIXES)
            roll = dice.random()
            if roll < 0.4:
                name = brand + word + suffix
            elif roll < 0.88:
                name = dice.pick(names.PLACE_PREFIXES) + brand + word + suffix
            else:
                name = f"{brand}（{dice.pick(('株洲', '湖南', '长沙'))}）{word}{suffix}"
            if name != avoid:
                return name
        return brand + word + "有限责任公司"

    def _foreign(self, industry: str) -> dict | None:
        """An invented foreign investor, or None once that small name space is used up (very large runs)."""
        dice = self.dice
        for _ in range(5):
            stem = dice.pick(names.FOREIGN_STEMS)
            trade = dice.pick(names.FOREIGN_TRADES[industry])
            key = normalise_company(f"{stem} {trade}")
            if key not in self.used_keys:
                break
        else:
            return None
        self.used_keys.add(key)
        contact = dice.pick(names.FOREIGN_CONTACTS)
        first, _, last = contact.partition(" ")
        email = f"{first.lower()}.{last.lower().replace(' ', '')}@{stem.lower()}.{dice.pick(names.FOREIGN_DOMAINS)}"
        return {"foreign": True, "brand": stem, "word": trade,
                "company_name": f"{stem} {trade} {dice.pick(names.FOREIGN_FORMS)}",
                "contact_name": contact, "email": email}

    def _retyped(self, earlier: dict) -> dict:
        """The same investor again, typed differently: same key, often the same contact person (撞单)."""
        dice = self.dice
        identity = dict(earlier)
        if earlier["foreign"]:
            identity["company_name"] = earlier["company_name"].upper().replace(" ", "  ", 1)
        else:
            identity["company_name"] = self._spell(earlier, avoid=earlier["company_name"])
        identity["company_key"] = normalise_company(identity["company_name"])
        identity["credit_code"] = None
        identity["same_mobile"] = dice.random() < 0.5
        if not identity["same_mobile"]:
            surname, given, _ = self._person()
            identity["contact_name"] = surname + given
            identity["mobile"] = self._mobile()
            identity["email"] = None
        return identity

    def _person(self) -> tuple[str, str, str]:
        """A Chinese name and its pinyin: 刘志强, liuzhiqiang."""
        dice = self.dice
        surname = dice.pick(names.SURNAMES)
        given = [dice.pick(names.GIVEN_PARTS)]
        if dice.random() < 0.65:
            second = dice.pick(names.GIVEN_PARTS)
            if second is not given[0]:
                given.append(second)
        return surname[0], "".join(g[0] for g in given), surname[1] + "".join(g[1] for g in given)

    def _mobile(self) -> str:
        dice = self.dice
        while True:
            mobile = f"+86{dice.pick(names.MOBILE_PREFIXES)}{int(dice.random() * 10**8):08d}"
            if mobile not in self.used_mobiles:
                self.used_mobiles.add(mobile)
                return mobile

    def _credit_code(self) -> str:
        """An 18-character unified social credit code with a valid check character (GB 32100-2015)."""
        dice = self.dice
        while True:
            body = "91" + dice.pick(names.REGION_CODES) + "".join(dice.pick(_CREDIT_CHARS) for _ in range(9))
            code = credit_code_with_check(body)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    # --- what they want --------------------------------------------------------------------------------------

    def _figures(self, kind: str, industry: str) -> tuple[dict, dict]:
        """Final figures (as agreed) and first figures (as the investor first stated them), in 万元, 亩, m²."""
        dice = self.dice
        land = floor = budget = None
        if kind in ("investment", "land"):
            # Most projects are 0.3亿-8亿; a few are the 10亿-50亿 kind a zone announces.
            if industry == "agriculture":
                investment = _step(dice.loguniform(2000, 60000), 100)
            elif dice.random() < 0.88:
                investment = _step(dice.loguniform(3000, 80000), 100)
            else:
                investment = _step(dice.loguniform(80000, 500000), 100)
            # Investment intensity rises with size; plots stay within what the zone's parks hold.
            intensity = dice.between(250, 500) if investment < 50000 else dice.between(500, 1200)
            land = Decimal(round(min(600.0, max(10.0, investment / intensity)) * 2) / 2)
            if kind == "investment" and dice.random() < 0.5:
                floor = _step(float(land) * 666.67 * dice.between(0.5, 1.1), 100)
            output = _step(investment * dice.between(0.8, 2.5), 100)
            tax = _step(float(land) * dice.between(10, 45), 10)  # 亩均税收 of 10-45 万元
            jobs = int(investment / dice.between(60, 200)) + 10
        elif kind == "factory_rental":
            floor = _step(dice.loguniform(1000, 20000), 100)
            investment = _step(floor * dice.between(0.3, 1.5), 100)  # equipment and fit-out
            output = _step(investment * dice.between(1.5, 4), 100)
            tax = _step(floor / dice.between(50, 200), 10)
            budget = _step(floor * dice.between(0.015, 0.03), 1)
            jobs = int(floor / dice.between(30, 80)) + 5
        else:
            floor = _step(dice.loguniform(200, 3000), 10)
            investment = _step(floor * dice.between(0.15, 0.8), 10)
            output = _step(investment * dice.between(1, 3), 10)
            tax = _step(dice.loguniform(20, 500), 10)
            budget = _step(floor * dice.between(0.02, 0.04), 1)
            jobs = int(floor / dice.between(8, 20)) + 3
        final = {"planned_investment_wan": Decimal(investment), "land_mu": land,
                 "floor_area_m2": None if floor is None else Decimal(floor),
                 "budget_wan": None if budget is None else Decimal(budget),
                 "expected_output_wan": Decimal(output), "expected_tax_wan": Decimal(tax), "jobs": jobs}
        # What the investor said first: a rounder investment (if any), a hopeful tax figure, maybe no area.
        first = dict(final, expected_output_wan=None, jobs=None)
        first["planned_investment_wan"] = (Decimal(_step(investment * dice.between(0.6, 1.3),
                                                         100 if investment >= 1000 else 10))
                                           if dice.random() < 0.6 else None)
        first["expected_tax_wan"] = Decimal(_step(tax * dice.between(0.5, 1.2), 10))
        if dice.random() < 0.3:
            first["land_mu"] = first["floor_area_m2"] = None
        return final, first


class _Story:
    """One lead's timeline: creation, assignment, activities and stage changes, in a plausible order.

    Moments are whole seconds since the epoch (cheap to add and compare); stamp() turns them into the stored
    naive-UTC datetimes, in office hours.
    """

    def __init__(self, planner: LeadPlanner, lead_id: int, created: int, owner_id, source, stage, path, age,
                 identity):
        self.p = planner
        self.dice = planner.dice
        self.stamp = planner.stamp
        self.lead_id = lead_id
        self.created = created
        self.owner_id = owner_id
        self.source = source
        self.stage = stage
        self.path = path
        self.age = age
        self.identity = identity
        self.manager_id = planner.cast.manager_id
        self.created_by_id = None
        self.stage_entered = created
        self.updated = created
        self.last_activity = None
        self.next_action = None
        self.next_action_due = None
        self.lost_reason = None
        self.hold_reason = None
        self.collision_reason = None
        self.events: list[dict] = []
        self.activities: list[dict] = []

    # --- rows ------------------------------------------------------------------------------------------------

    def event(self, at: int, kind, user_id, field=None, old=None, new=None, note=None):
        self.events.append({"lead_id": self.lead_id, "user_id": user_id, "at": self.stamp(at), "kind": kind,
                            "field": field, "old_value": old, "new_value": new, "note": note})
        if at > self.updated:
            self.updated = at

    def activity(self, at: int, kind, templates, leader=None, next_action=None, due=None):
        moment = self.stamp(at)
        self.activities.append({"lead_id": self.lead_id, "user_id": self.actor(), "kind": kind,
                                "occurred_at": moment, "outcome": self.text(templates, leader),
                                "next_action": next_action, "next_action_due": due, "created_at": moment})
        if self.last_activity is None or at > self.last_activity:
            self.last_activity = at

    def text(self, templates, leader=None) -> str:
        dice = self.dice
        template = dice.pick(templates)
        wanted = _FIELDS[template]
        if not wanted:
            return template
        values = {"contact": self.identity["contact_name"], "use": self.identity["intended_use"]}
        if "place" in wanted:
            values["place"] = dice.pick(names.FARM_PLACES_SHOWN if self.identity["industry"] == "agriculture"
                                        else names.PLACES_SHOWN)
        if "n" in wanted:
            values["n"] = dice.whole(2, 6)
        if "leader" in wanted:
            values["leader"] = leader or dice.pick(names.SPONSORING_LEADERS)
        if "timing" in wanted:
            values["timing"] = dice.pick(names.TIMINGS)
        return template.format_map(values)

    def actor(self) -> int:
        return self.owner_id if self.owner_id is not None else self.manager_id

    # --- the story -------------------------------------------------------------------------------------------

    def tell(self, out: Batch, figures, first, agreed, is_key, leader) -> None:
        dice = self.dice
        now = self.p.now_s
        created = self.created
        # Who typed the lead in: the investor (web form), the officer on the phone, or the manager.
        if self.source == "web_form":
            self.created_by_id = None
        elif self.source in OFFICER_SOURCES:
            self.created_by_id = self.owner_id
        else:
            self.created_by_id = self.manager_id
        self.event(created, "created", self.created_by_id, "stage", None, "enquiry", self.source)

        # When the story ends: closed leads some time ago; open ones with an activity in the last days.
        due = None
        if self.stage in ("signed", "lost"):
            end = created + int(self.age * 86400 * dice.between(0.45, 0.9))
        else:
            if self.owner_id is not None:
                due = self._due()
            latest = now - MINUTE_S * dice.whole(5, 600)
            if due is not None and due < self.p.today:
                latest = min(latest, self.p.midnight(due) - HOUR_S * dice.whole(2, 72))
            quiet = min(self.age * 0.5, 40 if self.stage == "on_hold" else 12)
            end = max(created + MINUTE_S * 20, latest - int(86400 * quiet * dice.random()))
            end = min(end, now - MINUTE_S)

        start = self._assign(created, end)
        times = self._milestones(start, end)
        previous_stage, previous_at = "enquiry", start
        for stage, at in zip(self.path, times, strict=True):
            self._lead_up(stage, previous_at, at, figures, first, agreed, is_key, leader)
            note = None
            if stage == "lost":
                self.lost_reason = note = dice.pick(names.LOST_REASONS)
            elif stage == "on_hold":
                self.hold_reason = note = dice.pick(names.HOLD_REASONS)
            self.event(at, "stage", self.actor(), "stage", previous_stage, stage, note)
            self.stage_entered = at
            previous_stage, previous_at = stage, at

        if self.stage == "negotiation" and agreed:
            self._agree_figures(previous_at + int((end - previous_at) * dice.between(0.2, 0.6)), figures, first)
        if self.owner_id is not None and self.stage not in ("signed", "lost"):
            self._follow_up(previous_at, end, due)
        out.events += self.events
        out.activities += self.activities

    def _assign(self, created: int, end: int) -> int:
        """Record how the lead got its owner; returns when work could start."""
        dice = self.dice
        owner = self.owner_id
        if owner is None:
            return created
        if self.created_by_id == owner:
            self.event(created, "assigned", owner, "owner_id", None, str(owner))
            return created
        assigned = created + min(MINUTE_S * dice.whole(20, 1800), (end - created) // 4)
        first_owner = owner
        if len(self.path) >= 2 and dice.random() < 0.06:
            first_owner = dice.pick([o for o in self.p.cast.officer_ids if o != owner] or [owner])
        if first_owner == owner and self.source == "web_form" and dice.random() < 0.3:
            self.event(assigned, "assigned", owner, "owner_id", None, str(owner), "claimed")
        else:
            self.event(assigned, "assigned", self.manager_id, "owner_id", None, str(first_owner))
        if first_owner != owner:
            # 调整分工: the manager hands the lead to another officer before the real work starts.
            moved = assigned + int((end - assigned) * dice.between(0.05, 0.15))
            self.event(moved, "assigned", self.manager_id, "owner_id", str(first_owner), str(owner))
            assigned = moved
        return assigned

    def _milestones(self, start: int, end: int) -> list[int]:
        """When the lead entered each stage of its path: strictly in order, between start and end."""
        steps = len(self.path)
        if not steps:
            return []
        dice = self.dice
        span = end - start
        marks = sorted(dice.between(0.1, 1.0) for _ in range(steps))
        if self.stage in ("signed", "lost"):
            marks[-1] = 1.0
        times, previous = [], start
        for mark in marks:
            at = max(start + int(span * mark), previous + MINUTE_S * 10)
            times.append(at)
            previous = at
        latest = self.p.now_s - MINUTE_S
        if times[-1] > latest:  # a story too long for the time it had: squeeze its tail before now
            times = [min(at, latest - MINUTE_S * (steps - i)) for i, at in enumerate(times)]
        return times

    def _lead_up(self, stage, start, at, figures, first, agreed, is_key, leader) -> None:
        """What happened before the lead entered `stage`: the activity its gate asks for, and a few more."""
        dice = self.dice

        def before(low_minutes, high_minutes):
            moment = at - MINUTE_S * dice.whole(low_minutes, high_minutes)
            return moment if moment > start else start + (at - start) // 2

        if stage == "contacted":
            kind = "call" if dice.random() < 0.7 else "wechat"
            self.activity(before(5, 120), kind, OUTCOMES[kind])
        elif stage == "site_visit":
            self._extras(start, at, dice.whole(0, 2))
            self.activity(before(60, 300), "visit", names.VISIT_OUTCOMES)
            if is_key:
                self._mark_key(start, at, leader)
        elif stage == "negotiation":
            self._extras(start, at, dice.whole(0, 2))
            if dice.random() < 0.4:
                self.activity(before(600, 4000), "visit", names.VISIT_OUTCOMES)
            self.activity(before(30, 240), "meeting", names.MEETING_OUTCOMES, leader)
        elif stage == "signed":
            self._extras(start, at, dice.whole(1, 3))
            self._agree_figures(before(1500, 6000), figures, first)
            self.activity(before(30, 180), "meeting", names.SIGNING_OUTCOMES, leader)
        elif stage == "lost":
            if agreed:
                self._agree_figures(before(2000, 8000), figures, first)
            if dice.random() < 0.6:
                kind = "call" if dice.random() < 0.5 else "wechat"
                self.activity(before(60, 2000), kind, OUTCOMES[kind])
        elif stage == "on_hold":
            if agreed:
                self._agree_figures(before(2000, 8000), figures, first)
            kind = dice.pick(("call", "wechat", "note"))
            self.activity(before(30, 600), kind, OUTCOMES[kind])

    def _extras(self, start: int, end: int, count: int) -> None:
        """Ordinary follow-ups between two milestones: calls, WeChat, e-mails, notes."""
        span = end - start
        if span < 3 * HOUR_S:
            return
        dice = self.dice
        for _ in range(count):
            kind = dice.weighted(self.p.follow_ups)
            self.activity(start + int(span * dice.between(0.15, 0.8)), kind, OUTCOMES[kind])

    def _agree_figures(self, at: int, figures, first) -> None:
        """The investor's first numbers give way to the agreed ones: recorded as field changes."""
        actor = self.actor()
        changed = False
        for name in AGREED_FIELDS:
            old, new = first[name], figures[name]
            if new is not None and old != new:
                self.event(at, "field", actor, name, _text(old), _text(new))
                changed = True
        if changed:
            self.activity(at, "note", names.FIGURES_OUTCOMES)

    def _mark_key(self, start: int, at: int, leader) -> None:
        """The manager makes it a key lead (and names a sponsoring leader) once the investor has visited."""
        moment = start + int((at - start) * self.dice.between(0.2, 0.7))
        self.event(moment, "field", self.manager_id, "is_key", "0", "1")
        if leader:
            self.event(moment, "field", self.manager_id, "sponsoring_leader", None, leader)

    def _due(self) -> date:
        """A next action due around today: some overdue, some today, most in the coming weeks."""
        dice = self.dice
        today = self.p.today
        if self.stage == "on_hold":
            return today + DAY * dice.whole(7, 90)
        roll = dice.random()
        if roll < 0.22 and self.age > 3:
            return today - DAY * dice.whole(1, min(14, int(self.age) - 1))
        if roll < 0.36:
            return today
        return today + DAY * dice.whole(1, 21)

    def _follow_up(self, start: int, end: int, due) -> None:
        """Work on an open lead since its last stage change; the last activity names the next action."""
        dice = self.dice
        end = max(end, start + MINUTE_S)
        if self.stage != "enquiry" or dice.random() < 0.5:
            self._extras(start, end, dice.whole(0, 2))
        kind = dice.weighted(self.p.follow_ups)
        action = dice.pick(names.NEXT_ACTIONS)
        self.activity(end, kind, OUTCOMES[kind], next_action=action, due=due)
        self.next_action, self.next_action_due = action, due

    def collide(self, out: Batch, other_id: int, other_owner: int | None) -> None:
        """Link this lead to an earlier one for the same investor, on both timelines, and tell both owners."""
        reason = "mobile" if self.identity.get("same_mobile") else "company"
        self.collision_reason = reason
        at, actor = self.stamp(self.created), self.created_by_id
        for lead_id, other in ((self.lead_id, other_id), (other_id, self.lead_id)):
            out.events.append({"lead_id": lead_id, "user_id": actor, "at": at, "kind": "collision",
                               "field": "collides_with_id", "old_value": None, "new_value": str(other),
                               "note": reason})
        read_at = at + DAY if self.p.now_s - self.created > 14 * 86400 else None
        for owner_id, lead_id, other in ((self.owner_id, self.lead_id, other_id),
                                         (other_owner, other_id, self.lead_id)):
            if owner_id is not None:
                out.notifications.append({
                    "user_id": owner_id, "lead_id": lead_id, "kind": "collision",
                    "payload": json.dumps({"other_lead_id": other, "reason": reason}),
                    "created_at": at, "read_at": read_at})


def _step(value: float, step: int) -> int:
    """Round to a believable figure: 12,300 万元, not 12,287.4."""
    return max(step, int(round(value / step)) * step)


def _text(value) -> str | None:
    """As the audit trail stores values (see leads.services._as_text)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
