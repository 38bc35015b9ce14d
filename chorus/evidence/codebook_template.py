"""Codebook templates: a tree of codes with names in the five languages, applied to a study.

A template is a JSON file: {"codes": [code, ...]}, each code being
{"name": English name, "names": {"fr", "es", "ru", "zh-hans"}, "description": one sentence,
"colour": "#rrggbb", "children": [code, ...] (optional)}. The whole file is checked before any
code is created, so a malformed template leaves the study's codebook as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from chorus.evidence import actions
from chorus.evidence.models import Code, Study

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "data" / "codebook_template.json"
# English is the code's own name; these are the names kept in `Code.translations`.
OTHER_LANGUAGES = ("fr", "es", "ru", "zh-hans")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# Code.name's column width; a longer name would only fail later, half-way through creation.
MAX_NAME = 200


class CodebookTemplateError(ValueError):
    """The template cannot be used; the message says where and why."""


@dataclass(frozen=True)
class TemplateCode:
    name: str
    translations: dict[str, str]
    description: str
    colour: str
    children: list[TemplateCode] = field(default_factory=list)

    def walk(self):
        """Yield this code and its descendants, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


def _text(value, where: str, label: str, *, limit: int | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CodebookTemplateError(
            _("%(where)s: the %(label)s is missing or empty.") % {"where": where, "label": label}
        )
    if limit is not None and len(value.strip()) > limit:
        raise CodebookTemplateError(
            _("%(where)s: the %(label)s is longer than %(limit)s characters.")
            % {"where": where, "label": label, "limit": limit}
        )
    return value.strip()


def _parse_code(raw, where: str) -> TemplateCode:
    if not isinstance(raw, dict):
        raise CodebookTemplateError(_("%(where)s: a code must be an object.") % {"where": where})
    name = _text(raw.get("name"), where, _("English name"), limit=MAX_NAME)
    where = f"{where} ({name})"
    names = raw.get("names")
    if not isinstance(names, dict):
        raise CodebookTemplateError(
            _("%(where)s: “names” must give the name in %(languages)s.")
            % {"where": where, "languages": ", ".join(OTHER_LANGUAGES)}
        )
    unknown = sorted(set(names) - set(OTHER_LANGUAGES))
    if unknown:
        raise CodebookTemplateError(
            _("%(where)s: unknown language in “names”: %(languages)s.")
            % {"where": where, "languages": ", ".join(unknown)}
        )
    translations = {
        language: _text(
            names.get(language),
            where,
            _("name in %(language)s") % {"language": language},
            limit=MAX_NAME,
        )
        for language in OTHER_LANGUAGES
    }
    description = _text(raw.get("description"), where, _("description"))
    colour = raw.get("colour")
    if not isinstance(colour, str) or not COLOUR.match(colour):
        raise CodebookTemplateError(
            _("%(where)s: the colour %(colour)r is not written #rrggbb.")
            % {"where": where, "colour": colour}
        )
    children_raw = raw.get("children", [])
    if not isinstance(children_raw, list):
        raise CodebookTemplateError(
            _("%(where)s: “children” must be a list of codes.") % {"where": where}
        )
    children = [
        _parse_code(child, f"{where} > children[{index}]")
        for index, child in enumerate(children_raw)
    ]
    return TemplateCode(name, translations, description, colour.lower(), children)


def parse_template(data: str | bytes) -> list[TemplateCode]:
    """Check a template's JSON text and return its top-level codes; raise on any fault."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise CodebookTemplateError(
            _("The codebook template is not valid JSON: %(error)s") % {"error": error}
        ) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("codes"), list) or not raw["codes"]:
        raise CodebookTemplateError(
            _("The codebook template must be an object with a non-empty list “codes”.")
        )
    roots = [_parse_code(code, f"codes[{index}]") for index, code in enumerate(raw["codes"])]
    # Codes are referred to by English name (in mappings, merges, exports), so a repeated name
    # would make those references ambiguous.
    seen: set[str] = set()
    for code in (code for root in roots for code in root.walk()):
        if code.name.casefold() in seen:
            raise CodebookTemplateError(
                _("The code name “%(name)s” appears more than once.") % {"name": code.name}
            )
        seen.add(code.name.casefold())
    return roots


def load_template(path: Path | str | None = None) -> list[TemplateCode]:
    """Read and check a template file (the bundled one by default)."""
    path = Path(path) if path is not None else DEFAULT_TEMPLATE
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CodebookTemplateError(
            _("The codebook template %(path)s cannot be read: %(error)s")
            % {"path": path, "error": error.strerror or error}
        ) from error
    return parse_template(data)


@transaction.atomic
def apply_template(*, actor, study: Study, path: Path | str | None = None) -> list[Code]:
    """Create the template's codes in the study, parents before children; return them in order.

    The template is checked in full first, and the creation runs in one transaction, so either
    every code is created or none is.
    """
    roots = load_template(path)
    created: list[Code] = []

    def create(template_code: TemplateCode, parent: Code | None) -> None:
        code = actions.code_create(
            actor=actor,
            study=study,
            parent=parent,
            name=template_code.name,
            translations=dict(template_code.translations),
            description=template_code.description,
            colour=template_code.colour,
        )
        created.append(code)
        for child in template_code.children:
            create(child, code)

    for root in roots:
        create(root, None)
    return created
