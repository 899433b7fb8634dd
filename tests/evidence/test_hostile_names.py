"""Long or unusual KnowBe4 names never block anyone's evidence.

Names, titles and module names are typed by thousands of people: any length, any script, markup and
control characters. A certificate shortens what a page cannot hold (evidence.json keeps every character),
draws Latin, Greek and Cyrillic with the bundled DejaVu Sans, and one person's certificate that cannot be
written is reported while everyone else's is written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from trainproof.evidence import (
    CertificateData,
    PersonRecord,
    TrainingRef,
    build_pack,
    certificates,
    find_unicode_font,
    render_certificate,
    verify_pack,
    write_certificates,
)
from trainproof.evidence._text import BUNDLED_FONT
from trainproof.evidence.certificates import CELL_CHARS, NAME_CHARS, CertificateProblem, CertificatesNotWritten

from .builders import ISSUED, TRAINING, compliant

LONG = 3000


def person(
    user_id: int = 7,
    *,
    name: str = "Ada Lovelace",
    campaign: str | None = None,
    module: str | None = None,
    key: str = TRAINING.key,
) -> PersonRecord:
    record = compliant(user_id, name=name, email=f"user{user_id}@example.com")
    a, b = record.campaigns
    if campaign is not None:
        a = dataclasses.replace(a, name=campaign)
    if module is not None:
        a = dataclasses.replace(a, enrollments=(dataclasses.replace(a.enrollments[0], module_name=module),))
    return dataclasses.replace(record, training=key, campaigns=(a, b))


def cert(record: PersonRecord | None = None, title: str = TRAINING.title) -> CertificateData:
    record = record or person()
    return CertificateData.from_record(record, TrainingRef(record.training, title))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    """The text of every page, wrapped lines joined again."""
    return " ".join(" ".join(page.extract_text() for page in reader(pdf).pages).split())


def evidence_of(pdf: bytes) -> dict[str, object]:
    (body,) = reader(pdf).attachments["evidence.json"]
    return json.loads(body)


# --- long text ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [LONG, 100_000])
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: cert(person(module=s)), id="module"),
        pytest.param(lambda s: cert(person(campaign=s)), id="campaign"),
        pytest.param(lambda s: cert(title=s), id="training-title"),
        pytest.param(lambda s: cert(person(name=s)), id="name"),
    ],
)
def test_a_title_of_thousands_of_characters_is_shortened_on_the_page_and_whole_in_the_evidence(
    make: Callable[[str], CertificateData], length: int
) -> None:
    value = ("Annual Security Awareness " * (length // 26 + 1))[:length]
    data = make(value)

    pdf = render_certificate(data, issued_at=ISSUED)

    text = text_of(pdf)
    assert value not in text  # shortened ...
    assert "Annual Security Awareness Annual" in text  # ... but there
    assert "shortened" in text  # and the certificate says where the exact text is
    assert value in json.dumps(evidence_of(pdf), ensure_ascii=False)
    assert hashlib.sha256(reader(pdf).attachments["evidence.json"][0]).hexdigest() == data.sha256


def test_a_long_cell_ends_in_an_ellipsis_within_its_limit() -> None:
    pdf = render_certificate(cert(person(module="Ω" * 5000)), issued_at=ISSUED)
    text = text_of(pdf).replace(" ", "")
    assert "Ω" * (CELL_CHARS - 1) + "…" in text
    assert "Ω" * CELL_CHARS not in text


def test_a_long_name_in_the_core_font_ends_in_three_dots() -> None:
    pdf = render_certificate(cert(person(name="W" * 5000)), issued_at=ISSUED, unicode_font=False)
    text = text_of(pdf).replace(" ", "")
    assert "W" * (NAME_CHARS - 3) + "..." in text
    assert "W" * NAME_CHARS not in text


def test_short_clean_names_get_no_note() -> None:
    assert "shortened" not in text_of(render_certificate(cert(person(name="Ada  Lovelace")), issued_at=ISSUED))


# --- unusual characters -------------------------------------------------------------------------------


def test_the_font_ships_with_trainproof_and_its_licence() -> None:
    assert find_unicode_font() == BUNDLED_FONT
    assert BUNDLED_FONT.is_file()
    assert BUNDLED_FONT.with_name("DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream Vera" in BUNDLED_FONT.with_name("LICENSE").read_text(encoding="utf-8")


def test_latin_greek_and_cyrillic_are_drawn_and_the_rest_is_a_question_mark() -> None:
    name = "Zoë Łukasz Οδυσσέας Владимир Ярослава"
    data = cert(person(name=f"{name} 李", module="Фишинг: основы", campaign="Ασφάλεια 2026"), title="Безопасность")
    pdf = render_certificate(data, issued_at=ISSUED)

    text = text_of(pdf)
    assert f"{name} ?" in text
    assert "Фишинг: основы" in text
    assert "Ασφάλεια 2026" in text
    assert "Безопасность" in text
    assert "could not be drawn" in text
    assert b"/FontFile2" in pdf
    assert evidence_of(pdf)["person"] == {"user_id": 7, "email": "user7@example.com", "name": f"{name} 李"}


def test_control_characters_and_escapes_are_dropped_and_markup_is_plain_text() -> None:
    name = "Ada\x1b]0;owned\x07 \x1b[2J\u202eLovelace\x00 [/red] **bold** <b>x</b> {nb}"
    pdf = render_certificate(cert(person(name=name)), issued_at=ISSUED)

    text = text_of(pdf)
    assert "Ada]0;owned [2JLovelace [/red] **bold** <b>x</b> {nb}" in text
    assert not any(ch in text for ch in "\x1b\x07\x00\u202e")
    assert evidence_of(pdf)["person"]["name"] == name  # type: ignore[index]
    meta = reader(pdf).metadata
    assert meta is not None
    assert "\x1b" not in str(meta["/Title"])
    assert "Ada]0;owned" in str(meta["/Title"])


MARKUP = [
    "[/red]",
    "[bold]",
    "[link=https://evil.example]x[/link]",
    "<script>alert(1)</script>",
    "**x**",
    "{nb}",
    "\\",
    "(",
    ")",
    "%PDF-1.7",
    '=HYPERLINK("http://x")',
    "\x1b]0;title\x07",
    "\x1b[31m",
    "\u202e",
    "\ufeff",
    "\u200d",
    "\r\n",
    "\t",
    "\u0301" * 20,
    "﷽",
    "\u1676",
    "😴👩‍👩‍👧",
]
pieces = st.one_of(
    st.text(max_size=30),  # any Unicode scalar value except surrogates (which the store cannot hold)
    st.sampled_from(MARKUP),
    st.characters(categories=["Cc", "Cf", "Co", "Cn", "Zl", "Zp", "Mn", "Lo"]),
)
short_text = st.lists(pieces, max_size=12).map("".join)


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    base = draw(short_text)
    length = draw(st.sampled_from([0, 1, 300, 5_000, 100_000]))
    if not base or length <= len(base):
        return base
    return (base * (length // len(base) + 1))[:length]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    name=hostile_text(),
    email=short_text,
    title=hostile_text(),
    campaign=hostile_text(),
    module=hostile_text(),
    key=short_text,
    core_font=st.booleans(),
)
def test_any_names_give_a_valid_pdf_with_the_exact_evidence(
    name: str, email: str, title: str, campaign: str, module: str, key: str, core_font: bool
) -> None:
    record = dataclasses.replace(person(name=name, campaign=campaign, module=module, key=key), email=email)
    data = cert(record, title=title)

    pdf = render_certificate(data, issued_at=ISSUED, unicode_font=not core_font)

    doc = reader(pdf)
    assert 1 <= len(doc.pages) <= 6
    assert data.sha256 in doc.pages[0].extract_text()
    assert hashlib.sha256(doc.attachments["evidence.json"][0]).hexdigest() == data.sha256
    body = evidence_of(pdf)
    assert body["person"] == {"user_id": 7, "email": email, "name": name}
    assert body["training"] == {"key": key, "title": title}


# --- one person's problem -----------------------------------------------------------------------------

# A lone surrogate cannot be encoded as UTF-8, so this person's evidence has no hash: a real certificate
# that cannot be written (Python strings can hold it, e.g. from a JSON "\ud800" escape).
UNWRITABLE = "Bad \ud800 Name"


def test_one_unwritable_certificate_does_not_stop_the_others(tmp_path: Path) -> None:
    good = [cert(person(3)), cert(person(9, name="Ω" * LONG))]
    bad = cert(person(7, name=UNWRITABLE))
    seen: list[CertificateProblem] = []

    paths = write_certificates([good[0], bad, good[1]], tmp_path, issued_at=ISSUED, on_problem=seen.append)

    assert [p.name for p in paths] == [good[0].filename, good[1].filename]
    assert all(reader(p.read_bytes()).pages for p in paths)
    (problem,) = seen
    assert problem.user_id == 7
    assert problem.label == "security-awareness_7"
    assert "UnicodeEncodeError" in problem.reason
    assert problem.line().startswith("certificate security-awareness_7 for KnowBe4 user 7 not written: ")
    assert problem.line().isprintable()


def test_without_a_handler_the_others_are_written_then_every_problem_is_named(tmp_path: Path) -> None:
    good = cert(person(3))
    with pytest.raises(CertificatesNotWritten) as caught:
        write_certificates(
            [cert(person(7, name=UNWRITABLE)), good, cert(person(8, name=UNWRITABLE))], tmp_path, issued_at=ISSUED
        )
    assert [p.name for p in tmp_path.iterdir()] == [good.filename]
    assert [p.user_id for p in caught.value.problems] == [7, 8]
    assert caught.value.message.startswith(f"wrote 1 certificate to {tmp_path}; 2 could not be written (")
    assert caught.value.exit_code == 1


def test_a_pack_is_written_without_the_certificate_that_cannot_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No text the store can hold makes the renderer fail any more (the fuzz test above), so the failure
    # fpdf2 used to raise for an over-long table row is put back for one person.
    real = certificates.render_certificate

    def fails_for_7(data: CertificateData, **kw: Any) -> bytes:
        if data.user_id == 7:
            raise ValueError("The row with index 1 is too high and cannot be rendered on a single page")
        return real(data, **kw)

    monkeypatch.setattr(certificates, "render_certificate", fails_for_7)
    records = [person(3), person(7), person(9, module="M" * 100_000)]
    seen: list[CertificateProblem] = []

    pack = build_pack(
        tmp_path / "pack.zip",
        training=TRAINING,
        records=records,
        as_of=date(2026, 6, 30),
        generated_at=ISSUED,
        on_problem=seen.append,
    )

    assert [(p.user_id, p.reason) for p in seen] == [
        (7, "ValueError: The row with index 1 is too high and cannot be rendered on a single page")
    ]
    assert verify_pack(pack).ok
    with zipfile.ZipFile(pack) as zf:
        certs = sorted(n for n in zf.namelist() if n.startswith("certificates/"))
        readme = zf.read("README.txt").decode()
        manifest = json.loads(zf.read("manifest.json"))
        population = zf.read("population.csv").decode("utf-8-sig")
    assert [n.split("_")[1] for n in certs] == ["3", "9"]
    assert "certificates: 2 (1 could not be written, for KnowBe4 users 7)" in readme
    assert manifest["counts"]["certificates_not_written"] == [7]
    assert manifest["counts"]["certificates"] == 2
    row_7 = next(line for line in population.splitlines() if line.startswith("7,"))
    assert "certificates/" not in row_7

    with pytest.raises(CertificatesNotWritten, match=r"with 2 certificates; 1 could not be written"):
        build_pack(tmp_path / "again.zip", training=TRAINING, records=records, generated_at=ISSUED)
    assert verify_pack(tmp_path / "again.zip").ok  # written all the same
