"""The window checkpoint: windows go to disk and count as progress; other forwards do not."""

from __future__ import annotations

from pathlib import Path

from mtqa.checkpoint import WindowCheckpoint
from mtqa.lm.fake import FakeScorer

TEXTS = ["The troops were massing at the border. Talks failed.", "A second article. It is short."]


def test_windows_are_saved_and_counted_and_a_later_forward_is_neither(tmp_path: Path) -> None:
    events: dict[str, int] = {}

    def progress(event: str, n: int) -> None:
        events[event] = events.get(event, 0) + n

    scorer = WindowCheckpoint(tmp_path, "salt", progress).attach(FakeScorer())
    first = scorer.score(TEXTS)
    saved = sorted(tmp_path.glob("*.json"))
    assert len(saved) == 2 and events == {"sentences": 4}
    # the rescoring of edits and probes runs forwards after the scoring: the same sequence
    # again (as a variant equal to a window would be) is neither read back nor saved, and
    # moves no progress ("resumed" here broke a batch run's count)
    ids = list(scorer.prefix_ids) + list(scorer.encode(TEXTS[0]).ids)
    again = scorer.forward([ids, ids[:5]])
    assert sorted(tmp_path.glob("*.json")) == saved and events == {"sentences": 4}
    assert list(again[0].surprisal) == [t.surprisal for t in first[0]]
    # a second run under the same salt reads the windows back (a resumed group)
    events.clear()
    resumed = WindowCheckpoint(tmp_path, "salt", progress).attach(FakeScorer())
    assert resumed.score(TEXTS) == first and events == {"resumed": 4}
    assert [t.alt for t in first[0] if t.alt]  # "at": its likeliest other preposition too


def test_a_resumed_window_keeps_the_lms_first_choice(tmp_path: Path) -> None:
    """``top`` goes to disk with the window: a resumed run names the same expected words."""
    from tests.helpers.expecting import ExpectingScorer

    texts = ["Issues play key role here.", "A key fact."]
    first = WindowCheckpoint(tmp_path, "salt").attach(ExpectingScorer()).score(texts)
    assert [t.expected for t in first[0] if t.expected] == [" a"]
    resumed = WindowCheckpoint(tmp_path, "salt").attach(ExpectingScorer()).score(texts)
    assert resumed == first
