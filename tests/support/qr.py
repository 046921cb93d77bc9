"""Reading back what Guichet prints: the text of a PDF (pypdf) and the QR codes of its images
(zxing-cpp), as a counter's scanner would."""

from __future__ import annotations

import io

import pypdf
import zxingcpp


def pdf_text(pdf: bytes) -> str:
    """Every page's text, in order."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def qr_payloads(pdf: bytes) -> list[str]:
    """The text of every QR code drawn in the PDF's images, page by page."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: list[str] = []
    for page in reader.pages:
        for image in page.images:
            for barcode in zxingcpp.read_barcodes(image.image):
                if barcode.format == zxingcpp.BarcodeFormat.QRCode:
                    found.append(barcode.text)
    return found


def words(text: str) -> set[str]:
    """The words of a text, for checking that a right-to-left paragraph was printed: pypdf
    gives its runs in visual order, so a whole Arabic sentence rarely reads back in one piece."""
    return {w.strip(".,:;()«»!?") for w in text.split()} - {""}
