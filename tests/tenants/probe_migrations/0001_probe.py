"""A migration for tests of the tenant migration runner only (never in the product): the
tests lend it to allauth, a tenant app with no migrations of its own, via MIGRATION_MODULES,
so that every tenant schema is one migration behind. It creates a table, which fails in a
schema where a table of that name is already in the way."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sites", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE TABLE migration_probe (id integer)", reverse_sql="DROP TABLE migration_probe"
        )
    ]
