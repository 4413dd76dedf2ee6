"""Build ``assembler/resources/house.docx``, the house template of the DOCX writer.

The template is a static asset: an empty A4 document that carries only the
styles the writer uses, real Word numbering for bullets, and nothing else
(no theme, no revision ids, no sample text), so that python-docx opens it fast
and every build starts from the same bytes.  Run it after changing a style:

    python tools/make_house_template.py

and commit the regenerated ``house.docx``.  The output is byte-identical
across runs.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "assembler" / "resources" / "house.docx"

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Page geometry in twentieths of a point: A4 with 2.5 cm margins.
PAGE_W, PAGE_H, MARGIN = 11906, 16838, 1418
TEXT_W = PAGE_W - 2 * MARGIN
# Where clause text starts, and where a lettered or bulleted item's text starts.
CLAUSE_INDENT = 709
ITEM_INDENT = 1276
ITEM_HANG = 567

# Liberation Serif is the font the PDF embeds; it is metric-compatible with Times
# New Roman, which the font table names as its alternative, so a reader without
# it lays out the same lines and pages.
FONT = "Liberation Serif"
ALT_FONT = "Times New Roman"
BODY_LANG = "sv-SE"  # the writer overwrites it with the document's language

CONTENT_TYPES = DECL + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
    '<Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>'
    '<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>'
    '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
    "</Types>"
)

PACKAGE_RELS = DECL + (
    f'<Relationships xmlns="{PKG_RELS_NS}">'
    f'<Relationship Id="rId1" Type="{RT}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{RT}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)

DOCUMENT_RELS = DECL + (
    f'<Relationships xmlns="{PKG_RELS_NS}">'
    f'<Relationship Id="rId1" Type="{RT}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{RT}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rId3" Type="{RT}/numbering" Target="numbering.xml"/>'
    f'<Relationship Id="rId4" Type="{RT}/fontTable" Target="fontTable.xml"/>'
    f'<Relationship Id="rId5" Type="{RT}/header" Target="header1.xml"/>'
    f'<Relationship Id="rId6" Type="{RT}/footer" Target="footer1.xml"/>'
    "</Relationships>"
)

DOCUMENT = DECL + (
    f'<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>'
    "<w:sectPr>"
    '<w:headerReference w:type="default" r:id="rId5"/>'
    '<w:footerReference w:type="default" r:id="rId6"/>'
    f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
    f'<w:pgMar w:top="{MARGIN}" w:right="{MARGIN}" w:bottom="{MARGIN}" w:left="{MARGIN}"'
    ' w:header="709" w:footer="709" w:gutter="0"/>'
    '<w:cols w:space="709"/>'
    "</w:sectPr>"
    "</w:body></w:document>"
)

# The header and footer are part of the template, each with one empty
# paragraph that the writer fills, so a build never has to create them.
HEADER = DECL + (
    f'<w:hdr xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
    '<w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p>'
    "</w:hdr>"
)

FOOTER = DECL + (
    f'<w:ftr xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
    '<w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr></w:p>'
    "</w:ftr>"
)

SETTINGS = DECL + (
    f'<w:settings xmlns:w="{W_NS}">'
    '<w:defaultTabStop w:val="709"/>'
    '<w:hyphenationZone w:val="425"/>'
    '<w:characterSpacingControl w:val="doNotCompress"/>'
    "<w:compat>"
    '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
    "</w:compat>"
    f'<w:themeFontLang w:val="{BODY_LANG}"/>'
    "</w:settings>"
)

FONT_TABLE = DECL + (
    f'<w:fonts xmlns:w="{W_NS}">'
    f'<w:font w:name="{FONT}"><w:altName w:val="{ALT_FONT}"/><w:panose1 w:val="02020603050405020304"/>'
    '<w:charset w:val="00"/>'
    '<w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
    "</w:fonts>"
)

# One bullet list definition; the List Bullet style points at it, so bullets are
# real Word numbering (Word continues, restyles and converts them as lists).
NUMBERING = DECL + (
    f'<w:numbering xmlns:w="{W_NS}">'
    '<w:abstractNum w:abstractNumId="0">'
    '<w:multiLevelType w:val="singleLevel"/>'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
    '<w:pStyle w:val="ListBullet"/><w:lvlText w:val="\u2022"/><w:lvlJc w:val="left"/>'
    f'<w:pPr><w:tabs><w:tab w:val="num" w:pos="{ITEM_INDENT}"/></w:tabs>'
    f'<w:ind w:left="{ITEM_INDENT}" w:hanging="{ITEM_HANG}"/></w:pPr>'
    f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/></w:rPr>'
    "</w:lvl></w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    "</w:numbering>"
)

CORE = DECL + (
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
    ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<cp:revision>1</cp:revision>"
    "</cp:coreProperties>"
)

APP = DECL + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>assembler</Application><DocSecurity>0</DocSecurity>"
    "</Properties>"
)


def _style(kind: str, style_id: str, name: str, body: str = "", *, based_on: str = "",
           next_style: str = "", default: bool = False, ui: int | None = None,
           q: bool = True) -> str:
    """Return one ``w:style`` element as XML text."""
    head = f'<w:style w:type="{kind}" w:styleId="{style_id}"'
    head += ' w:default="1">' if default else ">"
    parts = [head, f'<w:name w:val="{name}"/>']
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    if ui is not None:
        parts.append(f'<w:uiPriority w:val="{ui}"/>')
    if q:
        parts.append("<w:qFormat/>")
    parts.append(body)
    parts.append("</w:style>")
    return "".join(parts)


def _ppr(inner: str) -> str:
    return f"<w:pPr>{inner}</w:pPr>"


def _rpr(inner: str) -> str:
    return f"<w:rPr>{inner}</w:rPr>"


NO_BORDERS = (
    "<w:tblBorders>"
    + "".join(f'<w:{side} w:val="nil"/>' for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    + "</w:tblBorders>"
)


def _styles_xml() -> str:
    """Return styles.xml: document defaults and every style the writer uses."""
    tab = f'<w:tabs><w:tab w:val="left" w:pos="{CLAUSE_INDENT}"/></w:tabs>'
    hang = f'<w:ind w:left="{CLAUSE_INDENT}" w:hanging="{CLAUSE_INDENT}"/>'
    styles = [
        _style("paragraph", "Normal", "Normal", default=True, body=_ppr(
            '<w:spacing w:after="120" w:line="264" w:lineRule="auto"/>')),
        _style("character", "DefaultParagraphFont", "Default Paragraph Font", default=True,
               ui=1, q=False, body="<w:semiHidden/><w:unhideWhenUsed/>"),
        _style("table", "TableNormal", "Normal Table", default=True, ui=99, q=False,
               body="<w:semiHidden/><w:unhideWhenUsed/><w:tblPr>"
                    '<w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
                    '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                    '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
                    "</w:tblCellMar></w:tblPr>"),
        _style("numbering", "NoList", "No List", default=True, ui=99, q=False,
               body="<w:semiHidden/><w:unhideWhenUsed/>"),
        _style("paragraph", "Title", "Title", based_on="Normal", next_style="Normal", ui=10, body=(
            _ppr('<w:keepNext/><w:spacing w:before="0" w:after="120"/>')
            + _rpr('<w:b/><w:sz w:val="40"/><w:szCs w:val="40"/>'))),
        _style("paragraph", "Subtitle", "Subtitle", based_on="Normal", next_style="Normal", ui=11, body=(
            _ppr('<w:spacing w:after="360"/>')
            + _rpr('<w:color w:val="595959"/><w:sz w:val="20"/><w:szCs w:val="20"/>'))),
        _style("paragraph", "Heading1", "heading 1", based_on="Normal", next_style="Subclause", ui=9, body=(
            _ppr('<w:keepNext/><w:keepLines/>' + tab + '<w:spacing w:before="300" w:after="120"/>'
                 + hang + '<w:outlineLvl w:val="0"/>')
            + _rpr('<w:b/><w:sz w:val="24"/><w:szCs w:val="24"/>'))),
        _style("paragraph", "SectionHeading", "Section Heading", based_on="Heading1",
               next_style="SubclauseBody", ui=9, body=_ppr('<w:outlineLvl w:val="0"/>')),
        _style("paragraph", "Subclause", "Sub-clause", based_on="Normal", ui=20, body=_ppr(tab + hang)),
        _style("paragraph", "SubclauseBody", "Sub-clause Body", based_on="Normal", ui=21, body=_ppr(
            f'<w:ind w:left="{CLAUSE_INDENT}"/>')),
        _style("paragraph", "ListLetter", "List Letter", based_on="Normal", ui=22, body=_ppr(
            f'<w:tabs><w:tab w:val="left" w:pos="{ITEM_INDENT}"/></w:tabs>'
            '<w:spacing w:after="60"/>'
            f'<w:ind w:left="{ITEM_INDENT}" w:hanging="{ITEM_HANG}"/>')),
        _style("paragraph", "ListBullet", "List Bullet", based_on="Normal", ui=23, body=_ppr(
            '<w:numPr><w:numId w:val="1"/></w:numPr><w:spacing w:after="60"/>'
            f'<w:ind w:left="{ITEM_INDENT}" w:hanging="{ITEM_HANG}"/>')),
        _style("paragraph", "Header", "header", based_on="Normal", ui=99, body=(
            _ppr(f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs><w:spacing w:after="0"/>')
            + _rpr('<w:color w:val="595959"/><w:sz w:val="16"/><w:szCs w:val="16"/>'))),
        _style("paragraph", "Footer", "footer", based_on="Normal", ui=99, body=(
            _ppr('<w:spacing w:after="0"/><w:jc w:val="center"/>')
            + _rpr('<w:color w:val="595959"/><w:sz w:val="16"/><w:szCs w:val="16"/>'))),
        _style("paragraph", "DraftMark", "Draft Mark", based_on="Header", ui=99, body=(
            _ppr('<w:spacing w:after="60"/><w:jc w:val="center"/>')
            + _rpr('<w:b/><w:color w:val="C00000"/><w:spacing w:val="20"/>'
                   '<w:sz w:val="24"/><w:szCs w:val="24"/>'))),
        _style("paragraph", "SignatureParty", "Signature Party", based_on="Normal", ui=30, body=(
            _ppr('<w:keepNext/><w:spacing w:before="240" w:after="0"/>') + _rpr("<w:b/>"))),
        _style("paragraph", "SignatureField", "Signature Field", based_on="Normal", ui=31, body=_ppr(
            '<w:keepNext/><w:pBdr><w:bottom w:val="single" w:sz="4" w:space="1" w:color="auto"/></w:pBdr>'
            '<w:spacing w:before="480" w:after="0"/>')),
        _style("paragraph", "SignatureCaption", "Signature Caption", based_on="Normal", ui=32, body=(
            _ppr('<w:keepNext/><w:spacing w:after="0"/>')
            + _rpr('<w:color w:val="595959"/><w:sz w:val="16"/><w:szCs w:val="16"/>'))),
        _style("table", "SignatureTable", "Signature Table", based_on="TableNormal", ui=50, body=(
            f'<w:tblPr>{NO_BORDERS}<w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
            '<w:right w:w="284" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            '<w:trPr><w:cantSplit/></w:trPr>')),
        # The right column of a side-by-side table is the English text: its
        # language is set here (the writer puts in the real tag) so Word
        # checks its spelling as English without touching every run.
        _style("table", "ParallelTable", "Parallel Table", based_on="TableNormal", ui=51, body=(
            f'<w:tblPr>{NO_BORDERS}<w:tblCellMar><w:left w:w="0" w:type="dxa"/>'
            '<w:right w:w="284" w:type="dxa"/></w:tblCellMar></w:tblPr>'
            '<w:tblStylePr w:type="lastCol"><w:rPr><w:lang w:val="en-GB"/></w:rPr></w:tblStylePr>')),
    ]
    defaults = (
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
        f'<w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="{BODY_LANG}" w:eastAsia="en-US" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault>"
        '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
    )
    return DECL + f'<w:styles xmlns:w="{W_NS}">' + defaults + "".join(styles) + "</w:styles>"


PARTS = (
    ("[Content_Types].xml", CONTENT_TYPES),
    ("_rels/.rels", PACKAGE_RELS),
    ("docProps/core.xml", CORE),
    ("docProps/app.xml", APP),
    ("word/document.xml", DOCUMENT),
    ("word/_rels/document.xml.rels", DOCUMENT_RELS),
    ("word/styles.xml", _styles_xml()),
    ("word/settings.xml", SETTINGS),
    ("word/numbering.xml", NUMBERING),
    ("word/header1.xml", HEADER),
    ("word/footer1.xml", FOOTER),
    ("word/fontTable.xml", FONT_TABLE),
)


def build() -> bytes:
    """Return the bytes of the house template, the same on every run."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in PARTS:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def main() -> int:
    """Write the template next to the package; return the exit status."""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(build())
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
