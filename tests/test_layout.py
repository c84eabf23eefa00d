"""The shape of the package: data flows one way, and only the agenda, the CLI root and the web
app name a domain (a folder with a pack section, such as crime/)."""

import ast
from pathlib import Path

import peel

PACKAGE = Path(peel.__file__).parent
CORE = ("measures", "warehouse", "casebook", "sources")
# The only places that may import a domain: the list of pack sections, the CLI root and the
# web app, which put each domain's parts together; and the demo force's generator for a domain,
# which writes its records in that domain's vocabulary (its categories and rules, declared once
# in the domain's folder).
# A domain's demo generator (peel.demo.<domain>) may use the vocabulary its domain declares.
MAY_NAME_DOMAINS = ("peel.pack.agenda", "peel.cli", "peel.web", "peel.demo.",
                    # The AI-oversight board's report shows LFR's deletion gaps through LFR's own
                    # definition (peel.lfr.figures), rather than a second one of its own.
                    "peel.oversight.report")


def get_domains() -> set[str]:
    return {p.parent.name for p in PACKAGE.glob("*/section.py")}


def get_imports(path: Path) -> set[str]:
    """Every module a file imports, absolute (peel.x.y), whether at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def get_module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def get_domain_importers() -> dict[str, set[str]]:
    domains = get_domains()
    importers = {}
    for path in PACKAGE.rglob("*.py"):
        module = get_module_name(path)
        named = {i.split(".")[1] for i in get_imports(path) if i.startswith("peel.") and i.split(".")[1] in domains}
        named -= {module.split(".")[1]} if module.count(".") else set()
        if named:
            importers[module] = named
    return importers


def test_get_domains_finds_the_agenda_items_built_so_far():
    assert "crime" in get_domains()
    assert not get_domains() & set(CORE)


def test_no_core_module_imports_a_domain():
    offenders = {m: d for m, d in get_domain_importers().items() if m.split(".")[1] in CORE}
    assert offenders == {}


def test_only_the_agenda_cli_root_and_web_app_import_a_domain():
    offenders = {m: d for m, d in get_domain_importers().items() if not m.startswith(MAY_NAME_DOMAINS)}
    assert offenders == {}


def test_no_core_module_imports_the_web_app_or_the_pack():
    """The core is used by the web app and the pack, never the other way round (the command
    line's sign-in reads identity providers from the casebook, not from peel.web). A folder's
    own pages (its web.py) are the web app's part of it, so they may."""
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        module = get_module_name(path)
        if module.count(".") and module.split(".")[1] in CORE and not module.endswith(".web"):
            reached = {i for i in get_imports(path) if i.startswith(("peel.web", "peel.pack"))}
            if reached:
                offenders[module] = reached
    assert offenders == {}
