"""Hand-scripted risks for the demo: each one shows the board a case clearly.

The demo register is the seeded generator's register plus these "story" risks, whose
month-by-month history is written out here rather than left to chance, so that the
latest month always holds every flag code (and a closed risk that would otherwise be
flagged, and a de-escalation candidate). They use the catalogue's wording and take
the next free reference number in their annex, like any new risk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from riskboard.domain import Risk
from riskboard.sample.catalogue import (
    ANNEX_BY_NAME,
    TEMPLATES,
    TRENDS_DOWN,
    TRENDS_LEVEL,
    TRENDS_UP,
)
from riskboard.sample.data import IN_PROGRESS, RegisterGenerator, RiskState

Scores = tuple[tuple[int, int] | None, ...]  # current (likelihood, impact) per month


@dataclass(frozen=True)
class Story:
    case: str  # what the latest month shows, e.g. "stale_action"
    annex: str
    title: str  # a catalogue template title in that annex
    scores: Scores  # None: not in that month's export
    strategy: str | None = "Treat"
    strategy_cleared_in: int | None = None  # month index from which the strategy is blank
    actions: int = 1
    not_updated_from: int | None = None  # month index from which nobody updates the actions
    first_due: date | None = None  # fixed due date of the first action
    closed_in: int | None = None
    exposure: float | None = None
    early_warning_ref: str | None = None
    formula_description: bool = False


SIX: int = 6  # the stories are written for six months
UNREADABLE_TITLE = "Utility reinstatement failures"
STORY_DUE = date(2022, 11, 30)


def _same(score: tuple[int, int]) -> Scores:
    return (score,) * SIX


STORIES: tuple[Story, ...] = (
    # last update in June: the board sees "no action update this month" first
    Story("stale_action", "Highways Maintenance", "Carriageway defects exceed 28-day repair target",
          ((3, 3), (3, 3), (3, 3), (2, 3), (2, 3), (2, 3)), actions=2, not_updated_from=4),
    # exported without a last-updated column in the last month; progress unchanged
    Story("stale_action", "Street Lighting", "LED lantern supply delays", _same((2, 3)),
          strategy="Reduce", not_updated_from=5),
    Story("no_action", "Public Rights of Way", "Footbridge closures on promoted routes",
          _same((2, 3)), strategy="Tolerate", actions=0),
    Story("no_strategy", "Parks & Open Spaces", "Unauthorised encampments", _same((2, 2)),
          strategy=None),
    Story("unknown_strategy", "Traffic Management", "Event traffic management – city centre",
          _same((2, 3)), strategy="Monitor"),
    Story("overdue_action", "Bridges & Structures", "Substandard parapet on river bridge",
          _same((2, 4)), actions=2, first_due=date(2022, 7, 15)),
    # 8 -> 12 -> 20: score increased, and a corporate-register candidate
    Story("score_increased", "Winter Service", "Salt stock below resilience minimum",
          ((2, 4), (2, 4), (2, 4), (2, 4), (3, 4), (4, 5)), exposure=180_000.0,
          early_warning_ref="EW-017"),
    Story("escalation_candidate", "Traffic Management", "Traffic signal controller obsolescence",
          _same((3, 4)), strategy="Treat – reduce likelihood"),
    Story("escalation_candidate", "Highways Maintenance", "Resurfacing programme cost inflation",
          _same((4, 4)), exposure=1_200_000.0, actions=2),
    Story("new_risk", "Drainage", "Gully cleansing vehicle breakdown",
          (None, None, None, None, None, (3, 2))),
    Story("missing_from_export", "Traffic Management", "School Streets camera procurement delay",
          ((2, 3), (2, 3), (2, 3), (2, 3), (2, 3), None)),
    # closed in the last month (moved to the Corporate register) with everything a flag
    # would catch: stale and overdue action, blank strategy, score up to 16; its early
    # warning stays open (ew_risk_closed, sample.ew_demo)
    Story("closed", "Parks & Open Spaces", "Café kiosk lease income shortfall – Riverside Park",
          ((3, 3), (3, 3), (3, 4), (3, 4), (3, 4), (4, 4)), strategy="Tolerate",
          strategy_cleared_in=5, not_updated_from=3, first_due=date(2022, 6, 30), closed_in=5,
          exposure=45_000.0, early_warning_ref="EW-062"),
    # 12, 12, 10, then 8, 6, 6: below the directorate threshold for three months
    Story("de_escalation", "Bridges & Structures", "Scour at river crossings",
          ((3, 4), (3, 4), (2, 5), (2, 4), (2, 3), (2, 3))),
    Story("formula_text", "Drainage", "Section 19 flood investigation duties", _same((2, 3)),
          formula_description=True),
    # the August export gives this risk's score as the band "High" - no number: the board
    # sees the cell that could not be read (demo.PLAN writes it)
    Story("unreadable_value", "Highways Maintenance", UNREADABLE_TITLE, _same((2, 3))),
)  # fmt: skip
RESERVED = frozenset(s.title for s in STORIES)


class StoryRunner:
    """Plays the stories month by month against the shared generator."""

    def __init__(self, gen: RegisterGenerator, stories: tuple[Story, ...] = STORIES) -> None:
        self.gen = gen
        self.stories = stories
        self.states: dict[int, RiskState] = {}
        self.refs: dict[int, str] = {}

    def month(self, month: str, k: int) -> list[Risk]:
        """The story risks in month ``k``'s export."""
        out = []
        for i, story in enumerate(self.stories):
            score = story.scores[k]
            if score is None:
                continue
            state = self.states.get(i)
            if state is None:
                state = self.states[i] = self._create(story, month, k)
            else:
                self._advance(story, state, month, k)
            previous = state.current
            state.current = score
            state.trend = _trend(previous, score) if k else TRENDS_LEVEL
            if story.strategy_cleared_in is not None and k >= story.strategy_cleared_in:
                state.strategy_text = None
            if story.closed_in == k:
                state.closed_in = k
            risk = state.snapshot()
            if story.formula_description:
                link = f"https://iris.example.gov.uk/risks/{state.ref}"
                risk.description = f'=HYPERLINK("{link}","Open in IRIS")'
            out.append(risk)
        return out

    def _create(self, story: Story, month: str, k: int) -> RiskState:
        annex = ANNEX_BY_NAME[story.annex]
        template = next(t for t in TEMPLATES[annex.name] if t.title == story.title)
        top_l = max(s[0] for s in story.scores if s)
        top_i = max(s[1] for s in story.scores if s)
        low_i = min(s[1] for s in story.scores if s)
        state = RiskState(
            ref=self.gen.new_ref(annex),
            annex=annex,
            template=template,
            title=template.title,
            owner=annex.owner,
            inherent=(min(5, top_l + 1), min(5, top_i + 1)),
            current=story.scores[k] or (1, 1),
            target=(1, max(1, low_i - 1)),
            strategy_text=story.strategy,
            exposure=story.exposure,
            early_warning_ref=story.early_warning_ref,
            compensation_event_ref=None,
            controls="Weekly programme meeting with the Council",
            wants_actions=story.actions > 0,
        )
        for n in range(story.actions):
            self.gen.raise_action(state, month, k)
            # due after the demo's last month, unless the story says otherwise
            state.actions[-1].due = STORY_DUE + timedelta(days=30 * n)
        if story.first_due and state.actions:
            state.actions[0].due = story.first_due
        return state

    def _advance(self, story: Story, state: RiskState, month: str, k: int) -> None:
        if story.not_updated_from is not None and k >= story.not_updated_from:
            return
        for action in state.actions:
            self.gen.update_action(action, month)
            action.status = IN_PROGRESS


def _trend(before: tuple[int, int], now: tuple[int, int]) -> str:
    b, n = before[0] * before[1], now[0] * now[1]
    return TRENDS_UP if n > b else TRENDS_DOWN if n < b else TRENDS_LEVEL
