from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from balie.ops.server import run_server


class Command(BaseCommand):
    help = "Start Balie for production: ASGI server plus an embedded task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-worker", action="store_true", help="Run tasks in separate `balie worker`s."
        )

    def handle(self, *args, host, port, no_worker, **options):
        if settings.SECRET_KEY == settings.DEMO_SECRET_KEY or len(settings.SECRET_KEY) < 32:
            raise CommandError(
                "Refusing to start: set BALIE_SECRET_KEY to a long random value "
                "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
            )
        pending = MigrationExecutor(connection).migration_plan(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
        if pending:
            raise CommandError(f"{len(pending)} database migrations pending: run `balie migrate`.")
        self.stdout.write(f"Balie on http://{host}:{port}/ ({connection.vendor})")
        connection.close()  # the checks' connection; the server opens its own
        run_server(host=host, port=port, with_worker=not no_worker)
