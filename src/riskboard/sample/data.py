"""A deterministic synthetic IRIS risk register, month by month.

``generate_register(["2022-03", ..., "2022-08"], risks_per_annex=10, seed=1)`` returns
``{month: [Risk, ...]}``: the same risks evolving over the months the way a real
contract register does - scores drift up and down, actions get a progress update and a
last-updated date inside each month, actions complete and new ones are raised, risks
close and new ones appear. With ``imperfection_rate`` > 0 a few risks carry the
problems the board looks for (stale or overdue actions, blank or non-4T strategies,
risks with no action, a risk missing from one month's export).

Everything is driven by ``random.Random(seed)`` and the month strings: the same call
gives the same register, never anything from today's date.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from riskboard.domain import Action, Risk, normalise_strategy
from riskboard.sample.catalogue import (
    ACTION_OWNERS,
    ANNEXES,
    CONTROLS,
    LOCATIONS,
    PROGRESS_PHRASES,
    STRATEGY_WORDINGS,
    TEMPLATES,
    TRENDS_DOWN,
    TRENDS_LEVEL,
    TRENDS_UP,
    UNKNOWN_STRATEGIES,
    Annex,
    Template,
)

OPEN, IN_PROGRESS, COMPLETE = "Open", "In progress", "Complete"


# ------------------------------------------------------------------------- months


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM month."""
    year, mon = (int(p) for p in month.split("-"))
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def report_date(month: str) -> date:
    """The day IRIS is run for a month: its last weekday."""
    day = month_bounds(month)[1]
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def uk(d: date) -> str:
    """dd/mm/yyyy, the way UK registers write dates."""
    return d.strftime("%d/%m/%Y")


# ------------------------------------------------------------------------- state


@dataclass
class ActionState:
    ref: str
    text: str
    owner: str
    due: date
    progress: str = ""
    last_updated: date | None = None
    status: str = OPEN
    completed_in: int | None = None  # month index

    def snapshot(self, risk_ref: str) -> Action:
        return Action(
            risk_ref=risk_ref,
            action_ref=self.ref,
            text=self.text,
            owner=self.owner,
            due=self.due,
            progress=self.progress or None,
            last_updated=self.last_updated,
            status=self.status,
        )


@dataclass
class RiskState:
    ref: str
    annex: Annex
    template: Template
    title: str
    owner: str
    inherent: tuple[int, int]
    current: tuple[int, int]
    target: tuple[int, int]
    strategy_text: str | None
    exposure: float | None
    early_warning_ref: str | None
    compensation_event_ref: str | None
    controls: str
    actions: list[ActionState] = field(default_factory=list)
    actions_raised: int = 0
    wants_actions: bool = True
    trend: str = TRENDS_LEVEL
    closed_in: int | None = None

    def snapshot(self) -> Risk:
        t = self.template
        (il, ii), (cl, ci), (tl, ti) = self.inherent, self.current, self.target
        return Risk(
            ref=self.ref,
            title=self.title,
            description=f"There is a risk that {t.event}, caused by {t.cause},"
            f" resulting in {t.effect}.",
            cause=t.cause[0].upper() + t.cause[1:],
            effect=t.effect[0].upper() + t.effect[1:],
            annex=self.annex.name,
            category=t.category,
            owner=self.owner,
            inherent_likelihood=il,
            inherent_impact=ii,
            inherent_score=il * ii,
            current_likelihood=cl,
            current_impact=ci,
            current_score=cl * ci,
            target_likelihood=tl,
            target_impact=ti,
            target_score=tl * ti,
            strategy=_strategy_value(self.strategy_text),
            strategy_text=self.strategy_text,
            status="Closed" if self.closed_in is not None else "Open",
            trend=self.trend,
            controls=self.controls,
            exposure=self.exposure,
            early_warning_ref=self.early_warning_ref,
            compensation_event_ref=self.compensation_event_ref,
            actions=[a.snapshot(self.ref) for a in self.actions],
        )


def _strategy_value(text: str | None) -> str | None:
    s = normalise_strategy(text)
    return s.value if s else None


# ------------------------------------------------------------------------- generator


class RegisterGenerator:
    """Holds the random source and counters while a register is generated.

    ``generate_register`` is the public entry; the demo uses the class directly to
    add hand-written "story" risks that share the same wording and numbering.
    """

    def __init__(
        self,
        seed: int,
        *,
        actions_per_risk: tuple[int, int] = (1, 3),
        imperfection_rate: float = 0.04,
        annexes: tuple[Annex, ...] = ANNEXES,
        reserved: frozenset[str] = frozenset(),
    ) -> None:
        self.rng = random.Random(seed)
        self.reserved = reserved  # template titles kept for hand-written risks
        self.actions_per_risk = actions_per_risk
        self.rate = imperfection_rate
        self.annexes = annexes
        self.numbers: dict[str, int] = {a.code: 0 for a in annexes}
        self.template_uses: dict[tuple[str, int], int] = {}
        self.ew_counter = 40
        self.ce_counter = 10

    # -- creation

    def new_ref(self, annex: Annex) -> str:
        self.numbers[annex.code] += 1
        return f"{annex.code}-{self.numbers[annex.code]:03d}"

    def new_risk(self, annex: Annex, month: str, k: int) -> RiskState:
        rng = self.rng
        templates = TEMPLATES[annex.name]
        free = [i for i, t in enumerate(templates) if t.title not in self.reserved]
        free = free or list(range(len(templates)))
        least = min(self.template_uses.get((annex.name, i), 0) for i in free)
        idx = rng.choice([i for i in free if self.template_uses.get((annex.name, i), 0) == least])
        template = templates[idx]
        uses = self.template_uses.get((annex.name, idx), 0)
        self.template_uses[(annex.name, idx)] = uses + 1
        title = template.title
        if uses:
            place = LOCATIONS[(uses - 1 + 3 * idx) % len(LOCATIONS)]
            title = f"{title} – {place}"
            if uses > len(LOCATIONS):
                title += f" ({uses // len(LOCATIONS) + 1})"
        # about a third of risks at 9 or more, one in twenty at 16 or more
        inherent = (rng.randint(3, 5), rng.randint(3, 5))
        target = (rng.randint(1, 2), max(1, inherent[1] - rng.randint(1, 2)))
        current = (
            rng.randint(max(2, target[0]), max(2, inherent[0] - 1)),
            rng.randint(target[1], inherent[1]),
        )
        roll = rng.random()
        if roll < self.rate:
            strategy: str | None = None
        elif roll < 2 * self.rate:
            strategy = rng.choice(UNKNOWN_STRATEGIES)
        else:
            strategy = rng.choice(STRATEGY_WORDINGS)
        exposure = None
        if template.category == "Financial" or rng.random() < 0.1:
            exposure = float(rng.randrange(10, 300) * 5_000)
        ew = ce = None
        if rng.random() < 0.15:
            self.ew_counter += 1
            ew = f"EW-{self.ew_counter:03d}"
            if rng.random() < 0.2:
                self.ce_counter += 1
                ce = f"CE-{self.ce_counter:03d}"
        risk = RiskState(
            ref=self.new_ref(annex),
            annex=annex,
            template=template,
            title=title,
            owner=annex.owner if rng.random() < 0.8 else annex.officer,
            inherent=inherent,
            current=current,
            target=target,
            strategy_text=strategy,
            exposure=exposure,
            early_warning_ref=ew,
            compensation_event_ref=ce,
            controls=rng.choice(CONTROLS),
            wants_actions=rng.random() >= self.rate,
        )
        if risk.wants_actions:
            lo, hi = self.actions_per_risk
            for _ in range(rng.randint(lo, hi)):
                self.raise_action(risk, month, k)
        return risk

    def raise_action(self, risk: RiskState, month: str, k: int, text: str | None = None) -> None:
        rng = self.rng
        texts = risk.template.actions
        risk.actions_raised += 1
        n = risk.actions_raised
        if text is None:
            text = texts[(n - 1) % len(texts)]
            if n > len(texts):
                text = f"{text} (phase {(n - 1) // len(texts) + 1})"
        owner = rng.choice((risk.annex.owner, risk.annex.officer, *ACTION_OWNERS))
        run = report_date(month)
        action = ActionState(
            ref=f"{risk.ref}/A{n}",
            text=text,
            owner=owner,
            due=run + timedelta(days=rng.randint(45, 200)),
        )
        self.update_action(action, month)
        action.status = OPEN
        risk.actions.append(action)

    # -- months

    def step(self, states: list[RiskState], month: str, k: int, risks_per_annex: int) -> None:
        """Month ``k``: the first month creates the register, later ones evolve it."""
        if k == 0:
            for annex in self.annexes:
                states.extend(self.new_risk(annex, month, k) for _ in range(risks_per_annex))
            return
        for risk in states:
            if risk.closed_in is None:
                self.evolve(risk, month, k)
        for annex in self.annexes:
            if self.rng.random() < 0.3:
                states.append(self.new_risk(annex, month, k))

    def snapshots(self, states: list[RiskState], k: int) -> list[Risk]:
        """What month ``k``'s export holds: open risks, and risks closed this month."""
        out = []
        for risk in states:
            if risk.closed_in is not None and risk.closed_in < k:
                continue
            if k and risk.closed_in is None and self.rng.random() < self.rate / 4:
                continue  # left out of this month's export by mistake
            out.append(risk.snapshot())
        return out

    # -- monthly evolution

    def update_action(self, action: ActionState, month: str, extra: str = "") -> None:
        run = report_date(month)
        day = run - timedelta(days=self.rng.randint(0, 18))
        phrase = self.rng.choice(PROGRESS_PHRASES)
        action.progress = f"{run.strftime('%b %Y')}: {phrase}{extra}"
        action.last_updated = day
        action.status = IN_PROGRESS

    def evolve(self, risk: RiskState, month: str, k: int) -> None:
        """Move one open risk on by a month: scores, actions, maybe closure."""
        rng = self.rng
        run = report_date(month)
        risk.actions = [a for a in risk.actions if a.completed_in is None]
        (cl, ci), (il, ii), (tl, ti) = risk.current, risk.inherent, risk.target
        risk.trend = TRENDS_LEVEL
        if rng.random() < 0.2:
            if rng.random() < 0.4:
                if cl < il:
                    cl += 1
                elif ci < ii:
                    ci += 1
            elif cl > tl:
                cl -= 1
            elif ci > ti:
                ci -= 1
            old = risk.current[0] * risk.current[1]
            if cl * ci != old:
                risk.trend = TRENDS_UP if cl * ci > old else TRENDS_DOWN
            risk.current = (cl, ci)
        if (cl * ci <= tl * ti and rng.random() < 0.1) or rng.random() < 0.004:
            self.close(risk, month, k)
            return
        for action in risk.actions:
            if rng.random() < self.rate:
                continue  # the owner did not update it this month
            extra = ""
            if action.due < run:
                if rng.random() < min(1.0, 2 * self.rate):
                    extra = " Overdue – revised date to be agreed."
                else:
                    action.due = run + timedelta(days=rng.randint(60, 120))
                    extra = f" Target date revised to {uk(action.due)}."
            self.update_action(action, month, extra)
            if rng.random() < 0.08:
                action.status = COMPLETE
                action.completed_in = k
                action.progress = f"Completed {uk(action.last_updated or run)}."
        done = [a for a in risk.actions if a.status == COMPLETE]
        if risk.wants_actions and done and (len(done) == len(risk.actions) or rng.random() < 0.6):
            self.raise_action(risk, month, k)

    def close(self, risk: RiskState, month: str, k: int) -> None:
        risk.closed_in = k
        for action in risk.actions:
            self.update_action(action, month)
            action.status = COMPLETE
            action.completed_in = k
            action.progress = f"Completed {uk(action.last_updated or report_date(month))}."


def generate_register(
    months: list[str],
    risks_per_annex: int,
    seed: int,
    *,
    actions_per_risk: tuple[int, int] = (1, 3),
    imperfection_rate: float = 0.04,
    annexes: tuple[Annex, ...] = ANNEXES,
) -> dict[str, list[Risk]]:
    """``{month: risks}`` for consecutive board months, deterministic in ``seed``.

    Month one holds ``risks_per_annex`` risks per annex, each with a number of actions
    drawn from ``actions_per_risk`` (inclusive). Later months evolve them; a closed risk
    appears once with status Closed and then drops out. ``imperfection_rate=0`` gives
    a register with no data-quality problems (scores still move, risks still open and
    close).
    """
    gen = RegisterGenerator(
        seed,
        actions_per_risk=actions_per_risk,
        imperfection_rate=imperfection_rate,
        annexes=annexes,
    )
    states: list[RiskState] = []
    out: dict[str, list[Risk]] = {}
    for k, month in enumerate(months):
        gen.step(states, month, k, risks_per_annex)
        out[month] = sort_risks(gen.snapshots(states, k))
    return out


def risks_with_action_rows(
    rows: int, *, month: str = "2022-08", seed: int = 1, actions_per_risk: int = 3
) -> list[Risk]:
    """One month's register with exactly ``rows`` actions (for benchmarks): enough risks
    at ``actions_per_risk`` actions each, the last one trimmed to make the count."""
    per_annex = -(-rows // (actions_per_risk * len(ANNEXES)))
    risks = generate_register(
        [month],
        per_annex,
        seed,
        actions_per_risk=(actions_per_risk, actions_per_risk),
        imperfection_rate=0,
    )[month]
    out = []
    left = rows
    for risk in risks:
        if left <= 0:
            break
        take = risk.actions[:left]
        left -= len(take)
        out.append(
            risk if len(take) == len(risk.actions) else risk.model_copy(update={"actions": take})
        )
    return out


def sort_risks(risks: list[Risk]) -> list[Risk]:
    """Annex order of the catalogue, then reference number - the order IRIS lists them."""
    order = {a.name: i for i, a in enumerate(ANNEXES)}

    def key(r: Risk) -> tuple[int, str, int, str]:
        prefix, _, num = r.ref.rpartition("-")
        return (order.get(r.annex or "", 99), prefix, int(num) if num.isdigit() else 0, r.ref)

    return sorted(risks, key=key)
