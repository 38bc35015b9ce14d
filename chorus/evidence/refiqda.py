"""Exchange projects and codebooks with other qualitative-analysis programs (REFI-QDA 1.0).

A project (.qdpx) is a zip holding `project.qde` (XML in `urn:QDA-XML:project:1.0`) and the
sources' plain texts under `sources/`; a codebook (.qdc) is XML in `urn:QDA-XML:codebook:1.0`.
Text selections count Unicode codepoints from 0 with the end excluded, as offsets do here.

How the study maps to the standard:

- Codes keep their tree, name, colour and description. The guid is `Code.guid` when set (a code
  that came from another program keeps its identity), otherwise a stable uuid5 derived from the
  code; nothing is stored on export. A code's names in the study's other languages travel at
  the end of its Description, after a line "Names in other languages:", one "language: name"
  per line. The Description is the only text a code carries in both .qdc and .qdpx files, and
  other programs show it to their users; the importer reads the block back into the code's
  translations and removes it from the description.
- Participants are Cases named by their pseudonym, with their attributes, organisation, role
  and region as Variables; a Case refers to the participant's sources. Real names and contact
  details are never written.
- Every coding is one PlainTextSelection holding one Coding; both name the coder as
  creatingUser. Users are the coders and memo authors, named by username.
- Memos are Notes. A memo's NoteRef sits in its coded segment (PlainTextSelection), its source
  (TextSource) and its code (Code), as many of these as it has; a memo on the study alone is
  referenced by the Project. On import a NoteRef inside a Coding counts as one on that coding,
  and one on a selection with several codings attaches to the first.
- Sources are TextSources whose plain text is `sources/<guid>.txt` (UTF-8), with their
  language and date as the Variables "Language" and "Date". On import a source linked to a case
  is an interview, any other a document; its text gets line feeds for line breaks, loses control
  characters and is composed to NFC, as every imported text here, and selections are moved
  with those changes.
- Export is pseudonymised by default: the study's pseudonym list replaces real names in every
  text that leaves (sources, titles, memos, code names, attributes) and coded spans are moved
  with the text, so they cover the same words.

Import is tolerant of real exports and strict about safety: the archive is checked before any
member is unpacked, members are read with size caps, and XML with a document type declaration
or entities is refused. A user in the file maps to the account with the same username;
otherwise their work is attributed to the person importing, and the report says so.
"""

from __future__ import annotations

import codecs
import datetime
import io
import os
import re
import struct
import unicodedata
import uuid
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from lxml import etree

from chorus.core.audit import record_access, record_change
from chorus.core.models import Region
from chorus.evidence import access, search
from chorus.evidence.actions import LANGUAGE_CODES
from chorus.evidence.extraction import too_compressed, unsafe_member_name
from chorus.evidence.models import (
    Code,
    Coding,
    Memo,
    Participant,
    Pseudonym,
    Source,
    SourceKind,
    Study,
    StudyRole,
)
from chorus.evidence.pseudonymise import (
    OffsetMap,
    Pseudonymised,
    find_names,
    pseudonymise,
    replace_spans,
    study_replacements,
)

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Chorus"
TRANSLATIONS_HEADING = "Names in other languages:"
DEFAULT_COLOUR = "#1f77b4"

# Limits on what an archive may hold. The standard caps an internal file at 2 GB.
MAX_ARCHIVE_BYTES = 2 * 1024**3
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_XML_BYTES = 256 * 1024**2
MAX_TEXT_BYTES = 64 * 1024**2
MAX_MEMBERS = 100_000
# Text and XML compress about ten to one; deflate cannot exceed about a thousand to one.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_MIN_BYTES = 1024**2

ProgressCallback = Callable[[int, int], None]

# Identifiers derived from a study: stable from one export to the next, different in another
# installation (the study's creation time is part of the name).
_GUID_NAMESPACE = uuid.UUID("5f0d2c59-7a37-4b8e-9a2e-3c1f4c8d6e21")

_CASE_ORGANISATION = "Organisation"
_CASE_ROLE = "Role or title"
_CASE_REGION = "Region"
_SOURCE_LANGUAGE = "Language"
_SOURCE_DATE = "Date"


@dataclass
class ImportReport:
    """What an import created, and what it could not map or had to change."""

    sources: int = 0
    codes: int = 0
    codings: int = 0
    memos: int = 0
    cases: int = 0
    warnings: list[str] = field(default_factory=list)


# --- Export ------------------------------------------------------------------------------------


class _Guids:
    def __init__(self, study: Study):
        created = study.created_at.isoformat() if study.created_at else ""
        self._seed = f"{study.pk}:{created}"

    def __call__(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(_GUID_NAMESPACE, f"{self._seed}:{kind}:{key}"))


class _Scrubber:
    """Apply the study's pseudonym list to every text that leaves, or leave texts alone."""

    def __init__(self, replacements: list[tuple[str, str]]):
        self.replacements = replacements

    @classmethod
    def for_study(cls, study: Study, pseudonymised: bool) -> _Scrubber:
        if not pseudonymised:
            return cls([])
        return cls(study_replacements(study))

    def text(self, text: str) -> str:
        if not self.replacements or not text:
            return text
        return pseudonymise(text, self.replacements).text

    def source(self, text: str) -> Pseudonymised:
        return pseudonymise(text, self.replacements)


# Characters XML 1.0 cannot hold; they would make the .qde unreadable.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _timestamp(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sub(parent: etree._Element, tag: str, namespace: str = PROJECT_NS, **attributes):
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    for name, value in attributes.items():
        if value is not None and value != "":
            element.set(name, str(value))
    return element


def _with_names(description: str, translations: dict) -> str:
    """Return the description with the code's names in other languages appended."""
    lines = [
        f"{language}: {' '.join(str(name).split())}"
        for language, name in sorted(translations.items())
        if language in LANGUAGE_CODES and str(name).strip()
    ]
    if not lines:
        return description
    block = "\n".join([TRANSLATIONS_HEADING, *lines])
    return f"{description.rstrip()}\n\n{block}" if description.strip() else block


def _code_tree(codes: list[Code]) -> Iterator[tuple[Code, Code | None]]:
    """Yield (code, parent) in tree order: each parent before its children."""
    known = {code.pk for code in codes}
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        parent = code.parent_id if code.parent_id in known else None
        children[parent].append(code)
    by_pk = {code.pk: code for code in codes}
    stack = [(code, None) for code in reversed(children[None])]
    seen: set[int] = set()
    while stack:
        code, parent = stack.pop()
        if code.pk in seen:
            continue
        seen.add(code.pk)
        yield code, parent
        stack.extend((child, by_pk[code.pk]) for child in reversed(children[code.pk]))


def _code_elements(
    parent_element: etree._Element,
    codes: list[Code],
    guid_of: dict[int, str],
    scrub: _Scrubber,
    namespace: str,
    code_notes: dict[int, list[str]] | None = None,
) -> None:
    elements: dict[int, etree._Element] = {}
    codes_element = _sub(parent_element, "Codes", namespace)
    for code, parent in _code_tree(codes):
        container = codes_element if parent is None else elements[parent.pk]
        element = _sub(
            container,
            "Code",
            namespace,
            guid=guid_of[code.pk],
            name=_xml(scrub.text(code.name)),
            isCodable="true",
            color=code.colour.lower() if re.fullmatch(r"#[0-9a-fA-F]{6}", code.colour) else None,
        )
        translations = {lang: scrub.text(name) for lang, name in code.translations.items()}
        description = _with_names(scrub.text(code.description), translations)
        if description:
            _sub(element, "Description", namespace).text = _xml(description)
        for note_guid in (code_notes or {}).get(code.pk, []):
            _sub(element, "NoteRef", namespace, targetGUID=note_guid)
        elements[code.pk] = element


def _code_guids(codes: list[Code], guids: _Guids) -> dict[int, str]:
    """Return each code's guid: its stored one, or a derived one when absent or repeated."""
    guid_of: dict[int, str] = {}
    used: set[str] = set()
    for code in sorted(codes, key=lambda c: c.pk):
        guid = str(code.guid) if code.guid else guids("code", code.pk)
        if guid in used:
            guid = guids("code", code.pk)
        used.add(guid)
        guid_of[code.pk] = guid
    return guid_of


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_codebook(study: Study, *, pseudonymised: bool = True) -> bytes:
    """Return the study's codebook as a .qdc file (urn:QDA-XML:codebook:1.0)."""
    codes = list(Code.objects.filter(study=study).order_by("position", "name", "pk"))
    scrub = _Scrubber.for_study(study, pseudonymised)
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS})
    root.set("origin", ORIGIN)
    _code_elements(root, codes, _code_guids(codes, _Guids(study)), scrub, CODEBOOK_NS)
    return _serialise(root)


def export_project(
    study: Study,
    *,
    actor,
    pseudonymised: bool = True,
    on_progress: ProgressCallback | None = None,
) -> bytes:
    """Return the study as a .qdpx archive; real names are replaced unless `pseudonymised` is off.

    Any member of the team may export a pseudonymised project; only a lead may export the
    original text, and that is recorded as a read of secret data.
    """
    if pseudonymised:
        access.require(actor, study)
    else:
        access.require(actor, study, StudyRole.LEAD)
    guids = _Guids(study)
    scrub = _Scrubber.for_study(study, pseudonymised)
    codes = list(Code.objects.filter(study=study).order_by("position", "name", "pk"))
    sources = list(Source.objects.filter(study=study).order_by("title", "pk"))
    source_ids = {source.pk for source in sources}
    code_guid = _code_guids(codes, guids)
    codings = [
        coding
        for coding in Coding.objects.filter(source__study=study).order_by(
            "source_id", "start", "end", "pk"
        )
        if coding.code_id in code_guid and coding.source_id in source_ids
    ]
    memos = list(Memo.objects.filter(study=study).order_by("created_at", "pk"))
    participants = list(
        Participant.objects.filter(study=study).select_related("organisation").order_by("pk")
    )
    links = defaultdict(list)
    for participant_id, source_id in Source.participants.through.objects.filter(
        source__study=study
    ).values_list("participant_id", "source_id"):
        links[participant_id].append(source_id)

    user_ids = {c.coder_id for c in codings if c.coder_id} | {
        m.author_id for m in memos if m.author_id
    }
    users = get_user_model().objects.filter(pk__in=user_ids).order_by("username")
    user_guid = {user.pk: guids("user", user.pk) for user in users}
    source_guid = {source.pk: guids("source", source.pk) for source in sources}
    memo_guid = {memo.pk: guids("memo", memo.pk) for memo in memos}
    coding_ids = {coding.pk for coding in codings}

    notes_on: dict[str, dict[int, list[str]]] = {"code": {}, "source": {}, "coding": {}}
    project_notes: list[str] = []
    for memo in memos:
        placed = False
        for kind, target in (
            ("coding", memo.coding_id if memo.coding_id in coding_ids else None),
            ("source", memo.source_id if memo.source_id in source_ids else None),
            ("code", memo.code_id if memo.code_id in code_guid else None),
        ):
            if target is not None:
                notes_on[kind].setdefault(target, []).append(memo_guid[memo.pk])
                placed = True
        if not placed:
            project_notes.append(memo_guid[memo.pk])

    root = etree.Element(f"{{{PROJECT_NS}}}Project", nsmap={None: PROJECT_NS})
    root.set("name", _xml(scrub.text(study.title)) or str(study.pk))
    root.set("origin", ORIGIN)
    root.set("creationDateTime", _timestamp(timezone.now()))

    if users:
        users_element = _sub(root, "Users")
        for user in users:
            _sub(users_element, "User", guid=user_guid[user.pk], name=_xml(user.get_username()))
    if codes:
        codebook = _sub(root, "CodeBook")
        _code_elements(codebook, codes, code_guid, scrub, PROJECT_NS, notes_on["code"])

    attribute_names = sorted(
        {str(name) for p in participants for name in (p.attributes or {})}, key=str.casefold
    )
    case_variables = [_CASE_ORGANISATION, _CASE_ROLE, _CASE_REGION, *attribute_names]
    case_variable_guid = {name: guids("variable", f"case:{name}") for name in case_variables}
    source_variable_guid = {
        _SOURCE_LANGUAGE: guids("variable", f"source:{_SOURCE_LANGUAGE}"),
        _SOURCE_DATE: guids("variable", f"source:{_SOURCE_DATE}"),
    }
    variables = _sub(root, "Variables")
    for name in case_variables:
        _sub(
            variables,
            "Variable",
            guid=case_variable_guid[name],
            name=_xml(scrub.text(name)),
            typeOfVariable="Text",
        )
    _sub(
        variables,
        "Variable",
        guid=source_variable_guid[_SOURCE_LANGUAGE],
        name=_SOURCE_LANGUAGE,
        typeOfVariable="Text",
    )
    _sub(
        variables,
        "Variable",
        guid=source_variable_guid[_SOURCE_DATE],
        name=_SOURCE_DATE,
        typeOfVariable="Date",
    )

    if participants:
        cases = _sub(root, "Cases")
        for participant in participants:
            case = _sub(
                cases,
                "Case",
                guid=guids("participant", participant.pk),
                name=_xml(scrub.text(participant.pseudonym)),
            )
            values = {
                _CASE_ORGANISATION: participant.organisation_label,
                _CASE_ROLE: participant.role_title,
                _CASE_REGION: participant.region,
                **{str(k): str(v) for k, v in (participant.attributes or {}).items()},
            }
            for name in case_variables:
                if str(values.get(name, "")).strip():
                    _variable_value(
                        case,
                        case_variable_guid[name],
                        "TextValue",
                        _xml(scrub.text(str(values[name]))),
                    )
            for source_id in sorted(links.get(participant.pk, [])):
                if source_id in source_guid:
                    _sub(case, "SourceRef", targetGUID=source_guid[source_id])

    files: dict[str, str] = {}
    codings_by_source: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        codings_by_source[coding.source_id].append(coding)
    if sources:
        sources_element = _sub(root, "Sources")
        for done, source in enumerate(sources, start=1):
            guid = source_guid[source.pk]
            shown = scrub.source(source.text)
            files[f"sources/{guid}.txt"] = shown.text
            element = _sub(
                sources_element,
                "TextSource",
                guid=guid,
                name=_xml(scrub.text(source.title)),
                plainTextPath=f"internal://{guid}.txt",
                creationDateTime=_timestamp(source.imported_at),
            )
            for coding in codings_by_source.get(source.pk, []):
                start, end = shown.map_span(coding.start, coding.end)
                if end <= start:
                    continue
                selection = _sub(
                    element,
                    "PlainTextSelection",
                    guid=guids("selection", coding.pk),
                    startPosition=start,
                    endPosition=end,
                    creatingUser=user_guid.get(coding.coder_id),
                    creationDateTime=_timestamp(coding.created_at),
                )
                coding_element = _sub(
                    selection,
                    "Coding",
                    guid=guids("coding", coding.pk),
                    creatingUser=user_guid.get(coding.coder_id),
                    creationDateTime=_timestamp(coding.created_at),
                )
                _sub(coding_element, "CodeRef", targetGUID=code_guid[coding.code_id])
                for note_guid in notes_on["coding"].get(coding.pk, []):
                    _sub(selection, "NoteRef", targetGUID=note_guid)
            for note_guid in notes_on["source"].get(source.pk, []):
                _sub(element, "NoteRef", targetGUID=note_guid)
            if source.language:
                _variable_value(
                    element, source_variable_guid[_SOURCE_LANGUAGE], "TextValue", source.language
                )
            if source.held_on:
                _variable_value(
                    element,
                    source_variable_guid[_SOURCE_DATE],
                    "DateValue",
                    source.held_on.isoformat(),
                )
            if on_progress:
                on_progress(done, len(sources))

    if memos:
        notes = _sub(root, "Notes")
        for memo in memos:
            note = _sub(
                notes,
                "Note",
                guid=memo_guid[memo.pk],
                name=_xml(scrub.text(memo.title)),
                creatingUser=user_guid.get(memo.author_id),
                creationDateTime=_timestamp(memo.created_at),
                modifiedDateTime=_timestamp(memo.updated_at),
            )
            _sub(note, "PlainTextContent").text = _xml(scrub.text(memo.text))
    if study.question.strip():
        _sub(root, "Description").text = _xml(scrub.text(study.question))
    for note_guid in project_notes:
        _sub(root, "NoteRef", targetGUID=note_guid)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", _serialise(root))
        for name, text in files.items():
            archive.writestr(name, text.encode("utf-8"))
    with transaction.atomic():
        if not pseudonymised:
            record_access(
                actor=actor, obj=study, data_class="secret", purpose="QDPX export with real names"
            )
        record_change(
            actor=actor,
            action="study.export_qdpx",
            obj=study,
            changed_fields=[] if pseudonymised else ["real_names"],
        )
    return buffer.getvalue()


def _variable_value(parent: etree._Element, variable_guid: str, kind: str, value: str) -> None:
    element = _sub(parent, "VariableValue")
    _sub(element, "VariableRef", targetGUID=variable_guid)
    _sub(element, kind).text = value


def real_name_occurrences(study: Study) -> tuple[int, int]:
    """Return how many occurrences of the study's real names its sources hold, and in how many.

    For the warning that goes with an export of the original text; the names are not returned.
    """
    names = [p.real for p in Pseudonym.objects.filter(study=study) if p.real.strip()]
    if not names:
        return 0, 0
    occurrences = sources = 0
    for source in Source.objects.filter(study=study).only("pk", "text"):
        found = len(find_names(source.text, names))
        occurrences += found
        sources += 1 if found else 0
    return occurrences, sources


# --- Reading archives and XML safely -----------------------------------------------------------


def _damaged() -> ValidationError:
    return ValidationError(_("The file is damaged or incomplete and was not imported."))


class _Archive:
    """A zip archive checked as a whole before anything in it is unpacked."""

    def __init__(self, data: bytes):
        if len(data) > MAX_ARCHIVE_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB and was refused.")
                % {"limit": MAX_ARCHIVE_BYTES // 1024**2}
            )
        if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise ValidationError(
                _("This is not a REFI-QDA project (.qdpx): a project is a zip archive.")
            )
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            members = self._zip.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            ValueError,
            EOFError,
            struct.error,
        ) as error:
            raise _damaged() from error
        if len(members) > MAX_MEMBERS:
            raise ValidationError(_("The archive holds too many files and was refused."))
        total = 0
        for member in members:
            if unsafe_member_name(member.filename):
                raise ValidationError(
                    _("The archive contains an unsafe file path and was refused.")
                )
            if member.flag_bits & 0x1:
                raise ValidationError(
                    _("The archive is protected by a password. Remove it and try again.")
                )
            total += member.file_size
        # Declared sizes are checked first, so a bomb is refused before anything is unpacked.
        if total > MAX_UNPACKED_BYTES:
            raise ValidationError(
                _("The archive would unpack to more than %(limit)s MB and was refused.")
                % {"limit": MAX_UNPACKED_BYTES // 1024**2}
            )
        for member in members:
            if too_compressed(member, MAX_COMPRESSION_RATIO, RATIO_CHECK_MIN_BYTES):
                raise ValidationError(
                    _("The archive is packed in a way that could harm the server and was refused.")
                )
        self._members = {m.filename: m for m in members if not m.is_dir()}
        self._folded = {}
        for name in self._members:
            self._folded.setdefault(name.casefold(), name)
        self._unpacked = 0
        self.order = [m.filename for m in members if not m.is_dir()]

    def find(self, name: str) -> str | None:
        if name in self._members:
            return name
        return self._folded.get(name.casefold())

    def read(self, name: str, limit: int) -> bytes:
        """Unpack one member, counting what comes out rather than trusting the declared size."""
        member = self._members[name]
        if member.file_size > limit:
            raise ValidationError(
                _("A file in the archive is larger than %(limit)s MB and was refused.")
                % {"limit": limit // 1024**2}
            )
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(member) as stream:
                while chunk := stream.read(1024 * 1024):
                    size += len(chunk)
                    self._unpacked += len(chunk)
                    if size > limit or self._unpacked > MAX_UNPACKED_BYTES:
                        raise ValidationError(
                            _("The archive unpacks to more than it declares and was refused.")
                        )
                    chunks.append(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,
            RuntimeError,
            ValueError,
            struct.error,
        ) as error:
            raise _damaged() from error
        return b"".join(chunks)


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FIRST_MARKUP = re.compile(r"<(!DOCTYPE|!ENTITY|[A-Za-z_:])")


def _declares_doctype(data: bytes) -> bool:
    """Return whether the document declares a DOCTYPE or entity before its root element."""
    head = data[: 64 * 1024]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    elif head.startswith(b"<\x00"):
        text = head.decode("utf-16-le", errors="ignore")
    elif head.startswith(b"\x00<"):
        text = head.decode("utf-16-be", errors="ignore")
    else:
        text = head.decode("latin-1")
    match = _FIRST_MARKUP.search(_COMMENT.sub("", text))
    return match is not None and match.group(1).startswith("!")


def _refused_doctype() -> ValidationError:
    return ValidationError(
        _("The XML file declares a document type or entities, which are refused for safety.")
    )


def _parse_xml(data: bytes) -> etree._Element:
    """Parse XML without entities, DTDs or network access; refuse any DOCTYPE."""
    if _declares_doctype(data):
        raise _refused_doctype()
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise ValidationError(
            _("The XML file is not well formed (line %(line)s) and was not imported.")
            % {"line": error.lineno or 0}
        ) from error
    if root is None:
        raise ValidationError(_("The XML file is empty."))
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _refused_doctype()
    return root


def _local(element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _kids(element, name: str | None = None) -> Iterator[etree._Element]:
    for child in element:
        if isinstance(child.tag, str) and (name is None or _local(child) == name):
            yield child


def _kid(element, name: str):
    return next(_kids(element, name), None)


def _text(element) -> str:
    return "".join(element.itertext()) if element is not None else ""


def _guid(value: str | None) -> str | None:
    """Return a GUID in the form used to match references ("{ABC-...}" equals "abc-...")."""
    if not value or not value.strip():
        return None
    return value.strip().strip("{}").lower()


def _uuid(key: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(key) if key else None
    except ValueError:
        return None


def _integer(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


# --- Text normalisation with offsets -----------------------------------------------------------

_LINE_BREAK = {"\r\n": "\n", "\r": "\n", "\v": "\n", "\f": "\n", "\x85": "\n", "\u2028": "\n"}
_UNCLEAN = re.compile("\r\n?|[\v\f\x85\u2028\u2029\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]")


def _clean_breaks(text: str) -> tuple[str, OffsetMap]:
    """Use line feeds for line breaks and drop control characters, as imported texts do."""
    if not _UNCLEAN.search(text):
        return text, OffsetMap()
    return replace_spans(
        text,
        (
            (match.start(), match.end(), _clean_replacement(match.group()))
            for match in _UNCLEAN.finditer(text)
        ),
    )


def _clean_replacement(found: str) -> str:
    return "\n\n" if found == "\u2029" else _LINE_BREAK.get(found, "")


@lru_cache(maxsize=1)
def _composes_with_previous() -> frozenset[str]:
    """Return the starters that NFC may join to the character before them."""
    found = set()
    for code in range(0x30000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                found.add(chr(int(parts[1], 16)))
    # Hangul vowels and final consonants join into syllables by rule, not by table.
    found.update(chr(code) for code in range(0x1161, 0x1176))
    found.update(chr(code) for code in range(0x11A8, 0x11C3))
    return frozenset(found)


def _starts_segment(char: str) -> bool:
    """Return whether NFC leaves the text before `char` independent of what follows."""
    return (
        unicodedata.combining(char) == 0
        and char not in _composes_with_previous()
        and unicodedata.is_normalized("NFC", char)
    )


def _nfc(text: str) -> tuple[str, OffsetMap]:
    """Return the text in NFC with a map of offsets; only changed stretches move."""
    if unicodedata.is_normalized("NFC", text):
        return text, OffsetMap()
    result, offsets = replace_spans(text, _nfc_changes(text, by_segment=True))
    if result != unicodedata.normalize("NFC", text):
        # Not expected; fall back to whole lines, which NFC never joins.
        result, offsets = replace_spans(text, _nfc_changes(text, by_segment=False))
    return result, offsets


def _nfc_changes(text: str, *, by_segment: bool) -> Iterator[tuple[int, int, str]]:
    """Yield (start, end, NFC form) of each stretch that NFC changes: segments, or whole lines."""
    for match in re.finditer(r"[^\n]*\n?", text):
        line, at = match.group(), match.start()
        if not line or unicodedata.is_normalized("NFC", line):
            continue
        pieces = [(0, len(line))]
        if by_segment:
            cuts = [0, *(i for i in range(1, len(line)) if _starts_segment(line[i])), len(line)]
            pieces = list(pairwise(cuts))
        for start, end in pieces:
            original = line[start:end]
            normal = unicodedata.normalize("NFC", original)
            if normal != original:
                yield at + start, at + end, normal


@dataclass
class _Cleaned:
    text: str
    maps: tuple[OffsetMap, ...]
    normalised: bool

    def span(self, start: int, end: int) -> tuple[int, int]:
        for offsets in self.maps:
            start, end = offsets.map_span(start, end)
        return start, end


def _clean_text(raw: str) -> _Cleaned:
    text, breaks = _clean_breaks(raw)
    text, composed = _nfc(text)
    return _Cleaned(text=text, maps=(breaks, composed), normalised=bool(composed))


# --- Reading a project -------------------------------------------------------------------------

_VALUE_KINDS = (
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
)
# The children each element may have that the importer reads; others are counted and skipped.
_KNOWN: dict[str, set[str]] = {
    "Project": {
        "Users",
        "CodeBook",
        "Variables",
        "Cases",
        "Sources",
        "Notes",
        "Description",
        "NoteRef",
    },
    "Users": {"User"},
    "CodeBook": {"Codes", "Code"},
    "Codes": {"Code"},
    "Code": {"Description", "NoteRef", "Code"},
    "Variables": {"Variable"},
    "Variable": {"Description"},
    "Cases": {"Case"},
    "Case": {"Description", "VariableValue", "SourceRef", "SelectionRef"},
    "Sources": {"TextSource"},
    "TextSource": {"PlainTextContent", "PlainTextSelection", "Coding", "NoteRef", "VariableValue"},
    "PlainTextSelection": {"Coding", "NoteRef"},
    "Coding": {"CodeRef", "NoteRef"},
    "Notes": {"Note"},
    "Note": {"PlainTextContent", "Description"},
    "VariableValue": {"VariableRef", *_VALUE_KINDS},
}


@dataclass
class _ParsedCode:
    key: str
    guid: uuid.UUID | None
    name: str
    colour: str
    description: str
    translations: dict[str, str]
    parent: str | None
    depth: int


@dataclass
class _ParsedCoding:
    key: str
    code: str | None
    user: str | None


@dataclass
class _ParsedSelection:
    key: str
    start: int | None
    end: int | None
    codings: list[_ParsedCoding]


@dataclass
class _ParsedSource:
    key: str
    name: str
    raw: str | None
    language: str | None
    held_on: datetime.date | None
    selections: list[_ParsedSelection]
    whole: list[_ParsedCoding]


@dataclass
class _ParsedCase:
    key: str
    name: str
    values: dict[str, str]
    sources: list[str]


@dataclass
class _ParsedNote:
    key: str
    title: str
    text: str
    user: str | None


@dataclass
class _Parsed:
    users: dict[str, str] = field(default_factory=dict)
    codes: list[_ParsedCode] = field(default_factory=list)
    sources: list[_ParsedSource] = field(default_factory=list)
    cases: list[_ParsedCase] = field(default_factory=list)
    notes: list[_ParsedNote] = field(default_factory=list)
    # note key -> kind ("project", "code", "source", "selection", "coding") -> target key
    note_targets: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))


def _language(value: str) -> str | None:
    value = value.strip().lower().replace("_", "-")
    if value in LANGUAGE_CODES:
        return value
    if value.startswith("zh"):
        return "zh-hans" if "zh-hans" in LANGUAGE_CODES else None
    base = value.split("-")[0]
    return base if base in LANGUAGE_CODES else None


def _colour(value: str | None) -> str | None:
    """Return the colour as #rrggbb, or None when it cannot be read."""
    if not value:
        return None
    value = value.strip().lstrip("#")
    if re.fullmatch(r"[0-9a-fA-F]{3}", value):
        value = "".join(c * 2 for c in value)
    if re.fullmatch(r"[0-9a-fA-F]{6}", value):
        return f"#{value.lower()}"
    return None


def _split_names(description: str) -> tuple[str, dict[str, str]]:
    """Take the block of names in other languages off the end of a description."""
    text = description.replace("\r\n", "\n")
    index = text.rfind(TRANSLATIONS_HEADING + "\n")
    if index < 0 or (index > 0 and text[index - 1] != "\n"):
        return description, {}
    translations: dict[str, str] = {}
    for line in text[index + len(TRANSLATIONS_HEADING) + 1 :].strip("\n").split("\n"):
        match = re.fullmatch(r"\s*([a-z]{2}(?:-[a-z]+)?):\s*(\S.*?)\s*", line)
        if not match or match.group(1) not in LANGUAGE_CODES:
            return description, {}
        translations[match.group(1)] = match.group(2)[:200]
    if not translations:
        return description, {}
    return text[:index].rstrip(), translations


class _Reader:
    """Turn a .qde or .qdc document into plain records, counting what it had to leave out."""

    def __init__(self, archive: _Archive | None = None, base: str = ""):
        self.archive = archive
        self.base = base
        self.parsed = _Parsed()
        self.counts: Counter[str] = Counter()
        self.ignored: Counter[str] = Counter()
        self._keys: set[tuple[str, str]] = set()
        self._serial = 0

    def _key(self, value: str | None, kind: str) -> str:
        """Return a unique key for an element, inventing one when its guid is absent or reused."""
        key = _guid(value)
        if key is None or (kind, key) in self._keys:
            if key is not None:
                self.counts["repeated_guid"] += 1
            self._serial += 1
            key = f"#{self._serial}"
        self._keys.add((kind, key))
        return key

    def count_ignored(self, element) -> None:
        """Count the elements the importer does not read, without descending into them."""
        stack = [element]
        while stack:
            current = stack.pop()
            known = _KNOWN.get(_local(current), set())
            for child in _kids(current):
                name = _local(child)
                if name not in known:
                    self.ignored[name] += 1
                elif name in _KNOWN:
                    stack.append(child)

    # Files inside the archive

    def file(self, path: str | None) -> bytes | None:
        if not path or self.archive is None:
            return None
        raw = path.strip()
        lowered = raw.lower()
        if lowered.startswith("internal://"):
            relative = raw[len("internal://") :]
        elif "://" in raw or lowered.startswith("file:"):
            self.counts["external"] += 1
            return None
        else:
            relative = raw
            self.counts["no_prefix"] += 1
        relative = relative.replace("\\", "/").lstrip("/")
        if not relative or ".." in relative.split("/"):
            return None
        for candidate in dict.fromkeys((relative, unquote(relative))):
            for name in (
                f"{self.base}sources/{candidate}",
                f"sources/{candidate}",
                f"{self.base}{candidate}",
                candidate,
            ):
                found = self.archive.find(name)
                if found is not None:
                    return self.archive.read(found, MAX_TEXT_BYTES)
        return None

    def decode(self, data: bytes) -> str:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        self.counts["not_utf8"] += 1
        return data.decode("utf-8", errors="replace")

    def plain_text(self, element) -> str | None:
        content = _kid(element, "PlainTextContent")
        if content is not None:
            return _text(content)
        data = self.file(element.get("plainTextPath"))
        return None if data is None else self.decode(data)

    # Elements

    def users(self, element) -> None:
        for user in _kids(element, "User"):
            key = _guid(user.get("guid"))
            if key:
                name = (user.get("name") or user.get("id") or "").strip()
                self.parsed.users[key] = name

    def codebook(self, element) -> None:
        containers = [*_kids(element, "Codes")]
        roots = [code for codes in containers for code in _kids(codes, "Code")]
        roots += list(_kids(element, "Code"))
        stack = [(code, None, 0) for code in reversed(roots)]
        while stack:
            code, parent, depth = stack.pop()
            key = self._key(code.get("guid"), "code")
            name = " ".join((code.get("name") or "").split())
            if not name:
                name = _("Unnamed code")
                self.counts["unnamed_code"] += 1
            if len(name) > 200:
                self.counts["long_name"] += 1
                name = name[:200]
            colour = _colour(code.get("color"))
            if code.get("color") and colour is None:
                self.counts["bad_colour"] += 1
            if (code.get("isCodable") or "").strip().lower() in ("false", "0"):
                self.counts["not_codable"] += 1
            description, translations = _split_names(_text(_kid(code, "Description")).strip())
            self.parsed.codes.append(
                _ParsedCode(
                    key=key,
                    guid=_uuid(key),
                    name=name,
                    colour=colour or DEFAULT_COLOUR,
                    description=description,
                    translations=translations,
                    parent=parent,
                    depth=depth,
                )
            )
            self._note_refs(code, "code", key)
            stack.extend((child, key, depth + 1) for child in reversed(list(_kids(code, "Code"))))

    def _note_refs(self, element, kind: str, key: str) -> None:
        for ref in _kids(element, "NoteRef"):
            note = _guid(ref.get("targetGUID"))
            if note is None:
                continue
            targets = self.parsed.note_targets[note]
            if kind in targets and targets[kind] != key:
                self.counts["note_many_targets"] += 1
            else:
                targets[kind] = key

    def _coding(self, element, user: str | None) -> _ParsedCoding:
        key = self._key(element.get("guid"), "coding")
        self._note_refs(element, "coding", key)
        ref = _kid(element, "CodeRef")
        return _ParsedCoding(
            key=key,
            code=_guid(ref.get("targetGUID")) if ref is not None else None,
            user=_guid(element.get("creatingUser")) or user,
        )

    def variables(self, element) -> dict[str, str]:
        return {
            key: (variable.get("name") or "").strip()
            for variable in _kids(element, "Variable")
            if (key := _guid(variable.get("guid")))
        }

    def values(self, element, variables: dict[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for value in _kids(element, "VariableValue"):
            ref = _kid(value, "VariableRef")
            name = variables.get(_guid(ref.get("targetGUID")) if ref is not None else None)
            if not name:
                self.counts["unknown_variable"] += 1
                continue
            for kind in _VALUE_KINDS:
                found = _kid(value, kind)
                if found is not None:
                    text = " ".join(_text(found).split())
                    if text:
                        values[name] = text
                    break
        return values

    def sources(self, element, variables: dict[str, str]) -> None:
        for source in _kids(element, "TextSource"):
            key = self._key(source.get("guid"), "source")
            path = source.get("plainTextPath") or ""
            name = " ".join((source.get("name") or "").split())
            if not name:
                name = os.path.basename(path.replace("\\", "/")) or _("Untitled source")
            raw = self.plain_text(source)
            if raw is None:
                self.counts["missing_text"] += 1
            elif not raw.strip():
                self.counts["placeholder"] += 1
                raw = ""
            user = _guid(source.get("creatingUser"))
            selections = []
            for selection in _kids(source, "PlainTextSelection"):
                selection_key = self._key(selection.get("guid"), "selection")
                self._note_refs(selection, "selection", selection_key)
                selection_user = _guid(selection.get("creatingUser")) or user
                selections.append(
                    _ParsedSelection(
                        key=selection_key,
                        start=_integer(selection.get("startPosition")),
                        end=_integer(selection.get("endPosition")),
                        codings=[
                            self._coding(c, selection_user) for c in _kids(selection, "Coding")
                        ],
                    )
                )
            whole = [self._coding(coding, user) for coding in _kids(source, "Coding")]
            self._note_refs(source, "source", key)
            language = held_on = None
            for variable, value in self.values(source, variables).items():
                lowered = variable.casefold()
                if lowered in ("language", "langue", "idioma", "язык", "语言") and _language(value):
                    language = _language(value)
                elif lowered in ("date", "fecha", "дата", "日期"):
                    try:
                        held_on = datetime.date.fromisoformat(value[:10])
                    except ValueError:
                        self.counts["source_variable"] += 1
                else:
                    self.counts["source_variable"] += 1
            self.parsed.sources.append(
                _ParsedSource(
                    key=key,
                    name=name[:300],
                    raw=raw,
                    language=language,
                    held_on=held_on,
                    selections=selections,
                    whole=whole,
                )
            )

    def cases(self, element, variables: dict[str, str]) -> None:
        selection_sources = {
            selection.key: source.key
            for source in self.parsed.sources
            for selection in source.selections
        }
        for case in _kids(element, "Case"):
            key = self._key(case.get("guid"), "case")
            values = self.values(case, variables)
            description = " ".join(_text(_kid(case, "Description")).split())
            if description:
                values.setdefault("Description", description)
            sources = [
                ref_key
                for ref in _kids(case, "SourceRef")
                if (ref_key := _guid(ref.get("targetGUID")))
            ]
            for ref in _kids(case, "SelectionRef"):
                source_key = selection_sources.get(_guid(ref.get("targetGUID")) or "")
                if source_key:
                    self.counts["case_selection"] += 1
                    sources.append(source_key)
            self.parsed.cases.append(
                _ParsedCase(
                    key=key,
                    name=" ".join((case.get("name") or "").split()),
                    values=values,
                    sources=list(dict.fromkeys(sources)),
                )
            )

    def notes(self, element) -> None:
        for note in _kids(element, "Note"):
            key = self._key(note.get("guid"), "note")
            text = self.plain_text(note)
            if text is None and (note.get("plainTextPath") or "").strip():
                self.counts["note_missing_text"] += 1
            self.parsed.notes.append(
                _ParsedNote(
                    key=key,
                    title=" ".join((note.get("name") or "").split()),
                    text=text or "",
                    user=_guid(note.get("creatingUser")),
                )
            )

    def project(self, root) -> _Parsed:
        if _local(root) == "CodeBook":
            self.counts["codebook_only"] += 1
            self.codebook(root)
            self.count_ignored(root)
            return self.parsed
        if _local(root) != "Project":
            raise ValidationError(_("The file is not a REFI-QDA project."))
        for users in _kids(root, "Users"):
            self.users(users)
        for codebook in _kids(root, "CodeBook"):
            self.codebook(codebook)
        variables: dict[str, str] = {}
        for element in _kids(root, "Variables"):
            variables.update(self.variables(element))
        for element in _kids(root, "Sources"):
            self.sources(element, variables)
        for element in _kids(root, "Cases"):
            self.cases(element, variables)
        for element in _kids(root, "Notes"):
            self.notes(element)
        self._note_refs(root, "project", "")
        self.count_ignored(root)
        return self.parsed


def _open_project(data: bytes) -> tuple[_Archive, etree._Element, str]:
    """Open a .qdpx and parse its .qde: "project.qde" at the top, or the first .qde anywhere."""
    archive = _Archive(data)
    name = archive.find("project.qde")
    if name is None:
        name = next((n for n in archive.order if n.lower().endswith(".qde")), None)
    if name is None:
        raise ValidationError(_("The archive holds no project file (.qde) and was not imported."))
    root = _parse_xml(archive.read(name, MAX_XML_BYTES))
    base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
    return archive, root, base


# --- Writing an import -------------------------------------------------------------------------


def _bulk_create(model, objects: list) -> list:
    """Insert rows in bulk, getting their ids back (needed to link rows created later)."""
    if not objects:
        return objects
    if connection.features.can_return_rows_from_bulk_insert:
        return model.objects.bulk_create(objects, batch_size=500)
    for obj in objects:
        obj.save()
    return objects


class _Writer:
    """Write parsed records into a study: the caller holds the transaction."""

    def __init__(self, *, actor, study: Study, parsed: _Parsed, report: ImportReport):
        self.actor = actor
        self.study = study
        self.parsed = parsed
        self.report = report
        self.counts: Counter[str] = Counter()
        self.attributed: dict[str, Counter[str]] = defaultdict(Counter)
        self.codes: dict[str, Code] = {}
        self.me = actor if getattr(actor, "pk", None) else None

    def write_codes(self) -> None:
        existing = list(Code.objects.filter(study=self.study))
        by_guid = {str(code.guid): code for code in existing if code.guid}
        by_name = {(code.parent_id, code.name): code for code in existing}
        siblings = Counter(
            {
                row["parent_id"]: row["n"]
                for row in Code.objects.filter(study=self.study)
                .values("parent_id")
                .annotate(n=Count("id"))
            }
        )
        levels: dict[int, list[_ParsedCode]] = defaultdict(list)
        for parsed in self.parsed.codes:
            levels[parsed.depth].append(parsed)
        for depth in sorted(levels):
            new: list[Code] = []
            for parsed in levels[depth]:
                parent = self.codes.get(parsed.parent) if parsed.parent else None
                parent_id = parent.pk if parent else None
                found = (by_guid.get(str(parsed.guid)) if parsed.guid else None) or by_name.get(
                    (parent_id, parsed.name)
                )
                if found is not None and found.pk is not None:
                    self.codes[parsed.key] = found
                    self.counts["code_kept"] += 1
                    continue
                code = Code(
                    study=self.study,
                    parent=parent,
                    name=parsed.name,
                    translations=parsed.translations,
                    description=parsed.description,
                    colour=parsed.colour,
                    position=siblings[parent_id],
                    guid=parsed.guid,
                )
                siblings[parent_id] += 1
                self.codes[parsed.key] = code
                by_name[(parent_id, parsed.name)] = code
                if parsed.guid:
                    by_guid[str(parsed.guid)] = code
                new.append(code)
            _bulk_create(Code, new)
            self.report.codes += len(new)

    def _users(self) -> dict[str, object]:
        names = {name for name in self.parsed.users.values() if name}
        found = {
            user.get_username(): user
            # Only the study's own team: a crafted file must not credit work to other accounts.
            for user in get_user_model().objects.filter(
                username__in=names, is_active=True, study_memberships__study=self.study
            )
        }
        return {key: found[name] for key, name in self.parsed.users.items() if name in found}

    def _who(self, key: str | None, users: dict[str, object]) -> tuple[object, str | None]:
        """Return the account for a user of the file, and whom to name when it is attributed."""
        if key is None:
            return self.me, ""
        if key in users:
            return users[key], None
        return self.me, self.parsed.users.get(key) or _("an unnamed user")

    def _attribute(self, what: str, name: str | None) -> None:
        if name == "":
            self.counts[f"{what}_no_user"] += 1
        elif name is not None:
            self.attributed[name][what] += 1

    def write_project(self, on_progress: ProgressCallback | None) -> None:
        users = self._users()
        case_of_source: dict[str, list[Participant]] = defaultdict(list)
        if self.parsed.cases and access.role_in(self.me, self.study) != StudyRole.LEAD:
            # Participants are the lead's to add: a coder's import brings the texts and the
            # coding, and the cases are reported as left out.
            self.report.warnings.append(
                _("%(count)s cases were not imported: only a study lead adds participants.")
                % {"count": len(self.parsed.cases)}
            )
            self.parsed.cases = []
        participants = self._participants()
        for case, participant in zip(self.parsed.cases, participants, strict=True):
            for source_key in case.sources:
                case_of_source[source_key].append(participant)

        sources: dict[str, Source] = {}
        cleaned: dict[str, _Cleaned] = {}
        for parsed in self.parsed.sources:
            text = _clean_text(parsed.raw or "")
            if text.normalised:
                self.counts["normalised"] += 1
            cleaned[parsed.key] = text
            sources[parsed.key] = Source(
                study=self.study,
                kind=SourceKind.INTERVIEW
                if case_of_source.get(parsed.key)
                else SourceKind.DOCUMENT,
                title=parsed.name or _("Untitled source"),
                language=parsed.language or self.study.main_language,
                held_on=parsed.held_on,
                text=text.text,
                length=len(text.text),
                file_format="qdpx",
                imported_by=self.me,
            )
        _bulk_create(Source, list(sources.values()))
        self.report.sources = len(sources)
        known_sources = set(sources)
        for case in self.parsed.cases:
            self.counts["case_missing_source"] += sum(k not in known_sources for k in case.sources)
        Source.participants.through.objects.bulk_create(
            [
                Source.participants.through(source_id=sources[key].pk, participant_id=p.pk)
                for key, people in case_of_source.items()
                if key in sources
                for p in dict.fromkeys(people)
            ],
            ignore_conflicts=True,
        )

        # Codings by their key in the file; a repeated coding maps to the one it repeats.
        codings: dict[str, Coding] = {}
        created: dict[tuple, Coding] = {}
        first_of_selection: dict[str, Coding] = {}
        source_of_selection: dict[str, Source] = {}
        for parsed in self.parsed.sources:
            source = sources[parsed.key]
            raw_length = len(parsed.raw or "")
            spans = [(s, s.start, s.end, s.codings) for s in parsed.selections]
            if parsed.whole:
                spans.append((None, 0, raw_length, parsed.whole))
            for selection, start, end, items in spans:
                if selection is not None:
                    source_of_selection[selection.key] = source
                if not items:
                    continue
                if not raw_length:
                    self.counts["coding_no_text"] += len(items)
                    continue
                if start is None or end is None or not (0 <= start < end <= raw_length):
                    self.counts["coding_outside"] += len(items)
                    continue
                new_start, new_end = cleaned[parsed.key].span(start, end)
                if new_end <= new_start:
                    self.counts["coding_outside"] += len(items)
                    continue
                for item in items:
                    code = self.codes.get(item.code or "")
                    if code is None:
                        self.counts["coding_unknown_code"] += 1
                        continue
                    coder, attributed = self._who(item.user, users)
                    unique = (source.pk, code.pk, new_start, new_end, getattr(coder, "pk", None))
                    coding = created.get(unique)
                    if coding is not None:
                        self.counts["coding_duplicate"] += 1
                    else:
                        coding = created[unique] = Coding(
                            source=source, code=code, start=new_start, end=new_end, coder=coder
                        )
                        self._attribute("codings", attributed)
                    codings[item.key] = coding
                    if selection is not None:
                        first_of_selection.setdefault(selection.key, coding)
        _bulk_create(Coding, list(created.values()))
        self.report.codings = len(created)

        memos: list[Memo] = []
        for note in self.parsed.notes:
            text = _clean_text(note.text).text if note.text else ""
            if not text.strip() and not note.title:
                self.counts["note_empty"] += 1
                continue
            targets = self.parsed.note_targets.get(note.key, {})
            coding = codings.get(targets.get("coding", "")) or first_of_selection.get(
                targets.get("selection", "")
            )
            source = sources.get(targets.get("source", ""))
            if coding is None and "selection" in targets:
                selection_source = source_of_selection.get(targets["selection"])
                if selection_source is not None:
                    self.counts["note_selection_to_source"] += 1
                    source = source or selection_source
            code = self.codes.get(targets.get("code", ""))
            wanted = {kind for kind in targets if kind != "project"}
            if wanted and coding is None and source is None and code is None:
                self.counts["note_target_lost"] += 1
            author, attributed = self._who(note.user, users)
            self._attribute("memos", attributed)
            memos.append(
                Memo(
                    study=self.study,
                    source=source,
                    code=code,
                    coding=coding,
                    title=note.title[:200],
                    text=text,
                    author=author,
                )
            )
        _bulk_create(Memo, memos)
        self.report.memos = len(memos)

        total = len(sources)
        for done, source in enumerate(sources.values(), start=1):
            search.index_source(source, new=True)
            if on_progress:
                on_progress(done, total)

    def _participants(self) -> list[Participant]:
        existing = set(
            Participant.objects.filter(study=self.study).values_list("pseudonym", flat=True)
        )
        # A region is read from its code or its name, in English or the active language.
        regions = {value.casefold(): value for value in Region.values}
        regions.update({str(label).casefold(): value for value, label in Region.choices})
        with translation.override("en"):
            regions.update({str(label).casefold(): value for value, label in Region.choices})
        created: list[Participant] = []
        for case in self.parsed.cases:
            base = case.name[:110] or _("Participant")
            pseudonym, number = base, 2
            while pseudonym in existing:
                pseudonym = f"{base} ({number})"
                number += 1
            if pseudonym != case.name:
                self.counts["case_renamed"] += 1
            existing.add(pseudonym)
            fields: dict[str, str] = {}
            attributes: dict[str, str] = {}
            for name, value in case.values.items():
                folded = name.casefold()
                if folded in ("organisation", "organization") and "organisation_name" not in fields:
                    fields["organisation_name"] = value[:300]
                elif folded in ("role or title", "role") and "role_title" not in fields:
                    fields["role_title"] = value[:200]
                elif folded == "region" and value.casefold() in regions and "region" not in fields:
                    fields["region"] = regions[value.casefold()]
                else:
                    attributes[name[:200]] = value
            created.append(
                Participant(study=self.study, pseudonym=pseudonym, attributes=attributes, **fields)
            )
        _bulk_create(Participant, created)
        self.report.cases = len(created)
        return created

    def messages(self) -> list[str]:
        out = _warnings(self.counts, _WRITER_WARNINGS)
        for name in sorted(self.attributed, key=str.casefold):
            for what, message in _ATTRIBUTED.items():
                count = self.attributed[name][what]
                if count:
                    out.append(str(message % {"count": count, "name": name}))
        return out


# Warnings, by what was counted. ngettext_lazy picks the plural form from %(count)s when the
# count is filled in.
_READER_WARNINGS = {
    "no_prefix": ngettext_lazy(
        "%(count)s file path lacks the internal:// prefix that the standard requires; the "
        "file was looked up by name in the archive.",
        "%(count)s file paths lack the internal:// prefix that the standard requires; the "
        "files were looked up by name in the archive.",
        "count",
    ),
    "external": ngettext_lazy(
        "%(count)s file lies outside the archive and could not be read.",
        "%(count)s files lie outside the archive and could not be read.",
        "count",
    ),
    "missing_text": ngettext_lazy(
        "%(count)s source has no plain text in the file; it was imported empty.",
        "%(count)s sources have no plain text in the file; they were imported empty.",
        "count",
    ),
    "placeholder": ngettext_lazy(
        "%(count)s source has only a placeholder instead of its text; it was imported empty.",
        "%(count)s sources have only a placeholder instead of their text; they were imported "
        "empty.",
        "count",
    ),
    "not_utf8": ngettext_lazy(
        "%(count)s text file is not valid UTF-8; unreadable characters were replaced.",
        "%(count)s text files are not valid UTF-8; unreadable characters were replaced.",
        "count",
    ),
    "note_missing_text": ngettext_lazy(
        "%(count)s note has no text in the file.",
        "%(count)s notes have no text in the file.",
        "count",
    ),
    "repeated_guid": ngettext_lazy(
        "%(count)s element repeats an identifier used before; it was imported separately.",
        "%(count)s elements repeat identifiers used before; they were imported separately.",
        "count",
    ),
    "unnamed_code": ngettext_lazy(
        "%(count)s code has no name and was called “Unnamed code”.",
        "%(count)s codes have no name and were called “Unnamed code”.",
        "count",
    ),
    "long_name": ngettext_lazy(
        "%(count)s code name was shortened to 200 characters.",
        "%(count)s code names were shortened to 200 characters.",
        "count",
    ),
    "bad_colour": ngettext_lazy(
        "%(count)s code colour could not be read; the default colour was used.",
        "%(count)s code colours could not be read; the default colour was used.",
        "count",
    ),
    "not_codable": ngettext_lazy(
        "%(count)s code marked as a folder (not for coding) was imported as an ordinary code.",
        "%(count)s codes marked as folders (not for coding) were imported as ordinary codes.",
        "count",
    ),
    "note_many_targets": ngettext_lazy(
        "%(count)s note is attached to several items of one kind; only the first was kept.",
        "%(count)s notes are attached to several items of one kind; only the first was kept.",
        "count",
    ),
    "case_selection": ngettext_lazy(
        "%(count)s case refers to a selection; the case was linked to the whole source.",
        "%(count)s cases refer to selections; the cases were linked to the whole sources.",
        "count",
    ),
    "unknown_variable": ngettext_lazy(
        "%(count)s variable value refers to no known variable and was left out.",
        "%(count)s variable values refer to no known variable and were left out.",
        "count",
    ),
    "source_variable": ngettext_lazy(
        "%(count)s variable value of a source was left out: sources here have no variables "
        "besides language and date.",
        "%(count)s variable values of sources were left out: sources here have no variables "
        "besides language and date.",
        "count",
    ),
}
_WRITER_WARNINGS = {
    "code_kept": ngettext_lazy(
        "%(count)s code was already in the study and was kept as it is.",
        "%(count)s codes were already in the study and were kept as they are.",
        "count",
    ),
    "normalised": ngettext_lazy(
        "%(count)s source text was normalised to composed Unicode (NFC); its codings were "
        "moved with the text.",
        "%(count)s source texts were normalised to composed Unicode (NFC); their codings were "
        "moved with the text.",
        "count",
    ),
    "coding_no_text": ngettext_lazy(
        "%(count)s coding was skipped: its source has no text.",
        "%(count)s codings were skipped: their source has no text.",
        "count",
    ),
    "coding_outside": ngettext_lazy(
        "%(count)s coding was skipped: its selection lies outside the source's text.",
        "%(count)s codings were skipped: their selection lies outside the source's text.",
        "count",
    ),
    "coding_unknown_code": ngettext_lazy(
        "%(count)s coding was skipped: its code is not in the codebook.",
        "%(count)s codings were skipped: their code is not in the codebook.",
        "count",
    ),
    "coding_duplicate": ngettext_lazy(
        "%(count)s coding repeated another one and was merged with it.",
        "%(count)s codings repeated others and were merged with them.",
        "count",
    ),
    "codings_no_user": ngettext_lazy(
        "%(count)s coding names no coder and is attributed to you.",
        "%(count)s codings name no coder and are attributed to you.",
        "count",
    ),
    "memos_no_user": ngettext_lazy(
        "%(count)s memo names no author and is attributed to you.",
        "%(count)s memos name no author and are attributed to you.",
        "count",
    ),
    "note_empty": ngettext_lazy(
        "%(count)s empty note was left out.",
        "%(count)s empty notes were left out.",
        "count",
    ),
    "note_selection_to_source": ngettext_lazy(
        "%(count)s note on an uncoded selection was attached to its source.",
        "%(count)s notes on uncoded selections were attached to their sources.",
        "count",
    ),
    "note_target_lost": ngettext_lazy(
        "%(count)s note lost what it was attached to and was kept on the study.",
        "%(count)s notes lost what they were attached to and were kept on the study.",
        "count",
    ),
    "case_renamed": ngettext_lazy(
        "%(count)s case was renamed to keep pseudonyms unique in the study.",
        "%(count)s cases were renamed to keep pseudonyms unique in the study.",
        "count",
    ),
    "case_missing_source": ngettext_lazy(
        "%(count)s link from a case to a source was left out: the source is not in the file.",
        "%(count)s links from cases to sources were left out: the sources are not in the file.",
        "count",
    ),
}
_ATTRIBUTED = {
    "codings": ngettext_lazy(
        "%(count)s coding by %(name)s is attributed to you: no account has that name.",
        "%(count)s codings by %(name)s are attributed to you: no account has that name.",
        "count",
    ),
    "memos": ngettext_lazy(
        "%(count)s memo by %(name)s is attributed to you: no account has that name.",
        "%(count)s memos by %(name)s are attributed to you: no account has that name.",
        "count",
    ),
}
_IGNORED = ngettext_lazy(
    "%(count)s element this platform cannot hold was left out: %(names)s.",
    "%(count)s elements this platform cannot hold were left out: %(names)s.",
    "count",
)


def _warnings(counts: Counter[str], table: dict) -> list[str]:
    return [str(message % {"count": counts[key]}) for key, message in table.items() if counts[key]]


def _reader_messages(reader: _Reader) -> list[str]:
    out = []
    if reader.counts["codebook_only"]:
        out.append(_("The file holds only a codebook."))
    out += _warnings(reader.counts, _READER_WARNINGS)
    if reader.ignored:
        names = ", ".join(f"{name} ({count})" for name, count in sorted(reader.ignored.items()))
        out.append(str(_IGNORED % {"count": sum(reader.ignored.values()), "names": names}))
    return out


def import_project(
    *, actor, study: Study, data: bytes, on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Import a .qdpx project into the study: sources, codebook, codings, memos and cases.

    A file that is not a safe, readable project raises ValidationError and writes nothing;
    everything else is written in one transaction, with one audit event.
    """
    access.require(actor, study, *access.EDITORS)
    archive, root, base = _open_project(data)
    reader = _Reader(archive, base)
    parsed = reader.project(root)
    report = ImportReport(warnings=_reader_messages(reader))
    with transaction.atomic():
        access.require(actor, study, *access.EDITORS)
        writer = _Writer(actor=actor, study=study, parsed=parsed, report=report)
        writer.write_codes()
        writer.write_project(on_progress)
        report.warnings += writer.messages()
        changed = [
            name
            for name, count in (
                ("sources", report.sources),
                ("codes", report.codes),
                ("codings", report.codings),
                ("memos", report.memos),
                ("participants", report.cases),
            )
            if count
        ]
        record_change(actor=actor, action="study.import_qdpx", obj=study, changed_fields=changed)
    return report


def import_codebook(*, actor, study: Study, data: bytes) -> ImportReport:
    """Import the codes of a .qdc codebook, or of the codebook inside a .qdpx project."""
    access.require(actor, study, *access.EDITORS)
    if data.startswith(b"PK"):
        archive, root, base = _open_project(data)
        reader = _Reader(archive, base)
    else:
        if len(data) > MAX_XML_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)s MB and was refused.")
                % {"limit": MAX_XML_BYTES // 1024**2}
            )
        root = _parse_xml(data)
        reader = _Reader()
    if _local(root) == "CodeBook":
        codebooks = [root]
    elif _local(root) == "Project":
        codebooks = list(_kids(root, "CodeBook"))
    else:
        codebooks = []
    if not codebooks:
        raise ValidationError(_("The file holds no REFI-QDA codebook."))
    for codebook in codebooks:
        reader.codebook(codebook)
        reader.count_ignored(codebook)
    report = ImportReport(warnings=_reader_messages(reader))
    with transaction.atomic():
        access.require(actor, study, *access.EDITORS)
        writer = _Writer(actor=actor, study=study, parsed=reader.parsed, report=report)
        writer.write_codes()
        report.warnings += writer.messages()
        record_change(
            actor=actor,
            action="study.import_codebook",
            obj=study,
            changed_fields=["codes"] if report.codes else [],
        )
    return report
