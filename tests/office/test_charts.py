"""The dashboards' SVG charts: proportional bars, escaped text, empty bars."""

import re
import xml.etree.ElementTree as ET

import pytest

from office.charts import Segment, segment_widths, stacked_bar, swatch

SVG = "{http://www.w3.org/2000/svg}"
SEGMENTS = [
    Segment("on_time", "On time", "#198754"),
    Segment("late", "Late", "#ffc107", "#212529"),
    Segment("overdue", "Overdue", "#dc3545"),
]


def _rects(svg: str) -> list[ET.Element]:
    return [rect for rect in ET.fromstring(svg).iter(f"{SVG}rect") if rect.get("data-status")]


def test_segment_widths_are_proportional_to_counts():
    widths = segment_widths({"a": 1, "b": 3}, ["a", "b"], width=200)

    assert widths == [("a", 0, 50), ("b", 50, 150)]


def test_segment_widths_use_the_shared_scale():
    widths = segment_widths({"a": 10, "b": 10}, ["a", "b"], width=200, scale_total=80)

    assert widths == [("a", 0, 25), ("b", 25, 25)]


def test_segment_widths_touch_and_add_up_with_awkward_fractions():
    widths = segment_widths({"a": 1, "b": 1, "c": 1}, ["a", "b", "c"], width=100)

    assert [key for key, _, _ in widths] == ["a", "b", "c"]
    assert widths[1][1] == pytest.approx(widths[0][1] + widths[0][2])
    assert widths[2][1] == pytest.approx(widths[1][1] + widths[1][2])
    assert widths[2][1] + widths[2][2] == pytest.approx(100)


def test_segment_widths_skip_zero_counts_and_handle_zero_totals():
    assert segment_widths({"a": 0, "b": 2}, ["a", "b"], width=10) == [("b", 0, 10)]
    assert segment_widths({}, ["a", "b"], width=10) == []
    assert segment_widths({"a": 0}, ["a"], width=10, scale_total=0) == []


def test_segment_widths_refuse_negative_counts():
    with pytest.raises(ValueError):
        segment_widths({"a": -1}, ["a"], width=10)


def test_stacked_bar_draws_one_rect_per_non_zero_status_with_proportional_widths():
    svg = stacked_bar({"on_time": 6, "late": 0, "overdue": 2}, SEGMENTS, title="Vụ Pháp chế", width=240)

    rects = _rects(svg)
    assert [(r.get("data-status"), r.get("data-count"), r.get("width")) for r in rects] == [
        ("on_time", "6", "180"),
        ("overdue", "2", "60"),
    ]
    assert [r.get("x") for r in rects] == ["0", "180"]
    assert [r.get("fill") for r in rects] == ["#198754", "#dc3545"]


def test_stacked_bar_names_every_figure_in_words_not_only_colour():
    svg = stacked_bar({"on_time": 6, "late": 1, "overdue": 2}, SEGMENTS, title="Vụ Pháp chế", width=180)

    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Vụ Pháp chế – On time: 6; Late: 1; Overdue: 2"
    assert [r.find(f"{SVG}title").text for r in _rects(svg)] == ["On time: 6", "Late: 1", "Overdue: 2"]
    # Wide segments also print their count; the 1-task segment (20 px) is too narrow for it.
    assert [t.text for t in root.iter(f"{SVG}text")] == ["6", "2"]


def test_stacked_bar_scales_against_the_largest_unit():
    svg = stacked_bar({"on_time": 5}, SEGMENTS, title="A", width=200, scale_total=20)

    assert [r.get("width") for r in _rects(svg)] == ["50"]


def test_stacked_bar_escapes_unit_names_and_labels():
    segments = [Segment("x", 'Done "<b>"', "#198754")]
    svg = stacked_bar({"x": 3}, segments, title="<script>alert('x')</script> & Co", width=100)

    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co" in svg
    root = ET.fromstring(svg)  # still well-formed XML
    assert root.get("aria-label") == "<script>alert('x')</script> & Co – Done \"<b>\": 3"


def test_stacked_bar_with_zero_total_says_so():
    svg = stacked_bar({}, SEGMENTS, title="Cục Con nuôi", width=100, empty_label="No tasks")

    root = ET.fromstring(svg)
    assert _rects(svg) == []
    assert root.get("aria-label") == "Cục Con nuôi – No tasks"
    assert [t.text for t in root.iter(f"{SVG}text")] == ["No tasks"]


def test_stacked_bar_formats_numbers_with_the_given_function():
    svg = stacked_bar({"on_time": 1234}, SEGMENTS, title="A", width=200, number=lambda n: f"{n:,}".replace(",", "."))

    assert ET.fromstring(svg).get("aria-label") == "A – On time: 1.234; Late: 0; Overdue: 0"


def test_segment_refuses_colours_that_are_not_hex():
    with pytest.raises(ValueError):
        Segment("x", "X", 'red" onload="alert(1)')


def test_swatch_is_decorative():
    svg = swatch(SEGMENTS[0])

    assert ET.fromstring(svg).get("aria-hidden") == "true"
    assert re.search(r'fill="#198754"', svg)
