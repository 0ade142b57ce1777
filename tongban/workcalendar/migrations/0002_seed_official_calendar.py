"""Install the official arrangements (2004 onward) so that a fresh database has a
working calendar. Uses the historical models; no audit record (the migration is the
record). ``tongban calendar seed`` adds later arrangements the same way, audited."""

from django.db import migrations


def seed(apps, schema_editor):
    from tongban.workcalendar.seeding import official_arrangement, write_arrangement

    Holiday = apps.get_model("workcalendar", "Holiday")
    AdjustedWorkday = apps.get_model("workcalendar", "AdjustedWorkday")
    CalendarVersion = apps.get_model("workcalendar", "CalendarVersion")
    created = write_arrangement(
        official_arrangement(), Holiday=Holiday, AdjustedWorkday=AdjustedWorkday
    )
    if any(created):
        version, _ = CalendarVersion.objects.get_or_create(pk=1)
        version.value += 1
        version.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
