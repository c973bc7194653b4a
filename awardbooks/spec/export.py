"""Write specs out: readable YAML (``awardbooks spec import``) and the JSON Schema of the
spec format (``awardbooks spec schema``, published as ``docs/spec-schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from awardbooks.common.files import atomic_write, ensure_folder
from awardbooks.errors import SpecError
from awardbooks.spec import codes
from awardbooks.spec.model import BUILTIN_SCALES, Framework

FOLD_AT = 88
"""Single-line texts longer than this are written as folded block scalars (``>-``)."""


def to_yaml(framework: Framework, *, source: str = "") -> str:
    """The framework as a YAML spec a person can read: keys in the documented order, defaults
    left out, a built-in scale by its id, long and multi-line texts as block scalars."""
    data: dict[str, Any] = {"format": framework.format}
    data.update(framework.model_dump(mode="json", exclude_defaults=True))
    for sid, scale in BUILTIN_SCALES.items():
        if scale == framework.scale:
            data["scale"] = sid
    made = f" from {source}" if source else ""
    header = (
        f"# {framework.title}, version {framework.version}: written by `awardbooks spec import`"
        f"{made}.\n# Check it with `awardbooks spec check FILE`; the format is described in "
        "docs/spec-format.md.\n"
    )
    body = yaml.dump(
        _tidy(data),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return header + body


def write_yaml(framework: Framework, path: str | Path, *, force: bool = False, source: str = ""):
    """Write ``to_yaml`` to ``path``; refuse to replace an existing file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise SpecError.of([codes.OUTPUT_EXISTS(file=str(path))])
    if path.suffix.lower() not in {".yaml", ".yml"}:
        raise SpecError.of([codes.OUTPUT_NOT_YAML(file=str(path), id=framework.id)])
    ensure_folder(path.parent, SpecError)
    text = to_yaml(framework, source=source).encode("utf-8")
    atomic_write(path, lambda handle: handle.write(text))
    return path


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a YAML spec (format 1), from the pydantic model; ``scale`` also
    accepts a built-in scale id."""
    schema = Framework.model_json_schema()
    schema["properties"]["scale"] = {
        "anyOf": [
            {
                "type": "string",
                "enum": list(BUILTIN_SCALES),
                "description": "A built-in scale: "
                + "; ".join(f"{sid}: {s.describe()}" for sid, s in BUILTIN_SCALES.items()),
            },
            schema["properties"]["scale"],
        ],
        "description": "A built-in scale id, or a scale defined in place (levels lowest first).",
    }
    schema["title"] = "awardbooks framework spec (format 1)"
    schema["description"] = (
        "A framework spec: what the framework is, how it is rated, what is rated and which "
        "sheets its workbook gets. See docs/spec-format.md."
    )
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def schema_text() -> str:
    """``json_schema()`` as the text of docs/spec-schema.json."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def _tidy(value: Any) -> Any:
    """Whole-number floats as ints (score: 35, not 35.0)."""
    if isinstance(value, dict):
        return {key: _tidy(v) for key, v in value.items()}
    if isinstance(value, list):
        return [_tidy(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # indent lists under their key


def _text(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else (">" if len(value) > FOLD_AT else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)
