"""Telegram's HTML and MarkdownV2 rules, as the sandbox enforces them (pure, fast)."""

from __future__ import annotations

import re

import pytest

from bot.sandbox.markup import ParseError, parse_html, parse_markdown, utf16_len, utf16_slice


def test_html_entities_and_utf16_offsets() -> None:
    text, entities = parse_html(
        '🎉 <b>Due</b> &lt;soon&gt; <a href="https://x.org/?a=1&amp;b=2">link</a>'
    )
    assert text == "🎉 Due <soon> link"
    assert entities[0] == {"type": "bold", "offset": 3, "length": 3}
    assert utf16_slice(text, 3, 3) == "Due" and utf16_len("🎉") == 2
    assert entities[1] == {
        "type": "text_link",
        "offset": 14,
        "length": 4,
        "url": "https://x.org/?a=1&b=2",
    }


def test_html_allowed_tags() -> None:
    source = (
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><tg-spoiler>e</tg-spoiler>"
        '<span class="tg-spoiler">f</span><code>g</code>'
        '<pre><code class="language-py">h</code></pre>'
        "<blockquote expandable>i</blockquote>&#x41;&#66;"
    )
    text, entities = parse_html(source)
    assert text == "abcdefghiAB"
    kinds = [e["type"] for e in entities]
    assert kinds == [
        "bold", "italic", "underline", "strikethrough", "spoiler", "spoiler", "code", "pre",
        "expandable_blockquote",
    ]  # fmt: skip
    assert entities[7]["language"] == "py"


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag"),
        ('<span class="x">y</span>', 'must have class "tg-spoiler"'),
        ("a&nbsp;b", "Unsupported HTML entity"),
        ("1 < 2", "at byte offset 2"),
        ("é<p>", "at byte offset 2"),  # offsets count UTF-8 bytes
    ],
)
def test_html_errors(source: str, error: str) -> None:
    with pytest.raises(ParseError, match=re.escape(error)):
        parse_html(source)


def test_markdown_v2() -> None:
    text, entities = parse_markdown(
        r"*12* credits \(of 50\)\. __due__ ||soon|| [more](https://x.org)"
    )
    assert text == "12 credits (of 50). due soon more"
    assert [e["type"] for e in entities] == ["bold", "underline", "spoiler", "text_link"]
    with pytest.raises(ParseError, match=r"Character '\.' is reserved"):
        parse_markdown("Done.")
    with pytest.raises(ParseError, match="Can't find end of Italic entity"):
        parse_markdown("_open")
    assert parse_markdown("1.5 *credits*", legacy=True)[0] == "1.5 credits"
