"""ballcam.Config: a run configuration built on the C++ option table.

Every key, default, validation rule and error message comes from the same
table as the CLI flags and YAML files (`ballcam options`, docs/CONFIG.md);
nothing here repeats a key.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from typing import Any, Union

from . import _ballcam

_TABLE = _ballcam.option_table()
_KEYS = [o["key"] for o in _TABLE]
_HELP = {o["key"]: o["help"] for o in _TABLE}
_DEFAULTS = {o["key"]: o["default"] for o in _TABLE}


def _looks_bool(text: str) -> bool:
    return text in ("true", "false")


def _looks_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")


# How a value reads back in Python, from the kind of its default: bool,
# number (int or float) or str (text, enums, sizes, URLs).
_KIND = {
    k: ("bool" if _looks_bool(d) else "number" if _looks_number(d) else "str") for k, d in _DEFAULTS.items()
}


def _to_python(key: str, text: str) -> Any:
    kind = _KIND.get(key, "str")
    if kind == "bool" and _looks_bool(text):
        return text == "true"
    if kind == "number" and _looks_number(text):
        try:
            return int(text)
        except ValueError:
            return float(text)
    return text


def _to_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if value is None:
        return ""
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return f"{value[0]}x{value[1]}"  # sizes: (1280, 720) -> "1280x720"
    raise ValueError(f"invalid value {value!r} for {key}: expected a number, bool, string or (width, height)")


def _unknown(key: str) -> ValueError:
    close = difflib.get_close_matches(key, _KEYS, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return ValueError(f"unknown option '{key}'{hint}; Config.keys() lists them all")


def _flatten(values: Mapping, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, value in values.items():
        if not isinstance(name, str):
            raise ValueError(f"option names must be strings, got {name!r}")
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(value, Mapping):
            yield from _flatten(value, key)
        else:
            yield key, value


ConfigLike = Union["Config", Mapping, str, "os.PathLike[str]", None]


class Config:
    """A ballcam run configuration (the C++ ``PipelineConfig``).

    Build it from a dict of nested or dotted keys, or from YAML::

        Config({"encoder": {"crf": 20}})
        Config({"encoder.crf": 20, "camera.dead_zone_frac": 0.1})
        Config.from_yaml("config.yaml")     # same file format as `ballcam run -c`
        Config("config.yaml")               # the same

    Read and write single options with ``config["encoder.crf"]``. Values are
    checked by the same setters as the CLI: an unknown key or a bad value
    raises ValueError naming the key. Values read back as bool, int/float or
    str. ``Config.keys()`` lists every option; ``Config.help(key)`` explains one.
    """

    __slots__ = ("_native",)

    def __init__(self, values: ConfigLike = None) -> None:
        self._native = _ballcam._Config()
        if values is None:
            return
        if isinstance(values, Config):
            self._native = _ballcam._Config(values._native)
        elif isinstance(values, Mapping):
            self.update(values)
        elif isinstance(values, (str, os.PathLike)):
            self._load_yaml(os.fspath(values))
        else:
            raise TypeError(f"Config() takes a dict, a YAML path or a Config, not {type(values).__name__}")

    # -- construction ------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: Union[str, "os.PathLike[str]"]) -> "Config":
        """Loads a YAML file (nested maps of scalars, as `ballcam run --config`)."""
        config = cls()
        config._load_yaml(os.fspath(path))
        return config

    @classmethod
    def from_yaml_text(cls, text: str, origin: str = "<yaml>") -> "Config":
        """Loads YAML from a string; errors name `origin`."""
        config = cls()
        config._native.apply_yaml_text(text, origin)
        return config

    def _load_yaml(self, path: str) -> None:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"cannot read config file '{path}'")
        self._native.apply_yaml_file(path)

    def copy(self) -> "Config":
        return Config(self)

    # -- options -----------------------------------------------------------
    @staticmethod
    def keys() -> list[str]:
        """Every option key, in the order of docs/CONFIG.md."""
        return list(_KEYS)

    @staticmethod
    def help(key: str) -> str:
        """The help text of one option."""
        if key not in _HELP:
            raise _unknown(key)
        return _HELP[key]

    @staticmethod
    def default(key: str) -> Any:
        """The default value of one option."""
        if key not in _DEFAULTS:
            raise _unknown(key)
        return _to_python(key, _DEFAULTS[key])

    def __getitem__(self, key: str) -> Any:
        if key not in _HELP:
            raise _unknown(key)
        return _to_python(key, self._native.get(key))

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in _HELP:
            raise _unknown(key)
        self._native.set(key, _to_text(key, value))

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in _HELP else default

    def __contains__(self, key: object) -> bool:
        return key in _HELP

    def __iter__(self) -> Iterator[str]:
        return iter(_KEYS)

    def __len__(self) -> int:
        return len(_KEYS)

    def update(self, values: Mapping) -> None:
        """Applies a dict of nested or dotted keys; all keys are checked first."""
        flat = list(_flatten(values))
        for key, _ in flat:
            if key not in _HELP:
                raise _unknown(key)
        for key, value in flat:
            self[key] = value

    def to_dict(self, nested: bool = False, changed_only: bool = False) -> dict[str, Any]:
        """Every option (or only those that differ from the defaults), dotted or nested."""
        flat = {k: self[k] for k in _KEYS if not changed_only or self._native.get(k) != _DEFAULTS[k]}
        if not nested:
            return flat
        out: dict[str, Any] = {}
        for key, value in flat.items():
            node = out
            *parents, leaf = key.split(".")
            for p in parents:
                node = node.setdefault(p, {})
            node[leaf] = value
        return out

    def validate(self) -> None:
        """Checks relations between options (raises ValueError). Input and output must be set."""
        self._native.validate()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return all(self._native.get(k) == other._native.get(k) for k in _KEYS)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ballcam.Config({self.to_dict(changed_only=True)!r})"


def as_config(config: ConfigLike) -> Config:
    """A Config from anything Config() takes (always a copy)."""
    return Config(config)
