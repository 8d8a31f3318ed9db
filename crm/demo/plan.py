"""The demo zone's leads as plain rows: each lead with the activities and audit trail that brought it to its stage.

Nothing here touches the database, so the rows can be written in bulk (seed.py) and the story checked in
tests. Every choice comes from one random.Random, so a seed gives the same zone every time (only the
status tokens, which must stay secret, and the dates, which follow today, change between runs).
"""

import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from crm.demo import names
from crm.leads.identity import credit_code_with_check, normalise_company

PIPELINE = ("enquiry", "contacted", "site_visit", "negotiation", "signed")
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
HISTORY_DAYS = 425  # about fourteen months of intake

KINDS = (("investment", 35), ("factory_rental", 35), ("land", 15), ("office", 15))
SOURCES = (("web_form", 35), ("hotline", 12), ("wechat", 12), ("expo", 10), ("referral", 10),
           ("business_referral", 10), ("agent", 8), ("other", 3))
# Sources an officer types in himself; referrals come through the manager; web forms through nobody.
OFFICER_SOURCES = frozenset(("hotline", "wechat", "expo", "agent", "other"))
# The funnel: how many leads sit in each stage, and how old a lead in that stage may be (days, with the
# share of them that is recent). Stale enquiries exist in every real zone office; signed ones took months.
FUNNEL = (
    ("enquiry", 26, (0, 30, 425), 0.4),
    ("contacted", 20, (3, 60, 425), 0.35),
    ("site_visit", 14, (10, 90, 425), 0.4),
    ("negotiation", 10, (25, 120, 425), 0.4),
    ("signed", 8, (60, 200, 425), 0.4),
    ("on_hold", 7, (30, 120, 425), 0.3),
    ("lost", 15, (5, 90, 425), 0.3),
)
LOST_FROM = (("enquiry", 25), ("contacted", 35), ("site_visit", 25), ("negotiation", 15))
HELD_FROM = (("contacted", 40), ("site_visit", 35), ("negotiation", 25))
COLLISION_RATE = 0.02


@dataclass
class Cast:
    """The people a story needs: user ids by role."""

    manager_id: int
    officer_ids: list[int]


@dataclass
class Batch:
    """Rows for one slice of leads, ready for executemany, and what the summary counts."""

    leads: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    notifications: list[dict] = field(default_factory=list)


def _weighted(pairs):
    codes = [code for code, _ in pairs]
    weights = [weight for _, weight in pairs]
    return codes, weights


class LeadPlanner:
    """Makes lead rows with ascending ids and ascending creation times, in batches."""

    def __init__(self, rng, cast: Cast, *, now: datetime, today: date, first_id: int):
        self.rng = rng
        self.cast = cast
        self.now = now
        self.today = today
        self.next_id = first_id
        self.used_keys: set[str] = set()
        self.used_mobiles: set[str] = set()
        self.used_codes: set[str] = set()
        # Earlier investors a later lead may collide with: (id, owner_id, identity, mobile, contact, created).
        self.recent: list[tuple] = []
        self._kinds = _weighted(KINDS)
        self._sources = _weighted(SOURCES)
        self._industries = _weighted(names.INDUSTRY_WEIGHTS.items())
        self._funnel = ([row[0] for row in FUNNEL], [row[1] for row in FUNNEL])
        self._ages = {row[0]: (row[2], row[3]) for row in FUNNEL}
        self._lost_from = _weighted(LOST_FROM)
        self._held_from = _weighted(HELD_FROM)

    # --- the whole run -------------------------------------------------------------------------------------

    def draws(self, count: int) -> list[tuple[float, str]]:
        """(age in days, stage) for each lead, oldest first, so ids and references follow creation dates."""
        rng = self.rng
        draws = []
        stages = rng.choices(*self._funnel, k=count)
        for stage in stages:
            (low, middle, high), recent = self._ages[stage]
            age = rng.uniform(low, middle) if rng.random() < recent else rng.uniform(middle, high)
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
        rng = self.rng
        lead_id = self.next_id
        self.next_id += 1
        created = self.now - timedelta(days=age)
        created = created.replace(microsecond=0)
        industry = rng.choices(*self._industries)[0]
        kind = rng.choices(*self._kinds)[0]
        if industry == "agriculture" and kind == "office":
            kind = "land"
        source = rng.choices(*self._sources)[0]
        path = self._path(stage)

        collided = self._collision_target(created) if rng.random() < COLLISION_RATE else None
        identity = self._identity(industry, collided)
        row_owner = self._owner(stage, source, age)
        figures, first_figures = self._figures(kind, industry)
        # Agreed figures replace the investor's first numbers during negotiation (always before signing).
        advanced = stage == "signed" or ("negotiation" in path and rng.random() < 0.5)
        current = dict(figures) if advanced else dict(first_figures)
        is_key = bool(path) and (figures["planned_investment_wan"] or 0) >= 30000 and rng.random() < 0.35 \
            and "site_visit" in path
        leader = rng.choice(names.SPONSORING_LEADERS) if is_key and rng.random() < 0.85 else None

        story = _Story(self, lead_id, created, row_owner, source, stage, path, age)
        story.tell(out, identity, figures, first_figures, advanced, is_key, leader)

        if collided is not None:
            story.collide(out, collided, identity)
        if story.owner_id is None and age < 7:
            out.notifications.append({"user_id": self.cast.manager_id, "lead_id": lead_id, "kind": "new_enquiry",
                                      "payload": "{}", "created_at": created, "read_at": None})
        self.recent.append((lead_id, story.owner_id, identity, identity["mobile"], identity["contact_name"]))
        if len(self.recent) > 400:
            del self.recent[:100]

        lost_reason = story.lost_reason
        hold_reason = story.hold_reason
        row = {
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
            "timing": rng.choice(names.TIMINGS),
            "planned_investment_wan": current["planned_investment_wan"],
            "expected_output_wan": current["expected_output_wan"],
            "expected_tax_wan": current["expected_tax_wan"],
            "jobs": current["jobs"],
            "message": self._message(identity, kind) if source == "web_form" else None,
            "stage": stage,
            "stage_entered_at": story.stage_entered_at,
            "owner_id": story.owner_id,
            "sponsoring_leader": leader,
            "priority": 1 if is_key else rng.choices((1, 2, 3), (10, 75, 15))[0],
            "is_key": is_key,
            "next_action": story.next_action,
            "next_action_due": story.next_action_due,
            "lost_reason": lost_reason,
            "hold_reason": hold_reason,
            "consent": source == "web_form",
            "consent_at": created if source == "web_form" else None,
            "consent_version": "1" if source == "web_form" else None,
            "collides_with_id": collided[0] if collided else None,
            "collision_reason": story.collision_reason,
            "created_by_id": story.created_by_id,
            "created_at": created,
            "updated_at": story.updated_at,
            "last_activity_at": story.last_activity_at,
            "version": 1,
        }
        out.leads.append(row)

    def _path(self, stage: str) -> list[str]:
        """The stages a lead went through after enquiry, ending at its current stage."""
        if stage in PIPELINE:
            return list(PIPELINE[1:PIPELINE.index(stage) + 1])
        table = self._lost_from if stage == "lost" else self._held_from
        reached = self.rng.choices(*table)[0]
        return list(PIPELINE[1:PIPELINE.index(reached) + 1]) + [stage]

    def _owner(self, stage: str, source: str, age: float) -> int | None:
        """Web enquiries of the last days may still wait for an owner; everything past enquiry has one."""
        if stage == "enquiry" and source == "web_form":
            if (age < 12 and self.rng.random() < 0.6) or self.rng.random() < 0.05:
                return None
        return self.rng.choice(self.cast.officer_ids)

    def _collision_target(self, created: datetime):
        candidates = [c for c in self.recent if c[1] is not None]
        return self.rng.choice(candidates) if candidates else None

    # --- who the investor is ---------------------------------------------------------------------------------

    def _identity(self, industry: str, collided) -> dict:
        rng = self.rng
        if collided is not None:
            return self._retyped(collided)
        if rng.random() < 0.05:
            identity = self._foreign(industry)
        else:
            identity = self._domestic(industry)
        identity["intended_use"] = rng.choice(names.INTENDED_USES[industry])
        identity["mobile"] = self._mobile()
        identity["credit_code"] = self._credit_code() if rng.random() < (0.15 if identity["foreign"] else 0.4) \
            else None
        return identity

    def _domestic(self, industry: str) -> dict:
        rng = self.rng
        words = names.INDUSTRY_WORDS[industry]
        while True:
            first, second = rng.sample(names.BRAND_PARTS, 2)
            word = rng.choice(words)
            brand = first[0] + second[0]
            key = normalise_company(brand + word)
            if key not in self.used_keys:
                break
        self.used_keys.add(key)
        surname, given, contact_py = self._person()
        brand_py = first[1] + second[1]
        identity = {
            "foreign": False, "brand": brand, "brand_py": brand_py, "word": word,
            "contact_name": surname + given, "contact_py": contact_py,
        }
        identity["company_name"] = self._spell(identity)
        identity["company_key"] = normalise_company(identity["company_name"])
        identity["email"] = (f"{contact_py}@{brand_py}.{rng.choice(names.EMAIL_DOMAINS)}"
                             if rng.random() < 0.4 else None)
        return identity

    def _spell(self, identity: dict, *, avoid: str | None = None) -> str:
        """One way of typing a Chinese company name: 湖南华锐轨道装备有限公司, 华锐（株洲）轨道装备有限公司..."""
        rng = self.rng
        for _ in range(10):
            suffix = rng.choice(names.COMPANY_SUFFIXES)
            roll = rng.random()
            if roll < 0.4:
                name = identity["brand"] + identity["word"] + suffix
            elif roll < 0.88:
                name = rng.choice(names.PLACE_PREFIXES) + identity["brand"] + identity["word"] + suffix
            else:
                name = f"{identity['brand']}（{rng.choice(('株洲', '湖南', '长沙'))}）{identity['word']}{suffix}"
            if name != avoid:
                return name
        return identity["brand"] + identity["word"] + "有限责任公司"

    def _foreign(self, industry: str) -> dict:
        rng = self.rng
        while True:
            stem = rng.choice(names.FOREIGN_STEMS)
            trade = rng.choice(names.FOREIGN_TRADES[industry])
            form = rng.choice(names.FOREIGN_FORMS)
            company = f"{stem} {trade} {form}"
            key = normalise_company(company)
            if key not in self.used_keys:
                break
            if rng.random() < 0.3:  # the small foreign name space fills up in very large runs
                return self._domestic(industry)
        self.used_keys.add(key)
        contact = rng.choice(names.FOREIGN_CONTACTS)
        first, _, last = contact.partition(" ")
        email = f"{first.lower()}.{last.lower().replace(' ', '')}@{stem.lower()}.{rng.choice(names.FOREIGN_DOMAINS)}"
        return {"foreign": True, "brand": stem, "brand_py": stem.lower(), "word": trade, "company_name": company,
                "company_key": key, "contact_name": contact, "contact_py": first.lower(), "email": email}

    def _retyped(self, collided) -> dict:
        """The same investor again, typed differently: same key, often the same contact person (撞单)."""
        rng = self.rng
        _lead_id, _owner, earlier, mobile, contact, *_ = collided
        identity = dict(earlier)
        if not earlier["foreign"]:
            identity["company_name"] = self._spell(earlier, avoid=earlier["company_name"])
        else:
            identity["company_name"] = earlier["company_name"].replace(" ", "  ", 1).upper()
        identity["company_key"] = normalise_company(identity["company_name"])
        identity["credit_code"] = None
        if rng.random() < 0.5:
            identity["mobile"], identity["contact_name"] = mobile, contact
            identity["same_mobile"] = True
        else:
            surname, given, contact_py = self._person()
            identity["contact_name"] = surname + given
            identity["mobile"] = self._mobile()
            identity["email"] = None
            identity["same_mobile"] = False
        return identity

    def _person(self) -> tuple[str, str, str]:
        rng = self.rng
        surname = rng.choice(names.SURNAMES)
        given = rng.sample(names.GIVEN_PARTS, rng.choice((1, 2, 2)))
        return surname[0], "".join(g[0] for g in given), surname[1] + "".join(g[1] for g in given)

    def _mobile(self) -> str:
        rng = self.rng
        while True:
            mobile = f"+86{rng.choice(names.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
            if mobile not in self.used_mobiles:
                self.used_mobiles.add(mobile)
                return mobile

    def _credit_code(self) -> str:
        """An 18-character unified social credit code with a valid check character (GB 32100-2015)."""
        rng = self.rng
        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        while True:
            body = "91" + rng.choice(names.REGION_CODES) + "".join(rng.choice(chars) for _ in range(9))
            code = credit_code_with_check(body)
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    # --- what they want --------------------------------------------------------------------------------------

    def _figures(self, kind: str, industry: str) -> tuple[dict, dict]:
        """Final figures (as agreed) and first figures (as the investor first stated them)."""
        rng = self.rng
        land = floor = budget = None
        if kind in ("investment", "land"):
            high = 60000 if industry == "agriculture" else 500000
            investment = _round(_loguniform(rng, 3000, high), 100)
            land = _half(max(10, investment / rng.uniform(250, 700)))
            if kind == "investment" and rng.random() < 0.5:
                floor = _round(float(land) * 666.67 * rng.uniform(0.5, 1.1), 100)
            output = _round(investment * rng.uniform(0.8, 2.5), 100)
            tax = _round(float(land) * rng.uniform(15, 60), 10)
            jobs = int(investment / rng.uniform(60, 200)) + 10
        elif kind == "factory_rental":
            floor = _round(_loguniform(rng, 1000, 20000), 100)
            investment = _round(_loguniform(rng, 500, 20000), 100)
            output = _round(investment * rng.uniform(1.5, 4), 100)
            tax = _round(floor / rng.uniform(50, 200), 10)
            budget = _round(floor * rng.uniform(0.015, 0.03), 1)
            jobs = int(floor / rng.uniform(30, 80)) + 5
        else:
            floor = _round(_loguniform(rng, 200, 3000), 10)
            investment = _round(_loguniform(rng, 100, 3000), 10)
            output = _round(investment * rng.uniform(1, 3), 10)
            tax = _round(_loguniform(rng, 20, 500), 10)
            budget = _round(floor * rng.uniform(0.02, 0.04), 1)
            jobs = int(floor / rng.uniform(8, 20)) + 3
        final = {"planned_investment_wan": Decimal(investment), "land_mu": land,
                 "floor_area_m2": Decimal(floor) if floor is not None else None,
                 "budget_wan": Decimal(budget) if budget is not None else None,
                 "expected_output_wan": Decimal(output), "expected_tax_wan": Decimal(max(tax, 10)), "jobs": jobs}
        first = dict(final)
        first["planned_investment_wan"] = (Decimal(_round(investment * rng.uniform(0.6, 1.3), 100 if investment
                                                          >= 1000 else 10)) if rng.random() < 0.6 else None)
        first["expected_tax_wan"] = Decimal(_round(float(final["expected_tax_wan"]) * rng.uniform(0.5, 1.2), 10)
                                            or 10)
        first["expected_output_wan"] = None
        first["jobs"] = None
        if rng.random() < 0.3:
            first["land_mu"] = first["floor_area_m2"] = None
        return final, first

    def _message(self, identity: dict, kind: str) -> str:
        need = {"investment": "投资建厂用地", "factory_rental": "标准厂房", "land": "工业用地",
                "office": "办公用房"}[kind]
        return self.rng.choice(names.WEB_MESSAGES).format(use=identity["intended_use"], need=need,
                                                          timing=self.rng.choice(names.TIMINGS))


class _Story:
    """Builds one lead's timeline: assignment, activities and stage changes in a plausible order."""

    def __init__(self, planner: LeadPlanner, lead_id: int, created: datetime, owner_id, source, stage, path,
                 age):
        self.p = planner
        self.rng = planner.rng
        self.lead_id = lead_id
        self.created = created
        self.owner_id = owner_id
        self.source = source
        self.stage = stage
        self.path = path
        self.age = age
        self.manager_id = planner.cast.manager_id
        self.created_by_id = None
        self.stage_entered_at = created
        self.updated_at = created
        self.last_activity_at = None
        self.next_action = None
        self.next_action_due = None
        self.lost_reason = None
        self.hold_reason = None
        self.collision_reason = None
        self._events: list[dict] = []
        self._activities: list[dict] = []

    # --- rows ------------------------------------------------------------------------------------------------

    def event(self, at, kind, user_id, field=None, old=None, new=None, note=None):
        self._events.append({"lead_id": self.lead_id, "user_id": user_id, "at": at, "kind": kind, "field": field,
                             "old_value": old, "new_value": new, "note": note})
        if at > self.updated_at:
            self.updated_at = at

    def activity(self, at, kind, user_id, outcome, next_action=None, due=None):
        self._activities.append({"lead_id": self.lead_id, "user_id": user_id, "kind": kind, "occurred_at": at,
                                 "outcome": outcome, "next_action": next_action, "next_action_due": due,
                                 "created_at": at})
        if self.last_activity_at is None or at > self.last_activity_at:
            self.last_activity_at = at

    def text(self, templates, identity, **extra) -> str:
        rng = self.rng
        values = {"contact": identity["contact_name"], "place": rng.choice(names.PLACES_SHOWN),
                  "use": identity["intended_use"], "n": rng.randint(2, 6),
                  "leader": extra.get("leader") or rng.choice(names.SPONSORING_LEADERS),
                  "timing": rng.choice(names.TIMINGS)}
        return rng.choice(templates).format(**values)

    # --- the story -------------------------------------------------------------------------------------------

    def tell(self, out: Batch, identity, figures, first, advanced, is_key, leader) -> None:
        rng = self.rng
        now = self.p.now
        created = self.created
        officers = self.p.cast.officer_ids
        # Who typed the lead in, and how it found its owner.
        if self.source == "web_form":
            self.created_by_id = None
        elif self.source in OFFICER_SOURCES:
            self.created_by_id = self.owner_id
        else:
            self.created_by_id = self.manager_id
        self.event(created, "created", self.created_by_id, "stage", None, "enquiry", self.source)

        # The moment the story ends: closed leads some time ago, open ones with a recent activity.
        due = None
        if self.stage in ("signed", "lost"):
            end = created + timedelta(days=self.age * rng.uniform(0.45, 0.9))
        else:
            if self.owner_id is not None:
                due = self._due(created)
            latest = now - MINUTE * rng.randint(5, 600)
            if due is not None and due < self.p.today:
                latest = min(latest, datetime.combine(due, datetime.min.time()) - HOUR * rng.randint(2, 72))
            quiet = min(self.age * 0.5, 12 if self.stage != "on_hold" else 40)
            end = max(created + MINUTE * 20, latest - timedelta(days=rng.uniform(0, quiet)))
            end = min(end, now - MINUTE)
        end = end.replace(microsecond=0)

        owner = self.owner_id
        if owner is not None:
            if self.created_by_id == owner:
                assigned_at = created
                self.event(created, "assigned", owner, "owner_id", None, str(owner))
            else:
                assigned_at = min(created + MINUTE * rng.randint(20, 1800), created + (end - created) / 4)
                assigned_at = assigned_at.replace(microsecond=0)
                first_owner = owner
                if len(self.path) >= 2 and rng.random() < 0.06:
                    first_owner = rng.choice([o for o in officers if o != owner] or [owner])
                if rng.random() < 0.3 and self.source == "web_form" and first_owner == owner:
                    self.event(assigned_at, "assigned", owner, "owner_id", None, str(owner), "claimed")
                else:
                    self.event(assigned_at, "assigned", self.manager_id, "owner_id", None, str(first_owner))
                if first_owner != owner:
                    # 调整分工: the manager moves the lead to another officer before work starts in earnest.
                    moved = assigned_at + (end - assigned_at) * rng.uniform(0.05, 0.15)
                    self.event(moved.replace(microsecond=0), "assigned", self.manager_id, "owner_id",
                               str(first_owner), str(owner))
                    assigned_at = moved
        else:
            assigned_at = created

        # Stage changes spread between the assignment and the end of the story.
        steps = len(self.path)
        if steps:
            span = (end - assigned_at).total_seconds()
            marks = sorted(rng.uniform(0.1, 1.0) for _ in range(steps))
            marks[-1] = 1.0 if self.stage in ("signed", "lost") else marks[-1]
            times = []
            previous = assigned_at
            for mark in marks:
                at = assigned_at + timedelta(seconds=span * mark)
                at = max(at, previous + MINUTE * 10).replace(microsecond=0)
                times.append(at)
                previous = at
            if times[-1] > now - MINUTE:  # a story too short to fit: squeeze it into the time it has
                times = [min(t, now - MINUTE * (steps - i + 1)) for i, t in enumerate(times)]
        else:
            times = []

        previous_stage = "enquiry"
        previous_at = assigned_at
        for stage, at in zip(self.path, times, strict=True):
            self._lead_up(stage, previous_at, at, identity, figures, first, advanced, is_key, leader)
            note = None
            if stage == "lost":
                self.lost_reason = note = rng.choice(names.LOST_REASONS)
            elif stage == "on_hold":
                self.hold_reason = note = rng.choice(names.HOLD_REASONS)
            self.event(at, "stage", self._actor(), "stage", previous_stage, stage, note)
            self.stage_entered_at = at
            previous_stage, previous_at = stage, at

        if self.stage == "negotiation" and advanced:
            moment = previous_at + (end - previous_at) * rng.uniform(0.2, 0.6)
            self._agree_figures(moment.replace(microsecond=0), figures, first)
        if owner is not None and self.stage not in ("signed", "lost"):
            self._follow_up(previous_at, end, identity, due)
        out.events.extend(self._events)
        out.activities.extend(self._activities)

    def _actor(self) -> int:
        return self.owner_id if self.owner_id is not None else self.manager_id

    def _lead_up(self, stage, start, at, identity, figures, first, advanced, is_key, leader) -> None:
        """What happened before the lead entered `stage`: the activity its gate asks for, and a few more."""
        rng = self.rng
        actor = self._actor()

        def before(low_minutes, high_minutes):
            moment = at - MINUTE * rng.randint(low_minutes, high_minutes)
            return max(moment, start + MINUTE).replace(microsecond=0) if moment > start else \
                (start + (at - start) / 2).replace(microsecond=0)

        if stage == "contacted":
            kind = rng.choices(("call", "wechat"), (70, 30))[0]
            self.activity(before(5, 120), kind, actor,
                          self.text(names.CALL_OUTCOMES if kind == "call" else names.WECHAT_OUTCOMES, identity))
        elif stage == "site_visit":
            self._extras(start, at, identity, rng.randint(0, 2))
            self.activity(before(60, 300), "visit", actor, self.text(names.VISIT_OUTCOMES, identity))
            if is_key:
                self._mark_key(start, at, leader)
        elif stage == "negotiation":
            self._extras(start, at, identity, rng.randint(0, 2))
            if rng.random() < 0.4:
                self.activity(before(600, 4000), "visit", actor, self.text(names.VISIT_OUTCOMES, identity))
            self.activity(before(30, 240), "meeting", actor, self.text(names.MEETING_OUTCOMES, identity,
                                                                          leader=leader))
        elif stage == "signed":
            self._extras(start, at, identity, rng.randint(1, 3))
            self._agree_figures(before(1500, 6000), figures, first)
            self.activity(before(30, 180), "meeting", actor, self.text(names.SIGNING_OUTCOMES, identity,
                                                                          leader=leader))
        elif stage == "lost":
            if advanced:
                self._agree_figures(before(2000, 8000), figures, first)
            if rng.random() < 0.6:
                self.activity(before(60, 2000), rng.choice(("call", "wechat")), actor,
                              self.text(names.CALL_OUTCOMES, identity))
        elif stage == "on_hold":
            if advanced:
                self._agree_figures(before(2000, 8000), figures, first)
            self.activity(before(30, 600), rng.choice(("call", "wechat", "note")), actor,
                          self.text(names.NOTE_OUTCOMES, identity))

    def _extras(self, start, end, identity, count) -> None:
        """Ordinary follow-ups between two milestones: calls, WeChat, e-mails, notes."""
        rng = self.rng
        span = (end - start).total_seconds()
        if span < 3 * 3600:
            return
        for _ in range(count):
            at = (start + timedelta(seconds=span * rng.uniform(0.15, 0.8))).replace(microsecond=0)
            kind = rng.choices(("call", "wechat", "email", "note"), (35, 35, 15, 15))[0]
            templates = {"call": names.CALL_OUTCOMES, "wechat": names.WECHAT_OUTCOMES,
                         "email": names.EMAIL_OUTCOMES, "note": names.NOTE_OUTCOMES}[kind]
            self.activity(at, kind, self._actor(), self.text(templates, identity))

    def _agree_figures(self, at, figures, first) -> None:
        """The investor's first numbers give way to the agreed ones: recorded as field changes."""
        actor = self._actor()
        changed = False
        for name in ("planned_investment_wan", "land_mu", "floor_area_m2", "expected_output_wan",
                     "expected_tax_wan", "jobs"):
            old, new = first.get(name), figures.get(name)
            if new is not None and old != new:
                self.event(at, "field", actor, name, _text(old), _text(new))
                changed = True
        if changed:
            self.activity(at, "note", actor, names.FIGURES_OUTCOMES[0])

    def _mark_key(self, start, at, leader) -> None:
        moment = (start + (at - start) * self.rng.uniform(0.2, 0.7)).replace(microsecond=0)
        self.event(moment, "field", self.manager_id, "is_key", "0", "1")
        if leader:
            self.event(moment, "field", self.manager_id, "sponsoring_leader", None, leader)

    def _due(self, created: datetime) -> date:
        """A next action due around today: some overdue, some today, most in the coming weeks."""
        rng = self.rng
        today = self.p.today
        if self.stage == "on_hold":
            return today + DAY * rng.randint(7, 90)
        roll = rng.random()
        if roll < 0.22 and self.age > 3:
            return today - DAY * rng.randint(1, min(14, int(self.age) - 1))
        if roll < 0.36:
            return today
        return today + DAY * rng.randint(1, 21)

    def _follow_up(self, start, end, identity, due) -> None:
        """Work on an open lead since its last stage change, the last activity naming the next action."""
        rng = self.rng
        if end <= start:
            end = start + MINUTE * 5
            if end > self.p.now:
                end = self.p.now
        if self.stage != "enquiry" or rng.random() < 0.5:
            self._extras(start, end, identity, rng.randint(0, 2))
        kind = rng.choices(("call", "wechat", "email", "note"), (40, 35, 10, 15))[0]
        templates = {"call": names.CALL_OUTCOMES, "wechat": names.WECHAT_OUTCOMES, "email": names.EMAIL_OUTCOMES,
                     "note": names.NOTE_OUTCOMES}[kind]
        action = rng.choice(names.NEXT_ACTIONS)
        self.activity(end, kind, self._actor(), self.text(templates, identity), action, due)
        self.next_action, self.next_action_due = action, due

    def collide(self, out: Batch, collided, identity) -> None:
        """Link this lead to the earlier one for the same investor, on both timelines, and tell both owners."""
        other_id, other_owner = collided[0], collided[1]
        reason = "mobile" if identity.get("same_mobile") else "company"
        self.collision_reason = reason
        at = self.created
        actor = self.created_by_id
        out.events.append({"lead_id": self.lead_id, "user_id": actor, "at": at, "kind": "collision",
                           "field": "collides_with_id", "old_value": None, "new_value": str(other_id),
                           "note": reason})
        out.events.append({"lead_id": other_id, "user_id": actor, "at": at, "kind": "collision",
                           "field": "collides_with_id", "old_value": None, "new_value": str(self.lead_id),
                           "note": reason})
        read_at = at + DAY if (self.p.now - at) > 14 * DAY else None
        for owner_id, lead_id, other in ((self.owner_id, self.lead_id, other_id),
                                         (other_owner, other_id, self.lead_id)):
            if owner_id is not None:
                out.notifications.append({
                    "user_id": owner_id, "lead_id": lead_id, "kind": "collision",
                    "payload": json.dumps({"other_lead_id": other, "reason": reason}),
                    "created_at": at, "read_at": read_at})


def _loguniform(rng, low: float, high: float) -> float:
    import math

    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _round(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _half(value: float) -> Decimal:
    return Decimal(round(value * 2) / 2).quantize(Decimal("0.1"))


def _text(value) -> str | None:
    """As the audit trail stores values (services._as_text)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)
