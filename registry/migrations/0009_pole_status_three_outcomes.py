"""Pole statuses: « se revendique » (claims) read missing data as a failure. The check now
has three outcomes; each pole's status and stored summary are computed again from its
data (the rules are pure functions of it), so that the directory's facet filter and the
open data agree before check_poles runs again. Numbered 0008: 0007 is the name keys of
the duplicates' check, written at the same time."""

from django.db import migrations, models

STATUS_CHOICES = [
    ("laureate", "State laureate"),
    ("checked", "meets the legal definition"),
    ("incomplete", "to be completed"),
    ("contrary", "does not meet the definition"),
]


def recompute(apps, schema_editor):
    from registry import rules

    Pole = apps.get_model("registry", "Pole")
    poles = Pole.objects.prefetch_related("memberships__organisation", "territory", "laureates")
    for pole in poles.iterator(chunk_size=500):
        subject = rules.Subject(
            siren=pole.siren,
            legal_form=pole.legal_form,
            strategy=pole.strategy,
            territory=tuple(area.code for area in pole.territory.all()),
            members=tuple(
                rules.Member(
                    name=m.organisation.name,
                    role=m.role,
                    category=m.organisation.category,
                    ess_status=m.organisation.ess_status,
                    commune_code=m.organisation.commune_code,
                    has_siren=bool(m.organisation.siren),
                )
                for m in sorted(pole.memberships.all(), key=lambda m: m.organisation.name)
            ),
            laureate_years=tuple(sorted(la.year for la in pole.laureates.all())),
        )
        report = rules.check(subject)
        meets = report.meets_the_law
        if subject.laureate_years:
            status = "laureate"
        elif meets:
            status = "checked"
        elif meets is False:
            status = "contrary"
        else:
            status = "incomplete"
        Pole.objects.filter(pk=pole.pk).update(status=status, check_report=report.summary())


def back(apps, schema_editor):
    Pole = apps.get_model("registry", "Pole")
    Pole.objects.filter(status__in=("incomplete", "contrary")).update(status="claims")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0008_import_batches"),
    ]

    operations = [
        migrations.AlterField(
            model_name="pole",
            name="status",
            field=models.CharField(
                choices=STATUS_CHOICES,
                db_index=True,
                default="incomplete",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(recompute, back),
    ]
