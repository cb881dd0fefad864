"""The words of an owner's email, as plain text and as HTML, from one content model.

``blocks(mail, plan, config)`` says what the email says - greeting, why, each risk with
what is needed (the chase list's sentences, from ``flag_text``) and the actions that
need an update, how to reply, the attachment, the signature - and the two renderers
lay it out. Text from the register or from config is escaped in the HTML
(``html.escape``) and stripped of control characters in both: a risk title holding
``<script>`` or ``=HYPERLINK(...)`` arrives as those characters, never as markup.
"""

from __future__ import annotations

import html
from datetime import date

from pydantic import BaseModel, Field

from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.reports.chase import month_name
from riskboard.reports.chase_plan import ActionLine, ChasePlan, OwnerMail, RiskEntry, plural
from riskboard.safe_text import strip_controls


class RiskBlock(BaseModel):
    heading: str  # "HM-001 Carriageway deterioration (Highways Maintenance)"
    needs: list[str]  # the chase list's sentences for this risk
    actions: list[str] = Field(default_factory=list)  # one line per action to update
    facts: str | None = None  # "Score 16 (was 12), red; strategy treat."


class Content(BaseModel):
    greeting: str
    intro: str
    risks: list[RiskBlock]
    reply_heading: str = "How to reply"
    reply: list[str]  # paragraphs
    attachment: str | None
    signature: list[str]  # lines


def _t(value: object) -> str:
    """Register or config text on one line without control characters."""
    return " ".join(strip_controls(str(value)).split())


def _weekday(when: date) -> str:
    return f"{when.strftime('%A')} {uk_date(when)}"


def default_how_to_reply(board: date, *, updates: bool = True, discuss: bool = False) -> str:
    """How to reply, worded for what the email asks: updates (reply with one for each
    item), risks only to discuss (come ready; reply only if something changed), or
    both."""
    no_longer = " If a risk or an action is no longer yours, tell us who owns it now."
    if not updates:
        return (
            f"There is nothing to update for these risks: please be ready to discuss them"
            f" at the board on {_weekday(board)}. If anything about them has changed, reply"
            " to this email before then and record the change in IRIS so that it shows in"
            " next month's export." + no_longer.replace("a risk or an action", "a risk")
        )
    both = (
        ' A risk listed only to be discussed ("be ready to ...") needs no update: please'
        " be ready to discuss it at the board."
        if discuss
        else ""
    )
    return (
        f"Please reply to this email before the board meets on {_weekday(board)} with an"
        " update for each action and risk that needs one - even if there has been no"
        " progress, say so - and record the same update in IRIS so that it shows in next"
        f" month's export.{both}{no_longer}"
    )


def blocks(mail: OwnerMail, plan: ChasePlan, config: Config, attachment: str | None) -> Content:
    """What ``mail`` says, before layout."""
    what = []
    if mail.action_count:
        what.append(plural(mail.action_count, "action"))
    if mail.risk_count:
        what.append(plural(mail.risk_count, "risk"))
    n = mail.action_count + mail.risk_count
    intro = f"The {_t(plan.board_name)} meets on {_weekday(plan.board.when)}."
    if what:
        intro += (
            f" In the {month_name(plan.month)} risk register, {' and '.join(what)} of yours"
            f" {'needs' if n == 1 else 'need'} an update before then"
        )
        if mail.discuss_count:
            intro += f", and {plural(mail.discuss_count, 'risk')} will be discussed"
        intro += "."
    else:
        intro += (
            f" {plural(mail.discuss_count, 'risk')} of yours in the {month_name(plan.month)}"
            " risk register will be discussed there."
        )
    intro += " Each risk is listed below with what is needed."
    reply_text = config.chase.how_to_reply or default_how_to_reply(
        plan.board.when, updates=bool(what), discuss=bool(mail.discuss_count)
    )
    reply = [_t(p) for p in reply_text.split("\n\n") if p.strip()]
    signature_text = config.chase.signature or plan.board_name
    signature = [_t(line) for line in signature_text.splitlines() if line.strip()]
    return Content(
        greeting=f"Dear {_t(mail.address.name)},",
        intro=intro,
        risks=[_risk(entry, with_owner=len(mail.people) > 1) for entry in mail.entries],
        reply=reply,
        attachment=(
            f"Your flagged risks and their actions are attached as a spreadsheet ({attachment})."
            if attachment
            else None
        ),
        signature=signature,
    )


def _risk(entry: RiskEntry, *, with_owner: bool) -> RiskBlock:
    item = entry.item
    heading = _t(item.ref)
    if item.title:
        heading += f" {_t(item.title)}"
    if item.annex:
        heading += f" ({_t(item.annex)})"
    if with_owner:  # one email for several owners: whose risk each is
        heading += f" - owner {_t(item.owner)}"
    return RiskBlock(
        heading=heading,
        needs=[_t(n) for n in entry.needs or item.needs],
        actions=[_action(a) for a in entry.actions],
        facts=_facts(entry),
    )


def _action(line: ActionLine) -> str:
    text = _t(line.label)
    if line.text:
        text += f" {_t(line.text)}"
    about = []
    if line.owner:
        about.append(f"action owner {_t(line.owner)}")
    if line.due:
        about.append(f"due {uk_date(line.due)}")
    about.append(
        f"last updated {uk_date(line.last_updated)}"
        if line.last_updated
        else "no last-updated date"
    )
    return f"{text} ({', '.join(about)}): {'; '.join(_t(n) for n in line.notes)}"


def _facts(entry: RiskEntry) -> str | None:
    item = entry.item
    facts = []
    if entry.score_unreadable:  # never a number beside "could not read the score"
        facts.append("score could not be read in the export")
    elif item.current_score is not None:
        was = (
            f" (was {item.previous_score})"
            if item.previous_score not in (None, item.current_score)
            else ""
        )
        rag = f", {item.rag}" if item.rag else ""
        facts.append(f"score {item.current_score}{was}{rag}")
    if item.strategy:
        facts.append(f"strategy {_t(item.strategy)}")
    if not facts:
        return None
    text = "; ".join(facts)
    return text[:1].upper() + text[1:] + "."


# ---------------------------------------------------------------------- renderers


def render_text(content: Content) -> str:
    out = [content.greeting, "", content.intro]
    for n, risk in enumerate(content.risks, start=1):
        out += ["", f"{n}. {risk.heading}"]
        out += [f"   - {line}" for line in risk.needs]
        if risk.actions:
            out.append("   Actions to update:")
            out += [f"     * {line}" for line in risk.actions]
        if risk.facts:
            out.append(f"   {risk.facts}")
    out += ["", content.reply_heading, *content.reply]
    if content.attachment:
        out += ["", content.attachment]
    out += ["", *content.signature]
    return "\n".join(out) + "\n"


def render_html(content: Content, title: str) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title></head>",
        '<body style="font-family: Arial, sans-serif; font-size: 11pt">',
        f"<p>{e(content.greeting)}</p>",
        f"<p>{e(content.intro)}</p>",
        "<ol>",
    ]
    for risk in content.risks:
        parts.append(f"<li><p><strong>{e(risk.heading)}</strong></p><ul>")
        parts += [f"<li>{e(line)}</li>" for line in risk.needs]
        parts.append("</ul>")
        if risk.actions:
            parts.append("<p>Actions to update:</p><ul>")
            parts += [f"<li>{e(line)}</li>" for line in risk.actions]
            parts.append("</ul>")
        if risk.facts:
            parts.append(f"<p>{e(risk.facts)}</p>")
        parts.append("</li>")
    parts.append("</ol>")
    parts.append(f"<p><strong>{e(content.reply_heading)}</strong></p>")
    parts += [f"<p>{e(p)}</p>" for p in content.reply]
    if content.attachment:
        parts.append(f"<p>{e(content.attachment)}</p>")
    parts.append("<p>" + "<br>".join(e(line) for line in content.signature) + "</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
