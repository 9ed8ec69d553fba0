"""Once indexed the messages written before search existed; 0004 now does that (it rebuilds
every entry with the columns search filters on), so this step does nothing any more."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("search", "0002_full_text_index")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
