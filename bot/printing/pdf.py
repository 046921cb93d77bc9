"""The one way Guichet writes a PDF for a person: A4, a Unicode font, text shaped by HarfBuzz
(fpdf2's `set_text_shaping`, through uharfbuzz) so that Arabic letters join and a right-to-left
paragraph runs right to left with its Latin runs (a code, a site name) kept in order.

The font is DejaVu Sans from the system (Debian `fonts-dejavu-core`: `make system-deps-fonts`
installs it), or any folder holding DejaVuSans.ttf and DejaVuSans-Bold.ttf named by
GUICHET_FONT_DIR. The core PDF fonts know Latin-1 only: no Arabic, no œ.
"""

from __future__ import annotations

import io
import os
from functools import cache
from pathlib import Path

import segno
from fpdf import FPDF

from bot.i18n import is_rtl

FONT_DIR_ENV = "GUICHET_FONT_DIR"
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts/dejavu"),
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"
GREY = (90, 90, 90)
# DejaVu's Arabic letters are drawn smaller than its Latin ones at the same size.
RTL_SCALE = 1.15
BLACK = (0, 0, 0)


class FontMissing(RuntimeError):
    """No Unicode font to print with: the message says how to install one."""


@cache
def font_dir() -> Path:
    candidates = [Path(os.environ[FONT_DIR_ENV])] if os.environ.get(FONT_DIR_ENV) else []
    for folder in [*candidates, *FONT_DIRS]:
        if (folder / REGULAR).is_file() and (folder / BOLD).is_file():
            return folder
    raise FontMissing(
        f"no {REGULAR} found in {', '.join(str(f) for f in [*candidates, *FONT_DIRS])}: "
        "install Debian's fonts-dejavu-core (make system-deps-fonts) or set "
        f"{FONT_DIR_ENV} to a folder holding {REGULAR} and {BOLD}"
    )


def qr_png(payload: str) -> bytes:
    """The payload as a QR code (error level M, at least: a crumpled sheet still reads)."""
    code = segno.make(payload, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=8, border=4)
    return out.getvalue()


class _Numbered(FPDF):
    """Pages numbered "2/3" at the foot: a transcript runs over several sheets, no words needed."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_text_shaping(use_shaping_engine=True, direction="ltr")
        self.set_font(FAMILY, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Guichet · {self.page_no()}/{{nb}}", align="C")


class Page:
    """An A4 document being written, paragraph by paragraph, each in its own language."""

    def __init__(self, title: str) -> None:
        folder = font_dir()
        self.pdf = _Numbered(format="A4")
        self.pdf.set_title(title)
        self.pdf.set_creator("Guichet")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_font(FAMILY, "", str(folder / REGULAR))
        self.pdf.add_font(FAMILY, "B", str(folder / BOLD))
        self.pdf.add_page()

    def text(
        self,
        text: str,
        lang: str,
        *,
        size: float = 11,
        bold: bool = False,
        grey: bool = False,
        space_after: float = 1.5,
    ) -> None:
        """One paragraph in `lang`: right-aligned and right to left for Arabic."""
        rtl = is_rtl(lang)
        size = size * RTL_SCALE if rtl else size
        self.pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
        self.pdf.set_font(FAMILY, "B" if bold else "", size)
        self.pdf.set_text_color(*(GREY if grey else BLACK))
        self.pdf.multi_cell(
            0, size * 0.5, text, align="R" if rtl else "L", new_x="LMARGIN", new_y="NEXT"
        )
        self.pdf.ln(space_after)

    def both(self, text: str, french: str, lang: str, **style: object) -> None:
        """A text in the applicant's language, then in French (once when they are the same)."""
        if lang == "fr" or text == french:
            self.text(french, "fr", **style)  # type: ignore[arg-type]
            return
        self.text(text, lang, space_after=0.5, **style)  # type: ignore[arg-type]
        self.text(french, "fr", grey=True, **style)  # type: ignore[arg-type]

    def rule(self) -> None:
        y = self.pdf.get_y() + 1
        self.pdf.set_draw_color(*GREY)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.ln(4)

    def image(self, png: bytes, *, width: float) -> None:
        """An image centred on the page, below what was written."""
        x = (self.pdf.w - width) / 2
        self.pdf.image(io.BytesIO(png), x=x, w=width)
        self.pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
