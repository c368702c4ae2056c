"""Tests for actionnlp.read.dates: single dates, target cells, inspection ranges."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actionnlp.read.dates import (
    Target,
    find_dates,
    parse_date,
    parse_date_range,
    parse_target,
    split_target_entries,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12th January 2024", date(2024, 1, 12)),
        ("29 July 2020", date(2020, 7, 29)),
        ("3 rd September 2023", date(2023, 9, 3)),
        ("7 th March 2019", date(2019, 3, 7)),
        ("05/05/2020", date(2020, 5, 5)),
        ("5/5/20", date(2020, 5, 5)),
        ("05/06/2020", date(2020, 6, 5)),  # UK order, always
        ("13/01/2021", date(2021, 1, 13)),
        ("2020-05-05", date(2020, 5, 5)),
        ("April 2024", date(2024, 4, 30)),  # month only -> last day
        ("Sept 2024", date(2024, 9, 30)),
        ("Feb 2024", date(2024, 2, 29)),
        ("end of March 2021", date(2021, 3, 31)),
        ("By the end of June 2023", date(2023, 6, 30)),
        ("start of April 2024", date(2024, 4, 1)),
        ("mid-April 2024", date(2024, 4, 15)),
        ("January 24", date(2024, 1, 31)),
        ("Jan-24", date(2024, 1, 31)),
        ("Jan '24", date(2024, 1, 31)),
        ("Q3 2024", date(2024, 9, 30)),
        ("Q1 2025", date(2025, 3, 31)),
        ("Q3 2024/25", date(2024, 12, 31)),  # financial year from April
        ("Q4 2024/25", date(2025, 3, 31)),
        ("December\n2023", date(2023, 12, 31)),
        ("March 20th 2024", date(2024, 3, 20)),
        ("12\u00a0January\u00a02024", date(2024, 1, 12)),
        ("Action Plan Submitted: 12th of January 2024", date(2024, 1, 12)),
        ("Completed September 2024", date(2024, 9, 30)),
        ("03/2024", date(2024, 3, 31)),
    ],
)
def test_parse_date(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Ongoing",
        "Complete",
        "31/02/2024",
        "staff may 20 times a day",
        "section 3.5.20",
        "2024",
        "12th January",
        "Q5 2024",
        "March 3000",
    ],
)
def test_parse_date_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 2024 March 2024", [("March 2024", date(2024, 3, 31))] * 2),
        ("Completed September 2024", [("September 2024", date(2024, 9, 30))]),
        ("due to complete January 2025", [("January 2025", date(2025, 1, 31))]),
        (
            "3 rd September – 14 th September 2023",
            [("14 th September 2023", date(2023, 9, 14))],
        ),
        (
            "Review 5/5/20 then end of March 2021",
            [
                ("5/5/20", date(2020, 5, 5)),
                ("end of March 2021", date(2021, 3, 31)),
            ],
        ),
        ("no dates at all", []),
    ],
)
def test_find_dates(text: str, expected: list[tuple[str, date]]) -> None:
    assert find_dates(text) == expected


@pytest.mark.parametrize(
    ("raw", "entries", "status", "when"),
    [
        ("March 2024 March 2024", ["March 2024", "March 2024"], "planned", date(2024, 3, 31)),
        (
            "Completed September 2024",
            ["Completed", "September 2024"],
            "completed",
            date(2024, 9, 30),
        ),
        ("Complete", ["Complete"], "completed", None),
        ("completed", ["completed"], "completed", None),
        ("Done", ["Done"], "completed", None),
        ("Achieved", ["Achieved"], "completed", None),
        ("Ongoing", ["Ongoing"], "ongoing", None),
        ("On-going", ["On-going"], "ongoing", None),
        ("Continuous", ["Continuous"], "ongoing", None),
        ("In progress", ["In progress"], "ongoing", None),
        ("Monthly", ["Monthly"], "ongoing", None),
        ("June 2024 June 2024", ["June 2024", "June 2024"], "planned", date(2024, 6, 30)),
        ("March 2024, June 2024", ["March 2024", "June 2024"], "planned", date(2024, 6, 30)),
        (
            "due to complete January 2025",
            ["due to complete January 2025"],
            "planned",
            date(2025, 1, 31),
        ),
        (
            "To be completed by March 2024",
            ["To be completed by March 2024"],
            "planned",
            date(2024, 3, 31),
        ),
        ("Not yet complete", ["Not yet complete"], None, None),
        ("", [], None, None),
        (None, [], None, None),
        ("Governor to review", ["Governor to review"], None, None),
    ],
)
def test_parse_target(
    raw: str | None, entries: list[str], status: str | None, when: date | None
) -> None:
    t = parse_target(raw)
    assert t == Target(raw=raw, date=when, status=status, entries=entries)  # type: ignore[arg-type]
    assert split_target_entries(raw) == entries


def test_target_is_frozen() -> None:
    t = parse_target("April 2024")
    with pytest.raises(AttributeError):
        t.status = "completed"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8th – 18th January 2024", (date(2024, 1, 8), date(2024, 1, 18))),
        ("4th – 14th September 2023", (date(2023, 9, 4), date(2023, 9, 14))),
        ("28 February - 10 March 2022", (date(2022, 2, 28), date(2022, 3, 10))),
        ("3 rd September – 14 th September 2023", (date(2023, 9, 3), date(2023, 9, 14))),
        ("8 to 18 January 2024", (date(2024, 1, 8), date(2024, 1, 18))),
        ("28 December 2021 - 7 January 2022", (date(2021, 12, 28), date(2022, 1, 7))),
        ("29 December - 7 January 2022", (date(2021, 12, 29), date(2022, 1, 7))),
        ("05/05/2020 - 08/05/2020", (date(2020, 5, 5), date(2020, 5, 8))),
        ("Inspection dates: 1st—3rd\nMay 2019", (date(2019, 5, 1), date(2019, 5, 3))),
    ],
)
def test_parse_date_range(text: str, expected: tuple[date, date]) -> None:
    assert parse_date_range(text) == expected


@pytest.mark.parametrize(
    "text", ["", "January 2024", "18th - 8th January 2024", "31 - 32 May 2020"]
)
def test_parse_date_range_none(text: str) -> None:
    assert parse_date_range(text) is None


_DATEISH = st.lists(
    st.sampled_from([*"0123456789/-.,' \nstndrhQqofe", "May", "March", "Sept", "end of "]),
    max_size=25,
).map("".join)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=60), _DATEISH))
def test_never_raises(text: str) -> None:
    d = parse_date(text)
    assert d is None or isinstance(d, date)
    found = find_dates(text)
    for raw, when in found:
        assert raw and raw in text
        assert isinstance(when, date)
    assert d == (found[0][1] if found else None)
    t = parse_target(text)
    assert t.date is None or isinstance(t.date, date)
    assert t.status in (None, "completed", "ongoing", "planned")
    assert all(e.strip() for e in t.entries)
    r = parse_date_range(text)
    assert r is None or (isinstance(r[0], date) and r[0] <= r[1])


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)))
def test_formats_round_trip(d: date) -> None:
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%d/%m/%Y")) == d
    assert parse_date(d.strftime("%-d %B %Y")) == d
    month_end = parse_date(d.strftime("%B %Y"))
    assert month_end is not None
    assert (month_end.year, month_end.month) == (d.year, d.month) and month_end >= d
