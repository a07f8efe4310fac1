"""Ids across inputs: the ids mtqa makes never collide, the user's may, on stdin too.

* The prefix of the ids mtqa makes (a .txt file's id, ``FILE:LINE``, ``FILE#UNIT``) is
  the file's path under its input folder without the suffix, made longer only for the
  files that would share one: their path under the folder holding every input, then with
  the suffix. Same set of files, same ids, whatever the order of the inputs.
* A repeated id fails alone, on standard input as in files; only an id the user gave
  fails as a plain duplicate, and an id mtqa made that meets one says which to change.
* A file reached twice (given twice, a folder and a file in it, a link) is read once.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from mtqa.io import Skipped
from mtqa.readers import doc_prefixes, read_inputs, read_stream, scan
from mtqa.records import Document, Failure

PO = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Un"\nmsgstr "One."\n'
XLF = (
    '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
    '<file source-language="fr" target-language="en" datatype="plaintext" original="x"><body>'
    '<trans-unit id="1"><source>Un</source><target>One.</target></trans-unit>'
    "</body></file></xliff>\n"
)
TMX = (
    '<tmx version="1.4"><header srclang="fr" adminlang="en" segtype="sentence" '
    'datatype="plaintext" o-tmf="x" creationtool="x" creationtoolversion="1"/><body>'
    '<tu tuid="1"><tuv xml:lang="fr"><seg>Un</seg></tuv><tuv xml:lang="en"><seg>One.</seg>'
    "</tuv></tu></body></tmx>\n"
)
DUP = "ids must be unique across the inputs"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def ids(inputs: list[str]) -> list[str]:
    items = list(read_inputs(inputs))
    assert [str(i) for i in items if isinstance(i, Failure)] == []
    return [i.doc_id for i in items if isinstance(i, Document)]


@pytest.mark.parametrize(
    "files,inputs,want",
    [
        (  # same name in two folders, each given
            {"fr/article.txt": "The first.\n", "de/article.txt": "The second.\n"},
            ["fr", "de"],
            ["fr/article", "de/article"],
        ),
        (  # records without ids, files given by name
            {"fr/batch.jsonl": '{"target": "One."}\n', "de/batch.jsonl": '{"target": "Two."}\n'},
            ["fr/batch.jsonl", "de/batch.jsonl"],
            ["fr/batch:1", "de/batch:1"],
        ),
        (  # two types in one folder: the suffix tells them apart
            {"in/x.jsonl": '{"target": "One."}\n', "in/x.po": PO},
            ["in"],
            ["x.jsonl:1", "x.po:5"],
        ),
        ({"in/y.xlf": XLF, "in/y.tmx": TMX}, ["in"], ["y.tmx#1", "y.xlf#1"]),
        (  # only the colliding files change: b keeps its id
            {"a/n.txt": "One.\n", "c/n.txt": "Two.\n", "a/b.txt": "Three.\n"},
            ["a", "c"],
            ["b", "a/n", "c/n"],
        ),
        (  # a .txt named like a record's id of x.jsonl
            {"in/x.jsonl": '{"target": "One."}\n', "in/x:1.txt": "Two.\n"},
            ["in"],
            ["x.jsonl:1", "x:1.txt"],
        ),
        (  # deeper: the path under the folder that holds every input
            {"p/q/fr/a.txt": "One.\n", "p/r/fr/a.txt": "Two.\n"},
            ["p/q/fr", "p/r/fr"],
            ["q/fr/a", "r/fr/a"],
        ),
        (  # a .txt and records of the same name make different ids (a, a:1): both short
            {"in/a.txt": "One.\n", "in/a.jsonl": '{"target": "Two."}\n', "in/a.xlf": XLF},
            ["in"],
            ["a:1", "a", "a#1"],
        ),
    ],
    ids=["txt", "jsonl", "jsonl+po", "xlf+tmx", "only-colliding", "colon", "deeper", "kinds"],
)
def test_ids_mtqa_makes_are_unique_and_only_colliding_ones_change(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    inputs: list[str],
    want: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, files)
    assert ids(inputs) == want
    for order in itertools.permutations(inputs):  # the same ids whatever the input order
        assert sorted(ids(list(order))) == sorted(want)
    absolute = [str(tmp_path / i) for i in inputs]
    assert ids(absolute) == want  # nor does the way the inputs are spelled change them


def test_prefixes_of_unique_files_are_as_before(tmp_path: Path) -> None:
    write(tmp_path, {"in/sub/a.txt": "A.\n", "in/b.jsonl": "{}\n", "c.po": PO})
    found, _ = scan([str(tmp_path / "in"), str(tmp_path / "c.po")])
    assert doc_prefixes(found) == ["b", "sub/a", "c"]


def test_a_user_id_still_fails_as_a_duplicate_and_a_made_one_says_what_to_change(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "a.jsonl": '{"id": "article", "target": "One."}\n{"id": "article", "target": "Two."}\n',
            "article.txt": "Three.\n",
        },
    )
    items = list(read_inputs([str(tmp_path / "a.jsonl"), str(tmp_path / "article.txt")]))
    first = f"{tmp_path / 'a.jsonl'}:1"
    assert [str(i) if isinstance(i, Failure) else i.doc_id for i in items] == [
        "article",
        f"{tmp_path / 'a.jsonl'}:2: duplicate id 'article' (first seen at {first}); {DUP}",
        f"{tmp_path / 'article.txt'}: duplicate id 'article' (first seen at {first}); mtqa made "
        f"this id itself, so change the id given at {first}",
    ]


def test_a_given_id_meeting_one_mtqa_made_earlier_says_which_to_change(tmp_path: Path) -> None:
    """The later, given id was told "ids must be unique across the inputs", as if the
    user had given both."""
    write(tmp_path, {"a.txt": "One.\n", "b.jsonl": '{"id": "a", "target": "Two."}\n'})
    got = [str(i) if isinstance(i, Failure) else i.doc_id for i in read_inputs([str(tmp_path)])]
    first = str(tmp_path / "a.txt")
    assert got == [
        "a",
        f"{tmp_path / 'b.jsonl'}:1: duplicate id 'a' (first seen at {first}); mtqa made the id "
        f"at {first} itself (from its file name), so change the one given here",
    ]


def test_a_file_named_like_an_id_that_stays_alike_is_told_to_rename(tmp_path: Path) -> None:
    """``x.jsonl`` and ``x.po`` get ``x.jsonl``/``x.po``; ``x.jsonl:1.txt`` keeps its own
    short id ``x.jsonl:1``, which is record 1 of ``x.jsonl`` now: the later one fails."""
    write(tmp_path, {"x.jsonl": '{"target": "One."}\n', "x.po": PO, "x.jsonl:1.txt": "Two.\n"})
    got = [str(i) if isinstance(i, Failure) else i.doc_id for i in read_inputs([str(tmp_path)])]
    assert got == [
        "x.jsonl:1",
        f"{tmp_path / 'x.jsonl:1.txt'}: duplicate id 'x.jsonl:1' (first seen at "
        f"{tmp_path / 'x.jsonl'}:1); mtqa made both ids from file names: rename one of the two "
        "files",
        "x.po:5",
    ]


def test_stdin_duplicate_ids_fail_alone_as_in_a_file(tmp_path: Path) -> None:
    data = b'{"id":"a","target":"One."}\n{"id":"a","target":"Two."}\n{"target":"Three."}\n'
    got = [str(i) if isinstance(i, Failure) else i.doc_id for i in read_stream(data, "jsonl")]
    assert got == [
        "a",
        f"<stdin>:2: duplicate id 'a' (first seen at <stdin>:1); {DUP}",
        "stdin:3",
    ]
    path = tmp_path / "same.jsonl"  # the same bytes as a file: the same verdict
    path.write_bytes(data)
    in_file = [str(i) if isinstance(i, Failure) else i.doc_id for i in read_inputs([str(path)])]
    assert in_file == [
        "a",
        f"{path}:2: duplicate id 'a' (first seen at {path}:1); {DUP}",
        "same:3",
    ]
    tsv = b"id\ttarget\nb\tOne.\nb\tTwo.\n"
    got = [str(i) if isinstance(i, Failure) else i.doc_id for i in read_stream(tsv, "tsv")]
    assert got == ["b", f"<stdin>:3: duplicate id 'b' (first seen at <stdin>:2); {DUP}"]


@pytest.mark.parametrize(
    "inputs",
    [
        ["src", "src/recs.jsonl"],
        ["src/recs.jsonl", "src"],
        ["src/recs.jsonl", "./src/recs.jsonl"],
        ["src", "src"],
        ["src", "link"],  # a link to the folder, given too
    ],
)
def test_a_file_reached_twice_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, inputs: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path, {"src/recs.jsonl": '{"id": "c", "target": "C."}\n{"id": "d", "target": "D."}\n'}
    )
    os.symlink("src", "link")
    assert ids(inputs) == ["c", "d"]


def test_the_occurrence_kept_does_not_depend_on_the_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder and a file deep in it: the file keeps the id the folder gives it; a link
    to a file beside it is dropped for the file itself."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, {"a/sub/x.txt": "X.\n", "a/y.txt": "Y.\n"})
    os.symlink("y.txt", "a/z.txt")
    for order in (["a", "a/sub/x.txt"], ["a/sub/x.txt", "a"]):
        assert ids(order) == ["sub/x", "y"]
    found, failures = scan(["a/z.txt", "a/y.txt"])
    assert failures == [] and [str(p) for p, _ in found] == ["a/y.txt"]


def test_units_skipped_keep_their_prefix(tmp_path: Path) -> None:
    write(tmp_path, {"fr/u.po": PO + '\nmsgid "Deux"\nmsgstr ""\n', "de/u.po": PO})
    items = list(read_inputs([str(tmp_path / "fr"), str(tmp_path / "de")]))
    assert [i.doc_id for i in items if isinstance(i, Document | Skipped)] == [
        "fr/u:5",
        "fr/u:8",
        "de/u:5",
    ]
