"""The shared vocabulary: parsing free text, the hierarchy, categories that count as others."""

from __future__ import annotations

import re

import pytest

from bot.domain import topics as t
from bot.domain.topics import Term, TermSet, VocabularyError, parse_vocabulary


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("opioid", "opioid_prescribing"),
        ("Opioids", "opioid_prescribing"),
        ("opioid course", "opioid_prescribing"),
        ("pain mgmt", "pain_management"),
        ("Pain Management", "pain_management"),
        ("ethics", "ethics"),
        ("Medical Ethics CME", "ethics"),
        ("HIV", "hiv_aids"),
        ("HIV/AIDS", "hiv_aids"),
        ("domestic violence", "domestic_violence"),
        ("DV", "domestic_violence"),
        ("human trafficking", "human_trafficking"),
        ("child abuse", "child_abuse"),
        ("infection control", "infection_control"),
        ("implicit bias", "implicit_bias"),
        ("geriatrics", "geriatrics"),
        ("care of the terminally ill", "end_of_life_care"),
        ("addiction", "substance_use_disorder"),
        ("MATE Act", "dea_mate_training"),
        ("duty to report", "duty_to_report"),
        ("prevention of medical errors", "medical_errors"),
        ("risk mgmt", "risk_management"),
        ("texas opioid", "texas_opioid"),
        ("Florida controlled substances", "florida_controlled_substance"),
        ("controlled_substance_prescribing", "controlled_substance_prescribing"),
        ("quantum physics", None),
        ("", None),
    ],
)
def test_normalize_topic(text: str, expected: str | None) -> None:
    assert t.normalize_topic(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cat 1", "ama_pra_1"),
        ("Category 1", "ama_pra_1"),
        ("category I", "ama_pra_1"),
        ("AMA PRA 1", "ama_pra_1"),
        ("AMA PRA Category 1 Credit™", "ama_pra_1"),
        ("AMA PRA Category 1 Credits", "ama_pra_1"),
        ("1-A", "aoa_1a"),
        ("AOA Category 1-A", "aoa_1a"),
        ("1-B", "aoa_1b"),
        ("Cat II", "ama_pra_2"),
        ("prescribed", "aafp_prescribed"),
        ("AAFP Elective", "aafp_elective"),
        ("MOC points", "moc"),
        ("contact hours", "ancc"),
        ("ACPE", "acpe"),
        ("AAPA Category 1", "aapa_1"),
        ("platinum", None),
    ],
)
def test_normalize_category(text: str, expected: str | None) -> None:
    assert t.normalize_category(text) == expected


@pytest.mark.parametrize(
    ("typo", "expected"),
    [("opiod", "opioid_prescribing"), ("ethic", "ethics"), ("geriatic", "geriatrics"),
     ("traffic", "human_trafficking"), ("infecton control", "infection_control")],
)  # fmt: skip
def test_suggest_topics_offers_close_spellings(typo: str, expected: str) -> None:
    suggestions = t.suggest_topics(typo)
    assert expected in suggestions
    assert len(suggestions) <= 3


def test_suggest_categories() -> None:
    assert t.suggest_categories("categry 1")[0] == "ama_pra_1"
    assert t.suggest_topics("zzzz") == []


def test_state_opioid_course_counts_as_opioid_and_controlled_substances() -> None:
    assert t.expand({"texas_opioid"}) == {
        "texas_opioid", "opioid_prescribing", "controlled_substance_prescribing",
    }  # fmt: skip
    assert t.expand({"dementia", "ethics"}) == {"dementia", "geriatrics", "ethics"}
    assert t.expand(()) == frozenset()
    assert t.expand({"not_a_topic"}) == {"not_a_topic"}


def test_aoa_1a_counts_as_ama_pra_category_1() -> None:
    assert "ama_pra_1" in t.counts_as("aoa_1a")
    assert "ama_pra_1" in t.counts_as("aafp_prescribed")
    assert "ama_pra_1" not in t.counts_as("aoa_1b")
    assert t.qualifies("aoa_1a", ["ama_pra_1"])
    assert not t.qualifies("ama_pra_2", ["ama_pra_1"])
    assert t.qualifies("anything", None)


def test_activity_groups() -> None:
    assert t.expand_activity("rss") == {"rss", "live"}
    assert t.expand_activity(None) == frozenset()
    assert t.normalize_activity_type("grand rounds") == "rss"
    assert t.normalize_activity_type("live course") == "live_course"


def test_labels() -> None:
    assert t.label("hiv_aids") == "HIV/AIDS"
    assert t.label("unknown_topic") == "unknown_topic"
    assert t.category_label("aoa_1a") == "AOA Category 1-A"
    assert t.flag_label("dea_registrant") == "DEA registrants"


def test_every_shipped_term_is_snake_case_with_a_label() -> None:
    vocab = t.vocabulary()
    for terms in (vocab.topics, vocab.categories, vocab.activity_types, vocab.flags,
                  vocab.specialties, vocab.professions):  # fmt: skip
        assert len(terms) > 0
        for term_id in terms.ids:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", term_id)
            assert terms.label(term_id).strip()
            assert terms.normalize(term_id) == term_id
    assert len(vocab.topics) >= 20


def test_an_alias_used_twice_is_rejected() -> None:
    with pytest.raises(VocabularyError, match="alias of both"):
        TermSet("topics", [Term("a", "A", ("shared",)), Term("b", "B", ("shared",))])


def test_a_parent_cycle_is_rejected() -> None:
    with pytest.raises(VocabularyError, match="parent cycle"):
        TermSet("topics", [Term("a", "A", parents=("b",)), Term("b", "B", parents=("a",))])


def test_an_unknown_parent_is_rejected() -> None:
    with pytest.raises(VocabularyError, match="unknown parent"):
        TermSet("topics", [Term("a", "A", parents=("nope",))])


def test_a_malformed_vocabulary_names_the_term() -> None:
    with pytest.raises(VocabularyError, match=r"topics\.Bad: id must be snake_case"):
        parse_vocabulary({"topics": {"Bad": {"label": "x"}}})
    with pytest.raises(VocabularyError, match=r"topics\.ok\.label"):
        parse_vocabulary({"topics": {"ok": {"label": ""}}})
    with pytest.raises(VocabularyError, match="unknown section"):
        parse_vocabulary({"colours": {}})
    with pytest.raises(VocabularyError, match=r"categories\.x\.unit: must be one of"):
        parse_vocabulary({"categories": {"x": {"label": "X", "unit": "stars"}}})
    with pytest.raises(VocabularyError, match=r"topics\.t: unknown field\(s\) \['unit'\]"):
        parse_vocabulary({"topics": {"t": {"label": "T", "unit": "points"}}})


def test_moc_amounts_are_points() -> None:
    from bot.domain.topics import category_unit

    assert (category_unit("moc"), category_unit("ama_pra_1"), category_unit("nope")) == (
        "points", "credits", "credits",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("word", "topic"),
    [("opiod", "opioid_prescribing"), ("ethcis", "ethics"), ("sepis", "sepsis"),
     ("paliative", "palliative_care"), ("medicine", None), ("module", None), ("course", None),
     ("finished", None), ("ethics", None), ("pain", None)],
)  # fmt: skip
def test_one_misspelt_word_names_a_topic_only_when_close_and_unique(
    word: str, topic: str | None
) -> None:
    assert t.misspelt_topic(word) == topic


def test_suggestions_keep_the_first_letter_and_know_immunization() -> None:
    """QA: "immunization" was offered "Communication with patients and colleagues"."""
    from bot.domain.topics import expand, misspelt_topic, suggest_topics

    assert suggest_topics("immunization") == ["immunization"]
    assert "communication" not in suggest_topics("imunizaton")
    assert suggest_topics("comunication")[0] == "communication"
    assert misspelt_topic("vacinations") == "immunization"
    assert "preventive_medicine" in expand({"immunization"})


def test_a_near_perfect_suggestion_leaves_the_far_ones_out() -> None:
    """QA: "pharmacolgy" was offered State laws and rules too (after "pharmacy law")."""
    assert t.suggest_topics("pharmacolgy") == ["pharmacology"]
    assert set(t.suggest_topics("pain")) >= {"pain_management"}  # a prefix still lists all


@pytest.mark.parametrize(
    ("phrase", "topic"),
    [
        ("texas pharmacy law", "texas_laws_and_rules"),  # QA round 13: was any state's
        ("Florida laws and rules", "florida_laws_and_rules"),
        ("TX jurisprudence", "texas_laws_and_rules"),  # a code in capitals
        ("District of Columbia pharmacy law", "district_of_columbia_laws_and_rules"),
        ("pharmacy law", "laws_and_rules"),  # no state: any state's
        ("texas ethics", "ethics"),  # no Texas version: the topic itself
        ("Texas opioid prescribing", "texas_opioid"),  # the state's own where there is one
    ],
)
def test_a_state_named_with_a_topic_gives_its_version(phrase: str, topic: str) -> None:
    from bot.domain.topics import normalize_topic, state_of_topic

    assert normalize_topic(phrase) == topic
    assert t.expand({topic}) >= {topic}
    if topic.endswith("_laws_and_rules") and topic != "laws_and_rules":
        assert "laws_and_rules" in t.expand({topic})  # counts toward any state's laws too
        assert state_of_topic(topic) is not None
