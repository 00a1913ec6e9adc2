"""Licences and certifications: add (guided), list, change the renewal date, remove.

Adding asks only what the rule needs: which rule, the renewal deadline (or the facts to
derive it), how many renewals so far, and the yes/no flags its mandates depend on.
Every step's state lives in the database (handlers/flows.py).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from telegram.ext import Application, CommandHandler

from bot import texts
from bot.domain import places, topics
from bot.domain.credits import deadline_counted, latest_early_renewal
from bot.domain.custom_requirements import (
    DATE_PATTERN,
    CustomRequirementSpec,
    ParseFailure,
    current_cycle,
    describe,
    next_window_deadline,
    parse_custom_requirement,
    parse_date,
)
from bot.domain.cycles import (
    LicenceFacts,
    MissingFactError,
    add_months,
    cycle_info,
    missing_facts,
    on_rule_day,
    renewals_done_after_move,
    renewals_done_said_today,
)
from bot.domain.date_spelling import fix_date_spelling
from bot.domain.dates import is_impossible_date
from bot.domain.log_parse import starts_with_credits
from bot.domain.numbers import count_of
from bot.domain.requirements import LicenceSearch, Rule
from bot.domain.topics import label as topic_label
from bot.store import licences as licence_store
from bot.store.models import Licence
from bot.tracking import cycle_end_on, facts_for, load_views
from bot.views import day, number
from handlers import flows
from handlers.callbacks import Press, encode, route
from handlers.intents import is_other_request, said_in_words, yes_or_no
from handlers.replan import replan
from handlers.turn import Buttons, Turn, clinician_handler

RENEWAL_PAST_DAYS = 400  # a deadline just passed is still useful (make-up windows)
RENEWAL_FUTURE_YEARS = 6
EARLIEST_ISSUE = date(1950, 1, 1)
_MONTHS = {
    name: index
    for index, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_CUSTOM_HINT = re.compile(
    r"\b(?:needs?|must|have to|requires?)\b.*\d.*\b(?:by|before|until|due|renew\w*|expir\w*)\b"
    # "30 hours of CE every two years, renews 2027-09-30" (QA: matched to ABIM's "every 2
    # years" and refused as another profession's rule)
    r"|\d\s*(?:[A-Za-z]{2,6}\s+)?(?:contact\s+)?(?:hours?|hrs?|credits?|ceus?|units?|points?|cme)\b"
    r"(?=.*\b(?:every\s+(?:\d+|\w+)\s+(?:years?|yrs?)|biennial\w*|triennial\w*|annually)\b)"
    r".*(?:\b(?:19|20)\d\d\b|\b\d{1,2}/\d{1,2}/\d{2}\b)"
    # "Texas PA licence: 40 credits by 2027-08-31, 2 of them ethics" (QA: refused as the
    # ABIM rule for another profession without "I need")
    r"|^\s*[^:\d]{2,60}:\s*\d+(?:\.\d+)?\s*(?:[A-Za-z]{2,6}\s+)?(?:contact\s+)?(?:hours?|hrs?|credits?|ceus?|units?"
    r"|points?)\b.*\b(?:by|before|until|due|renew\w*|expir\w*)\b.*(?:\b(?:19|20)\d\d\b|\d/\d)"
    # "Georgia 40 category 1 credits by Dec '27" (QA round 9: "I don't have rules for")
    r"|^\s*[A-Z][^:\d]{1,40}?\s+\d+(?:\.\d+)?\s+(?:[a-z.]+\s+){0,3}\d?\s*(?:contact\s+)?"
    r"(?:hours?|hrs?|credits?|creds?|ceus?|units?|points?)\b.*\b(?:by|before|until|due)\s+"
    rf"(?:the\s+)?(?:{DATE_PATTERN})"  # a date right after: not "by Mayo Clinic on Nov 3"
    # "My Texas APRN license renews every 2 years, next is 2027-03-31. I need 20 contact
    # hours, 5 of them pharmacology": the same parts in another order (QA round 11: matched
    # to ABIM and refused as another profession's rule)
    r"|^(?=.*\b(?:renews?|renewal|expires?|every\s+(?:\d+|\w+)\s+(?:years?|yrs?))\b)"
    r"(?=.*\b(?:needs?|must|have\s+to|requires?)\b)"
    r"(?=.*\d\s*(?:contact\s+)?(?:hours?|hrs?|credits?|ceus?|units?|points?|cme)\b)"
    r"(?=.*(?:\b(?:19|20)\d\d\b|\b\d{1,2}/\d{1,2}/\d{2}\b))",
    re.I,
)
# "I did 2 credits on my renewal course, Nov 3 2026" is a log, not a requirement.
_DONE_WORDS = re.compile(r"^\s*(?:i\s+)?(?:did|done|completed?|finished|attended|took|logg?e?d?)\b",
                         re.I)  # fmt: skip


def rule_label(rule: Rule) -> str:
    """A new licence's name: the rule's own short label, else its title's head."""
    return rule.label or rule.title.split(":")[0].strip()


def button_title(rule: Rule) -> str:
    return rule.title if len(rule.title) <= 60 else rule.title[:59] + "…"


def looks_like_custom_requirement(text: str) -> bool:
    return bool(_CUSTOM_HINT.search(text)) and not _DONE_WORDS.match(text)


# ------------------------------------------------------------------ starting the flow
async def ask_which(turn: Turn, *, onboarding: bool = False) -> None:
    """Ask which licence; quick buttons for the rules of the clinician's profession."""
    rulebook = turn.context.services.rulebook
    profession = turn.clinician.profession
    rules = rulebook.for_profession(profession) if profession else tuple(rulebook)
    held = {
        licence.rule_id for licence in await licence_store.list_for(turn.session, turn.clinician)
    }
    # State licences first (by state), then boards and registrations; full titles, because
    # short names collide (two ABIM rules). Those already held are not offered again.
    ordered = sorted(
        (rule for rule in rules if rule.id not in held),
        key=lambda r: (r.kind not in ("licence", "registration"), r.title),
    )
    buttons = [[(button_title(rule), encode("lic", "rule", rule.id))] for rule in ordered[:12]]
    if onboarding:
        buttons.append([(texts.SKIP, encode("lic", "skip"))])
    await flows.expect(turn, "licence_which", onboarding=onboarding)
    if profession and not any((r.jurisdiction or "").startswith("US-") for r in rules):
        # QA: a pharmacist was offered "Texas, Florida MD, ABIM" as examples.
        name = html.escape(profession_name(profession))
        text = texts.LICENCE_ASK_NO_STATE.format(profession=name)
        turn.say(text + (texts.LICENCE_ASK_OR_TAP if ordered else ""), buttons)
        return
    turn.say(texts.LICENCE_ASK, buttons)


_NO_MORE = re.compile(
    r"\s*(?:done|finished|skip|that'?s\s+(?:all|it)|no\s+more|nothing(?:\s+else)?|none|no)\W*",
    re.IGNORECASE,
)


@flows.step("licence_which")
async def which_answered(turn: Turn, text: str) -> bool | None:
    if said_in_words(text):  # "quiet hours 10pm to 12pm" is not a licence's name
        await flows.clear(turn)
        return False
    if _NO_MORE.fullmatch(text):  # "done" was searched as a licence name (and found DEA)
        onboarding = flows.state(turn).get("onboarding")
        await flows.clear(turn)
        if onboarding:
            from handlers.onboarding import ask_timezone

            await ask_timezone(turn, onboarding=True)
        else:
            turn.say(texts.NOTHING_CHANGED)
        return
    if looks_like_custom_requirement(text):
        await add_custom(turn, text)
        return
    if starts_with_credits(text):  # "2 ethcs yesterdy" matched ABIM's alias "2 year"
        turn.say(texts.LICENCE_LOG_FIRST)
        return
    if not re.search(r"[^\W\d_]{2}", text):  # QA: "2" matched "an activity every 2 years"
        turn.say(texts.LICENCE_NOT_FOUND.format(text=html.escape(text[:60])))
        return
    found = turn.context.services.rulebook.find_licence(text, turn.clinician.profession)
    matches = found.matches
    if not matches and (found.other_professions or len(text.split()) <= 4) and not re.search(
        r"\d", text
    ):  # a name, not a sentence with numbers (QA round 7: one became the licence's name)
        # The requirement they describe next is this licence: its name labels it (QA:
        # "Florida RN" and "NCCPA" became "My requirement").
        await flows.update_state(turn, named=" ".join(text.split())[:60])
    if not matches and found.other_professions:
        turn.say(not_shipped_for_profession(text, found))
        return
    if not matches:
        turn.say(texts.LICENCE_NOT_FOUND.format(text=html.escape(text[:60])))
        return
    if len(matches) == 1:
        await chose_rule(turn, matches[0])
        return
    buttons = [[(button_title(rule), encode("lic", "rule", rule.id))] for rule in matches]
    turn.say(texts.LICENCE_PICK.format(text=html.escape(text[:60])), buttons)


async def add_named(turn: Turn, name: str) -> bool:
    """ "add California", "add my DEA registration": the licence question answered with
    that name (QA round 12: not understood); False when it names no state or rule."""
    found = turn.context.services.rulebook.find_licence(name, turn.clinician.profession)
    if not (found.matches or found.other_professions or places.states_named_in(name)):
        return False
    await flows.expect(turn, "licence_which")
    await which_answered(turn, name)
    return True


def profession_name(profession: str) -> str:
    """ "registered nurse", "nurse practitioner": the profession as a sentence names it."""
    if profession in texts.PROFESSION_NAMES:
        return texts.PROFESSION_NAMES[profession]
    label = topics.vocabulary().professions.label(profession)
    # "Physician (DO)" → "physician (DO)": acronyms keep their capitals (QA: "(do)").
    return re.sub(r"\b[A-Z][a-z]", lambda m: m.group().lower(), label)


def not_shipped_for_profession(text: str, found: LicenceSearch) -> str:
    """Say plainly that this profession's rules aren't shipped, rather than handing back
    another profession's rule its credits would never count toward."""
    candidates = list(found.other_professions)
    if named := {f"US-{code}" for code in places.states_named_in(text)}:
        # Only the state the words name (QA round 10: "what do I need for Florida?" also
        # listed New York's physician registration).
        candidates = [rule for rule in candidates if rule.jurisdiction in named] or candidates
    others = "; ".join(html.escape(rule.title) for rule in candidates[:2])
    return texts.LICENCE_PROFESSION_NOT_SHIPPED.format(
        profession=html.escape(profession_name(found.professions[0])),
        text=html.escape(text.strip()[:60]),
        others=others,
    )


@dataclass(frozen=True, slots=True)
class _ReadRequirement:
    """A described requirement as it would be tracked: its current window, the deadline
    typed, and the cycle months assumed (when its window had not begun)."""

    spec: CustomRequirementSpec
    typed_deadline: date
    assumed: int | None


async def _read_custom(turn: Turn, text: str) -> _ReadRequirement | None:
    """The sentence read as a requirement; None after saying why it could not be."""
    parsed = parse_custom_requirement(text, turn.clinician.profession)
    if isinstance(parsed, ParseFailure):
        await _say_failure(turn, text, parsed)
        return None
    if not parsed.name and isinstance(named := flows.state(turn).get("named"), str):
        parsed = replace(parsed, name=named)
    elif not parsed.name and (state := _one_state_in(text)):
        # "Texas requirement", not "My requirement" (QA round 13: Texas was in the sentence)
        parsed = replace(parsed, name=texts.CUSTOM_LABEL_STATE.format(state=state))
    today = turn.local_now.date()
    spec, assumed = _window_that_has_begun(current_cycle(parsed, today), today)
    return _ReadRequirement(spec, parsed.deadline, assumed)


def _one_state_in(text: str) -> str | None:
    """The one US state a sentence names (by name, or a code in capitals), else None."""
    states = places.states_named_in(places.spell_state_names(text)) or places.state_codes_in(text)
    return places.US_STATE_NAMES.get(states.pop()) if len(states) == 1 else None


async def add_custom(turn: Turn, text: str) -> None:
    """A requirement the shipped rules don't know: "40 credits by 2027-06-30, 2 ethics"."""
    read = await _read_custom(turn, text)
    if read is None:
        return
    parsed, given_deadline, assumed = read.spec, read.typed_deadline, read.assumed
    today = turn.local_now.date()
    onboarding = bool(flows.state(turn).get("onboarding"))
    held = await licence_store.list_for(turn.session, turn.clinician)
    label = custom_label(parsed.name, [licence.label for licence in held])
    if (target := _topics_for_held(held, parsed)) is not None:
        await _add_topics(turn, target, parsed, onboarding)
        return
    if (same := _already_tracked(held, parsed)) is not None:
        # QA round 7: the same sentence sent twice tracked it twice, every credit counted
        # toward both.
        turn.say(texts.LICENCE_CUSTOM_ALREADY.format(label=html.escape(same.label)))
        if onboarding:
            await ask_another(turn)
        else:
            await flows.clear(turn)
        return
    added = await licence_store.add(
        turn.session,
        turn.clinician,
        label=label[:128],
        now=turn.now,
        custom_rule=parsed.to_dict(),
        renewal_date=parsed.deadline,
        jurisdiction=_state_named(parsed.name),
    )
    await flows.clear(turn)
    await replan(turn)
    saved = texts.LICENCE_CUSTOM_SAVED.format(description=html.escape(describe(parsed)))
    saved += texts.LICENCE_CUSTOM_SAVED_AS.format(label=html.escape(label[:128]))
    saved += "".join(  # a state's topic read as any state's is said, not silent (QA round 13)
        texts.LICENCE_CUSTOM_GENERALISED.format(
            phrase=html.escape(phrase), topic=html.escape(topic_label(topic))
        )
        for phrase, topic in parsed.generalised
    )
    if assumed:
        saved += texts.LICENCE_CUSTOM_ASSUMED.format(years=assumed // 12)
    if parsed.deadline != given_deadline:
        saved += texts.LICENCE_CUSTOM_ROLLED.format(
            typed=day(given_deadline), years=_years(parsed.every_months or 12),
            deadline=day(parsed.deadline), start=day(parsed.start),
        )  # fmt: skip
    elif parsed.deadline < today:  # QA: taken without a word, then "overdue"
        saved += texts.LICENCE_CUSTOM_PAST.format(
            deadline=day(parsed.deadline), total=parsed.total,
            example=add_months(parsed.deadline, 24).isoformat(),
        )  # fmt: skip
    # Saved at once, also from a sentence typed in passing (QA round 13): what it was saved
    # as, with its undo and rename a tap away.
    turn.say(saved, [[(texts.LICENCE_CUSTOM_RENAME, encode("lic", "name", added.id)),
                      (texts.LICENCE_CUSTOM_REMOVE, encode("lic", "del", added.id))]])
    await after_saved(turn, onboarding)


def _already_tracked(held: Sequence[Licence], spec: CustomRequirementSpec) -> Licence | None:
    """The held requirement this one repeats: the same in every figure and date, under the
    same name or one spelt a letter or two apart ("Georgia RN" / "Georgia RNs")."""
    wanted = _comparable(spec.to_dict())
    for licence in held:
        if not licence.custom_rule:
            continue
        theirs = _comparable(licence.custom_rule)
        if theirs == wanted:
            return licence
        if {**theirs, "name": wanted.get("name")} == wanted and _close_names(
            licence.custom_rule.get("name"), spec.name
        ):
            return licence
    return None


def _topics_for_held(held: Sequence[Licence], spec: CustomRequirementSpec) -> Licence | None:
    """The held requirement a sentence of topics alone adds to ("also need 2 hours ethics
    for my Texas RN license by March 2027": same name, same deadline, all of it a topic);
    QA round 12: it became "Texas RN license 2", a requirement of 2 hours of its own."""
    topic_hours = sum((hours for _, hours in spec.topic_minimums), Decimal(0))
    if not spec.name or not spec.topic_minimums:
        return None
    if spec.category_minimums or spec.activity_minimums:  # more than topics: its own
        return None
    if topic_hours < spec.total:
        return None
    for licence in held:
        if not licence.custom_rule or not _close_names(licence.custom_rule.get("name"), spec.name):
            continue
        if CustomRequirementSpec.from_dict(licence.custom_rule).deadline == spec.deadline:
            return licence
    return None


async def _add_topics(
    turn: Turn, licence: Licence, spec: CustomRequirementSpec, onboarding: bool
) -> None:
    held = CustomRequirementSpec.from_dict(licence.custom_rule or {})
    minimums = dict(held.topic_minimums) | dict(spec.topic_minimums)
    if sum(minimums.values(), Decimal(0)) > held.total:
        turn.say(texts.LICENCE_CUSTOM_TOPICS_OVER.format(
            label=html.escape(licence.label), total=number(held.total), unit=held.unit_word
        ))  # fmt: skip
    else:
        licence.custom_rule = replace(held, topic_minimums=tuple(minimums.items())).to_dict()
        licence.updated_at = turn.now
        await replan(turn)
        added = ", ".join(
            texts.LICENCE_CUSTOM_TOPIC.format(
                hours=number(hours), unit=held.unit_word, topic=html.escape(topic_label(topic))
            )
            for topic, hours in spec.topic_minimums
        )  # fmt: skip
        turn.say(texts.LICENCE_CUSTOM_TOPICS_ADDED.format(
            label=html.escape(licence.label), added=added, total=number(held.total),
            unit=held.unit_word,
        ))  # fmt: skip
    if onboarding:
        await ask_another(turn)
    else:
        await flows.clear(turn)


def _comparable(rule: dict[str, Any]) -> dict[str, Any]:
    """A described rule as compared for repeats: "30 hours" and "30 contact hours" are one
    requirement said two ways (QA round 12: a second Georgia licence, credits counted
    twice)."""
    unit = rule.get("unit_word")
    return {**rule, "unit_word": "hours" if unit == "contact hours" else unit}


def _close_names(first: object, second: str) -> bool:
    """ "Georgia" and "Georgia licence", "Georgia RN" and "Georgia RNs", "Nursing board"
    and "Nursng board"; not "Georgia RN" and "Georgia APRN" (a nurse may hold both, with
    the same figures): word by word, short words exactly, long ones a letter or two apart."""
    if not isinstance(first, str) or not first or not second:
        return False
    one, other = _bare_words(first), _bare_words(second)
    return len(one) == len(other) and all(
        a == b or (min(len(a), len(b)) >= 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.8)
        for a, b in zip(one, other, strict=True)
    )


def _bare_words(name: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", _LICENCE_NOUN.sub(" ", name.lower()))
    return [word[:-1] if len(word) > 2 and word.endswith("s") else word for word in words]


_LICENCE_NOUN = re.compile(r"\b(?:my|the|licen[cs]es?|renewals?)\b")


def _years(months: int) -> str:
    return texts.EVERY_YEAR if months == 12 else texts.EVERY_N_YEARS.format(n=months // 12)


async def _say_failure(turn: Turn, text: str, failure: ParseFailure) -> None:
    """Why it was not read; a topic it only nearly named gets a button per suggestion, and
    "yes" takes the first (QA: "Did you mean Pharmacology?" could not be answered)."""
    said = texts.CUSTOM_FAILED.format(message=html.escape(failure.message))
    where = text.lower().find(failure.phrase.lower()) if failure.phrase else -1
    if not failure.suggestions or where < 0:
        turn.say(said)
        return
    onboarding = flows.state(turn).get("onboarding")
    await flows.expect(turn, "custom_topic", text=text, phrase=failure.phrase,
                       suggestions=list(failure.suggestions), onboarding=onboarding)  # fmt: skip
    turn.say(
        said,
        [[(texts.CUSTOM_USE_TOPIC.format(topic=topic_label(t)), encode("cust", i))]
         for i, t in enumerate(failure.suggestions)],
    )  # fmt: skip


async def _with_topic(turn: Turn, index: int) -> None:
    pending = flows.state(turn)
    suggestions, text, phrase = (
        pending.get("suggestions") or [], str(pending.get("text") or ""),
        str(pending.get("phrase") or ""),
    )  # fmt: skip
    where = text.lower().find(phrase.lower()) if phrase else -1
    if pending.get("step") != "custom_topic" or not 0 <= index < len(suggestions) or where < 0:
        turn.say(texts.BUTTON_EXPIRED)
        return
    fixed = text[:where] + topic_label(suggestions[index]) + text[where + len(phrase) :]
    await flows.expect(turn, "licence_which", onboarding=pending.get("onboarding"))
    await add_custom(turn, fixed)


@route("cust")
async def custom_topic_pressed(turn: Turn, press: Press) -> None:
    await _with_topic(turn, press.int_arg(0) if press.int_arg(0) is not None else -1)


@flows.step("custom_topic")
async def custom_topic_answered(turn: Turn, text: str) -> bool | None:
    """ "yes" takes the first suggestion; another description is read afresh."""
    if yes_or_no(text) is True:
        await _with_topic(turn, 0)
        return None
    if looks_like_custom_requirement(text):
        onboarding = flows.state(turn).get("onboarding")
        await flows.expect(turn, "licence_which", onboarding=onboarding)
        await add_custom(turn, text)
        return None
    await flows.clear(turn)
    return False


_CYCLE_MONTHS = (24, 36, 60)  # common CE cycles; NP and PA boards certify for 5 years


def _window_that_has_begun(
    spec: CustomRequirementSpec, today: date
) -> tuple[CustomRequirementSpec, int | None]:
    """Without a start, the window is the two years before the deadline; when that would
    begin after today (75 hours by 2029), nothing logged now would count. Take the
    shortest common cycle that has begun, and say so (months assumed, else None)."""
    if spec.cycle_start is not None or spec.start <= today:
        return spec, None
    for months in _CYCLE_MONTHS:
        start = add_months(spec.deadline, -months) + timedelta(days=1)
        if start <= today:
            return replace(spec, cycle_start=start), months
    return spec, None


def _state_named(name: str) -> str | None:
    """ "US-GA" for a requirement named after one state ("Georgia MD"): kept, so a new
    name ("GA Composite Med Board") still finds it (QA round 9: "am i ok for georgia?"
    then answered for every licence)."""
    states = places.states_named_in(name) or places.state_codes_in(name)  # "FL RPh license"
    return f"US-{states.pop()}" if len(states) == 1 else None


def custom_label(name: str, held: Sequence[str]) -> str:
    """The clinician's own name for a described requirement, else "My requirement" (then
    "My requirement 2", … beside ones so called). No date: a "(due …)" in the name went
    stale when the cycle moved on (QA round 11); views say the current deadline."""
    base = name[:60] or texts.CUSTOM_LABEL
    taken = set(held)
    label, number = base, 1
    while label in taken:
        number += 1
        label = texts.LABEL_NUMBERED.format(label=base, number=number)
    return label


async def renews(turn: Turn, licence: Licence) -> str:
    """When it renews next: its current cycle's deadline, else the date given (QA round 11:
    the date typed at set-up, two cycles on). Dates alone: no status is worked out."""
    today = turn.local_now.date()
    deadline = cycle_end_on(
        licence, turn.clinician, today, today, turn.context.services.rulebook
    ) or licence.renewal_date
    if deadline is None:
        return texts.LICENCE_RENEWS_UNKNOWN
    return texts.LICENCE_RENEWS.format(deadline=day(deadline))


async def already_have(turn: Turn, rule: Rule) -> bool:
    """Say so when the clinician already holds a licence under this rule: a second copy
    would double every reminder and status line."""
    existing = await licence_store.find_by_rule(turn.session, turn.clinician, rule.id)
    if existing is None:
        return False
    when = await renews(turn, existing)
    turn.say(
        texts.LICENCE_DUPLICATE.format(label=html.escape(existing.label), when=when),
        [[(texts.LICENCE_CHANGE_DATE, encode("lic", "date", existing.id))]],
    )
    return True


async def chose_rule(turn: Turn, rule: Rule) -> None:
    if await already_have(turn, rule):
        return
    draft = {"rule_id": rule.id, "flags": [], "asked_flags": []}
    onboarding = bool(flows.state(turn).get("onboarding"))
    await flows.expect(turn, "licence_renewal", draft=draft, onboarding=onboarding)
    turn.say(
        texts.LICENCE_RENEWAL_ASK.format(rule=html.escape(rule.title)),
        [[(texts.LICENCE_RENEWAL_UNKNOWN, encode("lic", "nodate"))]],
    )


def _draft(turn: Turn) -> dict[str, Any]:
    return dict(flows.state(turn).get("draft") or {})


def _rule(turn: Turn, draft: dict[str, Any]) -> Rule | None:
    rule_id = draft.get("rule_id")
    return turn.context.services.rulebook.find(rule_id) if isinstance(rule_id, str) else None


# ------------------------------------------------------------------ facts
def unreadable_date(text: str) -> str:
    """What to say when a date did not parse: impossible ("Feb 31 2027"), or unreadable."""
    shown = html.escape(text.strip()[:40])
    if is_impossible_date(text):
        return texts.LICENCE_DATE_IMPOSSIBLE.format(text=shown)
    return texts.LICENCE_RENEWAL_BAD.format(text=shown)


def parse_renewal_date(text: str, today: date) -> date | str:
    """A renewal deadline, or the text of what was wrong. Without a year ("dec 27") it
    is the next such day: a deadline is ahead (QA: "dec 27" was not read)."""
    when = parse_date(text.strip()) or _next_day_named(text, today) or _year_end(text, today)
    if when is None:
        return unreadable_date(text)
    low = today - timedelta(days=RENEWAL_PAST_DAYS)
    high = today.replace(year=today.year + RENEWAL_FUTURE_YEARS)
    if not low <= when <= high:
        return texts.LICENCE_RENEWAL_RANGE.format(low=low.isoformat(), high=high.isoformat())
    return when


_YEAR_END = re.compile(
    r"\s*(?:the\s+)?end\s+of\s+(?:(?P<rel>this|next|the)\s+(?:yr|year)|(?P<year>\d{4}))\s*",
    re.IGNORECASE,
)


def _year_end(text: str, today: date) -> date | None:
    """ "end of next yr", "end of 2028": December 31 of that year (QA round 9: refused)."""
    said = _YEAR_END.fullmatch(text)
    if said is None:
        return None
    if said.group("year"):
        return date(int(said.group("year")), 12, 31)
    return date(today.year + (said.group("rel").lower() == "next"), 12, 31)  # "the": this


def _next_day_named(text: str, today: date) -> date | None:
    """ "Dec 27", "27 December": that day this year, or next year once it has passed."""
    if re.search(r"\d{4}", text):  # a year was given: not this reading
        return None
    for year in (today.year, today.year + 1):
        when = parse_date(f"{text.strip()} {year}")
        if when is not None and when >= today:
            return when
    return None


@dataclass(frozen=True, slots=True)
class BeyondNext:
    """A typed deadline after the next one: what to ask, the deadline probably meant, and
    whether sending it again keeps it (one cycle ahead: renewed early; more: impossible)."""

    question: str
    meant: date
    insistable: bool


def beyond_next_renewal(rule: Rule, label: str, when: date, today: date) -> BeyondNext | None:
    """Set when ``when`` is more than one cycle ahead: it cannot be the next deadline, and
    the status would silently count toward another."""
    meant = deadline_counted(rule, when, today)
    if meant >= when:
        return None
    latest = latest_early_renewal(rule, when, today)
    template = texts.LICENCE_RENEWAL_TOO_FAR if when <= latest else texts.LICENCE_RENEWAL_BEYOND
    question = template.format(
        label=html.escape(label),
        months=rule.cycle_months,
        latest=day(add_months(today, rule.cycle_months)),
        early=day(latest),
        typed=day(when),
        suggested=day(meant),
    )
    return BeyondNext(question, meant, insistable=when <= latest)


def _on_rule_day(turn: Turn, rule: Rule, label: str, when: date) -> date:
    """A fixed-date rule's deadline for the date typed, said when it differs (QA: ABIM
    "Nov 15 2025" became "Due Nov 30, 2030" without a word; its deadlines are Dec 31)."""
    deadline = on_rule_day(rule, when)
    if deadline != when:
        turn.say(
            texts.LICENCE_DATE_ON_RULE_DAY.format(
                label=html.escape(label), on=f"{deadline:%b %-d}", deadline=day(deadline)
            )
        )
    return deadline


async def _checked_deadline(
    turn: Turn,
    rule: Rule | None,
    label: str,
    when: date,
    buttons: Callable[[date], Buttons],
) -> tuple[date, bool] | None:
    """A typed deadline as the rule reads it (on its own day), and whether it was kept on
    being sent again (renewed early); None after asking about one beyond the next renewal
    (``buttons`` offer the deadline probably meant). Adding and changing a licence alike."""
    if rule is None:
        return when, False
    when = _on_rule_day(turn, rule, label, when)
    far = beyond_next_renewal(rule, label, when, turn.local_now.date())
    if far is None:
        return when, False
    if await _insisted(turn, when, far):
        return when, True
    turn.say(far.question, buttons(far.meant))
    return None


async def _insisted(turn: Turn, when: date, far: BeyondNext) -> bool:
    """The same date again after the question: the licence says so (renewed early), keep it.
    Not for a date further than an early renewal reaches: that one is asked again."""
    if far.insistable and flows.state(turn).get("questioned") == when.isoformat():
        return True
    await flows.update_state(turn, questioned=when.isoformat())
    return False


def pressed_date(value: str, rule: Rule | None, today: date) -> date | None:
    """A suggested deadline from a button (client data): valid only if still consistent."""
    try:
        when = date.fromisoformat(value)
    except ValueError:
        return None
    if rule is None or isinstance(parse_renewal_date(value, today), str):
        return None
    return when if deadline_counted(rule, when, today) == when else None


@flows.step("licence_renewal")
async def renewal_answered(turn: Turn, text: str) -> None:
    if _DONT_KNOW.fullmatch(text):  # the button's own words, typed (QA: "couldn't read")
        await _no_renewal_date(turn)
        return
    when = parse_renewal_date(text, turn.local_now.date())
    if isinstance(when, str):
        turn.say(when, [[(texts.LICENCE_RENEWAL_UNKNOWN, encode("lic", "nodate"))]])
        return
    draft = _draft(turn)
    rule = _rule(turn, draft)
    checked = await _checked_deadline(
        turn, rule, rule_label(rule) if rule else "", when,
        lambda meant: [[(texts.LICENCE_RENEWAL_SUGGESTED.format(suggested=day(meant)),
                         encode("lic", "usedate", meant.isoformat()))],
                       [(texts.LICENCE_RENEWAL_UNKNOWN, encode("lic", "nodate"))]],
    )  # fmt: skip
    if checked is None:
        return
    when, kept_ahead = checked
    if kept_ahead:
        turn.say(texts.LICENCE_RENEWAL_KEPT.format(typed=day(when)))
    today = turn.local_now.date()
    if rule is not None and when < today:  # QA: a past date was taken without a word
        counted = deadline_counted(rule, when, today)
        turn.say(texts.LICENCE_SETUP_DATE_PASSED.format(typed=day(when), next=day(counted)))
    await _renewal_chosen(turn, draft, when)


async def _renewal_chosen(turn: Turn, draft: dict[str, Any], when: date) -> None:
    draft["renewal_date"] = when.isoformat()
    await _ask_renewals(turn, draft)


async def _suggested_renewal_pressed(turn: Turn, value: str) -> None:
    draft = _draft(turn)
    when = pressed_date(value, _rule(turn, draft), turn.local_now.date())
    if when is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await _renewal_chosen(turn, draft, when)


async def _no_renewal_date(turn: Turn) -> None:
    """Ask for what the rule can derive the deadline from instead (the domain says what)."""
    draft = _draft(turn)
    rule = _rule(turn, draft)
    if rule is None:
        turn.say(texts.BUTTON_EXPIRED)
        return
    facts = LicenceFacts(
        rule_id=rule.id,
        birth_month=turn.clinician.birth_month,
        birth_year=turn.clinician.birth_year,
        issued_on=date.fromisoformat(draft["issued_on"]) if draft.get("issued_on") else None,
    )
    missing = missing_facts(rule, facts, turn.local_now.date())
    if not missing:
        await _ask_renewals(turn, draft)
    elif "birth_month" in missing or "birth_year" in missing:
        await flows.update_state(turn, step="licence_birth")
        turn.say(texts.LICENCE_BIRTH_ASK)
    elif "issued_on" in missing:
        await flows.update_state(turn, step="licence_issued")
        turn.say(texts.LICENCE_ISSUED_ASK, [[_give_up(turn)]])  # QA: no way out but a date
    else:
        await flows.update_state(turn, step="licence_renewal")
        turn.say(texts.LICENCE_NEED_DATE, [[_give_up(turn)]])


async def _without_a_date(turn: Turn) -> None:
    """No date to place the cycles by: nothing saved, and how to add it later."""
    onboarding = bool(flows.state(turn).get("onboarding"))
    await flows.clear(turn)
    turn.say(texts.LICENCE_NOT_ADDED_NO_DATE)
    if onboarding:
        from handlers.onboarding import ask_timezone

        await ask_timezone(turn, onboarding=True)


def _give_up(turn: Turn) -> tuple[str, str]:
    """Skip (the set-up goes on) or Cancel: for a date the clinician does not have."""
    if flows.state(turn).get("onboarding"):
        return (texts.SKIP, encode("lic", "skip"))
    return (texts.CANCEL, encode("lic", "cancel"))


_DONT_KNOW = re.compile(
    r"\s*(?:(?:i\s+)?(?:don['’]?t|do\s+not)\s+know|(?:i'?m\s+)?not\s+sure|no\s+idea|idk|dunno"
    r"|unknown|skip|cancel|no|none)\W*",
    re.IGNORECASE,
)


def parse_month_year(text: str) -> tuple[int, int] | None:
    """ "March 1980", "3/1980", "1980-03" → (3, 1980)."""
    cleaned = fix_date_spelling(text).strip().lower().replace(",", " ")
    match = re.fullmatch(r"([a-z]+)\.?\s+(\d{4})", cleaned)
    if match and match.group(1) in _MONTHS:
        month, year = _MONTHS[match.group(1)], int(match.group(2))
    else:
        match = re.fullmatch(r"(\d{1,2})\s*[/-]\s*(\d{4})|(\d{4})\s*-\s*(\d{1,2})", cleaned)
        if not match:
            return None
        month = int(match.group(1) or match.group(4))
        year = int(match.group(2) or match.group(3))
    if not 1 <= month <= 12 or not 1920 <= year <= 2010:
        return None
    return month, year


@flows.step("licence_birth")
async def birth_answered(turn: Turn, text: str) -> None:
    parsed = parse_month_year(text)
    if parsed is None:
        turn.say(texts.LICENCE_BIRTH_BAD)
        return
    turn.clinician.birth_month, turn.clinician.birth_year = parsed
    await _no_renewal_date(turn)  # the birth date may be enough, or another fact is needed


@flows.step("licence_issued")
async def issued_answered(turn: Turn, text: str) -> None:
    if _DONT_KNOW.fullmatch(text):
        await _without_a_date(turn)
        return
    if re.fullmatch(r"\s*(?:19|20)\d\d\s*", text):  # a year alone: which cycle is unclear
        turn.say(texts.LICENCE_ISSUED_YEAR_ONLY.format(year=text.strip()), [[_give_up(turn)]])
        return
    when = parse_date(text.strip())
    today = turn.local_now.date()
    if when is None:
        turn.say(unreadable_date(text), [[_give_up(turn)]])
        return
    if not EARLIEST_ISSUE <= when <= today:
        turn.say(texts.LICENCE_ISSUED_RANGE.format(low=EARLIEST_ISSUE.isoformat()))
        return
    draft = _draft(turn)
    draft["issued_on"] = when.isoformat()
    await flows.update_state(turn, draft=draft)
    await _no_renewal_date(turn)


async def _ask_renewals(turn: Turn, draft: dict[str, Any]) -> None:
    rule = _rule(turn, draft)
    if rule is not None and not rule.renewal_count_matters:  # ABIM, Ohio: nothing depends on it
        await _next_flag_or_save(turn, draft)
        return
    await flows.update_state(turn, step="licence_renewals", draft=draft)
    numbers = [(str(n), encode("lic", "ren", n)) for n in range(6)]
    facts = await _draft_facts(turn, rule, draft) if rule is not None else None
    deadline = _deadline_counted(rule, facts, turn.local_now.date()) if rule and facts else None
    # The renewal ahead named, so "already" cannot be read as including it (QA round 13).
    question = (
        texts.LICENCE_RENEWALS_ASK_BEFORE.format(deadline=day(deadline)) if deadline
        else texts.LICENCE_RENEWALS_ASK
    )  # fmt: skip
    turn.say(
        question,
        [numbers[:3], numbers[3:], [(texts.LICENCE_RENEWALS_MORE, encode("lic", "renmore")),
                                    (texts.LICENCE_RENEWAL_UNKNOWN, encode("lic", "rennone"))]],
    )  # fmt: skip


async def _draft_facts(turn: Turn, rule: Rule, draft: dict[str, Any]) -> LicenceFacts | None:
    """The facts the answers are about, the renewal count left out: the stored licence's
    when its questions are asked again, else what the set-up has gathered so far."""
    if draft.get("licence_id") is not None:
        licence = await _owned(turn, draft.get("licence_id"))
        if licence is None or licence.rule_id != rule.id:
            return None
        return replace(facts_for(licence, turn.clinician), renewals_done=None)
    renewal, issued = draft.get("renewal_date"), draft.get("issued_on")
    return LicenceFacts(
        rule_id=rule.id,
        birth_month=turn.clinician.birth_month,
        birth_year=turn.clinician.birth_year,
        issued_on=date.fromisoformat(issued) if issued else None,
        renewal_date=date.fromisoformat(renewal) if renewal else None,
    )


def _deadline_counted(rule: Rule, facts: LicenceFacts, today: date) -> date | None:
    """The deadline the status counts toward with these facts (None when not yet known)."""
    try:
        return cycle_info(rule, facts, today).deadline
    except (MissingFactError, ValueError):
        return None


async def _count_to_store(
    turn: Turn, rule: Rule, draft: dict[str, Any]
) -> tuple[int | None, date | None]:
    """(renewals_done, renewal_date) to store for the count answered: the answer is "as of
    today", the stored count is relative to the stored date (see the domain function)."""
    facts = await _draft_facts(turn, rule, draft)
    said = draft.get("renewals_done")
    given = facts.renewal_date if facts is not None else None
    if facts is None or not isinstance(said, int):
        return said if isinstance(said, int) else None, given
    return renewals_done_said_today(rule, facts, said, turn.local_now.date())


@flows.step("licence_renewals")
async def renewals_typed(turn: Turn, text: str) -> None:
    count = count_of(text)  # "3", "three", "none" (QA: words were refused)
    if count is None and _DONT_KNOW.fullmatch(text):  # ("no", "none": count_of reads 0)
        await _renewals_unknown(turn)  # QA: no way past it but /cancel
        return
    if count is None or count > 40:
        turn.say(texts.LICENCE_RENEWALS_BAD)
        return
    await _renewals_chosen(turn, count)


async def _renewals_unknown(turn: Turn) -> None:
    draft = _draft(turn)
    draft["renewals_done"] = None  # asked again: "I don't know" replaces the old count
    await _next_flag_or_save(turn, draft)


async def _renewals_chosen(turn: Turn, count: int) -> None:
    draft = _draft(turn)
    draft["renewals_done"] = count
    await _next_flag_or_save(turn, draft)


def _flags_needed(rule: Rule) -> list[str]:
    needed: list[str] = []
    for mandate in rule.mandates:
        for flag in sorted(mandate.when_flags):
            if flag not in needed:
                needed.append(flag)
    return needed


async def _next_flag_or_save(turn: Turn, draft: dict[str, Any]) -> None:
    rule = _rule(turn, draft)
    if rule is None:
        turn.say(texts.BUTTON_EXPIRED)
        return
    asked = set(draft.get("asked_flags") or [])
    for flag in _flags_needed(rule):
        if flag in asked:
            continue
        if flag == DEA_FLAG and await _tracks_dea(turn, draft):
            # The answer is known (QA round 13: New York's questions answered again with
            # "No" dropped its opioid course, a DEA registration tracked beside it).
            draft["flags"] = [*(f for f in draft.get("flags") or [] if f != flag), flag]
            draft["asked_flags"] = [*(draft.get("asked_flags") or []), flag]
            asked.add(flag)
            turn.say(texts.LICENCE_FLAG_FROM_DEA)
            continue
        await flows.update_state(turn, step="licence_flag", draft=draft)
        question = texts.FLAG_QUESTIONS.get(flag, flag.replace("_", " ") + "?")
        turn.say(
            texts.LICENCE_FLAG_ASK.format(question=question),
            [[(texts.YES, encode("lic", "flag", flag, "y")),
              (texts.NO, encode("lic", "flag", flag, "n"))]],
        )  # fmt: skip
        return
    specialties = _specialties_that_matter(rule, draft)
    asking_again = draft.get("licence_id") is not None  # then asked even if known
    if (specialties and not draft.get("asked_specialty")
            and (asking_again or not turn.clinician.specialties)):  # fmt: skip
        await flows.update_state(turn, step="licence_specialty", draft=draft)
        _ask_specialty(turn, specialties)
        return
    await _save(turn, rule, draft)


DEA_RULE_ID = "us-dea-mate"
DEA_FLAG = "dea_registrant"


async def _tracks_dea(turn: Turn, draft: dict[str, Any]) -> bool:
    """Whether the clinician tracks a DEA registration (besides the licence asked about)."""
    held = await licence_store.list_for(turn.session, turn.clinician)
    return any(
        licence.rule_id == DEA_RULE_ID and licence.id != draft.get("licence_id") for licence in held
    )


async def _registrant_everywhere(turn: Turn, added: Licence) -> list[str]:
    """A DEA registration just added: the held licences that ask whether one is held now
    count it (their mandates for registrants apply); their labels, for saying so."""
    changed = []
    for licence in await licence_store.list_for(turn.session, turn.clinician):
        rule = _licence_rule(turn, licence)
        if licence.id == added.id or rule is None or DEA_FLAG not in _flags_needed(rule):
            continue
        if DEA_FLAG not in (licence.flags or []):
            licence.flags = [*(licence.flags or []), DEA_FLAG]
            licence.updated_at = turn.now
            changed.append(licence.label)
    return changed


def _specialties_that_matter(rule: Rule, draft: dict[str, Any]) -> list[str]:
    """The specialties a requirement of this rule is limited to, when its other conditions
    hold (QA round 11: California's geriatrics, for internists and family physicians with
    a panel over 25% aged 65+, could never apply: the specialty was never asked)."""
    said_yes = set(draft.get("flags") or [])
    found: list[str] = []
    for mandate in rule.mandates:
        if mandate.only_specialties and mandate.when_flags <= said_yes:
            found += [s for s in sorted(mandate.only_specialties) if s not in found]
    return found


def _ask_specialty(turn: Turn, specialties: list[str]) -> None:
    names = topics.vocabulary().specialties
    buttons = [[(names.label(s), encode("lic", "spec", s))] for s in specialties]
    buttons.append([(texts.SPECIALTY_OTHER, encode("lic", "spec", "other"))])
    turn.say(texts.LICENCE_SPECIALTY_ASK, buttons)


@flows.step("licence_specialty")
async def specialty_typed(turn: Turn, text: str) -> None:
    """ "internist", "family medicine", "radiology": any specialty the vocabulary knows."""
    specialty = topics.normalize_specialty(text)
    if specialty is None:
        rule = _rule(turn, _draft(turn))
        turn.say(texts.SPECIALTY_UNKNOWN.format(text=html.escape(text.strip()[:40])))
        _ask_specialty(turn, _specialties_that_matter(rule, _draft(turn)) if rule else [])
        return
    await _specialty_answered(turn, specialty)


async def specialty_said(turn: Turn, words: str) -> None:
    """ "I'm an internist" typed any time: stored, re-planned, and the status shown."""
    specialty = topics.normalize_specialty(words)
    if specialty is None:
        turn.say(texts.SPECIALTY_UNKNOWN.format(text=html.escape(words.strip()[:40])))
        return
    if flows.state(turn).get("step") == "licence_specialty":  # the set-up's question
        await _specialty_answered(turn, specialty)
        return
    turn.clinician.specialties = [specialty]
    await replan(turn)
    label = topics.vocabulary().specialties.label(specialty)
    turn.say(texts.SPECIALTY_SAVED.format(specialty=html.escape(label)))
    from handlers.status import say_status

    await say_status(turn)


async def _specialty_answered(turn: Turn, specialty: str) -> None:
    draft = _draft(turn)
    rule = _rule(turn, draft)
    if rule is None or specialty not in topics.vocabulary().specialties.ids:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    turn.clinician.specialties = [specialty]
    draft["asked_specialty"] = True
    await _next_flag_or_save(turn, draft)


@flows.step("licence_flag")
async def flag_typed(turn: Turn, text: str) -> None:
    """A typed yes or no answers the pending question (it was asked again); anything else
    repeats the question's buttons."""
    draft = _draft(turn)
    draft["asked_flags"] = list(draft.get("asked_flags") or [])
    answer = yes_or_no(text)
    rule = _rule(turn, draft)
    pending = [f for f in _flags_needed(rule) if f not in draft["asked_flags"]] if rule else []
    if answer is not None and pending:
        await _flag_answered(turn, pending[0], answer)
        return
    await _next_flag_or_save(turn, draft)


def _has_questions(rule: Rule | None) -> bool:
    """Whether the set-up asked anything about this licence beyond its date."""
    return rule is not None and bool(
        rule.renewal_count_matters or _flags_needed(rule)
        or any(m.only_specialties for m in rule.mandates)
    )


async def _ask_again(turn: Turn, licence_id: int | None) -> None:
    """A licence's set-up questions asked again, its answers kept until the last is given
    (QA round 11: a wrong renewal count or DEA answer could only be fixed by removing the
    licence and its history with it)."""
    licence = await _owned(turn, licence_id)
    rule = _licence_rule(turn, licence) if licence is not None else None
    if licence is None or rule is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    draft: dict[str, Any] = {
        "rule_id": rule.id, "licence_id": licence.id, "flags": list(licence.flags or []),
        "renewals_done": licence.renewals_done,
    }  # fmt: skip
    turn.say(texts.LICENCE_ANSWERS_AGAIN.format(label=html.escape(licence.label)))
    await _ask_renewals(turn, draft)


async def _update_answers(turn: Turn, rule: Rule, draft: dict[str, Any]) -> None:
    """The answers given again, stored on the licence they are about."""
    licence = await _owned(turn, draft.get("licence_id"))
    await flows.clear(turn)
    if licence is None or licence.rule_id != rule.id:
        turn.say(texts.LICENCE_GONE)
        return
    licence.renewals_done, licence.renewal_date = await _count_to_store(turn, rule, draft)
    licence.flags = list(draft.get("flags") or [])
    licence.updated_at = turn.now
    await replan(turn)
    turn.say(texts.LICENCE_ANSWERS_SAVED.format(label=html.escape(licence.label)))
    from handlers.status import say_status

    await say_status(turn)


async def _save(turn: Turn, rule: Rule, draft: dict[str, Any]) -> None:
    if draft.get("licence_id") is not None:
        await _update_answers(turn, rule, draft)
        return
    if await already_have(turn, rule):  # added meanwhile, e.g. from an older message
        await flows.clear(turn)
        return
    issued = draft.get("issued_on")
    renewals_done, renewal_date = await _count_to_store(turn, rule, draft)
    added = await licence_store.add(
        turn.session, turn.clinician,
        label=rule_label(rule)[:128],
        rule_id=rule.id,
        jurisdiction=rule.jurisdiction,
        profession=turn.clinician.profession,
        renewal_date=renewal_date,
        issued_on=date.fromisoformat(issued) if issued else None,
        renewals_done=renewals_done,
        flags=draft.get("flags") or [],
        now=turn.now,
    )  # fmt: skip
    registrant = await _registrant_everywhere(turn, added) if rule.id == DEA_RULE_ID else []
    onboarding = bool(flows.state(turn).get("onboarding"))
    await flows.clear(turn)
    await replan(turn)
    turn.say(texts.LICENCE_SAVED.format(label=html.escape(rule_label(rule))))
    if registrant:
        labels = ", ".join(html.escape(label) for label in registrant)
        turn.say(texts.LICENCE_DEA_COUNTED_FOR.format(labels=labels))
    await after_saved(turn, onboarding)


async def after_saved(turn: Turn, onboarding: bool) -> None:
    """Show where the licence stands, then offer another or move on."""
    from handlers.status import say_status

    await say_status(turn)
    if onboarding:
        await ask_another(turn)
        return
    await flows.expect(turn, "licence_another")  # "done" typed is an answer (QA: not understood)
    turn.say(
        texts.LICENCE_ADD_ANOTHER + "?",
        [[(texts.LICENCE_ADD, encode("lic", "add")), (texts.DONE, encode("lic", "done"))]],
    )


async def ask_another(turn: Turn) -> None:
    """Set-up: "Add another licence?" (answered by its buttons or typed)."""
    await flows.expect(turn, "licence_another", onboarding=True)
    turn.say(
        texts.LICENCE_ADD_ANOTHER + "?",
        [[(texts.LICENCE_ADD_ANOTHER, encode("lic", "add", "onb")),
          (texts.DONE, encode("onb", "tz"))]],
    )  # fmt: skip


async def resume_question(turn: Turn, pending: dict[str, Any]) -> None:
    """/start during the set-up's licence questions: the one it was at, asked again (the
    licence's questions from its first)."""
    step = pending.get("step")
    rule = _rule(turn, dict(pending.get("draft") or {}))
    if step == "licence_another":
        await ask_another(turn)
    elif rule is not None and step != "licence_which":
        await flows.expect(turn, "licence_which", onboarding=True)  # chose_rule reads it
        await chose_rule(turn, rule)
    else:
        await ask_which(turn, onboarding=True)


_ANOTHER = re.compile(
    r"\s*(?:add(?:\s+(?:another|one|more))?(?:\s+licen[cs]e)?"
    r"|another(?:\s+(?:one|licen[cs]e))?|one\s+more)\W*",
    re.IGNORECASE,
)


@flows.step("licence_another")
async def another_answered(turn: Turn, text: str) -> bool | None:
    """ "Add another licence?" typed at rather than pressed: "done" moves on (it got
    "Sorry, I didn't understand that"), "yes" asks which, a licence's name adds it."""
    onboarding = bool(flows.state(turn).get("onboarding"))
    if _NO_MORE.fullmatch(text) or text.strip().lower() in ("skip", "next"):
        await flows.clear(turn)
        if onboarding:
            from handlers.onboarding import ask_timezone

            await ask_timezone(turn, onboarding=True)
        else:
            turn.say(texts.LICENCES_DONE)
        return None
    if yes_or_no(text) is True or _ANOTHER.fullmatch(text):
        await ask_which(turn, onboarding=onboarding)
        return None
    if looks_like_custom_requirement(text):  # another requirement, in words: added
        await add_custom(turn, text)  # (QA round 7: it ended the set-up, time zone unasked)
        return None
    rulebook = turn.context.services.rulebook
    if starts_with_credits(text) or said_in_words(text) or (
        is_other_request(text)  # "ABIM 100 points" is a licence, though it reads as a log
        # After the set-up the question is an offer: anything else moves on.
        and (not onboarding or not rulebook.find_licence(text, turn.clinician.profession).matches)
    ):
        # The set-up ends here; its last step, the time zone, must not go unsaid (QA: a
        # Texas doctor kept New York time without knowing).
        await flows.clear(turn)
        if onboarding:
            zone = html.escape(turn.clinician.timezone)
            turn.say(texts.ONBOARD_ENDED_EARLY.format(zone=zone))
        return False
    await flows.expect(turn, "licence_which", onboarding=True if onboarding else None)
    await which_answered(turn, text)
    return None


# ------------------------------------------------------------------ buttons
@route("lic")
async def licence_pressed(turn: Turn, press: Press) -> None:
    action = press.arg(0)
    rulebook = turn.context.services.rulebook
    if action == "add":
        await ask_which(turn, onboarding=press.arg(1) == "onb")
    elif action == "rule":
        rule = rulebook.find(press.arg(1))
        if rule is None:
            turn.answer(texts.BUTTON_EXPIRED)
            return
        await chose_rule(turn, rule)
    elif action == "nodate" and flows.state(turn).get("step") == "licence_renewal":
        await _no_renewal_date(turn)
    elif action == "usedate" and flows.state(turn).get("step") == "licence_renewal":
        await _suggested_renewal_pressed(turn, press.arg(1))
    elif action == "setdate" and flows.state(turn).get("step") == "licence_new_date":
        await _suggested_new_date_pressed(turn, press.int_arg(1), press.arg(2))
    elif action == "ren" and flows.state(turn).get("step") == "licence_renewals":
        count = press.int_arg(1)
        if count is None or count > 40:
            turn.answer(texts.BUTTON_EXPIRED)
            return
        await _renewals_chosen(turn, count)
    elif action == "renmore" and flows.state(turn).get("step") == "licence_renewals":
        turn.say(texts.LICENCE_RENEWALS_TYPE)
    elif action == "rennone" and flows.state(turn).get("step") == "licence_renewals":
        await _renewals_unknown(turn)  # unknown: renewal-gated topics show as due
    elif action == "flag" and flows.state(turn).get("step") == "licence_flag":
        await _flag_answered(turn, press.arg(1), press.arg(2) == "y")
    elif action == "spec" and flows.state(turn).get("step") == "licence_specialty":
        await _specialty_answered(turn, press.arg(1))
    elif action == "skip":
        from handlers.onboarding import ask_timezone

        await flows.clear(turn)
        await ask_timezone(turn, onboarding=True)
    elif action == "cancel":
        await flows.clear(turn)
        turn.edit(texts.NOTHING_CHANGED)
    elif action == "done":
        if flows.state(turn).get("step") == "licence_another":
            await flows.clear(turn)
        turn.say(texts.LICENCES_DONE)
    elif action == "del":
        await _confirm_remove(turn, press.int_arg(1))
    elif action == "delyes":
        await _remove(turn, press.int_arg(1))
    elif action == "date":
        await _ask_new_date(turn, press.int_arg(1))
    elif action == "again":
        await _same_again(turn, press.int_arg(1), press.arg(2))
    elif action == "name":
        await _ask_new_name(turn, press.int_arg(1))
    elif action == "facts":
        await _ask_again(turn, press.int_arg(1))
    else:
        turn.answer(texts.BUTTON_EXPIRED)


async def _flag_answered(turn: Turn, flag: str, yes: bool) -> None:
    draft = _draft(turn)
    rule = _rule(turn, draft)
    if rule is None or flag not in _flags_needed(rule):
        turn.answer(texts.BUTTON_EXPIRED)
        return
    asked = list(draft.get("asked_flags") or [])
    flags = [f for f in draft.get("flags") or [] if f != flag]
    if yes:
        flags.append(flag)
    if flag not in asked:
        asked.append(flag)
    draft.update(asked_flags=asked, flags=flags)
    await _next_flag_or_save(turn, draft)


# ------------------------------------------------------------------ /licences
@clinician_handler
async def list_licences(turn: Turn) -> None:
    """List licences with edit and remove buttons, and an Add button."""
    owned = await licence_store.list_for(turn.session, turn.clinician)
    if not owned:
        await ask_which(turn)
        return
    # The deadline the status counts toward, as /status says it: a date typed once that has
    # since passed (or a birth-month rule with no date typed) is not what the licence awaits.
    statuses = {
        view.licence.id: view.status
        for view in await load_views(
            turn.session, turn.clinician, turn.local_now.date(), turn.context.services.rulebook
        )
    }
    lines = [texts.LICENCE_LIST_HEADER]
    buttons = []
    for index, licence in enumerate(owned, start=1):
        label = html.escape(licence.label)
        status = statuses.get(licence.id)
        deadline = status.deadline if status else licence.renewal_date
        if deadline:
            lines.append(
                texts.LICENCE_LIST_ITEM.format(index=index, label=label, deadline=day(deadline))
            )
        else:
            lines.append(texts.LICENCE_LIST_ITEM_UNKNOWN.format(index=index, label=label))
        if licence.reminders_muted:  # QA: muted nowhere to be seen but in /reminders
            lines[-1] += texts.LICENCE_LIST_MUTED
        ident = licence.id
        date_button = (texts.LICENCE_EDIT_DATE.format(index=index), encode("lic", "date", ident))
        rename = (texts.LICENCE_RENAME.format(index=index), encode("lic", "name", ident))
        remove = (texts.LICENCE_REMOVE.format(index=index), encode("lic", "del", ident))
        if _has_questions(_licence_rule(turn, licence)):  # two rows: four are cut on a phone
            answers = (texts.LICENCE_ANSWERS.format(index=index), encode("lic", "facts", ident))
            buttons += [[date_button, answers], [rename, remove]]
        else:
            buttons.append([date_button, rename, remove])  # fmt: skip
    buttons.append([(texts.LICENCE_ADD, encode("lic", "add"))])
    turn.say("\n".join(lines), buttons)


async def _owned(turn: Turn, licence_id: int | None) -> Licence | None:
    if licence_id is None:
        return None
    return await licence_store.get(turn.session, turn.clinician, licence_id)


async def _confirm_remove(turn: Turn, licence_id: int | None) -> None:
    licence = await _owned(turn, licence_id)
    if licence is None:
        turn.answer(texts.LICENCE_GONE)
        return
    turn.say(
        texts.LICENCE_REMOVE_CONFIRM.format(label=html.escape(licence.label)),
        [[(texts.LICENCE_REMOVE_YES, encode("lic", "delyes", licence.id)),
          (texts.CANCEL, encode("noop"))]],
    )  # fmt: skip


async def _remove(turn: Turn, licence_id: int | None) -> None:
    licence = await _owned(turn, licence_id)
    if licence is None:
        turn.answer(texts.LICENCE_GONE)
        return
    label = licence.label
    await licence_store.remove(turn.session, turn.clinician, licence.id)
    await replan(turn)
    turn.edit(texts.LICENCE_REMOVED.format(label=html.escape(label)))
    if licence.rule_id == DEA_RULE_ID and (still := await _still_registrant(turn)):
        # The other licences' answer stays (it may still be true): said, not silently kept.
        turn.say(texts.LICENCE_DEA_REMOVED_STILL.format(labels=html.escape(", ".join(still))))


async def _still_registrant(turn: Turn) -> list[str]:
    """Labels of the licences that count the clinician as a DEA registrant."""
    return [
        licence.label
        for licence in await licence_store.list_for(turn.session, turn.clinician)
        if DEA_FLAG in (licence.flags or [])
    ]


async def _ask_about(turn: Turn, licence_id: int | None, step: str, question: str) -> None:
    """Ask ``question`` (its ``{label}`` or ``{rule}``: the licence's label) about one of
    the licences."""
    licence = await _owned(turn, licence_id)
    if licence is None:
        turn.answer(texts.LICENCE_GONE)
        return
    await flows.expect(turn, step, licence_id=licence.id)
    label = html.escape(licence.label)
    turn.say(question.format(label=label, rule=label))


async def _licence_asked_about(turn: Turn) -> Licence | None:
    """The licence the pending question is about; None (and said) when it is gone."""
    licence_id = flows.state(turn).get("licence_id")
    licence = await _owned(turn, licence_id if isinstance(licence_id, int) else None)
    if licence is None:
        await flows.clear(turn)
        turn.say(texts.LICENCE_GONE)
    return licence


async def _ask_new_name(turn: Turn, licence_id: int | None) -> None:
    """QA round 7: a licence named after a garbled sentence kept that name everywhere."""
    await _ask_about(turn, licence_id, "licence_new_name", texts.LICENCE_RENAME_ASK)


@flows.step("licence_new_name")
async def new_name_answered(turn: Turn, text: str) -> None:
    licence = await _licence_asked_about(turn)
    if licence is None:
        return
    name = " ".join(text.split())[:60]
    if not re.search(r"[^\W_]", name):
        turn.say(texts.LICENCE_RENAME_EMPTY)
        return
    if licence.custom_rule:
        spec = replace(CustomRequirementSpec.from_dict(licence.custom_rule), name=name)
        licence.custom_rule = spec.to_dict()
        licence.jurisdiction = licence.jurisdiction or _state_named(name)
    licence.label = name
    licence.updated_at = turn.now
    await flows.clear(turn)
    turn.say(texts.LICENCE_RENAMED.format(label=html.escape(licence.label)))


_DEADLINE_SAID = re.compile(
    r"\s*(?:(?:actually|oh|oops|sorry|fyi)\W+)*(?:my\s+|the\s+)?(?P<name>[\w .'&-]{0,40}?)\s*"
    r"(?:licen[cs]e\s+|registration\s+|certification\s+)?"
    r"(?:deadline|renewal(?:\s+date)?|expiry(?:\s+date)?|expiration(?:\s+date)?|due\s+date)"
    r"\s+is\s+(?:actually\s+|now\s+|really\s+)?(?P<date>[\w ,/.-]{3,30}?)\s*[.!]*\s*",
    re.IGNORECASE,
)


async def deadline_said(turn: Turn, text: str) -> bool:
    """ "my nccpa deadline is actually may 31 2027": that licence's renewal date changes,
    checked as the "Renewal date" button's answer is (QA round 8: the status card came
    back unchanged, as if it had been taken)."""
    from handlers.status import licences_named  # status builds on this module's views

    said = _DEADLINE_SAID.fullmatch(text)
    if said is None:
        return False
    owned = await licence_store.list_for(turn.session, turn.clinician)
    named = licences_named(owned, said.group("name"), turn.context.services.rulebook)
    if not named and len(owned) == 1 and not said.group("name").strip():
        named = owned  # "my deadline is ...", with one licence
    if len(named) != 1:
        return False  # none or several: the status answers, as before
    await flows.expect(turn, "licence_new_date", licence_id=named[0].id)
    await new_date_answered(turn, said.group("date"))
    return True


async def _ask_new_date(turn: Turn, licence_id: int | None) -> None:
    await _ask_about(turn, licence_id, "licence_new_date", texts.LICENCE_RENEWAL_ASK)


@flows.step("licence_new_date")
async def new_date_answered(turn: Turn, text: str) -> None:
    if (said := _DEADLINE_SAID.fullmatch(text)) is not None:
        # The answer said as a sentence (review: after "2027-02-30 is not a real date",
        # "my texas deadline is Agust 31 2027" was read whole, as a date, and refused).
        if await deadline_said(turn, text):
            return  # it named a licence: that one's date changed
        text = said.group("date")
    licence = await _licence_asked_about(turn)
    if licence is None:
        return
    when = parse_renewal_date(text, turn.local_now.date())
    if isinstance(when, str):
        turn.say(when)
        return
    checked = await _checked_deadline(
        turn, _licence_rule(turn, licence), licence.label, when,
        lambda meant: [[(texts.LICENCE_RENEWAL_SUGGESTED.format(suggested=day(meant)),
                         encode("lic", "setdate", licence.id, meant.isoformat()))],
                       [(texts.CANCEL, encode("lic", "cancel"))]],
    )  # fmt: skip
    if checked is not None:
        await _set_renewal_date(turn, licence, checked[0])


def _licence_rule(turn: Turn, licence: Licence) -> Rule | None:
    if licence.custom_rule or not licence.rule_id:
        return None  # a custom requirement's deadline is whatever the clinician says
    return turn.context.services.rulebook.find(licence.rule_id)


async def _same_again(turn: Turn, licence_id: int | None, ended: str) -> None:
    """ "Same again" under a described requirement's passed deadline: a window as long,
    right after it. Pressed twice, or after the date changed, it has expired."""
    licence = await _owned(turn, licence_id)
    if licence is None or not licence.custom_rule:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    spec = CustomRequirementSpec.from_dict(licence.custom_rule)
    if spec.deadline.isoformat() != ended:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await _set_renewal_date(turn, licence, next_window_deadline(spec))


async def _suggested_new_date_pressed(turn: Turn, licence_id: int | None, value: str) -> None:
    licence = await _owned(turn, licence_id)
    if licence is None or flows.state(turn).get("licence_id") != licence.id:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    when = pressed_date(value, _licence_rule(turn, licence), turn.local_now.date())
    if when is None:
        turn.answer(texts.BUTTON_EXPIRED)
        return
    await _set_renewal_date(turn, licence, when)


async def _set_renewal_date(turn: Turn, licence: Licence, when: date) -> None:
    """Store the new deadline, confirm it in words, then show the status it leads to."""
    rule = _licence_rule(turn, licence)  # None for a described requirement
    if rule is not None:
        facts = facts_for(licence, turn.clinician)
        licence.renewals_done = renewals_done_after_move(rule, facts, when, turn.local_now.date())
    licence.renewal_date = when
    licence.updated_at = turn.now
    window_note = ""
    if licence.custom_rule:
        # The window keeps its length (QA: a 4-year window, or a 9-month one), unless it
        # would begin after today: then it keeps its start, so what was logged keeps
        # counting (QA round 2: credits dropped to 0 / 30). The status heading shows it.
        spec = CustomRequirementSpec.from_dict(licence.custom_rule)
        shifted = add_months(when, -spec.months) + timedelta(days=1)
        start = shifted if shifted <= turn.local_now.date() else spec.start
        if spec.every_months is None and spec.deadline < turn.local_now.date() < when:
            # Its one window has passed: the next follows it, not overlapping what was
            # counted there (QA round 10: "Dec '28" gave Jan 2027 – Dec 2028 after 2026–27).
            start = max(start, spec.deadline + timedelta(days=1))
        licence.custom_rule = replace(spec, deadline=when, cycle_start=start).to_dict()
        if start != shifted:
            window_note = texts.CUSTOM_WINDOW_KEPT_START.format(
                start=day(start), deadline=day(when), iso_start=shifted.isoformat(),
                iso_deadline=when.isoformat(), total=spec.total,
            )  # fmt: skip
    await flows.clear(turn)
    await replan(turn)
    today = turn.local_now.date()
    label = html.escape(licence.label)
    if rule is not None and when < today:  # QA: "now renews Aug 31, 2026", /status: 2028
        counted = deadline_counted(rule, when, today)
        turn.say(texts.LICENCE_DATE_PASSED.format(label=label, typed=day(when), next=day(counted)))
    else:
        turn.say(texts.LICENCE_DATE_CHANGED.format(label=label, deadline=day(when)))
    if window_note:
        turn.say(window_note)
    from handlers.status import say_status

    await say_status(turn)


@route("noop")
async def nothing(turn: Turn, press: Press) -> None:
    """A Cancel button: acknowledge, change nothing."""
    turn.edit(texts.NOTHING_CHANGED)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler(["licences", "licenses", "licence", "license"], list_licences))
