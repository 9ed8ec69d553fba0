from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "balie.records"
    label = "records"

    def ready(self) -> None:
        from balie.archive import verification
        from balie.conversations import followers
        from balie.records import execution, holds, live_rows, record_classes
        from balie.search import actions as search_actions
        from balie.tenants import actions as tenant_actions

        followers.register_record_class_rule(record_classes.record_class_for)
        followers.register_opening_details(execution.destruction_details)
        followers.register_hold_rule(holds.holds_covering)
        verification.register_live_check("messages", live_rows.check_messages)
        search_actions.register_deletion_guard(holds.release_saved_search)
        tenant_actions.organisation_created.connect(
            record_classes.seed_on_creation, dispatch_uid="records.seed_on_creation"
        )
