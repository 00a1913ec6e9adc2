"""Reminders said as one message: texts in order, one keyboard, no button left ambiguous."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from scheduler.messages import MAX_BUTTONS, Rendered, merged, pack


def buttons(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def labels(rendered: Rendered) -> list[list[str]]:
    markup = rendered.reply_markup
    return [[b.text for b in row] for row in markup.inline_keyboard] if markup else []


def test_one_part_is_sent_as_it_is() -> None:
    alone = Rendered("⏰ Texas", buttons([("Snooze 1 day", "snz:1:1:0")]), supersedes=(7,))
    assert merged([alone]) is alone


def test_text_only_parts_follow_each_other_unnumbered() -> None:
    together = merged([Rendered("first", supersedes=(3,)), Rendered("second", supersedes=(4,))])
    assert together == Rendered("first\n\nsecond", None, (3, 4))


def test_a_shared_button_is_kept_once_and_alike_labels_get_their_parts_number() -> None:
    def renewal(text: str, licence: int) -> Rendered:
        return Rendered(
            text,
            buttons(
                [("Snooze 1 day", f"snz:{licence}:1:0")],
                [("Courses that fit", "gaps"), ("Stop", f"mute:{licence}")],
            ),
        )

    texas, dea = renewal("⏰ Texas", 1), renewal("⏰ DEA", 2)
    course = Rendered("📅 Course", buttons([("Details", "cd:9")]))
    together = merged([texas, course, dea])
    assert together.text == "1️⃣ ⏰ Texas\n\n📅 Course\n\n2️⃣ ⏰ DEA"
    assert labels(together) == [
        ["1️⃣ Snooze 1 day"],
        ["Courses that fit", "1️⃣ Stop"],
        ["Details"],
        ["2️⃣ Snooze 1 day"],
        ["2️⃣ Stop"],
    ]
    markup = together.reply_markup
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [
        "snz:1:1:0", "gaps", "mute:1", "cd:9", "snz:2:1:0", "mute:2",
    ]  # fmt: skip


def test_a_link_button_keeps_its_link_when_numbered() -> None:
    first = Rendered(
        "a", InlineKeyboardMarkup([[InlineKeyboardButton("🔗 x.org", url="https://x.org/1")]])
    )
    second = Rendered(
        "b", InlineKeyboardMarkup([[InlineKeyboardButton("🔗 x.org", url="https://x.org/2")]])
    )
    markup = merged([first, second]).reply_markup
    assert markup is not None
    assert [(b.text, b.url) for row in markup.inline_keyboard for b in row] == [
        ("1️⃣ 🔗 x.org", "https://x.org/1"), ("2️⃣ 🔗 x.org", "https://x.org/2"),
    ]  # fmt: skip


def test_parts_are_packed_within_telegrams_limits() -> None:
    long = [Rendered("x" * 1500) for _ in range(5)]
    assert [len(group) for group in pack(long, lambda part: part)] == [2, 2, 1]
    keyed = [Rendered("k", buttons([(f"b{i}", f"b:{i}") for i in range(40)])) for _ in range(3)]
    groups = pack(keyed, lambda part: part)
    assert [len(group) for group in groups] == [2, 1]
    assert all(sum(len(labels(part)[0]) for part in group) <= MAX_BUTTONS for group in groups)
