"""The committee's minutes (PDF, reportlab): the call, its stages and their juries, each
stage's ranking with raw and normalised scores, the decisions with their amounts and
reasons, the total granted against the budget, and the date.

Roboto (the font-roboto package, embedded) prints Latin, Greek, Cyrillic and Vietnamese;
names in other scripts need the shaping of ``events.pdftext``, which the calls may not
import (it would move to core first).
"""

import io
from xml.sax.saxutils import escape

import font_roboto
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from calls.models import Call, Decision
from calls.selectors_decide import budget_for, decisions_for, ranking_for_stage
from core.dates import long_date

FONT = "Roboto"
FONT_BOLD = "Roboto-Bold"
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(FONT, font_roboto.font_files["Roboto"]))
if FONT_BOLD not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(TTFont(FONT_BOLD, font_roboto.font_files["RobotoBold"]))

INK = colors.HexColor("#1b2a41")
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11)
TITLE = ParagraphStyle("title", parent=BODY, fontName=FONT_BOLD, fontSize=16, leading=20)
HEADING = ParagraphStyle("heading", parent=BODY, fontName=FONT_BOLD, fontSize=12, leading=16)


def euros(value) -> str:
    if value is None:
        return "—"
    whole, _dot, cents = f"{value:,.2f}".partition(".")
    whole = whole.replace(",", "\u202f")
    return (whole if cents == "00" else f"{whole},{cents}") + "\u00a0€"


def score(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _p(text, style=BODY) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _table(header: list[str], rows: list[list], widths) -> Table:
    data = [[_p(h, SMALL) for h in header]] + [[_p(c, SMALL) for c in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c8cdd4")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
            ]
        )
    )
    return table


OUTCOMES = dict(Decision.Outcome.choices)


def minutes_pdf(call: Call) -> bytes:
    out = io.BytesIO()
    lang = (translation.get_language() or "fr").split("-")[0]
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Minutes of the committee: %(call)s") % {"call": call.title},
        subject=_("Rankings, decisions and amounts granted – %(call)s") % {"call": call.title},
        author=call.funders or "ptce",
        creator="ptce",
        lang=lang,
        # every font embedded: the canvas's first font is the PDF's standard Helvetica
        initialFontName=FONT,
    )
    story = [
        _p(_("Minutes of the committee"), TITLE),
        _p(call.title, HEADING),
        _p(_("Drawn up on %(date)s.") % {"date": long_date(timezone.now())}),
    ]
    if call.funders:
        story.append(_p(_("Funders: %(funders)s") % {"funders": call.funders}))
    for stage in call.stages.order_by("position", "pk"):
        standing = ranking_for_stage(stage)
        story += [Spacer(1, 5 * mm), _p(stage.name, HEADING)]
        names = ", ".join(j.name for j in standing.jurors) or _("no juror")
        story.append(_p(_("Jury: %(names)s") % {"names": names}))
        rows = []
        for row in standing.rows:
            r = row.result
            flags = []
            if row.eliminated_labels:
                flags.append(
                    _("below the minimum: %(criteria)s")
                    % {"criteria": ", ".join(row.eliminated_labels)}
                )
            if r.below_cutoff:
                flags.append(_("below the cut-off"))
            if r.spread_flag:
                flags.append(_("jurors disagree"))
            rows.append(
                [
                    str(r.position),
                    row.application.pole.name,
                    score(r.raw),
                    score(r.normalised),
                    str(r.jurors),
                    "; ".join(flags),
                ]
            )
        for row in standing.unscored:
            rows.append(["—", row.application.pole.name, "—", "—", "0", _("not scored")])
        if rows:
            story.append(
                _table(
                    [_("Rank"), _("Pole"), _("Raw"), _("Normalised"), _("Jurors"), _("Notes")],
                    rows,
                    [12 * mm, 62 * mm, 16 * mm, 22 * mm, 14 * mm, 48 * mm],
                )
            )
        else:
            story.append(_p(_("No file in this stage.")))
    story += [Spacer(1, 5 * mm), _p(_("Decisions"), HEADING)]
    decisions = decisions_for(call)
    if decisions:
        story.append(
            _table(
                [_("Pole"), _("Decision"), _("Amount"), _("Reason")],
                [
                    [
                        d.application.pole.name,
                        OUTCOMES[d.outcome],
                        euros(d.amount) if d.amount is not None else "",
                        d.reason,
                    ]
                    for d in decisions
                ],
                [50 * mm, 26 * mm, 26 * mm, 72 * mm],
            )
        )
    else:
        story.append(_p(_("No decision recorded.")))
    budget = budget_for(call)
    story += [
        Spacer(1, 4 * mm),
        _p(
            _("Laureates: %(n)d. Granted: %(granted)s. Budget: %(budget)s. Left: %(left)s.")
            % {
                "n": budget.laureates,
                "granted": euros(budget.granted),
                "budget": euros(budget.budget),
                "left": euros(budget.left),
            }
        ),
    ]
    doc.build(story)
    return out.getvalue()
