"""Run settings (the CLI flags mirror these one-to-one) and the reproducibility signature."""

from __future__ import annotations

import numbers
import os
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from functools import cache
from typing import Any

from mtqa.detect import SENSITIVITIES
from mtqa.engines import ENGINES as _ENGINES
from mtqa.errors import UsageError, named
from mtqa.lm.device import DEVICES as _DEVICES
from mtqa.lm.device import DTYPES as _DTYPES
from mtqa.lm.presets import DEFAULT_MODEL
from mtqa.readers import ENCODING_ERRORS as ENCODING_ERRORS  # strict, replace
from mtqa.readers import STDIN_FORMATS, check_reading
from mtqa.report import DEFAULT_FORMATS, WRITERS
from mtqa.selection import Selection, parse_list
from mtqa.suggest import DEFAULT_BUDGET
from mtqa.version import __version__

DTYPES = _DTYPES  # auto, float32, bfloat16 (auto: bf16 where the hardware has it)
DEVICES = _DEVICES  # auto, cpu, cuda
FORMATS = tuple(WRITERS)  # the report registry's names: csv, jsonl, html, xliff, po, tmx
ENGINES = tuple(_ENGINES)  # local, ray: the engine registry's names
#: the fields that name a file or folder: a path object (``pathlib.Path``) is taken as its
#: string
PATH_FIELDS = frozenset({"model", "calibration", "reference", "source", "glossary"})


@dataclass(frozen=True)
class Settings:
    """Everything a run depends on; ``mtqa check``'s flags mirror the fields one to one.

    Each value must have its field's type (:func:`conform`): a list field (``formats``,
    ``select``, ``ignore``) takes a comma string (``"lm,rule:broken-join"``) or a list of
    strings, kept as a tuple; a path field (:data:`PATH_FIELDS`) a string or a
    ``pathlib.Path``; an int field an int (not a bool, not 2.5); ``threshold`` a number.
    Raises :class:`~mtqa.errors.UsageError` (exit 2) for a value of another type, naming the
    setting, the value and the type expected, and for a value out of range, naming the flag.
    """

    model: str = DEFAULT_MODEL
    batch_size: int = 16
    dtype: str = "auto"  # resolved when the model loads (mtqa.lm.device.resolve_dtype)
    device: str = "auto"
    window: int = 1024  # tokens per LM pass (prefix included)
    overlap: int = 256  # tokens of context carried into the next window of a long document
    formats: tuple[str, ...] = DEFAULT_FORMATS  # csv, jsonl, html
    stdin_format: str = "txt"  # what ``mtqa check -`` reads: txt (one article), jsonl, tsv, csv
    text_field: str = "target"
    id_field: str = "id"
    encoding_errors: str = "strict"
    calibration: str | None = None  # path; None = the calibration shipped for the model
    overwrite: bool = False
    engine: str = "local"  # local: this process; ray: a Ray Data actor pool (mtqa.engines.ray)
    ray_address: str | None = None  # Ray cluster; None: $RAY_ADDRESS, else a local instance
    ray_actors: int = 0  # scorer actors; 0: one per GPU, else one per CPU of the cluster
    reference: str | None = None  # .txt aligned line by line with a single .txt input
    source: str | None = None  # the source text, same shape as ``reference``
    glossary: str | None = None  # .csv/.tbx glossary file (mtqa.checks.glossary); None: none
    csv_raw: bool = False  # sentences.csv/summary.csv without the spreadsheet formula guard
    select: tuple[str, ...] = ()  # check selectors reported (mtqa.selection); () = all
    ignore: tuple[str, ...] = ()  # check selectors not reported
    sensitivity: str = "default"  # the detector's operating point: low, default, high
    threshold: float | None = None  # the LM's minor threshold (a probability); None: the point's
    suggest: bool = True  # suggested fixes on LM spans (mtqa.suggest); --no-suggest: none
    edit_budget: int = DEFAULT_BUDGET  # edits rescored per sentence for them; 0: none
    source_lm: bool = True  # with a source: the target scored again after it (mtqa.conditioned)
    #: free-form (name, value) pairs recorded in run.json's settings and nowhere else (no
    #: flag sets them; nothing reads them); a dict is taken as its items
    extra: tuple[tuple[str, Any], ...] = field(default=())

    def __post_init__(self) -> None:
        self._conform()
        _choose("dtype", self.dtype, DTYPES)
        _choose("device", self.device, DEVICES)
        if self.batch_size < 1:
            raise UsageError(f"{named('batch_size', self.batch_size)}: must be at least 1")
        if self.window < 16 or not 0 <= self.overlap < self.window - 8:
            raise UsageError(
                f"{named('window', self.window)} / {named('overlap', self.overlap)}: need "
                "window >= 16 and 0 <= overlap < window - 8"
            )
        bad = [f for f in self.formats if f not in FORMATS]
        if bad or not self.formats:  # no format at all would write no report
            given = ",".join(bad) if bad else "'': no format named"
            raise UsageError(f"{named('formats', given)}: choose from {','.join(FORMATS)}")
        check_reading(self.text_field, self.id_field, self.encoding_errors)
        _choose("engine", self.engine, ENGINES)
        if self.ray_actors < 0:
            raise UsageError(f"{named('ray_actors', self.ray_actors)}: must be 0 (auto) or more")
        if self.edit_budget < 0:
            raise UsageError(
                f"{named('edit_budget', self.edit_budget)}: must be 0 (no edits) or more"
            )
        self._check_detection()

    def _conform(self) -> None:
        """Each value as its field's type (:func:`conform`)."""
        for f in fields(self):
            value = getattr(self, f.name)
            typed = conform(f.name, value, _hints()[f.name])
            if typed is not value:
                object.__setattr__(self, f.name, typed)  # frozen: set once, here

    def _check_detection(self) -> None:
        """Standard input's format, the operating point and the check selection."""
        _choose("stdin_format", self.stdin_format, STDIN_FORMATS)
        _choose("sensitivity", self.sensitivity, SENSITIVITIES)
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise UsageError(
                f"{named('threshold', self.threshold)}: must be a probability between 0 and 1"
            )
        self.selection  # noqa: B018 -- resolving the selectors checks them

    @property
    def selection(self) -> Selection:
        """The checks reported (``select``/``ignore``, :mod:`mtqa.selection`)."""
        return Selection(self.select, self.ignore)

    @property
    def edits(self) -> int:
        """Edits rescored per sentence for suggested fixes (0: no suggestions)."""
        return self.edit_budget if self.suggest else 0

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values (for run.json)."""
        d = asdict(self)
        d["formats"] = list(self.formats)
        d["select"], d["ignore"] = list(self.select), list(self.ignore)
        d["extra"] = dict(self.extra)
        return d

    def scoring_key(self) -> dict[str, Any]:
        """The settings that change scores (a resume is allowed only when these match);
        the check selection and the edit budget only when not the default."""
        return (
            {
                "model": self.model,
                "dtype": self.dtype,
                "window": self.window,
                "overlap": self.overlap,
                "text_field": self.text_field,
                "id_field": self.id_field,
                "encoding_errors": self.encoding_errors,
                "calibration": self.calibration,
                "glossary": self.glossary,
            }
            | ({"checks": key} if (key := self.selection.key()) is not None else {})
            | ({"edits": self.edits} if self.edits != DEFAULT_BUDGET else {})
            | ({"source_lm": False} if not self.source_lm else {})
        )


def _choose(name: str, value: str, choices: Sequence[str]) -> None:
    """Refuse a ``value`` of the setting ``name`` that is not one of ``choices``."""
    if value not in choices:
        raise UsageError(f"{named(name, repr(value))}: choose one of {', '.join(choices)}")


@cache
def _hints() -> dict[str, Any]:
    """The type of each :class:`Settings` field (its annotations, resolved)."""
    return typing.get_type_hints(Settings)


def shown(value: Any) -> str:
    """``repr(value)``, cut to one short line (a value in a message)."""
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "..."


def _refused(
    name: str, value: Any, expected: str, item_ok: Callable[[Any], bool] | None = None
) -> UsageError:
    """``name=value: expected ..., got <type>`` (a list: the type of its first odd item)."""
    got = type(value).__name__
    if item_ok is not None and isinstance(value, list | tuple):
        odd = [type(v).__name__ for v in value if not item_ok(v)]
        got += f" holding {odd[0]}" if odd else ""
    return UsageError(f"{name}={shown(value)}: expected {expected}, got {got}")


def _as_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):  # a string such as "no" would read as true
        raise UsageError(f"{name}={shown(value)}: must be True or False")
    return value


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _refused(name, value, "a whole number (int)")
    return int(value)


def _as_float(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _refused(name, value, "a number")
    return float(value)


def _as_str(name: str, value: Any) -> str:
    if name in PATH_FIELDS and isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        path = name in PATH_FIELDS
        raise _refused(name, value, "a string (a path or a pathlib.Path)" if path else "a string")
    return value


def _as_list(name: str, value: Any) -> tuple[str, ...]:
    if value is not None and not isinstance(value, str):
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            is_str: Callable[[Any], bool] = str.__instancecheck__
            raise _refused(name, value, "a comma string ('a,b') or a list of strings", is_str)
    # a selector string that names nothing ("") would read as no selection: every check
    given_empty = isinstance(value, str) and name in ("select", "ignore")
    return parse_list(value, name if given_empty else None)


def _is_pair(p: Any) -> bool:
    return isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)


def _as_pairs(name: str, value: Any) -> tuple[tuple[str, Any], ...]:
    pairs = tuple(value.items()) if isinstance(value, Mapping) else value
    if not isinstance(pairs, list | tuple) or not all(map(_is_pair, pairs)):
        raise _refused(name, value, "a dict or (name, value) pairs", _is_pair)
    return tuple(pairs)


#: how a value is taken as each field type of :class:`Settings` (:func:`conform`)
_CONVERTERS: dict[Any, Callable[[str, Any], Any]] = {
    bool: _as_bool,
    int: _as_int,
    float: _as_float,
    str: _as_str,
    tuple[str, ...]: _as_list,
    tuple[tuple[str, Any], ...]: _as_pairs,
}


def conform(name: str, value: Any, hint: Any) -> Any:
    """``value`` as the type ``hint`` of the setting ``name`` says, or a
    :class:`~mtqa.errors.UsageError` naming the setting, the value and the type expected.

    ``X | None`` takes None; ``bool`` only True or False; ``int`` an integer (not a bool,
    not 2.5); ``float`` any number but a bool (as a float); ``str`` a string (a path object
    too for the fields of :data:`PATH_FIELDS`); ``tuple[str, ...]`` a comma string
    (:func:`mtqa.selection.parse_list`: ``"lm,rule"`` → ``("lm", "rule")``), a list or
    tuple of strings, or None (none); ``tuple[tuple[str, Any], ...]`` (``extra``) a dict or
    (name, value) pairs.
    """
    if isinstance(hint, types.UnionType):  # X | None: None, or an X
        if value is None:
            return None
        (hint,) = [a for a in typing.get_args(hint) if a is not type(None)]
    return _CONVERTERS[hint](name, value)


def signature(model_sig: str, dtype: str, settings: Settings, detector_id: str) -> str:
    """sacrebleu-style signature string: ``mtqa:0.1.0|model:...|dtype:...|ctx:doc|...``.

    After ``det:``, only what differs from the defaults: the operating point
    (``|sens:high``, ``|thr:0.42``), the edits rescored per sentence for suggested fixes
    (``|sug:0`` with ``--no-suggest``, ``|sug:12``), ``|srclm:0`` with ``--no-source-lm``
    (no source-conditioned pass) and the check selection
    (``|sel:lm,rule:src-``, ``|ign:rule:spelling``), so two reports with the same
    signature ran the same checks.
    """
    if dtype == "auto":  # the dtype the model ran in (model:...@.../bfloat16); a scorer
        # that names none (the fake: Python floats) counts as float32
        # (bf16 on a CPU: "bfloat16+t2", the torch threads it ran with)
        dtype = model_sig.rsplit("/", 1)[1].split("+")[0] if "/" in model_sig else "float32"
    parts = [
        f"mtqa:{__version__}",
        f"model:{model_sig}",
        f"dtype:{dtype}",
        f"ctx:doc|win:{settings.window}|ovl:{settings.overlap}",
        f"det:{detector_id}",
    ]
    if settings.sensitivity != "default":
        parts.append(f"sens:{settings.sensitivity}")
    if settings.threshold is not None:
        parts.append(f"thr:{settings.threshold:g}")
    if settings.edits != DEFAULT_BUDGET:
        parts.append(f"sug:{settings.edits}")
    if not settings.source_lm:
        parts.append("srclm:0")
    return "|".join(parts) + settings.selection.signature()


def as_settings(settings: Settings) -> Settings:
    """``settings`` when it is a :class:`~mtqa.settings.Settings`; else a
    :class:`~mtqa.errors.UsageError` saying how to make one."""
    if not isinstance(settings, Settings):
        raise UsageError(
            f"settings: expected a mtqa.settings.Settings (Settings(model=..., ...)), not "
            f"{type(settings).__name__}"
        )
    return settings
