"""The age policy (safety/age.yml): whose age a message states, and what a
young person is given. No model, no server."""

from __future__ import annotations

import pytest

from safety.age import CHILD_PROTECTION, YOUTH, load


@pytest.fixture(scope="module")
def policy():
    return load()


@pytest.mark.parametrize(
    "message",
    [
        "we've been together 6 years and i've started crying after sex",
        "first time crying after sex in 10 years of marriage",
        "i'm 14 weeks pregnant and crying after sex",
        "my 15 year old son asked me about crying after sex",
        "it happened 12 times this year",
        "i'm 34 and i cry after sex",
        "i was 12 when it first happened, i'm 30 now",
    ],
)
def test_durations_counts_and_other_peoples_ages_are_not_a_young_persons_age(
    policy, message
):
    assert policy.find(message).verdict is None


@pytest.mark.parametrize(
    "message, own, partner",
    [
        ("im 15 and my boyfriend is 23", 15, 23),
        ("i'm 14, he's 19", 14, 19),
        ("15f here, cried after sex with my bf (15m)", 15, 15),
        ("i am fifteen and my boyfriend is seventeen", 15, 17),
        ("im 13 and my boyfriend who is 19 wants to have sex", 13, 19),
        ("im 16 and my gf is 16 too", 16, 16),
    ],
)
def test_the_writers_age_and_the_partners_are_told_apart(policy, message, own, partner):
    finding = policy.find(message)

    assert (finding.own_age, finding.partner_age) == (own, partner)


@pytest.mark.parametrize(
    "message, verdict",
    [
        # 12 or under: anything sexual is child protection
        ("i'm 12 and i had sex with my boyfriend", CHILD_PROTECTION),
        ("i'm 12, what is pct?", YOUTH),
        # 13 to 15: child protection only with a sign
        ("i'm 13 and i had sex and cried after", YOUTH),
        ("im 13 and my bf is 14, i cried after our first time", YOUTH),
        ("i'm 15 and i cried after my first time, he's 19", CHILD_PROTECTION),
        ("im 15 and my boyfriend is 18 and we have sex", CHILD_PROTECTION),
        ("i'm 14 and he's 5 years older than me", CHILD_PROTECTION),
        ("im 15 and my teacher and i slept together", CHILD_PROTECTION),
        ("i'm 14 and my stepdad touches me at night", CHILD_PROTECTION),
        ("i'm 15 and my bf pressured me into sex", CHILD_PROTECTION),
        ("im 14 and he says its our secret that we had sex", CHILD_PROTECTION),
        # 16 and 17: the ordinary answer, unless a sign other than an adult partner
        ("im 16 and i cried after sex with my boyfriend, is that normal?", YOUTH),
        ("im 17 and i cried after sex with my boyfriend, is that normal?", YOUTH),
        ("i'm 17 and my bf is 18, cried after sex", YOUTH),
        ("i'm 16 and he's 21, we slept together", CHILD_PROTECTION),
        ("im 16 and my coach touches me", CHILD_PROTECTION),
        ("i'm 17 and my boss made me have sex with him", CHILD_PROTECTION),
        # 18: an adult
        ("i'm 18 and my boyfriend is 30", None),
    ],
)
def test_ages_at_each_boundary_and_the_signs(policy, message, verdict):
    assert policy.find(message).verdict == verdict


@pytest.mark.parametrize(
    "message, age",
    [
        ("im in 8th grade and i had sex", 13),
        ("i'm in year 9 and cried after sex", 13),
        ("i'm a freshman in high school", 14),
        ("i'm in grade 10", 15),
    ],
)
def test_a_school_year_gives_the_youngest_usual_age(policy, message, age):
    assert policy.find(message).own_age == age


@pytest.mark.parametrize(
    "message",
    [
        "im 16 and my mum found out we had sex",
        "im 15 and my teacher said in sex ed that its normal to cry after",
        "i'm 14 and my older sister told me it's normal",
    ],
)
def test_a_family_member_or_teacher_merely_mentioned_is_not_a_sign(policy, message):
    assert policy.find(message).verdict == YOUTH
