"""QR codes as inline SVG, drawn locally: no image service learns which vouchers exist.

The SVG carries only attributes (fill, stroke, viewBox), never a style attribute, so the strict
CSP lets it render; black on white whatever the theme, as scanners need.
"""

import io

import segno
from markupsafe import Markup, escape


def qr_svg(text: str, label: str, css_class: str = "qr-code") -> Markup:
    """`text` as a QR code; `label` names it for screen readers (title and aria-label)."""
    code = segno.make(text, error="m")
    buffer = io.BytesIO()
    code.save(
        buffer, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=4, scale=1,
        dark="#000", light="#fff", svgclass=None, lineclass=None,
    )  # fmt: skip
    svg = buffer.getvalue().decode("utf-8")
    opening = (
        f'<svg role="img" aria-label="{escape(label)}" class="{escape(css_class)}"'
        ' focusable="false" shape-rendering="crispEdges"'
    )
    return Markup(svg.replace("<svg", opening, 1).replace(">", f"><title>{escape(label)}</title>", 1))
