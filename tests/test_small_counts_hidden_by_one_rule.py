"""One small-count rule (crossings.suppression) for outreach's figures and the programme statistics: the
same counts hide the same cells through either door."""

from hypothesis import given
from hypothesis import strategies as st

from crossings import suppression
from crossings.outreach.indicators import SUPPRESSED, suppress_cells
from crossings.stats.programme import Row, suppress

counts = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8)


@given(counts)
def test_outreach_and_statistics_hide_the_same_cells(values):
    cells = {f"k{i}": v for i, v in enumerate(values)}
    outreach = {k for k, v in suppress_cells(cells).items() if v == SUPPRESSED}
    stats = {
        f"k{i}"
        for i, r in enumerate(suppress([Row(f"k{i}", v) for i, v in enumerate(values)]))
        if r.suppressed
    }
    assert outreach == stats == suppression.hidden_in_line(cells)


@given(counts)
def test_no_small_count_shows_and_a_lone_hidden_cell_cannot_be_worked_out(values):
    hidden = suppression.hidden_in_line(dict(enumerate(values)))
    assert all(i in hidden for i, v in enumerate(values) if 0 < v < suppression.THRESHOLD)
    shown_nonzero = [i for i, v in enumerate(values) if v and i not in hidden]
    assert len(hidden) != 1 or not shown_nonzero  # never exactly one hidden beside shown counts


def test_the_examples():
    assert suppression.hidden_in_line({"a": 3, "b": 10, "c": 7}) == {"a", "c"}
    assert suppression.hidden_in_line({"a": 3, "b": 2, "c": 7}) == {"a", "b"}
    assert suppression.hidden_in_line({"a": 0, "b": 10}) == set()
    assert suppression.hidden_in_grid({("x", 1): 3, ("x", 2): 9, ("y", 1): 8, ("y", 2): 12}) == {
        ("x", 1),
        ("x", 2),
        ("y", 1),
        ("y", 2),
    }
