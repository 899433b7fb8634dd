"""One PDF certificate per compliant person and training, as Drata generates nightly for anyone who completed.

A certificate states who completed which training through which KnowBe4 campaigns, modules and
enrollments, and carries its own proof: the evidence record is attached to the PDF as evidence.json, and
the certificate id is the SHA-256 of exactly those bytes (shown shortened, in full in the footer and the
metadata). The same evidence and the same issue time give byte-identical files.

Font: Helvetica (a PDF core font, nothing embedded) whenever every text is Latin-1; otherwise the DejaVu
Sans bundled with trainproof is embedded (Latin, Greek, Cyrillic and more). What it cannot draw is
transliterated or drawn as '?', control characters are dropped; see `trainproof.evidence._text`.

KnowBe4 names and titles are typed by thousands of people and can be any length: a certificate shows at
most a page's worth of each (NAME_CHARS, TITLE_CHARS, CELL_CHARS; longer text ends in an ellipsis and a
note says so) while evidence.json keeps every character. A certificate that still cannot be written is
one person's problem: `write_certificates` reports it (`CertificateProblem`) and writes the others.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from fpdf.fonts import TTFFont

from trainproof import __version__, clock
from trainproof.errors import TrainproofError
from trainproof.evidence._common import EvidenceError, slug
from trainproof.evidence._text import bold_variant, find_unicode_font, is_latin1, shorten, transliterate
from trainproof.evidence.records import CertificateData
from trainproof.files import FileWriteError, ensure_private_dir, write_private

logger = logging.getLogger("trainproof.evidence")

UnicodeFont = Path | str | bool
"""True: the bundled DejaVu Sans; False: core font only (transliterate); a path: that TTF."""

# The most characters a certificate draws of each value (a 20 pt name, a 16 pt title, a 9 pt table cell),
# chosen so the longest value in the widest glyphs still fits one page; e-mail addresses are at most 254.
NAME_CHARS = 120
EMAIL_CHARS = 254
TITLE_CHARS = 200
CELL_CHARS = 200
META_CHARS = 1000  # PDF title, subject and keywords: shown by viewers, searched by indexers

_CORE_FAMILY = "helvetica"
_TTF_FAMILY = "trainproof-unicode"


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _when(dt: datetime | None) -> str:
    return _utc(dt).strftime("%Y-%m-%d %H:%M UTC") if dt is not None else "-"


def _texts(data: CertificateData) -> list[str]:
    texts = [data.name, data.email, data.training.title, data.training.key]
    for campaign in data.campaigns:
        texts.append(campaign.name)
        texts.extend(e.module_name for e in campaign.enrollments)
    return texts


def _resolve_font(data: CertificateData, unicode_font: UnicodeFont) -> Path | None:
    """The TTF to embed, or None for the core font: only when some text is not Latin-1."""
    if unicode_font is False or all(is_latin1(t) for t in _texts(data)):
        return None
    if unicode_font is True:
        return find_unicode_font()
    return _check_font(unicode_font)


def _check_font(unicode_font: UnicodeFont) -> Path | None:
    """The font file asked for, or an error: a wrong font is the caller's mistake, not one person's."""
    if isinstance(unicode_font, bool):
        return None
    path = Path(unicode_font)
    if not path.is_file():
        raise EvidenceError(f"font file {path} not found", "give the path of a .ttf file, or leave the default")
    return path


@dataclass(frozen=True, slots=True)
class _Page:
    family: str
    has_bold: bool
    drawable: frozenset[int] | None  # None: Latin-1 (core font)


# fpdf2 replaces this alias by the page count wherever it is drawn; the default "{nb}" would turn a name
# containing "{nb}" into a number. Drawn data never holds a control character, so it never holds this.
_PAGES = "\x7fpages\x7f"


class _CertificatePDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.alias_nb_pages(_PAGES)
        self._footer_text = footer_text
        self._page_font = _Page(_CORE_FAMILY, True, None)
        self.altered = False

    def use_font(self, page: _Page) -> None:
        self._page_font = page

    def drawable(self, s: str) -> str:
        """`s` reduced to what the current font can draw."""
        return transliterate(s, self._page_font.drawable)

    def shown(self, s: str, limit: int) -> str:
        """A value from KnowBe4 as drawn: drawable, on one line, at most `limit` characters.

        Remembers when that is not the value itself, so the certificate can say where the exact text is.
        """
        drawable = self._page_font.drawable
        ellipsis = "\u2026" if drawable is not None and 0x2026 in drawable else "..."
        drawn = shorten(self.drawable(s), limit, ellipsis)
        if drawn != " ".join(s.split()):
            self.altered = True
        return drawn

    def style(self, size: float, bold: bool = False) -> None:
        self.set_font(self._page_font.family, "B" if bold and self._page_font.has_bold else "", size)

    def footer(self) -> None:
        self.set_y(-14)
        self.style(7)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.drawable(f"{self._footer_text} - page {self.page_no()}/") + _PAGES, align="C")
        self.set_text_color(0, 0, 0)


def render_certificate(
    data: CertificateData,
    *,
    issued_at: datetime | None = None,
    unicode_font: UnicodeFont = True,
) -> bytes:
    """The certificate PDF as bytes; `issued_at` defaults to `clock.now()` (honours TRAINPROOF_NOW)."""
    issued = _utc(issued_at or clock.now()).replace(microsecond=0)
    full = data.sha256
    cert_id = data.certificate_id
    evidence = data.evidence_json()

    pdf = _CertificatePDF(footer_text=f"Certificate {cert_id} - SHA-256 {full}")
    font_path = _resolve_font(data, unicode_font)
    if font_path is None:
        page = _Page(_CORE_FAMILY, True, None)
    else:
        pdf.add_font(_TTF_FAMILY, "", str(font_path))
        bold = bold_variant(font_path)
        if bold is not None:
            pdf.add_font(_TTF_FAMILY, "B", str(bold))
        # Only characters both faces have, so a bold line never meets a missing glyph.
        drawable: frozenset[int] | None = None
        for key in (_TTF_FAMILY, _TTF_FAMILY + "B"):
            face = pdf.fonts.get(key)
            if isinstance(face, TTFFont):
                codes = frozenset[int](face.cmap)
                drawable = codes if drawable is None else drawable & codes
        page = _Page(_TTF_FAMILY, bold is not None, drawable or frozenset())
    pdf.use_font(page)

    pdf.set_creation_date(issued)
    title, name, email = _meta(data.training.title), _meta(data.name), _meta(data.email)
    pdf.set_title(f"Training certificate {cert_id}: {title} - {name}")
    pdf.set_author(f"trainproof {__version__}")
    pdf.set_creator(f"trainproof {__version__}")
    pdf.set_subject(f"{title} completed by {name} <{email}>")
    pdf.set_keywords(
        [
            f"certificate-id:{cert_id}",
            f"sha256:{full}",
            f"training:{_meta(data.training.key)}",
            f"user-id:{data.user_id}",
        ]
    )
    pdf.set_lang("en")
    pdf.embed_file(
        bytes=evidence,
        basename="evidence.json",
        desc=f"Evidence record of certificate {cert_id}; its SHA-256 is {full}",
        mime_type="application/json",
        creation_date=issued,
        modification_date=issued,
    )
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    _body(pdf, data, issued=issued, cert_id=cert_id, full=full)
    return bytes(pdf.output())


def _meta(text: str) -> str:
    """Metadata text: every printable character up to META_CHARS (control and format characters dropped)."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " if ch.isspace() else "" for ch in text)
    return shorten(kept, META_CHARS, "\u2026")


def _line(pdf: _CertificatePDF, text: str, size: float, *, bold: bool = False, gap: float = 0) -> None:
    """A centred line; wrapped only when it does not fit (line breaking is fpdf2's slowest step)."""
    pdf.style(size, bold)
    drawn = pdf.drawable(text)
    if pdf.get_string_width(drawn) <= pdf.epw:
        pdf.cell(0, size * 0.5, drawn, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.multi_cell(0, size * 0.5, drawn, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if gap:
        pdf.ln(gap)


# Wrapped lines of the fixed paragraphs, per font: computed once per process, not once per certificate.
_WRAPPED: dict[tuple[str, str, float, float], list[str]] = {}


def _para(pdf: _CertificatePDF, text: str, size: float, *, bold: bool = False) -> None:
    pdf.style(size, bold)
    drawn = pdf.drawable(text)
    key = (f"{pdf.font_family}/{pdf.font_style}", drawn, size, pdf.epw)
    lines = _WRAPPED.get(key)
    if lines is None:
        result = pdf.multi_cell(0, size * 0.48, drawn, align="L", dry_run=True, output=MethodReturnValue.LINES)
        lines = [str(line) for line in result] if isinstance(result, list) else [drawn]  # pyright: ignore[reportUnknownVariableType]
        if len(_WRAPPED) < 256:
            _WRAPPED[key] = lines
    for line in lines:
        pdf.cell(0, size * 0.48, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _body(pdf: _CertificatePDF, data: CertificateData, *, issued: datetime, cert_id: str, full: str) -> None:
    _line(pdf, "Certificate of Training Completion", 22, bold=True, gap=2)
    _line(pdf, "Compliance evidence from KnowBe4 training records", 10, gap=8)
    _line(pdf, "This certifies that", 12, gap=2)
    _line(pdf, pdf.shown(data.name, NAME_CHARS) or pdf.shown(data.email, NAME_CHARS), 20, bold=True, gap=1)
    _line(pdf, f"{pdf.shown(data.email, EMAIL_CHARS)} (KnowBe4 user {data.user_id})", 11, gap=5)
    _line(pdf, "has completed every selected campaign they are enrolled in for", 12, gap=2)
    _line(pdf, pdf.shown(data.training.title, TITLE_CHARS), 16, bold=True, gap=2)
    since = _when(data.compliant_since)
    late_note = " (completed after a campaign's end date: late)" if data.late else ""
    _line(pdf, f"Compliant since {since}{late_note}", 11, gap=8)

    _para(pdf, "Campaigns and modules", 12, bold=True)
    pdf.ln(1)
    pdf.style(9)
    any_late = data.late
    with pdf.table(
        col_widths=(30, 31, 12, 27),
        text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
        line_height=4.6,
        padding=1.2,
    ) as table:
        table.row([pdf.drawable(h) for h in ("Campaign", "Module", "Enrollment", "Completed")])
        for campaign in data.campaigns:
            any_late = any_late or campaign.late
            first = True
            for enrollment in sorted(campaign.enrollments, key=lambda e: e.enrollment_id):
                any_late = any_late or enrollment.late
                label = f"{pdf.shown(campaign.name, CELL_CHARS)} (id {campaign.campaign_id})" if first else ""
                if first and campaign.late:
                    label += " - late"
                done = _when(enrollment.completion_date) + (" - late" if enrollment.late else "")
                table.row([label, pdf.shown(enrollment.module_name, CELL_CHARS), str(enrollment.enrollment_id), done])
                first = False
    if any_late:
        pdf.ln(1)
        _para(pdf, "late: completed after the campaign's end date. A late completion still counts.", 8)
    pdf.ln(6)

    _para(pdf, f"Certificate id: {cert_id}", 12, bold=True)
    _para(pdf, f"Issued {issued.strftime('%Y-%m-%d %H:%M:%S UTC')} by trainproof {__version__}", 9)
    _para(pdf, f"SHA-256: {full}", 8)
    pdf.ln(3)
    _para(pdf, "How to verify", 10, bold=True)
    _para(
        pdf,
        "The certificate id is the first 16 hex digits of the SHA-256 above. That hash is computed over the "
        "evidence record attached to this PDF as evidence.json: UTF-8 JSON with sorted keys and no whitespace, "
        "holding the person, the training and the KnowBe4 enrollments that earned it. To check: extract the "
        "attachment (for example `pdfdetach -saveall certificate.pdf`) and run `sha256sum evidence.json`; the "
        "result must equal the SHA-256 above. Each enrollment id can be looked up in the KnowBe4 console and in "
        "completions.csv of the evidence pack; `trainproof evidence verify PACK.zip` checks that the pack "
        "holds this exact file.",
        8.5,
    )
    if pdf.altered:
        pdf.ln(1)
        _para(
            pdf,
            "Some names or titles above are shortened or have characters that could not be drawn in this font; "
            "the exact text is in evidence.json.",
            8,
        )


@dataclass(frozen=True, slots=True)
class CertificateProblem:
    """A certificate that could not be written, and why: one person's problem, reported, never a stop."""

    label: str  # the file it would have been (ASCII), or training and user id when even that is unknown
    user_id: int
    reason: str  # printable, one line, at most a few hundred characters

    @classmethod
    def of(cls, data: CertificateData, exc: Exception) -> CertificateProblem:
        try:
            label = data.filename
        except Exception:  # the evidence itself cannot be encoded, so it has no hash and no file name
            label = f"{slug(data.training.key, max_len=32)}_{data.user_id}"
        reason = exc.message if isinstance(exc, TrainproofError) else f"{type(exc).__name__}: {exc}"
        printable = "".join(ch if ch.isprintable() else "?" for ch in reason[:600])
        return cls(label=label, user_id=data.user_id, reason=shorten(printable, 300))

    def line(self) -> str:
        """One line for stderr or a log."""
        return f"certificate {self.label} for KnowBe4 user {self.user_id} not written: {self.reason}"


OnProblem = Callable[[CertificateProblem], object]
"""Called once for each certificate that cannot be written; the others are still written."""


class CertificatesNotWritten(TrainproofError):
    """Some certificates could not be written; every other one was."""

    def __init__(self, done: str, problems: Sequence[CertificateProblem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(f"{p.label}: {p.reason}" for p in self.problems[:3])
        more = f"; and {len(self.problems) - 3} more" if len(self.problems) > 3 else ""
        super().__init__(
            f"{done}; {len(self.problems)} could not be written ({shown}{more})",
            "every other certificate was written; each one that was not is named with the reason",
        )


def try_render(
    data: CertificateData,
    *,
    issued_at: datetime | None = None,
    unicode_font: UnicodeFont = True,
) -> bytes | CertificateProblem:
    """`render_certificate`, with any failure turned into that person's `CertificateProblem`.

    A bad font path is the caller's mistake, not the person's, and still raises.
    """
    _check_font(unicode_font)
    try:
        return render_certificate(data, issued_at=issued_at, unicode_font=unicode_font)
    except Exception as exc:
        logger.debug("certificate for KnowBe4 user %s not rendered", data.user_id, exc_info=True)
        return CertificateProblem.of(data, exc)


def write_certificate(
    data: CertificateData,
    out_dir: Path | str,
    *,
    issued_at: datetime | None = None,
    unicode_font: UnicodeFont = True,
) -> Path:
    """Write one certificate as `<out_dir>/<data.filename>` with mode 0600 and return its path."""
    directory = ensure_private_dir(Path(out_dir))
    return write_private(
        directory / data.filename, render_certificate(data, issued_at=issued_at, unicode_font=unicode_font)
    )


def write_certificates(
    certificates: Iterable[CertificateData],
    out_dir: Path | str,
    *,
    issued_at: datetime | None = None,
    unicode_font: UnicodeFont = True,
    skip_existing: bool = False,
    on_problem: OnProblem | None = None,
) -> list[Path]:
    """Write many certificates with one issue time; returns the paths written, in input order.

    One person's certificate that cannot be rendered or written never stops the others: it is passed to
    `on_problem`; without one, `CertificatesNotWritten` names them all after every other file is written.
    Only a problem with `out_dir` itself stops at once.

    With `skip_existing`, a certificate whose file is already there is left alone and not returned: the
    file name holds the start of the certificate hash, so an existing file means the same evidence was
    already certified (what a nightly run wants: only the certificates earned since the last run).
    """
    directory = ensure_private_dir(Path(out_dir))
    _check_font(unicode_font)
    issued = issued_at or clock.now()
    written: list[Path] = []
    problems: list[CertificateProblem] = []
    report = on_problem if on_problem is not None else problems.append
    seen: set[str] = set()
    for data in certificates:
        try:
            name = data.filename
        except Exception as exc:
            report(CertificateProblem.of(data, exc))
            continue
        if name in seen:
            raise EvidenceError(f"two certificates would be named {name}", "pass each person once")
        seen.add(name)
        target = directory / name
        if skip_existing and target.is_file():
            continue
        pdf = try_render(data, issued_at=issued, unicode_font=unicode_font)
        if isinstance(pdf, CertificateProblem):
            report(pdf)
            continue
        try:
            written.append(write_private(target, pdf))
        except FileWriteError as exc:
            report(CertificateProblem.of(data, exc))
    if problems:
        raise CertificatesNotWritten(f"wrote {_count(len(written))} to {directory}", problems)
    return written


def _count(n: int) -> str:
    return f"{n} certificate" if n == 1 else f"{n} certificates"
