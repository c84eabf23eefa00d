"""The shape of a mapping file: which keys hold one value, a list of values or a mapping.

Checked on the YAML as written, before anything reads it, so that a list where a mapping is
expected (or the reverse) is refused (``read_mapping`` raises ``MappingError``) with the
file, the line and what was expected, never met later as a Python error. What the values mean (known fields, event kinds, date
formats) is checked after, by ``mapping.py``. An empty value counts as absent here.
"""

from __future__ import annotations

from pathlib import Path

import yaml

# Kinds of value. A mapping's shape is a dict of its keys' shapes ("*": any other key); a
# tuple is a choice of shapes. Keys not listed are not checked (each command reads its own).
VALUE = "value"  # one scalar: a column name, a code, a word
VALUES = "values"  # one scalar or a list of them

SHAPE: dict = {
    "source_system": VALUE,
    "record_id": VALUE,
    "date_formats": VALUES,
    "values": {"*": {"*": VALUE}},
    "exact": VALUES,
    "role": (VALUE, {"column": VALUE, "values": {"*": VALUE}}),
    "event": {
        "kind": VALUE,
        "column": VALUE,
        "key_prefix": VALUE,
        "event_type": VALUE,
        "fields": {"*": VALUE},
    },
    "vehicles": {"column": VALUE, "separator": VALUE},
    # the keys older `peel link file` mappings used (see OLD_LINKAGE_KEYS)
    "id": VALUE,
    "date_format": VALUES,
}


def find_misshapen(path: Path, text: str, section: str) -> str | None:
    """Why a mapping's key holds the wrong kind of value, with the line; None when every key
    has the right kind. ``section`` is its field set's key (``person``): field -> column(s)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return None  # read_mapping says what the whole file should be
    fields = {"*": VALUES}
    return _check(path, root, {**SHAPE, section: fields, "fields": fields}, "")


def _check(path: Path, node: yaml.Node, shape, name: str) -> str | None:
    if _is_empty(node):
        return None
    choices = shape if isinstance(shape, tuple) else (shape,)
    fitting = next((s for s in choices if _fits(node, s)), None)
    if fitting is None:
        return (
            f"{path} line {node.start_mark.line + 1}: {name} must be "
            f"{' or '.join(_describe(s) for s in choices)}; found {_describe_node(node)}. "
            "See docs/ingest.md, 'The mapping language'."
        )
    if isinstance(fitting, dict):
        for key_node, value_node in node.value:
            inner = fitting.get(key_node.value, fitting.get("*"))
            found = inner and _check(
                path, value_node, inner, f"{name}.{key_node.value}".lstrip(".")
            )
            if found:
                return found
    return None


def _is_empty(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _fits(node: yaml.Node, shape) -> bool:
    if shape == VALUE:
        return isinstance(node, yaml.ScalarNode)
    if shape == VALUES:
        return isinstance(node, yaml.ScalarNode) or (
            isinstance(node, yaml.SequenceNode)
            and all(isinstance(item, yaml.ScalarNode) for item in node.value)
        )
    return isinstance(node, yaml.MappingNode)


def _describe(shape) -> str:
    if shape == VALUE:
        return "one value (a column name, a code or a word)"
    if shape == VALUES:
        return "one value or a list of values ([a, b])"
    return "a mapping (key: value, one a line, or {key: value})"


def _describe_node(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return repr(node.value)
