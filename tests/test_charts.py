"""The reports' charts, as the owner reads them on a 390 px phone: round
ticks, one way of writing dates in her language, bars she can tell apart."""

import datetime as dt
import re

import pytest

from appliance.webui import charts


@pytest.mark.parametrize("peak, ticks", [(0, [0, 1]), (1, [0, 1]), (2, [0, 1, 2]), (3, [0, 1, 2, 3]),
                                         (7, [0, 2, 4, 6, 8]), (10, [0, 2, 4, 6, 8, 10]), (23, [0, 5, 10, 15, 20, 25]),
                                         (1240, [0, 500, 1000, 1500]), (85_000, [0, 20_000, 40_000, 60_000, 80_000,
                                                                                 100_000])])
def test_ticks_are_round_whole_counts(peak, ticks):
    assert charts.nice_ticks(peak) == ticks


def test_ticks_never_repeat_and_never_fall_short_for_any_peak():
    for peak in list(range(0, 2000)) + [10**k + 1 for k in range(3, 10)]:
        ticks = charts.nice_ticks(peak)
        assert ticks[0] == 0 and ticks[-1] >= peak and len(ticks) <= 6
        assert all(isinstance(t, int) for t in ticks) and len(set(ticks)) == len(ticks)
        steps = {b - a for a, b in zip(ticks, ticks[1:])}
        assert len(steps) == 1 and str(steps.pop()).strip("0") in ("1", "2", "5")


def test_a_long_period_is_drawn_by_week_or_month():
    assert [charts.unit_for(n) for n in (7, 30, 31, 90, 180, 365, 1000)] == ["day", "day", "day", "week", "week",
                                                                             "month", "month"]


def test_days_sum_into_weeks_from_monday_and_into_months():
    first = dt.date(2026, 11, 25)  # a Wednesday
    rows = [{"day": first + dt.timedelta(days=n), "received": n, "sent": 1} for n in range(10)]
    weeks = charts.buckets(rows, ["received", "sent"], "week")
    assert [(w["start"], w["first"], w["last"], w["received"], w["sent"]) for w in weeks] == [
        (dt.date(2026, 11, 23), dt.date(2026, 11, 25), dt.date(2026, 11, 29), 0 + 1 + 2 + 3 + 4, 5),
        (dt.date(2026, 11, 30), dt.date(2026, 11, 30), dt.date(2026, 12, 4), 5 + 6 + 7 + 8 + 9, 5)]
    months = charts.buckets(rows, ["received"], "month")
    assert [(m["start"], m["received"]) for m in months] == [(dt.date(2026, 11, 1), 15), (dt.date(2026, 12, 1), 30)]


def test_dates_are_written_one_way_in_the_users_language():
    assert charts.label(dt.date(2026, 12, 3), "day", "id") == "3 Des"
    assert charts.label(dt.date(2026, 12, 3), "month", "id") == "Des 2026"
    assert charts.label(dt.date(2026, 12, 3), "day", "en") == "3 Dec"
    assert charts.span(dt.date(2026, 11, 3), dt.date(2026, 12, 2), "id") == "3 Nov – 2 Des 2026"
    assert charts.span(dt.date(2025, 12, 3), dt.date(2026, 12, 2), "id") == "3 Des 2025 – 2 Des 2026"
    assert charts.number(1240, "id") == "1.240" and charts.number(1_500_000, "id", compact=True) == "1,5\xa0jt"


def _chart(days=365, unit="month", language="id"):
    rows = [{"day": dt.date(2025, 12, 3) + dt.timedelta(days=n), "received": n % 17, "sent": n % 5}
            for n in range(days)]
    points = charts.buckets(rows, ["received", "sent"], unit)
    return points, charts.bars(points, [("received", "Diterima"), ("sent", "Terkirim")], unit=unit,
                               language=language, title="Pesan <per hari>")


def test_a_chart_keeps_its_text_at_phone_size_whatever_the_screen():
    points, svg = _chart()
    outer = re.match(r"<svg [^>]*>", svg).group(0)
    assert 'width="100%"' in outer and "viewBox" not in outer  # text is never scaled down with the drawing
    assert int(re.search(r'font-size="(\d+)"', outer).group(1)) >= 12
    assert "font-size" not in svg[len(outer):]  # nothing smaller inside
    assert len(points) == 13  # 365 days: thirteen months, not 365 slivers
    assert len(re.findall(r"<rect [^>]*><title>", svg)) == 13 * 2


def test_a_chart_is_labelled_in_indonesian_with_a_legend_and_escaped():
    _, svg = _chart()
    x_labels = re.findall(r'text-anchor="(?:middle|end)" fill="#3c4a43">([^<]+)</text>', svg)
    assert 2 <= len(x_labels) <= 4 and all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", x) for x in x_labels)
    y_labels = re.findall(r'paint-order="stroke">([^<]+)</text>', svg)
    assert y_labels == ["0", "100", "200", "300"]
    assert "<li>" in svg and "Diterima" in svg and "Terkirim" in svg
    assert "Pesan &lt;per hari&gt;" in svg and "<per" not in svg
