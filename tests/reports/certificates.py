"""Certificate PDFs for the tests, drawn with reportlab like real provider templates."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen.canvas import Canvas

Line = tuple[str, float]  # text, font size (negative: bold)

ACCME = (
    ("CERTIFICATE OF COMPLETION", -26),
    ("This is to certify that", 13),
    ("José Müller, MD", -20),
    ("has successfully completed the enduring material activity titled", 13),
    ("Opioid Prescribing: Evaluating Risk and Safe Tapering", -16),
    ("on November 3, 2026", 13),
    ("and is awarded 2.5 AMA PRA Category 1 Credits™", 13),
    ("Provided by the University of Texas Southwestern Medical Center", 12),
    ("The University of Texas Southwestern Medical Center is accredited by the Accreditation", 8),
    ("Council for Continuing Medical Education (ACCME) to provide continuing medical", 8),
    ("education for physicians. The University of Texas Southwestern Medical Center", 8),
    ("designates this enduring material for a maximum of 3.0 AMA PRA Category 1 Credits™.", 8),
    ("Physicians should claim only the credit commensurate with the extent of their", 8),
    ("participation in the activity.", 8),
    ("Release date: January 15, 2026    Expiration date: January 15, 2028", 8),
)
NURSING = (
    ("Certificate of Attendance", -24),
    ("Maria García, RN, BSN", -18),
    ("attended", 12),
    ("“Sepsis: Early Recognition and Management in the Emergency Department”", -14),
    ("Date: 09/14/2026", 12),
    ("Contact hours awarded: 1.5 ANCC contact hours", 12),
    ("Provider: Northwestern Memorial Hospital Nursing Education", 11),
    ("This nursing continuing professional development activity was approved by the Ohio", 8),
    ("Nurses Association, an accredited approver by the American Nurses Credentialing", 8),
    ("Center's Commission on Accreditation.", 8),
)
ABIM = (
    ("American College of Physicians", -16),
    ("CERTIFICATE OF MOC PARTICIPATION", -22),
    ("This certifies that", 12),
    ("Zoë Ångström, MD", -18),
    ("has completed the activity", 12),
    ("MKSAP 19: Hematology and Oncology", -15),
    ("Completed on: 2026-10-28", 12),
    ("and has earned 10 ABIM MOC points (Medical Knowledge) in the American Board of", 11),
    ("Internal Medicine's Maintenance of Certification program.", 11),
    ("Successful completion of this CME activity, which includes participation in the", 8),
    ("evaluation component, enables the participant to earn up to 10 Medical Knowledge", 8),
    ("MOC points in the ABIM MOC program.", 8),
    ("The American College of Physicians designates this enduring material for a maximum", 8),
    ("of 12 AMA PRA Category 1 Credits™.", 8),
)
TWO_LINE_TITLE = (
    ("CERTIFICATE OF PARTICIPATION", -24),
    ("Texas Medical Association", -14),
    ("This is to certify that", 12),
    ("Jane Smith, DO", -18),
    ("participated in the live activity titled", 12),
    ("Safe Opioid Prescribing and Pain Management:", -15),
    ("A Case-Based Update for Primary Care", -15),
    ("held November 3–5, 2026 in Austin, Texas", 12),
    ("for which 6.0 AOA Category 1-A credits were awarded.", 12),
    ("Jointly provided by Texas Medical Association and Baylor College of Medicine", 10),
)


def certificate_pdf(
    lines: Sequence[tuple[str, float]], encrypt: StandardEncryption | None = None
) -> bytes:
    """A one-page landscape certificate with centred lines, like most templates."""
    buffer = io.BytesIO()
    width, height = landscape(LETTER)
    canvas = Canvas(buffer, pagesize=(width, height), encrypt=encrypt, invariant=True)
    canvas.rect(24, 24, width - 48, height - 48)
    y = height - 80
    for text, size in lines:
        font = "Helvetica-Bold" if size < 0 else "Helvetica"
        canvas.setFont(font, abs(size))
        canvas.drawCentredString(width / 2, y, text)
        y -= abs(size) * 1.9
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A PDF holding only a picture of a certificate (a phone scan): no text layer."""
    image = Image.new("RGB", (1100, 850), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 1080, 830), outline="black", width=4)
    for row, text in enumerate(("CERTIFICATE OF COMPLETION", "Opioid Prescribing", "2 credits")):
        draw.text((300, 200 + row * 120), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=100)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def heavy_pdf(strings: int, in_form: bool = False) -> bytes:
    """A small file whose page draws ``strings`` lines of text: slow for any text extractor."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1, invariant=True)
    if in_form:
        canvas.beginForm("art")
    canvas.setFont("Helvetica", 8)
    for index in range(strings):
        canvas.drawString(
            10, 10 + index % 700, "has completed Opioids 2.5 AMA PRA Category 1 Credits"
        )
    if in_form:
        canvas.endForm()
        canvas.doForm("art")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
