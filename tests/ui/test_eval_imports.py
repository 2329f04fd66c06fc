"""The UI uses only the `eval` package's public names, so eval's private helpers can change
without breaking a tab (issue #17: the Evaluate tab once imported `_html_table`)."""

from __future__ import annotations

import ast

from assistant.settings import PROJECT_ROOT

UI_DIR = PROJECT_ROOT / "ui"


def is_eval(module: str | None) -> bool:
    return module is not None and (module == "eval" or module.startswith("eval."))


def private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def dotted(node: ast.expr) -> list[str]:
    """`a.b.c` as ["a", "b", "c"]; [] when the chain does not start at a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    return [node.id, *parts] if isinstance(node, ast.Name) else []


def private_eval_uses(source: str, filename: str = "<source>") -> list[str]:
    """Each import of a private name from eval, and each `x._y` on a name bound to eval."""
    tree = ast.parse(source, filename)
    bound: set[str] = set()  # local names that refer to eval modules or their members
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and is_eval(node.module):
            for alias in node.names:
                if private(alias.name) or any(map(private, str(node.module).split("."))):
                    found.append(
                        f"{filename}:{node.lineno}: from {node.module} import {alias.name}"
                    )
                bound.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_eval(alias.name):
                    if any(map(private, alias.name.split("."))):
                        found.append(f"{filename}:{node.lineno}: import {alias.name}")
                    bound.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            chain = dotted(node)
            if chain and chain[0] in bound and any(map(private, chain[1:])):
                found.append(f"{filename}:{node.lineno}: {'.'.join(chain)}")
    return sorted(set(found))


def test_the_checker_finds_every_form_of_private_use() -> None:
    source = """
from eval.report import _html_table, table_html
from eval import report as rep
import eval.compare
import eval._hidden
from eval._hidden import thing
rep._md_table(None)
eval.compare._run_label({})
table_html(None, "t", "")
rep.table_html(None, "t", "")
other._private()
rep.__doc__
"""
    assert private_eval_uses(source) == [
        "<source>:2: from eval.report import _html_table",
        "<source>:5: import eval._hidden",
        "<source>:6: from eval._hidden import thing",
        "<source>:7: rep._md_table",
        "<source>:8: eval.compare._run_label",
    ]


def test_ui_modules_use_no_private_name_from_eval() -> None:
    modules = sorted(UI_DIR.glob("*.py"))
    assert any(p.name == "evaluate_tab.py" for p in modules)
    found = [
        use
        for path in modules
        for use in private_eval_uses(path.read_text(encoding="utf-8"), str(path))
    ]
    assert found == []
