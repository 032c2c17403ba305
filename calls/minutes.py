"""The committee's minutes (PDF, reportlab): the call, its stages and their juries, each
stage's ranking with raw and normalised scores, the decisions with their amounts and
reasons, the total granted against the budget, and the date.

Text goes through ``core.pdftext``: names of poles, organisations and jurors in every
script (Arabic, Hebrew, Devanagari, Chinese…) shaped and in visual order, every font
embedded.
"""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from calls.models import Call, Decision
from calls.receipts_apply import document_author
from calls.selectors_decide import budget_for, decisions_for, ranking_for_stage
from core.dates import long_date
from core.pdftext import CREATOR, FONT, FONT_BOLD, TextBlock, pdf_language

INK = colors.HexColor("#1b2a41")
# (font, size, leading) of each kind of text
BODY = (FONT, 9.5, 12.5)
SMALL = (FONT, 8.5, 11)
TITLE = (FONT_BOLD, 16, 20)
HEADING = (FONT_BOLD, 12, 16)


def euros(value) -> str:
    if value is None:
        return "—"
    whole, _dot, cents = f"{value:,.2f}".partition(".")
    whole = whole.replace(",", "\u202f")
    return (whole if cents == "00" else f"{whole},{cents}") + "\u00a0€"


def score(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _p(text, style=BODY) -> TextBlock:
    font, size, leading = style
    return TextBlock(str(text), font, size, leading, color=INK)


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
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Minutes of the committee: %(call)s") % {"call": call.title},
        author=document_author(call),
        subject=_("Ranking and decisions of the call %(call)s") % {"call": call.title},
        creator=CREATOR,
        lang=pdf_language(),
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
                    [12 * mm, 58 * mm, 16 * mm, 22 * mm, 22 * mm, 44 * mm],
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
