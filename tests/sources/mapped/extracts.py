"""Small extracts and mappings the mapped-extract tests write."""

from __future__ import annotations

import textwrap

CUSTODY_HEADER = "CustodyNo,ArrestRef,PNCID,Surname,Forename,MiddleNames,DateOfBirth,Gender,HomeAddress,ContactNumber,ArrestDate"


def write(path, text: str):
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def write_mapping(tmp_path, body: str, name: str = "map.yaml"):
    return write(tmp_path / name, body)
