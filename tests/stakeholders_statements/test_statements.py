"""The statement check: groups named and left out, flagged language, files, limits, lexicons."""

from __future__ import annotations

import io
import json

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from chorus.core.models import AuditEvent, Role
from chorus.stakeholders import statement_views, statements
from chorus.stakeholders.actions import lexicon_update
from chorus.stakeholders.models import Lexicon

pytestmark = pytest.mark.django_db

ALL_ROLES = [
    Role.SECRETARIAT,
    Role.REGIONAL_COORDINATOR,
    Role.MEMBER_EDITOR,
    Role.RESEARCHER,
    Role.VIEWER,
]

# The seed's 2020 case: a global feminist statement on COVID-19 that named many groups of women
# but left out sex workers and women who use drugs.
COVID_STATEMENT = """A Global Feminist Statement on COVID-19

The pandemic has deepened every inequality women and girls face. We stand with women health
workers, domestic workers and women in informal work who have lost their incomes. Women with
disabilities, older women, migrant women and refugees, Indigenous women, rural women and Black
women and women of colour carry the heaviest burden. Lesbian, bisexual and trans women face
violence at home and exclusion from relief. Women living with HIV must not be cut off from
treatment, and women in prison must be released where possible.

We call on governments to put the rights of all women at the centre of the response.
"""

ENGLISH_FLAGGED = (
    "We are committed to ending sex trafficking and prostitution. We urge states to adopt the "
    "Nordic model and to end demand by criminalising clients, the buyers of sex who fuel "
    "the demand that fosters trafficking. Prostituted women need exit programmes."
)

CLEAN_STATEMENT = """Sex workers' rights are women's rights

We stand with sex workers, women who use drugs, trans women, migrant women, women living with
HIV, lesbian and bisexual women, women with disabilities, Indigenous women, young women, older
women, rural women, Black women and women of colour, and women in detention. We call for the full
decriminalisation of sex work and recognise that sex work is work. We distinguish sex work from
trafficking, and we oppose all criminalisation and legal oppression of sex workers, their clients
and third parties. Sex worker-led organisations must lead the policies that affect them.
"""

CHINESE_FLAGGED = (
    "我们致力于打击性交易与人口贩运，支持北欧模式，终结需求，打击嫖客。"
    "卖淫妇女需要退出方案。被卖淫妇女是受害者。"
)

CHINESE_COVID = (
    "新冠肺炎疫情加深了妇女和女童面临的不平等。残障妇女、移民妇女、原住民妇女、老年妇女、"
    "跨性别妇女、女同性恋和双性恋妇女以及感染艾滋病毒的妇女首当其冲。我们呼吁各国政府把所有妇女"
    "的权利放在应对措施的中心，保障她们的健康、收入和安全，倾听基层妇女组织的声音。"
)

FRENCH = (
    "Nous appelons les États à protéger les droits des travailleuses du sexe et des femmes "
    "migrantes. Les femmes autochtones et les femmes handicapées doivent être consultées."
)
SPANISH = (
    "Exigimos que los gobiernos protejan los derechos de las trabajadoras sexuales y de las "
    "mujeres indígenas. Las mujeres con discapacidad deben ser consultadas por el Estado."
)
RUSSIAN = (
    "Мы призываем государства защищать права секс-работниц и женщин, живущих с ВИЧ. "
    "Голос секс-работников и мигрантов должен быть услышан."
)


def flags_by_key(report: statements.Report) -> dict[str, list[statements.Flag]]:
    found: dict[str, list[statements.Flag]] = {}
    for flag in report.flags:
        found.setdefault(flag.key, []).append(flag)
    return found


def keys(groups) -> set[str]:
    return {group.key for group in groups}


# --- The check itself ------------------------------------------------------------------------


def test_covid_statement_leaves_out_sex_workers_and_women_who_use_drugs():
    """The seed's 2020 case: the statement names many groups, but not these two."""
    report = statements.check_statement(COVID_STATEMENT)
    assert report.language == "en" and report.language_detected
    left_out = keys(report.groups_left_out)
    assert {"sex_workers", "women_who_use_drugs"} <= left_out
    named = keys(report.groups_named)
    assert {
        "women_with_disabilities",
        "older_women",
        "migrant_women",
        "indigenous_women",
        "trans_women",
        "lesbian_bisexual_women",
        "women_living_with_hiv",
        "incarcerated_women",
    } <= named
    assert report.flags == []


def test_inclusion_addendum_adding_sex_workers_only_still_leaves_out_women_who_use_drugs():
    addendum = COVID_STATEMENT + "\nAddendum: we also stand with sex workers.\n"
    report = statements.check_statement(addendum)
    assert "sex_workers" in keys(report.groups_named)
    assert "women_who_use_drugs" in keys(report.groups_left_out)


def test_each_match_cites_its_term_and_points_into_the_text():
    report = statements.check_statement(COVID_STATEMENT)
    for group in report.groups_named:
        for match in group.matches:
            assert COVID_STATEMENT[match.start : match.end] == match.phrase
            assert match.term in lexicon_terms("en", "groups", group.key)


def lexicon_terms(language: str, section: str, key: str) -> list[str]:
    lexicon = statements.lexicon_for(language)
    return next(entry["terms"] for entry in lexicon[section] if entry["key"] == key)


def test_english_conflation_and_end_demand_are_flagged_at_their_offsets():
    report = statements.check_statement(ENGLISH_FLAGGED)
    found = flags_by_key(report)
    expected = {
        "conflation_trafficking": "sex trafficking and prostitution",
        "nordic_model": "Nordic model",
        "end_demand": "end demand",
        "client_criminalisation": "criminalising clients",
        "buyers_of_sex": "buyers of sex",
        "prostituted_women": "Prostituted women",
        "exit_programmes": "exit programmes",
    }
    for key, phrase in expected.items():
        assert key in found, key
        flag = found[key][0]
        assert flag.phrase == phrase
        assert ENGLISH_FLAGGED[flag.start : flag.end] == phrase
        assert flag.start == ENGLISH_FLAGGED.index(phrase)
        assert flag.suggestion
        assert flag.term in lexicon_terms("en", "flags", key)
    # "the demand that fosters trafficking" is cited by its longest, most specific term.
    demand = next(flag for flag in found["end_demand"] if "fosters" in flag.phrase)
    assert demand.term == "demand that fosters trafficking"
    # The conflation is one flag, not also "prostitution" on its own.
    assert "prostitution" not in found
    assert found["conflation_trafficking"][0].category == "conflation"
    assert found["nordic_model"][0].category == "end_demand"
    assert found["prostituted_women"][0].category == "harmful_term"
    assert "sex workers" in found["prostituted_women"][0].suggestion


def test_chinese_flags_use_substring_matching_with_correct_offsets():
    report = statements.check_statement(CHINESE_FLAGGED)
    assert report.language == "zh-hans"
    found = flags_by_key(report)
    for key, phrase in {
        "conflation_trafficking": "性交易与人口贩运",
        "nordic_model": "北欧模式",
        "end_demand": "终结需求",
        "client_criminalisation": "打击嫖客",
        "exit_programmes": "退出方案",
    }.items():
        flag = found[key][0]
        assert flag.phrase == phrase
        assert CHINESE_FLAGGED[flag.start : flag.end] == phrase
        assert flag.start == CHINESE_FLAGGED.index(phrase)
    phrases = [flag.phrase for flag in found["prostituted_women"]]
    assert phrases == ["卖淫妇女", "被卖淫妇女"]  # the longer term wins where both start
    for flag in report.flags:
        assert CHINESE_FLAGGED[flag.start : flag.end] == flag.phrase


def test_chinese_covid_statement_leaves_out_sex_workers_and_women_who_use_drugs():
    report = statements.check_statement(CHINESE_COVID)
    assert report.language == "zh-hans"
    assert {"sex_workers", "women_who_use_drugs"} <= keys(report.groups_left_out)
    assert {"women_with_disabilities", "migrant_women", "women_living_with_hiv"} <= keys(
        report.groups_named
    )


def test_a_clean_rights_affirming_statement_has_no_flags_and_names_sex_workers():
    report = statements.check_statement(CLEAN_STATEMENT)
    assert report.flags == [], [(flag.key, flag.phrase) for flag in report.flags]
    assert "sex_workers" in keys(report.groups_named)
    assert report.groups_left_out == []


@pytest.mark.parametrize(
    ("text", "language", "group", "phrase"),
    [
        (FRENCH, "fr", "sex_workers", "travailleuses du sexe"),
        (FRENCH, "fr", "indigenous_women", "autochtones"),
        (SPANISH, "es", "sex_workers", "trabajadoras sexuales"),
        (SPANISH, "es", "women_with_disabilities", "con discapacidad"),
        (RUSSIAN, "ru", "sex_workers", "секс-работниц"),
        (RUSSIAN, "ru", "women_living_with_hiv", "живущих с ВИЧ"),
    ],
)
def test_french_spanish_and_russian_are_detected_and_matched(text, language, group, phrase):
    report = statements.check_statement(text)
    assert report.language == language
    named = {result.key: result for result in report.groups_named}
    assert phrase in [match.phrase for match in named[group].matches]


def test_russian_inflections_and_the_stem_term_match():
    text = "Секс-работница, секс-работницы, о секс-работниках, секс работников и СЕКС-РАБОТНИЦ."
    report = statements.check_statement(text)
    sex_workers = next(group for group in report.groups_named if group.key == "sex_workers")
    assert [match.phrase for match in sex_workers.matches] == [
        "Секс-работница",
        "секс-работницы",
        "секс-работниках",
        "секс работников",
        "СЕКС-РАБОТНИЦ",
    ]
    assert sex_workers.matches[2].term == "секс-работ*"


def test_matching_ignores_case_and_accents_and_keeps_original_offsets():
    text = "Die Straße: SEX WORKERS and Sex-Workers; INDIGENOUS women."
    report = statements.check_statement(text, language="en")
    sex_workers = next(group for group in report.groups_named if group.key == "sex_workers")
    assert [match.phrase for match in sex_workers.matches] == ["SEX WORKERS", "Sex-Workers"]
    for match in sex_workers.matches:  # "ß" folds to "ss", yet offsets are into the original
        assert text[match.start : match.end] == match.phrase
    french = "LES FEMMES HANDICAPEES et les femmes autochtones; les femmes âgées. " * 2
    report = statements.check_statement(french, language="fr")
    assert {"women_with_disabilities", "indigenous_women", "older_women"} <= keys(
        report.groups_named
    )
    # An accent typed as a separate combining character belongs to its letter.
    decomposed = "Les prostitue\u0301es, dit-on."
    flag = statements.check_statement(decomposed, language="fr").flags[0]
    assert flag.phrase == "prostitue\u0301es"
    assert decomposed[flag.start : flag.end] == flag.phrase
    # "ё" and "е" are the same letter for the check.
    assert "incarcerated_women" in keys(
        statements.check_statement("Права заключённых женщин.").groups_named
    )


def test_words_are_matched_whole():
    report = statements.check_statement("Transmigrants aside, the bisexuality of sexworkers.")
    assert "lesbian_bisexual_women" in keys(report.groups_named)  # "bisexual*" is a stem
    assert "migrant_women" in keys(report.groups_left_out)  # "migrant*" is not inside a word


def test_a_statement_mixing_languages_is_checked_in_its_main_language():
    text = COVID_STATEMENT + "\n« Les travailleuses du sexe aussi. »\n"
    report = statements.check_statement(text)
    assert report.language == "en"
    assert "sex_workers" in keys(report.groups_left_out)


def test_a_given_language_overrides_detection():
    report = statements.check_statement(FRENCH, language="zh_Hans")
    assert report.language == "zh-hans" and not report.language_detected
    with pytest.raises(ValidationError):
        statements.check_statement(FRENCH, language="de")


def test_highlight_escapes_the_statement_and_marks_flags():
    text = '<script>alert("x")</script> & <b>prostitutes</b>\nnext line'
    report = statements.check_statement(text, language="en")
    html = statements.highlight(text, report.flags)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in html
    assert '<mark id="flag-1" class="flag harmful_term">prostitutes</mark>' in html
    assert "<br>" in html


def test_the_shipped_lexicons_are_valid_and_share_their_group_keys():
    group_keys = {}
    for language in statements.LANGUAGES:
        lexicon = statements.default_lexicon(language)
        statements.validate_lexicon(lexicon, language=language)
        group_keys[language] = [group["key"] for group in lexicon["groups"]]
        categories = {flag["category"] for flag in lexicon["flags"]}
        assert categories == set(statements.CATEGORIES), language
    assert all(value == group_keys["en"] for value in group_keys.values()), group_keys
    assert {"sex_workers", "women_who_use_drugs", "trans_women", "migrant_women"} <= set(
        group_keys["en"]
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"language": "en", "groups": [], "flags": "x"}, "“flags” must be a list"),
        ({"language": "fr", "groups": [], "flags": []}, "must be “en”"),
        (
            {
                "language": "en",
                "groups": [{"key": "A b", "label": "x", "terms": ["y"]}],
                "flags": [],
            },
            "groups[0].key",
        ),
        (
            {"language": "en", "groups": [{"key": "a", "label": "x", "terms": []}], "flags": []},
            "groups[0].terms must be a non-empty list",
        ),
        (
            {
                "language": "en",
                "groups": [{"key": "a", "label": "x", "terms": ["*x"]}],
                "flags": [],
            },
            "may only end a word",
        ),
        (
            {
                "language": "en",
                "groups": [],
                "flags": [{"key": "a", "category": "rude", "terms": ["x"], "suggestion": "y"}],
            },
            "flags[0].category",
        ),
        (
            {"language": "en", "groups": [], "flags": [{"key": "a", "terms": ["x"]}]},
            "flags[0]: missing category, suggestion",
        ),
    ],
)
def test_a_bad_lexicon_is_refused_with_a_clear_message(data, message):
    with pytest.raises(ValidationError) as error:
        statements.validate_lexicon(data, language="en")
    assert any(message in text for text in error.value.messages), error.value.messages


# --- Files -----------------------------------------------------------------------------------


def docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=1)
    table.rows[0].cells[0].text = "Signed: sex worker-led organisations"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_text_files_in_unexpected_encodings_are_decoded():
    assert statements.read_statement_file("s.txt", RUSSIAN.encode("utf-16")) == RUSSIAN
    assert statements.read_statement_file("s.md", CHINESE_COVID.encode("gbk")) == CHINESE_COVID
    assert statements.read_statement_file("s.txt", FRENCH.encode("cp1252")) == FRENCH


def test_docx_paragraphs_and_tables_are_read_and_a_broken_one_is_explained():
    text = statements.read_statement_file("s.docx", docx_bytes(["One.", "Two sex workers."]))
    assert text.splitlines() == ["One.", "Two sex workers.", "Signed: sex worker-led organisations"]
    with pytest.raises(statements.StatementFileError, match="damaged"):
        statements.read_statement_file("s.docx", b"PK\x03\x04 not really a zip")
    with pytest.raises(statements.StatementFileError, match=r"\.txt, \.md or \.docx"):
        statements.read_statement_file("s.pdf", b"%PDF-1.7")


# --- The page --------------------------------------------------------------------------------


@pytest.fixture
def viewer_client(client_for, users):
    return client_for(users[Role.VIEWER])


def post_statement(client, **data):
    return client.post(reverse("stakeholders:statement_check"), data)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_signed_in_role_may_check_statements(client_for, users, role):
    client = client_for(users[role])
    assert client.get(reverse("stakeholders:statement_check")).status_code == 200
    response = post_statement(client, text=ENGLISH_FLAGGED)
    assert response.status_code == 200
    assert "<mark" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("stakeholders:statement_check"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_page_shows_the_report_with_marks(viewer_client):
    response = post_statement(viewer_client, text=COVID_STATEMENT + "\n" + ENGLISH_FLAGGED)
    content = response.content.decode()
    report = response.context["report"]
    assert report.language == "en"
    assert "Women who use drugs" in content
    assert "Groups left out" in content
    assert "detected automatically" in content
    flag = flags_by_key(report)["nordic_model"][0]
    number = report.flags.index(flag) + 1
    assert f'<mark id="flag-{number}" class="flag end_demand">Nordic model</mark>' in content
    assert f'<a href="#flag-{number}">{flag.start}</a>' in content
    assert "decriminalisation" in content  # a suggestion
    assert "style=" not in content and "<script" not in content.replace("<script src", "")


def test_html_in_a_statement_is_shown_as_text(viewer_client):
    text = '<script>alert("owned")</script><img src=x onerror=alert(1)> prostitutes'
    content = post_statement(viewer_client, text=text).content.decode()
    assert "<script>alert" not in content and "<img src=x" not in content
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in content


@pytest.mark.parametrize(
    ("name", "data", "language", "named"),
    [
        ("statement.txt", RUSSIAN.encode("utf-16"), "ru", "sex_workers"),
        ("statement.txt", CHINESE_COVID.encode("gbk"), "zh-hans", "migrant_women"),
        ("statement.docx", docx_bytes([CLEAN_STATEMENT]), "en", "women_who_use_drugs"),
    ],
)
def test_uploaded_files_are_decoded_and_checked(viewer_client, name, data, language, named):
    upload = SimpleUploadedFile(name, data)
    response = post_statement(viewer_client, file=upload, language="")
    assert response.status_code == 200, response.context["form"].errors
    report = response.context["report"]
    assert report.language == language
    assert named in keys(report.groups_named)
    assert name in response.content.decode()


def test_a_broken_docx_upload_is_explained(viewer_client):
    response = post_statement(viewer_client, file=SimpleUploadedFile("s.docx", b"PK\x03\x04junk"))
    assert response.status_code == 400
    assert "damaged" in response.content.decode()
    assert "report" not in response.context


def test_a_chosen_language_is_used(viewer_client):
    response = post_statement(viewer_client, text=FRENCH, language="es")
    assert response.context["report"].language == "es"
    assert not response.context["report"].language_detected


def test_text_and_file_together_or_neither_are_refused(viewer_client):
    both = post_statement(viewer_client, text="x", file=SimpleUploadedFile("s.txt", b"sex workers"))
    assert both.status_code == 400 and "not both" in both.content.decode()
    neither = post_statement(viewer_client, text="  ")
    assert neither.status_code == 400 and "Paste the statement" in neither.content.decode()


@pytest.fixture
def no_check(monkeypatch):
    """Fail the test if a refused request still reaches the check."""

    def refuse(*args, **kwargs):
        raise AssertionError("the check ran for a refused request")

    monkeypatch.setattr(statements, "check_statement", refuse)
    monkeypatch.setattr(statements, "read_statement_file", refuse)


def test_a_20_mb_upload_is_refused_before_it_is_read(viewer_client, no_check, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the oversized request was parsed")

    monkeypatch.setattr(statement_views, "_check", never)
    events = AuditEvent.objects.count()
    upload = SimpleUploadedFile("big.txt", b"sex workers " * (20 * 1024 * 1024 // 12))
    response = post_statement(viewer_client, file=upload)
    assert response.status_code == 413
    content = response.content.decode()
    assert "too large" in content and "2 MB" in content
    assert "report" not in response.context
    assert AuditEvent.objects.count() == events


def test_a_file_just_over_2_mb_is_refused_after_the_size_check(viewer_client, no_check):
    upload = SimpleUploadedFile("big.txt", b"a" * (statements.MAX_FILE_BYTES + 1))
    response = post_statement(viewer_client, file=upload)
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


def test_a_250_000_character_text_is_refused(viewer_client, no_check):
    response = post_statement(viewer_client, text="sex workers " * 20_834)
    assert response.status_code == 400
    content = response.content.decode()
    assert "250,008 characters long; the limit is 200,000" in content
    assert "report" not in response.context


def test_a_five_page_statement_makes_a_light_page(viewer_client):
    paragraph = COVID_STATEMENT.replace("\n", " ") + ENGLISH_FLAGGED + "\n\n"
    text = paragraph * (3_000 // len(paragraph.split()) + 1)
    assert len(text.split()) >= 3_000
    response = post_statement(viewer_client, text=text)
    assert response.status_code == 200
    assert len(response.content) < 100_000, len(response.content)


# --- The command line ------------------------------------------------------------------------


def test_the_command_prints_the_report_as_json(tmp_path, capsys):
    path = tmp_path / "statement.txt"
    path.write_text(CHINESE_FLAGGED, encoding="gbk")
    call_command("check_statement", str(path))
    output = json.loads(capsys.readouterr().out)
    expected = statements.check_statement(CHINESE_FLAGGED).as_dict()
    assert output["file"] == str(path)
    assert {key: output[key] for key in expected} == expected
    assert "性交易与人口贩运" in [flag["phrase"] for flag in output["flags"]]
    capsys.readouterr()
    call_command("check_statement", str(path), "--language", "en")
    assert json.loads(capsys.readouterr().out)["language"] == "en"


def test_the_command_fails_clearly(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*missing\.txt"):
        call_command("check_statement", str(tmp_path / "missing.txt"))
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (statements.MAX_FILE_BYTES + 1))
    with pytest.raises(CommandError, match="larger than 2 MB"):
        call_command("check_statement", str(big))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(CommandError, match="could not be decoded"):
        call_command("check_statement", str(binary))
    with pytest.raises(CommandError, match="Unknown language"):
        call_command("check_statement", str(big), "--language", "de")


# --- Editing a lexicon -----------------------------------------------------------------------


@pytest.fixture
def secretariat_client(client_for, users):
    return client_for(users[Role.SECRETARIAT])


def with_new_group(language: str = "en") -> dict:
    lexicon = statements.default_lexicon(language)
    lexicon["groups"].append(
        {"key": "women_human_rights_defenders", "label": "Defenders", "terms": ["defender*"]}
    )
    return lexicon


def test_the_secretariat_changes_a_lexicon_and_the_next_check_uses_it(secretariat_client, users):
    url = reverse("stakeholders:lexicon_edit", args=["en"])
    page = secretariat_client.get(url)
    assert page.status_code == 200
    assert "&quot;sex_workers&quot;" in page.content.decode()
    before = statements.check_statement(COVID_STATEMENT)
    assert "women_human_rights_defenders" not in keys(before.groups_left_out)

    response = secretariat_client.post(
        url, {"data": json.dumps(with_new_group(), ensure_ascii=False)}
    )
    assert response.status_code == 302
    lexicon = Lexicon.objects.get(language="en")
    assert lexicon.updated_by == users[Role.SECRETARIAT]
    event = AuditEvent.objects.get(action="lexicon.update")
    assert event.actor == users[Role.SECRETARIAT]
    assert event.object_type == "stakeholders.lexicon" and event.object_id == str(lexicon.pk)
    assert event.changed_fields == ["data"]

    after = statements.check_statement(COVID_STATEMENT)
    assert after.lexicon_source == "database"
    assert "women_human_rights_defenders" in keys(after.groups_left_out)
    named = statements.check_statement("Women human rights defenders are at risk.")
    assert "women_human_rights_defenders" in keys(named.groups_named)
    page = secretariat_client.get(url).content.decode()
    assert "The lexicon is saved" in page and "Edited version" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ('{"language": "en", "groups": [', "This is not valid JSON"),
        ('{"language": "en", "groups": [{"key": "x"}], "flags": []}', "groups[0]: missing"),
        ('{"language": "fr", "groups": [], "flags": []}', "must be “en”"),
    ],
)
def test_a_bad_lexicon_is_refused_and_nothing_changes(secretariat_client, data, message):
    url = reverse("stakeholders:lexicon_edit", args=["en"])
    response = secretariat_client.post(url, {"data": data})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"')
    assert not Lexicon.objects.exists()
    assert not AuditEvent.objects.filter(action="lexicon.update").exists()
    assert statements.check_statement(COVID_STATEMENT).lexicon_source == "file"


@pytest.mark.parametrize("role", ALL_ROLES[1:])
def test_only_the_secretariat_edits_lexicons(client_for, users, role):
    client = client_for(users[role])
    url = reverse("stakeholders:lexicon_edit", args=["fr"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"data": json.dumps(with_new_group("fr"))}).status_code == 403
    assert not Lexicon.objects.exists()
    with pytest.raises(PermissionDenied):
        lexicon_update(actor=users[role], language="fr", data=with_new_group("fr"))
    assert not AuditEvent.objects.filter(action="lexicon.update").exists()


def test_an_unknown_lexicon_language_is_not_found(secretariat_client):
    url = reverse("stakeholders:lexicon_edit", args=["de"])
    assert secretariat_client.get(url).status_code == 404


def test_the_system_may_update_a_lexicon_and_an_edit_replaces_the_row():
    lexicon_update(actor=None, language="zh-hans", data=with_new_group("zh-hans"))
    data = with_new_group("zh-hans")
    data["flags"] = data["flags"][:1]
    lexicon = lexicon_update(actor=None, language="zh-hans", data=data)
    assert Lexicon.objects.count() == 1
    assert len(lexicon.data["flags"]) == 1
    assert AuditEvent.objects.filter(action="lexicon.update", actor=None).count() == 2
    assert statements.check_statement(CHINESE_FLAGGED).flags[0].key == data["flags"][0]["key"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        (
            "Il faut lutter contre la traite et la prostitution, adopter le modèle nordique, "
            "pénaliser les clients et proposer un parcours de sortie aux personnes prostituées.",
            "fr",
            ["la traite et la prostitution", "modèle nordique", "pénaliser les clients"],
        ),
        (
            "Debemos combatir la trata y la prostitución, adoptar el modelo nórdico y acabar con "
            "la demanda de las mujeres prostituidas.",
            "es",
            ["la trata y la prostitución", "modelo nórdico", "acabar con la demanda"],
        ),
        (
            "Нужно ввести шведскую модель, криминализацию клиентов и искоренение спроса. "
            "Проституция и торговля людьми связаны.",
            "ru",
            ["шведскую модель", "криминализацию клиентов", "Проституция и торговля людьми"],
        ),
    ],
)
def test_french_spanish_and_russian_flags(text, language, expected):
    report = statements.check_statement(text)
    assert report.language == language
    phrases = [flag.phrase for flag in report.flags]
    assert set(expected) <= set(phrases), phrases
    for flag in report.flags:
        assert text[flag.start : flag.end] == flag.phrase


@pytest.mark.django_db
def test_the_demo_example_reports_the_seeds_2020_omissions(viewer_client):
    """The example statement loads into the form and, checked, shows both groups left out."""
    page = viewer_client.get(reverse("stakeholders:statement_check"), {"example": "covid-2020"})
    assert "Feminist response to COVID-19" in page.content.decode()
    from chorus.stakeholders.statement_views import EXAMPLES

    report = statements.check_statement(EXAMPLES["covid-2020"].read_text(encoding="utf-8"))
    assert {"sex_workers", "women_who_use_drugs"} <= keys(report.groups_left_out)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "They argue that prostitution is trafficking and must end.",
            "prostitution is trafficking",
        ),
        ("有人声称卖淫就是贩运。", "卖淫就是贩运"),
    ],
)
def test_a_statement_equating_prostitution_with_trafficking_is_a_conflation(text, phrase):
    found = flags_by_key(statements.check_statement(text))
    assert found["conflation_trafficking"][0].phrase == phrase
