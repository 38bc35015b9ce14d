"""Exchange with other analysis programs (REFI-QDA): export, import, real samples, unsafe files."""

from __future__ import annotations

import io
import time
import unicodedata
import uuid
import zipfile
from pathlib import Path

import pytest
import xmlschema
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from chorus.core.models import AuditEvent
from chorus.evidence import actions, refiqda
from chorus.evidence.models import (
    Code,
    Coding,
    Memo,
    Participant,
    SearchParagraph,
    Source,
    Study,
)
from tests.evidence.conftest import SAMPLE_TEXT, add_text_source

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "interop" / "refi-qda"
NS = {"q": refiqda.PROJECT_NS}
REAL_NAME = "Maria Lopez"
CONTACT = "maria.lopez@example.org +254 700 000 001"
INTERVIEW = f"{REAL_NAME} told us: the police came at night.\n\n{SAMPLE_TEXT}"


@pytest.fixture(scope="module")
def project_schema():
    return xmlschema.XMLSchema(str(SAMPLES / "Project.xsd"))


@pytest.fixture(scope="module")
def codebook_schema():
    return xmlschema.XMLSchema(str(SAMPLES / "Codebook.xsd"))


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture
def rich(study, team):
    """A study with a code tree, a participant, two sources, codings by two coders and memos."""
    lead, coder = team["lead"], team["coder"]
    movement = actions.code_create(
        actor=lead,
        study=study,
        name="Movement",
        colour="#AA0000",
        description="Links with the women's movement.",
        translations={"fr": "Mouvement", "zh-hans": "运动"},
    )
    coalitions = actions.code_create(actor=lead, study=study, parent=movement, name="Coalitions")
    coalitions.guid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    coalitions.save(update_fields=["guid"])
    police = actions.code_create(actor=lead, study=study, name="Police", colour="#00aa00")
    person = actions.participant_create(
        actor=lead,
        study=study,
        pseudonym="Amina",
        real_name=REAL_NAME,
        contact=CONTACT,
        organisation_name="Kenya Collective",
        role_title="Peer educator",
        region="africa",
        attributes={"age group": "30-39", "gender": "trans woman"},
    )
    interview = add_text_source(
        study, lead, INTERVIEW, kind="interview", title="Interview 1", participants=[person]
    )
    document = add_text_source(
        study, lead, "Rapport de la CSW.", kind="document", title="Report", language="fr"
    )
    police_coding = actions.coding_create(
        actor=coder,
        source=interview,
        codes=[police],
        start=INTERVIEW.index(REAL_NAME),
        end=span(INTERVIEW, "the police came")[1],
    )[0]
    start, end = span(INTERVIEW, "women's coalition")
    actions.coding_create(
        actor=lead, source=interview, codes=[coalitions, police], start=start, end=end
    )
    start, end = span(INTERVIEW, "性工作者主导的组织")
    actions.coding_create(actor=coder, source=interview, codes=[movement], start=start, end=end)
    actions.coding_create(actor=lead, source=document, codes=[movement], start=0, end=7)
    actions.memo_create(actor=lead, study=study, title="Overall", text="Themes are emerging.")
    actions.memo_create(
        actor=coder, study=study, title="On the interview", text="Long.", source=interview
    )
    actions.memo_create(actor=lead, study=study, title="Scope", text="Broad code.", code=movement)
    actions.memo_create(
        actor=coder, study=study, title="Raid", text="Night raid.", coding=police_coding
    )
    actions.pseudonym_create(
        actor=lead, study=study, kind="person", real=REAL_NAME, replacement="Amina"
    )
    return study


def members(data: bytes) -> dict[str, bytes]:
    """Return every file of a zip archive by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def qdpx(files: dict[str, bytes | str]) -> bytes:
    """Zip the given files into a .qdpx archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def new_study(team, title: str = "Copy") -> Study:
    """A study to import into, with the same team: codings map back to team members only."""
    study = actions.study_create(actor=team["lead"], title=title, languages=["en", "fr"])
    actions.member_set(actor=team["lead"], study=study, user=team["coder"], role="coder")
    return study


def codings_of(study) -> set[tuple]:
    return {
        (c.source.title, c.code.name, c.source.text[c.start : c.end], c.coder.username)
        for c in Coding.objects.filter(source__study=study).select_related(
            "source", "code", "coder"
        )
    }


def code_tree_of(study) -> set[tuple]:
    return {
        (
            c.name,
            c.parent.name if c.parent else None,
            c.colour.lower(),
            c.description,
            tuple(sorted(c.translations.items())),
        )
        for c in Code.objects.filter(study=study).select_related("parent")
    }


def memos_of(study) -> set[tuple]:
    return {
        (
            m.title,
            m.text,
            m.author.username,
            m.source.title if m.source else None,
            m.code.name if m.code else None,
            (m.coding.code.name, m.coding.start, m.coding.end) if m.coding else None,
        )
        for m in Memo.objects.filter(study=study).select_related(
            "author", "source", "code", "coding__code"
        )
    }


def row_counts() -> dict[str, int]:
    models = (Study, Source, Code, Coding, Memo, Participant, AuditEvent, SearchParagraph)
    return {model.__name__: model.objects.count() for model in models}


# --- Export --------------------------------------------------------------------------------------


def test_export_validates_against_the_project_schema(rich, team, project_schema):
    """Both exports (pseudonymised and original) hold a project.qde valid against Project.xsd."""
    for pseudonymised in (True, False):
        files = members(
            refiqda.export_project(rich, actor=team["lead"], pseudonymised=pseudonymised)
        )
        project_schema.validate(files["project.qde"])
        root = etree.fromstring(files["project.qde"])
        assert root.tag == f"{{{refiqda.PROJECT_NS}}}Project"
        for source in root.iterfind(".//q:TextSource", NS):
            path = source.get("plainTextPath")
            assert path.startswith("internal://")
            assert f"sources/{path.removeprefix('internal://')}" in files
        users = {u.get("name") for u in root.iterfind(".//q:User", NS)}
        assert users == {"lead", "coder"}


def test_codebook_export_validates_and_carries_translations(rich, codebook_schema):
    """The .qdc validates against Codebook.xsd and keeps names in other languages."""
    data = refiqda.export_codebook(rich)
    codebook_schema.validate(data)
    assert "fr: Mouvement" in data.decode()
    assert b"0f8fad5b-d9cb-469f-a165-70867728950e" in data


def test_export_is_audited(rich, team):
    """An export records one audit event; an export with real names also records the read."""
    refiqda.export_project(rich, actor=team["lead"], pseudonymised=False)
    event = AuditEvent.objects.filter(action="study.export_qdpx").latest("pk")
    assert event.object_id == str(rich.pk)
    assert event.changed_fields == ["real_names"]


def test_only_leads_export_real_names(rich, team):
    """A reader may export the pseudonymised project, not the one with real names."""
    refiqda.export_project(rich, actor=team["reader"])
    with pytest.raises(PermissionDenied):
        refiqda.export_project(rich, actor=team["reader"], pseudonymised=False)


def test_pseudonymised_export_keeps_coded_spans_on_the_same_words(rich, team):
    """Real names are replaced in the text and each selection still covers the coded words."""
    files = members(refiqda.export_project(rich, actor=team["lead"]))
    root = etree.fromstring(files["project.qde"])
    source = next(s for s in root.iterfind(".//q:TextSource", NS) if s.get("name") == "Interview 1")
    text = files[f"sources/{source.get('guid')}.txt"].decode("utf-8")
    assert REAL_NAME not in text
    assert text.startswith("Amina told us")
    covered = {
        text[int(sel.get("startPosition")) : int(sel.get("endPosition"))]
        for sel in source.iterfind("q:PlainTextSelection", NS)
    }
    assert covered == {
        "Amina told us: the police came",
        "women's coalition",
        "性工作者主导的组织",
    }


def test_real_names_and_contacts_never_leave(rich, team):
    """Contacts never appear in any export; real names appear only in an as-is source text."""
    pseudonymised = members(refiqda.export_project(rich, actor=team["lead"]))
    as_is = members(refiqda.export_project(rich, actor=team["lead"], pseudonymised=False))
    for name, content in pseudonymised.items():
        assert REAL_NAME.encode() not in content, name
        assert CONTACT.encode() not in content, name
    for name, content in as_is.items():
        assert CONTACT.encode() not in content, name
    assert REAL_NAME.encode() not in as_is["project.qde"]


# --- Round trip ----------------------------------------------------------------------------------


def test_round_trip_keeps_texts_codes_codings_memos_and_cases(rich, team):
    """Export then import into a new study gives the same texts, codebook, codings and memos."""
    data = refiqda.export_project(rich, actor=team["lead"], pseudonymised=False)
    copy = new_study(team)
    report = refiqda.import_project(actor=team["lead"], study=copy, data=data)
    assert (report.sources, report.codes, report.codings, report.memos, report.cases) == (
        2,
        3,
        5,
        4,
        1,
    )
    assert report.warnings == []
    assert {s.title: s.text for s in copy.sources.all()} == {
        s.title: s.text for s in rich.sources.all()
    }
    assert {(s.title, s.kind, s.language, s.length) for s in copy.sources.all()} == {
        (s.title, s.kind, s.language, s.length) for s in rich.sources.all()
    }
    assert code_tree_of(copy) == code_tree_of(rich)
    assert (
        Code.objects.get(study=copy, name="Coalitions").guid
        == Code.objects.get(study=rich, name="Coalitions").guid
    )
    assert codings_of(copy) == codings_of(rich)
    assert memos_of(copy) == memos_of(rich)
    person = Participant.objects.get(study=copy)
    assert person.pseudonym == "Amina"
    assert person.attributes == {"age group": "30-39", "gender": "trans woman"}
    assert (person.organisation_name, person.role_title, person.region) == (
        "Kenya Collective",
        "Peer educator",
        "africa",
    )
    assert person.real_name == "" and person.contact == ""
    assert [s.title for s in person.sources.all()] == ["Interview 1"]
    assert SearchParagraph.objects.filter(study=copy).exists()
    event = AuditEvent.objects.filter(action="study.import_qdpx").get()
    assert event.changed_fields == ["codes", "codings", "memos", "participants", "sources"]


def test_importing_twice_keeps_one_codebook_and_unique_pseudonyms(rich, team):
    """A second import reuses the codes it matches and renames clashing cases."""
    data = refiqda.export_project(rich, actor=team["lead"])
    copy = new_study(team)
    refiqda.import_project(actor=team["lead"], study=copy, data=data)
    report = refiqda.import_project(actor=team["lead"], study=copy, data=data)
    assert report.codes == 0
    assert Code.objects.filter(study=copy).count() == 3
    assert sorted(copy.participants.values_list("pseudonym", flat=True)) == ["Amina", "Amina (2)"]
    assert any("3 codes were already in the study" in w for w in report.warnings)
    assert any("renamed" in w for w in report.warnings)


def test_codebook_round_trip_from_qdc_and_from_qdpx(rich, team):
    """import_codebook reads a .qdc file or the codebook inside a .qdpx project."""
    qdc = refiqda.export_codebook(rich)
    copy = new_study(team)
    report = refiqda.import_codebook(actor=team["lead"], study=copy, data=qdc)
    assert report.codes == 3 and report.sources == 0
    assert code_tree_of(copy) == code_tree_of(rich)
    other = new_study(team, "Other")
    data = refiqda.export_project(rich, actor=team["lead"])
    assert refiqda.import_codebook(actor=team["lead"], study=other, data=data).codes == 3
    assert not other.sources.exists()


# --- Variants of real exports --------------------------------------------------------------------


def rewrite(data: bytes, *, qde_name: str = "project.qde", edit=lambda qde: qde) -> bytes:
    """Rename the .qde inside an archive and edit its XML, as another program might write it."""
    files = members(data)
    qde = files.pop("project.qde").decode("utf-8")
    edited = edit(qde)
    assert edited != qde or qde_name != "project.qde", "the variant must differ"
    return qdpx({qde_name: edited, **files})


@pytest.mark.parametrize(
    "variant",
    ["codebook namespace", "no namespace", "other .qde name", "sources beside .qde"],
)
def test_variants_of_other_programs_import(rich, team, variant):
    """Codebook namespace variants, no namespace and other .qde names and places all import."""
    data = refiqda.export_project(rich, actor=team["lead"], pseudonymised=False)
    if variant == "codebook namespace":
        data = rewrite(
            data,
            edit=lambda q: q.replace("<CodeBook>", f'<CodeBook xmlns="{refiqda.CODEBOOK_NS}">'),
        )
    elif variant == "no namespace":
        data = rewrite(data, edit=lambda q: q.replace(f' xmlns="{refiqda.PROJECT_NS}"', ""))
    elif variant == "other .qde name":
        data = rewrite(data, qde_name="Export/Engagement study.QDE")
    else:
        files = members(data)
        data = qdpx({f"My Project/{name}": content for name, content in files.items()})
    copy = new_study(team)
    report = refiqda.import_project(actor=team["lead"], study=copy, data=data)
    assert (report.sources, report.codes, report.codings) == (2, 3, 5)
    assert code_tree_of(copy) == code_tree_of(rich)
    assert codings_of(copy) == codings_of(rich)


def minimal_project(text: str, selections: str, extra: str = "", codes: str = "") -> bytes:
    """Build a small .qdpx by hand: one code, one user, one source with the given selections."""
    qde = f"""<?xml version="1.0" encoding="UTF-8"?>
<Project xmlns="{refiqda.PROJECT_NS}" name="Hand made">
  <Users><User guid="11111111-1111-1111-1111-111111111111" name="stranger"/></Users>
  <CodeBook><Codes>
    <Code guid="22222222-2222-2222-2222-222222222222" name="Safety" isCodable="true" color="#abc"/>
    {codes}
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="33333333-3333-3333-3333-333333333333" name="Notes"
        plainTextPath="internal://33333333-3333-3333-3333-333333333333.txt">{selections}</TextSource>
  </Sources>
  {extra}
</Project>"""
    return qdpx({"project.qde": qde, "sources/33333333-3333-3333-3333-333333333333.txt": text})


def selection(start: int, end: int, code: str = "22222222-2222-2222-2222-222222222222") -> str:
    return (
        f'<PlainTextSelection guid="{_guid()}" startPosition="{start}" endPosition="{end}">'
        f'<Coding guid="{_guid()}" creatingUser="11111111-1111-1111-1111-111111111111">'
        f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>'
    )


def _guid() -> str:
    return str(uuid.uuid4())


def test_non_nfc_text_is_normalised_and_selections_follow(study, team):
    """A decomposed text is stored in NFC; a selection after the change covers the same words."""
    text = unicodedata.normalize("NFD", "Café société: the police came.\r\nEnd")
    start, end = span(text, "the police")
    data = minimal_project(text, selection(start, end) + selection(0, 4))
    report = refiqda.import_project(actor=team["lead"], study=study, data=data)
    source = study.sources.get(title="Notes")
    assert source.text == "Café société: the police came.\nEnd"
    assert unicodedata.is_normalized("NFC", source.text)
    assert source.length == len(source.text)
    covered = sorted(source.text[c.start : c.end] for c in source.codings.all())
    assert covered == ["Café", "the police"]
    assert any("NFC" in w for w in report.warnings)


def test_unknown_coders_selections_beyond_text_and_unknown_elements_are_reported(study, team):
    """Out-of-range selections are skipped, strangers' work is attributed, extras are counted."""
    text = "Short text."
    data = minimal_project(
        text,
        selection(0, 5)
        + selection(0, 5)
        + selection(6, 400)
        + selection(-1, 3)
        + selection(0, 5, _guid()),
        extra="<Sets><Set guid='44444444-4444-4444-4444-444444444444' name='S'/></Sets>",
        codes="<Code guid='55555555-5555-5555-5555-555555555555' name='Odd' isCodable='false'"
        " color='red'/>",
    )
    report = refiqda.import_project(actor=team["coder"], study=study, data=data)
    assert report.codings == 1
    coding = Coding.objects.get(source__study=study)
    assert coding.coder == team["coder"]
    assert Code.objects.get(study=study, name="Safety").colour == "#aabbcc"
    assert Code.objects.get(study=study, name="Odd").colour == refiqda.DEFAULT_COLOUR
    warnings = "\n".join(report.warnings)
    assert "2 codings were skipped: their selection lies outside the source's text." in warnings
    assert "1 coding was skipped: its code is not in the codebook." in warnings
    assert "1 coding repeated another one and was merged with it." in warnings
    assert "1 coding by stranger is attributed to you" in warnings
    assert "Sets (1)" in warnings
    assert "colour could not be read" in warnings


# --- Real samples --------------------------------------------------------------------------------


def test_nvivo_sample_imports_its_codebook_and_placeholder_sources(study, team):
    """NVivo's export: 262 codes in a tree, 2 sources whose texts are placeholders."""
    data = (SAMPLES / "nvivo15-mac-codebook-only.qdpx").read_bytes()
    report = refiqda.import_project(actor=team["lead"], study=study, data=data)
    assert (report.codes, report.sources, report.codings, report.cases) == (262, 2, 0, 0)
    assert Code.objects.filter(study=study).count() == 262
    programming = Code.objects.get(study=study, guid="36636563-3863-6264-3638-303637613863")
    assert programming.name == "programming"
    assert programming.parent.name == "competencies"
    assert programming.parent.parent.name == "rq1_definition"
    assert Code.objects.filter(study=study, parent=None).count() < 262
    assert all(s.text == "" and s.length == 0 for s in study.sources.all())
    assert any("2 sources have only a placeholder" in w for w in report.warnings)


def test_qc_sample_imports_every_coding_and_warns_about_paths(study, team):
    """The qc export: all 205 codings import, with a warning about the missing internal://."""
    data = (SAMPLES / "qc-1.3.2-demo-nonconforming.qdpx").read_bytes()
    started = time.monotonic()
    report = refiqda.import_project(actor=team["lead"], study=study, data=data)
    assert time.monotonic() - started < 10
    assert (report.codes, report.sources, report.codings) == (262, 2, 205)
    assert Coding.objects.filter(source__study=study).count() == 205
    warnings = "\n".join(report.warnings)
    assert "2 file paths lack the internal:// prefix" in warnings
    assert "205 codings by cp are attributed to you" in warnings
    board = study.sources.get(title="board_2017.txt")
    original = members(data)["sources/board_2017.txt"].decode("utf-8")
    assert board.text == original
    first = board.codings.get(start=320)
    assert first.end == 400
    assert str(first.code.guid) == "37613432-3130-6635-3839-613934656566"


# --- Unsafe and broken files ---------------------------------------------------------------------

XXE = f"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Project xmlns="{refiqda.PROJECT_NS}" name="x"><Description>&xxe;</Description>
<CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="&xxe;"
isCodable="true"/></Codes></CodeBook></Project>"""


def declaring(size: int) -> bytes:
    """Return a tiny zip whose central directory claims `size` bytes for its only member."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", "<Project/>")
        archive.filelist[0].file_size = size  # written into the central directory on close
    return buffer.getvalue()


def zip_slip() -> bytes:
    """A project with a member that climbs out of the folder it is unpacked into."""
    return qdpx({"project.qde": "<Project name='x'/>", "../../evil.txt": "x"})


def bomb() -> bytes:
    """A real compression bomb in miniature: 24 MB of zeros packed into a few kilobytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", "<Project name='x'/>")
        archive.writestr("sources/a.txt", b"\0" * (24 * 1024 * 1024))
    return buffer.getvalue()


def lying_small() -> bytes:
    """A member that declares fewer bytes than it unpacks to."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "project.qde", "<Project name='x'>" + "<Description/>" * 5000 + "</Project>"
        )
        archive.filelist[0].file_size = 100
    data = bytearray(buffer.getvalue())
    data[22:26] = (100).to_bytes(4, "little")  # the local header agrees with the lie
    return bytes(data)


UNSAFE = {
    "xxe": (lambda: qdpx({"project.qde": XXE}), "document type"),
    "zip slip": (zip_slip, "unsafe file path"),
    "declared 10 GB": (lambda: declaring(10 * 1024**3), "would unpack to more than"),
    "compression bomb": (bomb, "could harm the server"),
    "size lie": (lying_small, "damaged"),
    "not a zip": (lambda: b"%PDF-1.7 not a project", "zip archive"),
    "truncated": (None, "damaged or incomplete"),
    "no .qde": (lambda: qdpx({"sources/a.txt": "x"}), "no project file"),
    "not xml": (lambda: qdpx({"project.qde": "<Project"}), "not well formed"),
}


@pytest.mark.parametrize("kind", list(UNSAFE))
def test_unsafe_or_broken_files_are_refused_and_change_nothing(rich, team, kind):
    """Each unsafe or broken file is refused with a clear message; the database is unchanged."""
    make, message = UNSAFE[kind]
    if make is None:
        whole = refiqda.export_project(rich, actor=team["lead"])
        data = whole[: len(whole) // 2]
    else:
        data = make()
    before = row_counts()
    started = time.monotonic()
    with pytest.raises(ValidationError) as refused:
        refiqda.import_project(actor=team["lead"], study=rich, data=data)
    assert time.monotonic() - started < 2
    text = " ".join(refused.value.messages)
    assert message in text
    assert "root:" not in text
    assert row_counts() == before


def test_xxe_in_a_codebook_is_refused(study, team):
    """A .qdc with an external entity is refused before its entity could be read."""
    qdc = XXE.replace("<Project", "<CodeBook").replace("</Project>", "</CodeBook>")
    with pytest.raises(ValidationError, match="document type"):
        refiqda.import_codebook(actor=team["lead"], study=study, data=qdc.encode())
    assert not Code.objects.filter(study=study).exists()


def test_readers_cannot_import(rich, team):
    """Only leads and coders may import into a study."""
    data = refiqda.export_project(rich, actor=team["lead"])
    before = row_counts()
    with pytest.raises(PermissionDenied):
        refiqda.import_project(actor=team["reader"], study=rich, data=data)
    assert row_counts() == before


# --- Commands ------------------------------------------------------------------------------------


def test_commands_export_and_import(rich, tmp_path, capsys):
    """export_qdpx writes a pseudonymised file; import_qdpx creates the study and reports."""
    target = tmp_path / "study.qdpx"
    call_command("export_qdpx", str(rich.pk), str(target))
    assert REAL_NAME.encode() not in b"".join(members(target.read_bytes()).values())
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    out = io.StringIO()
    call_command(
        "import_qdpx", str(target), study="Imported copy", stdout=out, stderr=io.StringIO()
    )
    copy = Study.objects.get(title="Imported copy")
    assert copy.sources.count() == 2 and copy.participants.count() == 1
    assert "Imported 2 sources, 3 codes, 5 codings, 4 memos and 1 participants" in out.getvalue()
    out = io.StringIO()
    call_command("import_qdpx", str(target), study="Imported copy", codebook_only=True, stdout=out)
    assert "codes were already in the study" in out.getvalue()


def test_export_command_as_is_warns_about_real_names(rich, tmp_path):
    """--as-is keeps the real names and says how many the file holds, without naming them."""
    target = tmp_path / "raw.qdpx"
    err = io.StringIO()
    call_command(
        "export_qdpx", rich.title, str(target), as_is=True, stderr=err, stdout=io.StringIO()
    )
    assert REAL_NAME.encode() in b"".join(members(target.read_bytes()).values())
    warning = err.getvalue()
    assert "not pseudonymised" in warning and "occur 1 time in its texts (1 sources)" in warning
    assert REAL_NAME not in warning


def test_import_command_refuses_a_bad_file_in_one_line(db, tmp_path):
    """A bad file stops the command with a one-line error and leaves no new study behind."""
    bad = tmp_path / "bad.qdpx"
    bad.write_bytes(qdpx({"project.qde": XXE}))
    with pytest.raises(CommandError) as refused:
        call_command("import_qdpx", str(bad), study="Never created")
    assert "\n" not in str(refused.value)
    assert "document type" in str(refused.value)
    assert not Study.objects.filter(title="Never created").exists()
    with pytest.raises(CommandError, match="No study"):
        call_command("export_qdpx", "No such study", str(tmp_path / "x.qdpx"))


def test_codings_by_people_outside_the_team_are_attributed_to_the_importer(study, team, source):
    """A file naming an account that is not on the study cannot credit work to that account."""
    code = actions.code_create(actor=team["lead"], study=study, name="Stigma")
    actions.coding_create(actor=team["coder"], source=source, codes=[code], start=0, end=5)
    data = refiqda.export_project(study, actor=team["lead"])
    target = actions.study_create(actor=team["lead"], title="Elsewhere", languages=["en"])
    report = refiqda.import_project(actor=team["lead"], study=target, data=data)
    assert {c.coder for c in Coding.objects.filter(source__study=target)} == {team["lead"]}
    assert any("coder" in warning for warning in report.warnings)


def test_a_coders_import_leaves_participants_to_the_lead(study, team, source):
    """Cases in a file become participants only when a lead imports it; a coder's is reported."""
    person = actions.participant_create(actor=team["lead"], study=study, pseudonym="P5")
    actions.source_update(actor=team["lead"], source=source, participants=[person])
    data = refiqda.export_project(study, actor=team["lead"])
    target = new_study(team, "Coder's copy")
    report = refiqda.import_project(actor=team["coder"], study=target, data=data)
    assert target.participants.count() == 0 and report.sources >= 1
    assert any("only a study lead adds participants" in warning for warning in report.warnings)
