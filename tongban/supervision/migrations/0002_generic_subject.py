"""Cards and alerts name their item generically (issue 14, point 5): the kind of
clocked item and its id instead of a foreign key to ``cases.Case``, the item's number
and title as they were when the row was written, and the step at fault by its id,
name and department instead of a foreign key to ``cases.CaseStep``.

Every existing row is a case's: ``subject_kind`` "case", ``subject_id`` the case id,
number and title (item name) copied from the case, ``step_id`` kept and the step's
department copied. Reversible: going back puts the foreign keys back from the copies.
"""

import django.db.models.deletion
from django.db import migrations, models

CASE = "case"


def to_subject(apps, schema_editor):
    Card = apps.get_model("supervision", "Card")
    Alert = apps.get_model("supervision", "Alert")
    Case = apps.get_model("cases", "Case")
    CaseStep = apps.get_model("cases", "CaseStep")
    case_ids = set(Card.objects.values_list("case_id", flat=True))
    case_ids |= set(Alert.objects.values_list("case_id", flat=True))
    facts = {
        pk: (number, title)
        for pk, number, title in Case.objects.filter(pk__in=case_ids).values_list(
            "pk", "number", "item_name"
        )
    }
    step_ids = set(Card.objects.exclude(step_id=None).values_list("step_id", flat=True))
    step_departments = dict(
        CaseStep.objects.filter(pk__in=step_ids).values_list("pk", "department_id")
    )
    for model in (Card, Alert):
        rows = list(model.objects.all())
        for row in rows:
            row.subject_kind = CASE
            row.subject_id = row.case_id
            row.subject_number, row.subject_title = facts[row.case_id]
            if model is Card:
                row.step_ref = row.step_id
                row.step_department_id = step_departments.get(row.step_id)
        fields = ["subject_kind", "subject_id", "subject_number", "subject_title"]
        if model is Card:
            fields += ["step_ref", "step_department"]
        model.objects.bulk_update(rows, fields, batch_size=1000)


def to_case(apps, schema_editor):
    Card = apps.get_model("supervision", "Card")
    Alert = apps.get_model("supervision", "Alert")
    CaseStep = apps.get_model("cases", "CaseStep")
    # Only cases had cards before: rows of another kind cannot go back.
    Card.objects.exclude(subject_kind=CASE).delete()
    Alert.objects.exclude(subject_kind=CASE).delete()
    existing_steps = set(
        CaseStep.objects.filter(
            pk__in=Card.objects.exclude(step_ref=None).values("step_ref")
        ).values_list("pk", flat=True)
    )
    for model in (Card, Alert):
        rows = list(model.objects.all())
        for row in rows:
            row.case_id = row.subject_id
            if model is Card:
                row.step_id = row.step_ref if row.step_ref in existing_steps else None
        model.objects.bulk_update(
            rows, ["case", "step"] if model is Card else ["case"], batch_size=1000
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_api_tokens"),
        ("cases", "0001_initial"),
        ("supervision", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="card", name="card_one_yellow_per_deadline"),
        migrations.RemoveConstraint(model_name="alert", name="alert_once_per_subject"),
        migrations.AlterField(
            model_name="card",
            name="case",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cards",
                to="cases.case",
                verbose_name="case",
            ),
        ),
        migrations.AlterField(
            model_name="alert",
            name="case",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alerts",
                to="cases.case",
            ),
        ),
        migrations.AddField(
            model_name="card",
            name="subject_kind",
            field=models.CharField(default=CASE, max_length=16, verbose_name="kind of item"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="card",
            name="subject_id",
            field=models.BigIntegerField(null=True, verbose_name="item id"),
        ),
        migrations.AddField(
            model_name="card",
            name="subject_number",
            field=models.CharField(default="", max_length=40, verbose_name="number"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="card",
            name="subject_title",
            field=models.CharField(blank=True, max_length=200, verbose_name="item"),
        ),
        migrations.AddField(
            model_name="card",
            name="step_ref",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="step id"),
        ),
        migrations.AddField(
            model_name="card",
            name="step_department",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.department",
                verbose_name="department of the step",
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="subject_kind",
            field=models.CharField(default=CASE, max_length=16, verbose_name="kind of item"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="alert",
            name="subject_id",
            field=models.BigIntegerField(null=True, verbose_name="item id"),
        ),
        migrations.AddField(
            model_name="alert",
            name="subject_number",
            field=models.CharField(default="", max_length=40, verbose_name="number"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="alert",
            name="subject_title",
            field=models.CharField(blank=True, max_length=200, verbose_name="item"),
        ),
        migrations.RunPython(to_subject, to_case),
        migrations.RemoveField(model_name="card", name="case"),
        migrations.RemoveField(model_name="card", name="step"),
        migrations.RemoveField(model_name="alert", name="case"),
        migrations.RenameField(model_name="card", old_name="step_ref", new_name="step_id"),
        migrations.AlterField(
            model_name="card",
            name="subject_id",
            field=models.BigIntegerField(verbose_name="item id"),
        ),
        migrations.AlterField(
            model_name="alert",
            name="subject_id",
            field=models.BigIntegerField(verbose_name="item id"),
        ),
        migrations.AddIndex(
            model_name="card",
            index=models.Index(fields=["subject_kind", "subject_id"], name="card_subject_idx"),
        ),
        migrations.AddIndex(
            model_name="card",
            index=models.Index(fields=["subject_number"], name="card_subject_number_idx"),
        ),
        migrations.AddConstraint(
            model_name="card",
            constraint=models.UniqueConstraint(
                condition=models.Q(("colour", "yellow")),
                fields=("subject_kind", "subject_id", "rule", "deadline"),
                name="card_one_yellow_per_deadline",
            ),
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                fields=("subject_kind", "subject_id", "kind", "reference"),
                name="alert_once_per_subject",
            ),
        ),
    ]
