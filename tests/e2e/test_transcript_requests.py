"""/transcript for one licence, for the cycles including a day however far back, and asked
for in words (QA round 11: "/transcript florida" and "/transcript 2023-09-01 to
2025-08-31" sent every licence's current cycle; "export my credits for the Florida board
audit" was not understood)."""

from __future__ import annotations

from datetime import date

from bot.sandbox.user import SandboxUser
from tests.e2e.conftest import BotUnderTest, seed_licence


async def two_states(bot: BotUnderTest) -> SandboxUser:
    await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2027, 1, 31),
                       renewals_done=2)  # fmt: skip
    await seed_licence(bot, "us-tx-md", "Texas Medical Board", date(2027, 6, 30),
                       renewals_done=3, flags=["direct_patient_care"])  # fmt: skip
    return bot.user()


async def csv_of(ana: SandboxUser, request: str) -> bytes:
    await ana.send(request)
    pdf = await ana.next_reply(10)
    assert pdf.document_file is not None, pdf.text
    csv_file = await ana.next_reply(10)
    assert csv_file.document_file is not None, csv_file.text
    return csv_file.document_file.data


async def test_one_licence_by_its_name(bot: BotUnderTest) -> None:
    ana = await two_states(bot)
    data = await csv_of(ana, "/transcript florida")
    assert b"Florida" in data and b"Texas" not in data, data[:300]
    assert "Only Florida Board of Medicine." in (ana.messages[-2].caption or ""), ana.messages[-2]
    data = await csv_of(ana, "/transcript flordia")  # misspelt, as typed on a phone
    assert b"Florida" in data and b"Texas" not in data, data[:300]


async def test_the_cycles_that_include_a_day_two_cycles_back(bot: BotUnderTest) -> None:
    ana = await two_states(bot)
    data = await csv_of(ana, "/transcript 2023-02-01 to 2025-01-31")
    assert b"2023-02-01,2025-01-31" in data, data[:400]  # Florida's cycle ending that day
    assert b"2023-07-01,2025-06-30" in data, data[:400]  # Texas's, which includes it


async def test_a_day_before_the_licence_and_words_that_say_nothing(bot: BotUnderTest) -> None:
    ana = await two_states(bot)
    await ana.send("/transcript florida 2015-05-01")  # before its first renewal's cycle
    assert "includes May 1, 2015" in (await ana.next_reply()).text
    await ana.send("/transcript nonsense words")
    assert "I didn't follow “nonsense words”" in (await ana.next_reply()).text
    await ana.send("/transcript 2025-13-45")
    assert "“2025-13-45” is not a real date" in (await ana.next_reply()).text


async def test_asked_for_in_words_for_an_audit(bot: BotUnderTest) -> None:
    ana = await two_states(bot)
    data = await csv_of(ana, "export my credits for the Florida board audit")
    assert b"Florida" in data and b"Texas" not in data, data[:300]
    data = await csv_of(ana, "I need a report of my hours for an audit")
    assert b"Florida" in data and b"Texas" in data, data[:300]


async def test_an_entry_counted_for_a_topic_only_is_not_in_the_total(bot: BotUnderTest) -> None:
    """QA round 11: Florida's file said 36 of 40 in its requirement table and 38 under the
    activity list: a Category 2 domestic-violence course counts for the topic only."""
    from decimal import Decimal

    from bot.store import credits
    from bot.store.db import transaction
    from tests.e2e.conftest import START

    owner = await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2027, 1, 31),
                               renewals_done=2)  # fmt: skip  # renewal 3: domestic violence due
    async with transaction(bot.services.sessionmaker) as session:
        for amount, category, topics, title in (
            (Decimal(10), "ama_pra_1", [], "Grand rounds"),
            (Decimal(2), "ama_pra_2", ["domestic_violence"], "Domestic violence"),
        ):
            await credits.add(
                session, owner, completed_on=date(2026, 6, 10), amount=amount,
                category=category, topics=topics, title=title, now=START,
            )  # fmt: skip
    data = (await csv_of(bot.user(), "/transcript")).decode("utf-8-sig")
    rows = [line.split(",") for line in data.splitlines()]
    total = next(row for row in rows if "TOTAL" in row)
    assert total[8] == "10", total  # Category 1 only, as the requirement table counts
    violence = next(row for row in rows if "Domestic violence" in row[4])
    assert violence[-1] == "topic or category requirement only (not the total)", violence


async def test_a_state_with_no_licence_held_is_said_so(bot: BotUnderTest) -> None:
    """QA round 14: "/transcript florida" without a Florida licence got "I didn't follow"
    and, as an example, "/transcript florida"."""
    await seed_licence(bot, "us-tx-md", "Texas Medical Board", date(2027, 6, 30),
                       renewals_done=2)  # fmt: skip
    ana = bot.user(1001, "Ana")
    for asked in ("/transcript florida", "/transcript FL", "/transcript fl"):
        await ana.send(asked)
        said = (await ana.next_reply()).text or ""
        assert said.startswith("You have no Florida licence here. Yours: Texas Medical"), said


async def test_a_topic_due_at_a_later_renewal_says_that_renewal(bot: BotUnderTest) -> None:
    """QA round 14: "not due this cycle; next needed by Jan 31, 2030 (every third renewal,
    this is renewal 3)" read as if this cycle were renewal 3."""
    await seed_licence(bot, "us-fl-md", "Florida Board of Medicine", date(2028, 1, 31),
                       renewals_done=1)  # fmt: skip
    ana = bot.user(1001, "Ana")
    await ana.send("when is domestic violence due?")
    replies = [await ana.next_reply(), *await ana.replies_until_quiet()]
    said = "\n".join(m.text or "" for m in replies)
    assert "next needed by Jan 31, 2030" in said, said
    assert "that will be renewal 3" in said and "this is renewal 3" not in said, said
