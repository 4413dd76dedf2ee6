"""A hand-made agreement in the document model, for writer and reader tests.

Tests of the whole pipeline build real agreements from the bundled library;
this sample lets a writer be tested alone, with every kind of block.
"""

from __future__ import annotations

from assembler.model import (
    Agreement,
    Appendix,
    Clause,
    ClauseStamp,
    Document,
    ItemList,
    Labels,
    ListItem,
    Manifest,
    Paragraph,
    Properties,
    Signature,
    Span,
)

SV_LABELS = Labels(page="Sida", of="av", reference="Diarienummer", appendices="Bilagor",
                   appendix="Bilaga", signatures="Underskrifter", place_date="Ort och datum",
                   signature="Namnteckning", name_clarification="Namnförtydligande",
                   title="Titel", draft="UTKAST", clause="punkt")
EN_LABELS = Labels()


def _doc(lang: str, draft: bool = False) -> Document:
    sv = lang == "sv"

    def t(s: str, e: str) -> str:
        return s if sv else e

    clauses = (
        Clause("1", t("Parter", "Parties"), (
            Paragraph((Span("Helsingborgs stad, 212000-1355 (”Staden”)."),), "1.1"),
            Paragraph((Span("Grön Våg AB, 556036-0793 (”Bolaget”)."),), "1.2"),
        ), id="parter", version="1.0.0", sha256="a" * 64),
        Clause("2", t("Sekretess och offentlighet", "Confidentiality and public access"), (
            Paragraph((Span(t("Parterna är medvetna om att ", "The parties are aware that ")),
                       Span(t("Staden", "the City"), kind="term", target="staden"),
                       Span(t(" omfattas av offentlighets- och sekretesslagen (2009:400) – OSL 31 kap. 16 §.",
                              " is bound by the Public Access to Information and Secrecy Act (2009:400) – OSL ch. 31 s. 16."))), "2.1"),
            Paragraph((Span(t("Bolaget ska särskilt märka ", "The Company shall mark ")),
                       Span(t("affärshemligheter", "business secrets"), bold=True),
                       Span(t(" och ”känslig” information; se punkt ", " and ‘sensitive’ information; see clause ")),
                       Span("3", kind="ref", target="uppsagning"),
                       Span(".")), "2.2"),
            ItemList((ListItem((Span(t("uppgifter om åäö ÅÄÖ", "information on åäö ÅÄÖ")),), "(a)"),
                      ListItem((Span(t("ritningar", "drawings"), italic=True),), "(b)")), "letter"),
            ItemList((ListItem((Span(t("en punkt", "a bullet")),)),
                      ListItem((Span("{{ 7*7 }} <b>x</b> & {% raw %}"),))), "bullet"),
        ), id="sekretess-offentlighet", version="1.0.0", sha256="b" * 64),
        Clause("3", t("Uppsägning", "Termination"), (
            Paragraph((Span(t("Var och en av parterna får säga upp avtalet utan skäl.",
                              "Either party may terminate the agreement without cause.")),), "3.1"),
        ), id="uppsagning", version="1.0.0", sha256="c" * 64),
    )
    return Document(
        language=lang,
        title=t("Avtal om offentlig-privat innovation", "Agreement on public-private innovation"),
        reference="KS 2026/0412",
        clauses=clauses,
        appendices=(Appendix(1, t("Bilaga 1", "Appendix 1"), t("Projektplan", "Project plan"), id="projektplan"),
                    Appendix(2, t("Bilaga 2", "Appendix 2"), t("Personuppgiftsbiträdesavtal", "Data processing agreement"), id="pub")),
        signatures=(Signature("Helsingborgs stad", "212000-1355", "Anna Åberg", t("Stadsdirektör", "City manager"), "Helsingborg", ""),
                    Signature("Grön Våg AB", "556036-0793", "Örjan Ek", t("VD", "CEO"), "", "")),
        labels=SV_LABELS if sv else EN_LABELS,
        properties=Properties(title=t("Avtal om offentlig-privat innovation", "Agreement on public-private innovation"),
                              subject="Smart avfallshantering", keywords=("OPI", "innovation"),
                              author="Helsingborgs stad", comments="Mall – inte juridisk rådgivning.",
                              language="sv-SE" if sv else "en-GB", date="2026-03-01"),
        draft=draft,
    )


MANIFEST = Manifest(
    agreement="opi-innovation", agreement_version="1.0.0", language="sv", assembled="2026-03-01",
    clauses=(ClauseStamp("parter", "1.0.0", "a" * 64), ClauseStamp("sekretess-offentlighet", "1.0.0", "b" * 64),
             ClauseStamp("uppsagning", "1.0.0", "c" * 64)),
    answers_sha256="d" * 64, tool_version="0.1.0", reference="KS 2026/0412",
    parties=("Helsingborgs stad", "Grön Våg AB"),
)


def sample_agreement(language: str = "sv", draft: bool = False) -> Agreement:
    """Return the sample agreement in ``sv``, ``en`` or ``sv+en``."""
    langs = language.split("+")
    from dataclasses import replace
    return Agreement(tuple(_doc(lang, draft) for lang in langs),
                     replace(MANIFEST, language=language, draft=draft))
