"""Routing: round robin and capacity, the queue, availability, auto-offline, permissions."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.archive.models import ArchiveEvent
from balie.conversations import actions, tasks
from balie.conversations.actions import routing
from balie.conversations.models import (
    AgentStatus,
    Availability,
    Channel,
    Conversation,
    Direction,
    Message,
    Routing,
    Status,
    Team,
)
from balie.errors import BalieError
from balie.ops import schedule
from tests.conftest import PASSWORD
from tests.factories import send


def _agent(organisation, name: str, role=Role.AGENT):
    user = do_create_staff_user(username=f"{name.lower()}_{organisation.slug}", password=PASSWORD,
                                first_name=name)  # fmt: skip
    do_set_membership(user, organisation, role)
    return user


def _team(organisation, lead, agents, rule: str, *, name="Routing") -> Team:
    Team.objects.for_organisation(organisation).update(is_default=False)
    team = actions.do_create_team(organisation, name=name, members=agents, is_default=True)
    return actions.do_set_team_routing(team, rule, actor=lead)


def _online(organisation, *agents, max_open: int | None = None, lead=None):
    for agent in agents:
        if max_open is not None:
            actions.do_set_capacity(organisation, agent, max_open, actor=lead)
        actions.do_set_availability(organisation, agent, Availability.ONLINE, actor=agent)


def _open_counts(organisation) -> Counter:
    return Counter(
        Conversation.objects.for_organisation(organisation)
        .filter(status__in=routing.OPEN_STATUSES, assignee__isnull=False)
        .values_list("assignee_id", flat=True)
    )


# --- round robin ------------------------------------------------------------------------------
def test_round_robin_is_fair_over_1000_assignments(utrecht, lead_lotte):
    agents = [_agent(utrecht, f"Agent{i}") for i in range(7)]
    _team(utrecht, lead_lotte, agents, Routing.ROUND_ROBIN)
    _online(utrecht, *agents, max_open=50, lead=lead_lotte)
    given: Counter = Counter()
    for i in range(1000):
        conversation, _token = actions.do_start_webchat(utrecht)
        assert conversation.assignee_id is not None, i
        given[conversation.assignee_id] += 1
        if i % 100 == 99:  # handled: room again (the fairness does not depend on it)
            Conversation.objects.for_organisation(utrecht).update(status=Status.CLOSED)
    assert sum(given.values()) == 1000
    assert sorted(given.values()) == [142] * 1 + [143] * 6 or set(given.values()) <= {142, 143}
    assert set(given) == {agent.pk for agent in agents}


def test_round_robin_respects_capacity_and_skips_away_and_offline(utrecht, lead_lotte):
    anna, bram, cas, dirk = (_agent(utrecht, n) for n in ("Anna", "Bram", "Cas", "Dirk"))
    _team(utrecht, lead_lotte, [anna, bram, cas, dirk], Routing.ROUND_ROBIN)
    _online(utrecht, anna, max_open=1, lead=lead_lotte)
    _online(utrecht, bram, max_open=3, lead=lead_lotte)
    actions.do_set_availability(utrecht, cas, Availability.AWAY, actor=cas)
    # dirk never said anything: offline
    assignees = [actions.do_start_webchat(utrecht)[0].assignee_id for _ in range(5)]
    assert assignees == [anna.pk, bram.pk, bram.pk, bram.pk, None]


def test_routed_assignment_is_archived_with_its_rule_and_a_system_line(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.ROUND_ROBIN)
    _online(utrecht, anna)
    conversation, _token = actions.do_start_webchat(utrecht)
    assert conversation.assignee == anna and conversation.assigned_at is not None
    event = ArchiveEvent.objects.get(event_type="conversation.assigned")
    assert event.payload == {"assignee": anna.pk, "team": conversation.team_id,
                             "routing": "round_robin"}  # fmt: skip
    assert event.actor_kind == "system"
    line = Message.objects.get(conversation=conversation, direction=Direction.SYSTEM)
    assert line.body == "Toegewezen aan Anna (round-robin)"
    assert AgentStatus.objects.get(user=anna).last_assigned_at is not None


def test_every_channel_is_routed(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.CAPACITY)
    _online(utrecht, anna)
    for channel in (Channel.WHATSAPP, Channel.SMS, Channel.EMAIL):
        conversation = actions.do_start_conversation(utrecht, channel=channel, phone="0612345678")
        assert conversation.assignee == anna, channel


def test_manual_team_assigns_nobody(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.MANUAL)
    _online(utrecht, anna)
    conversation, _token = actions.do_start_webchat(utrecht)
    assert conversation.assignee is None
    assert not Message.objects.filter(conversation=conversation).exists()


# --- capacity ---------------------------------------------------------------------------------
def test_capacity_gives_the_most_room_first(utrecht, lead_lotte):
    anna, bram = _agent(utrecht, "Anna"), _agent(utrecht, "Bram")
    _team(utrecht, lead_lotte, [anna, bram], Routing.CAPACITY)
    _online(utrecht, anna, max_open=2, lead=lead_lotte)
    _online(utrecht, bram, max_open=4, lead=lead_lotte)
    assignees = [actions.do_start_webchat(utrecht)[0].assignee_id for _ in range(7)]
    # Bram 4 free vs Anna 2: Bram, Bram (3-2 → then equal 2-2: longest ago = Anna) ...
    assert Counter(assignees) == {anna.pk: 2, bram.pk: 4, None: 1}
    assert assignees[0] == bram.pk and assignees[-1] is None


def test_only_writing_members_of_the_team_in_this_organisation(
    utrecht, groningen, lead_lotte, auditor_aziz
):
    anna = _agent(utrecht, "Anna")
    gerda = _agent(groningen, "Gerda")  # of another organisation, put in the team by force
    team = _team(utrecht, lead_lotte, [anna, auditor_aziz], Routing.CAPACITY)
    team.members.add(gerda)
    _online(groningen, gerda, max_open=50, lead=_agent(groningen, "Lead", Role.SUPERVISOR))
    AgentStatus.objects.create(organisation=utrecht, user=gerda, availability="online",
                               max_open=50, last_seen_at=timezone.now())  # fmt: skip
    AgentStatus.objects.create(organisation=utrecht, user=auditor_aziz, availability="online",
                               max_open=50, last_seen_at=timezone.now())  # fmt: skip
    conversations = [actions.do_start_webchat(utrecht)[0] for _ in range(3)]
    assert [c.assignee_id for c in conversations] == [None] * 3  # Anna is offline
    _online(utrecht, anna)
    assert set(_open_counts(utrecht)) == {anna.pk}


@pytest.mark.django_db(transaction=True)
def test_capacity_is_never_exceeded_when_many_start_at_once(utrecht, lead_lotte):
    agents = [_agent(utrecht, f"Agent{i}") for i in range(3)]
    _team(utrecht, lead_lotte, agents, Routing.CAPACITY)
    _online(utrecht, *agents, max_open=4, lead=lead_lotte)
    started: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(12)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(2):
                conversation, _token = actions.do_start_webchat(utrecht)
                started.append(conversation.pk)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(started) == 24 == Conversation.objects.for_organisation(utrecht).count()
    counts = _open_counts(utrecht)
    assert max(counts.values()) <= 4 and sum(counts.values()) == 12  # 3 agents × 4
    assert Conversation.objects.filter(assignee__isnull=True).count() == 12  # queued, not lost


@pytest.mark.django_db(transaction=True)
def test_round_robin_respects_capacity_when_many_start_at_once(utrecht, lead_lotte):
    agents = [_agent(utrecht, f"Agent{i}") for i in range(4)]
    _team(utrecht, lead_lotte, agents, Routing.ROUND_ROBIN)
    _online(utrecht, *agents, max_open=2, lead=lead_lotte)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            actions.do_start_webchat(utrecht)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    counts = _open_counts(utrecht)
    assert counts == {agent.pk: 2 for agent in agents}
    assert Conversation.objects.filter(assignee__isnull=True).count() == 4


# --- the queue --------------------------------------------------------------------------------
def test_queue_is_handed_out_oldest_first_when_an_agent_comes_online(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.ROUND_ROBIN)
    actions.do_set_capacity(utrecht, anna, 2, actor=lead_lotte)
    waiting = [actions.do_start_webchat(utrecht)[0] for _ in range(3)]
    assert all(c.assignee_id is None for c in waiting)
    _online(utrecht, anna)
    assert [Conversation.objects.get(pk=c.pk).assignee_id for c in waiting] == [
        anna.pk, anna.pk, None,
    ]  # fmt: skip


def test_queue_is_handed_out_when_a_conversation_closes_or_resolves(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.CAPACITY)
    _online(utrecht, anna, max_open=1, lead=lead_lotte)
    first, second, third = (actions.do_start_webchat(utrecht)[0] for _ in range(3))
    assert (first.assignee, second.assignee, third.assignee) == (anna, None, None)
    actions.do_change_status(first, actor=anna, status=Status.RESOLVED)
    second.refresh_from_db()
    assert second.assignee == anna
    actions.do_change_status(second, actor=anna, status=Status.CLOSED)
    third.refresh_from_db()
    assert third.assignee == anna
    actions.do_change_status(third, actor=anna, status=Status.PENDING)  # still takes room
    assert _open_counts(utrecht) == {anna.pk: 1}


def test_queue_is_handed_out_when_capacity_rises_or_the_rule_is_switched_on(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    team = _team(utrecht, lead_lotte, [anna], Routing.MANUAL)
    _online(utrecht, anna, max_open=1, lead=lead_lotte)
    waiting = [actions.do_start_webchat(utrecht)[0] for _ in range(3)]
    actions.do_set_team_routing(team, Routing.CAPACITY, actor=lead_lotte)
    assert _open_counts(utrecht) == {anna.pk: 1}
    actions.do_set_capacity(utrecht, anna, 3, actor=lead_lotte)
    assert _open_counts(utrecht) == {anna.pk: 3}
    assert {Conversation.objects.get(pk=c.pk).assignee_id for c in waiting} == {anna.pk}
    event = ArchiveEvent.objects.get(event_type="team.routing_changed")
    assert event.payload == {"team": team.pk, "from": "manual", "to": "capacity"}


# --- going offline ----------------------------------------------------------------------------
def test_going_offline_hands_open_conversations_to_others_or_the_queue(utrecht, lead_lotte):
    anna, bram = _agent(utrecht, "Anna"), _agent(utrecht, "Bram")
    _team(utrecht, lead_lotte, [anna, bram], Routing.ROUND_ROBIN)
    _online(utrecht, anna, max_open=5, lead=lead_lotte)
    mine = [actions.do_start_webchat(utrecht)[0] for _ in range(3)]
    actions.do_change_status(mine[2], actor=anna, status=Status.CLOSED)  # closed: stays hers
    _online(utrecht, bram, max_open=1, lead=lead_lotte)

    actions.do_set_availability(utrecht, anna, Availability.OFFLINE, actor=anna)

    now = [Conversation.objects.get(pk=c.pk).assignee_id for c in mine]
    assert now == [bram.pk, None, anna.pk]
    lines = list(
        Message.objects.filter(conversation=mine[0], direction=Direction.SYSTEM)
        .order_by("seq").values_list("body", flat=True)
    )  # fmt: skip
    assert lines[-1] == "Anna is offline: toegewezen aan Bram (round-robin)"
    queued = Message.objects.filter(conversation=mine[1]).order_by("seq").last()
    assert queued.body == "Anna is offline: terug in de wachtrij van team Routing"
    event = ArchiveEvent.objects.get(event_type="agent.availability_changed", payload__to="offline")
    assert event.payload == {"user": anna.pk, "from": "online", "to": "offline",
                             "automatic": False}  # fmt: skip
    # Anna back online: the queued one comes back to someone with room (Anna).
    _online(utrecht, anna)
    assert Conversation.objects.get(pk=mine[1].pk).assignee_id == anna.pk


def test_away_keeps_conversations_but_gets_no_new_ones(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.ROUND_ROBIN)
    _online(utrecht, anna)
    kept = actions.do_start_webchat(utrecht)[0]
    actions.do_set_availability(utrecht, anna, Availability.AWAY, actor=anna)
    assert actions.do_start_webchat(utrecht)[0].assignee is None
    assert Conversation.objects.get(pk=kept.pk).assignee == anna


def test_silent_console_goes_offline_automatically(utrecht, lead_lotte, settings):
    settings.OFFLINE_AFTER_SECONDS = 300
    anna, bram = _agent(utrecht, "Anna"), _agent(utrecht, "Bram")
    _team(utrecht, lead_lotte, [anna, bram], Routing.CAPACITY)
    _online(utrecht, anna, bram)
    conversation = actions.do_start_webchat(utrecht)[0]
    holder = conversation.assignee
    other = bram if holder == anna else anna
    long_ago = timezone.now() - timedelta(seconds=301)
    AgentStatus.objects.filter(user=holder).update(last_seen_at=long_ago)
    # Not heard from: no new conversations even before the task runs.
    assert actions.do_start_webchat(utrecht)[0].assignee == other

    assert actions.do_mark_absent_offline() == 1
    assert AgentStatus.objects.get(user=holder).availability == Availability.OFFLINE
    assert Conversation.objects.get(pk=conversation.pk).assignee == other
    event = ArchiveEvent.objects.get(event_type="agent.availability_changed", payload__to="offline")
    assert event.payload["automatic"] is True and event.actor_kind == "system"
    assert actions.do_mark_absent_offline() == 0


def test_auto_offline_runs_every_minute(utrecht):
    task_path, seconds = schedule.FREQUENT_JOBS["agents-offline"]
    assert task_path.endswith("mark_absent_agents_offline") and seconds == 60


def test_mark_seen_writes_at_most_once_a_minute(utrecht, agent_anna):
    actions.do_set_availability(utrecht, agent_anna, Availability.ONLINE, actor=agent_anna)
    assert actions.do_mark_seen(agent_anna) == 0  # just set online: fresh
    later = timezone.now() + timedelta(seconds=61)
    assert actions.do_mark_seen(agent_anna, now=later) == 1
    assert actions.do_mark_seen(agent_anna, now=later + timedelta(seconds=30)) == 0
    assert AgentStatus.objects.get(user=agent_anna).last_seen_at == later


# --- who may --------------------------------------------------------------------------------
def test_an_agent_sets_their_own_availability_only(utrecht, agent_anna, agent_bram, lead_lotte):
    with pytest.raises(BalieError) as refused:
        actions.do_set_availability(utrecht, agent_bram, "online", actor=agent_anna)
    assert refused.value.status == 403 and refused.value.code == "not_team_lead"
    actions.do_set_availability(utrecht, agent_bram, "away", actor=lead_lotte)
    assert AgentStatus.objects.get(user=agent_bram).availability == "away"


def test_an_agent_cannot_set_a_capacity(utrecht, agent_anna, agent_bram, lead_lotte, admin_ada):
    for who in (agent_bram, agent_anna):
        with pytest.raises(BalieError) as refused:
            actions.do_set_capacity(utrecht, who, 10, actor=agent_anna)
        assert refused.value.status == 403
    actions.do_set_capacity(utrecht, agent_anna, 10, actor=lead_lotte)
    actions.do_set_capacity(utrecht, agent_anna, 12, actor=admin_ada)
    assert AgentStatus.objects.get(user=agent_anna).max_open == 12
    event = ArchiveEvent.objects.filter(event_type="agent.capacity_changed").last()
    assert event.payload == {"user": agent_anna.pk, "from": 10, "to": 12}


@pytest.mark.parametrize("bad", [0, 51, -1, "5", 2.5, True, None])
def test_capacity_is_a_whole_number_from_1_to_50(utrecht, agent_anna, lead_lotte, bad):
    with pytest.raises(BalieError) as refused:
        actions.do_set_capacity(utrecht, agent_anna, bad, actor=lead_lotte)
    assert refused.value.code == "invalid_max_open" and refused.value.field == "max_open"
    assert "1 tot en met 50" in refused.value.message  # Dutch, the default language


@pytest.mark.parametrize("bad", ["busy", "", None, 1, "ONLINE"])
def test_availability_is_one_of_three(utrecht, agent_anna, bad):
    with pytest.raises(BalieError) as refused:
        actions.do_set_availability(utrecht, agent_anna, bad, actor=agent_anna)
    assert refused.value.code == "invalid_availability"
    assert "online, away, offline" in refused.value.message


def test_only_leads_change_a_teams_rule(utrecht, utrecht_team, agent_anna, lead_lotte):
    with pytest.raises(BalieError) as refused:
        actions.do_set_team_routing(utrecht_team, Routing.CAPACITY, actor=agent_anna)
    assert refused.value.status == 403
    with pytest.raises(BalieError) as invalid:
        actions.do_set_team_routing(utrecht_team, "random", actor=lead_lotte)
    assert invalid.value.code == "invalid_routing"


def test_people_without_a_writing_role_have_no_availability(utrecht, auditor_aziz, lead_lotte):
    with pytest.raises(BalieError) as refused:
        actions.do_set_availability(utrecht, auditor_aziz, "online", actor=auditor_aziz)
    assert refused.value.code == "invalid_agent"


def test_cross_tenant_status_and_capacity_are_refused(
    utrecht, groningen, agent_anna, lead_lotte, agent_gerrit, groningen_team
):
    with pytest.raises(BalieError) as own_in_other:
        actions.do_set_availability(groningen, agent_anna, "online", actor=agent_anna)
    assert own_in_other.value.status == 404
    with pytest.raises(BalieError) as other:
        actions.do_set_availability(groningen, agent_gerrit, "offline", actor=lead_lotte)
    assert other.value.status == 404
    with pytest.raises(BalieError) as capacity:
        actions.do_set_capacity(groningen, agent_gerrit, 9, actor=lead_lotte)
    assert capacity.value.status == 404
    with pytest.raises(BalieError) as rule:
        actions.do_set_team_routing(groningen_team, Routing.CAPACITY, actor=lead_lotte)
    assert rule.value.status == 404
    with pytest.raises(BalieError) as not_ours:  # Utrecht's lead, Groningen's agent
        actions.do_set_capacity(utrecht, agent_gerrit, 9, actor=lead_lotte)
    assert not_ours.value.code == "invalid_agent"
    assert not AgentStatus.objects.filter(organisation=groningen).exists()


# --- a resident reopening a resolved conversation ---------------------------------------------
def _reopen(conversation) -> list[int]:
    """The resident writes again; the ids of the routing tasks the write path enqueued."""
    send(conversation, "Ik heb nog een vraag")
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    return [
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(task_path=tasks.route_reopened.module_path)
    ]


def _solved(organisation, lead, rule: str, names=("Anna",)):
    """A team of ``names`` with ``rule``; the first, online, gets a web chat and solves it.
    Returns the agents, the team and the conversation."""
    agents = [_agent(organisation, name) for name in names]
    team = _team(organisation, lead, agents, rule)
    _online(organisation, agents[0])
    conversation = actions.do_start_webchat(organisation)[0]
    actions.do_change_status(conversation, actor=agents[0], status=Status.RESOLVED)
    return agents, team, conversation


def test_reopened_conversation_of_an_agent_gone_offline_moves_on(utrecht, lead_lotte):
    (anna, bram), _, conversation = _solved(utrecht, lead_lotte, Routing.ROUND_ROBIN,
                                            ("Anna", "Bram"))  # fmt: skip
    actions.do_set_availability(utrecht, anna, Availability.OFFLINE, actor=anna)
    _online(utrecht, bram)
    assert Conversation.objects.get(pk=conversation.pk).assignee == anna  # resolved: stays

    assert _reopen(conversation) == [conversation.pk]
    assert tasks.route_reopened.call(conversation.pk) == "moved"
    conversation.refresh_from_db()
    assert conversation.assignee == bram
    line = Message.objects.filter(conversation=conversation).order_by("seq").last()
    assert line.body == "Anna is offline: toegewezen aan Bram (round-robin)"
    event = ArchiveEvent.objects.filter(event_type="conversation.assigned").latest("pk")
    assert event.payload["assignee"] == bram.pk and event.payload["routing"] == "round_robin"
    # The task again (a retry): nothing moves twice.
    assert tasks.route_reopened.call(conversation.pk) == "kept"
    assert Message.objects.filter(conversation=conversation).order_by("seq").last() == line


def test_reopened_conversation_goes_to_the_queue_when_nobody_is_available(utrecht, lead_lotte):
    (anna,), _, conversation = _solved(utrecht, lead_lotte, Routing.CAPACITY)
    actions.do_set_availability(utrecht, anna, Availability.OFFLINE, actor=anna)
    _reopen(conversation)
    assert tasks.route_reopened.call(conversation.pk) == "moved"
    conversation.refresh_from_db()
    assert conversation.assignee is None
    line = Message.objects.filter(conversation=conversation).order_by("seq").last()
    assert line.body == "Anna is offline: terug in de wachtrij van team Routing"
    _online(utrecht, anna)  # back: the queue comes to her
    assert Conversation.objects.get(pk=conversation.pk).assignee == anna


def test_reopened_conversation_stays_with_an_agent_who_is_online_or_away(utrecht, lead_lotte):
    anna, bram = _agent(utrecht, "Anna"), _agent(utrecht, "Bram")
    _team(utrecht, lead_lotte, [anna, bram], Routing.ROUND_ROBIN)
    _online(utrecht, anna, max_open=1, lead=lead_lotte)
    conversation = actions.do_start_webchat(utrecht)[0]
    actions.do_change_status(conversation, actor=anna, status=Status.RESOLVED)
    assert actions.do_start_webchat(utrecht)[0].assignee == anna  # her room was free again
    _online(utrecht, bram)
    actions.do_set_availability(utrecht, anna, Availability.AWAY, actor=anna)
    _reopen(conversation)
    assert tasks.route_reopened.call(conversation.pk) == "kept"  # over her maximum: continuity
    assert Conversation.objects.get(pk=conversation.pk).assignee == anna


def test_reopened_conversation_leaves_an_agent_taken_out_of_the_team(utrecht, lead_lotte):
    (anna, bram), team, conversation = _solved(utrecht, lead_lotte, Routing.ROUND_ROBIN,
                                               ("Anna", "Bram"))  # fmt: skip
    _online(utrecht, bram)
    team.members.remove(anna)
    _reopen(conversation)
    assert tasks.route_reopened.call(conversation.pk) == "moved"
    assert Conversation.objects.get(pk=conversation.pk).assignee == bram
    line = Message.objects.filter(conversation=conversation).order_by("seq").last()
    assert line.body == "Anna werkt niet meer in team Routing: toegewezen aan Bram (round-robin)"


def test_reopened_conversation_of_a_deactivated_agent_goes_back_to_the_queue(utrecht, lead_lotte):
    (anna,), _, conversation = _solved(utrecht, lead_lotte, Routing.CAPACITY)
    type(anna).objects.filter(pk=anna.pk).update(is_active=False)
    _reopen(conversation)
    assert tasks.route_reopened.call(conversation.pk) == "moved"
    assert Conversation.objects.get(pk=conversation.pk).assignee is None
    line = Message.objects.filter(conversation=conversation).order_by("seq").last()
    assert line.body == "Anna werkt niet meer in team Routing: terug in de wachtrij van het team"


def test_reopened_unassigned_conversation_is_routed(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.ROUND_ROBIN)
    conversation = actions.do_start_webchat(utrecht)[0]  # nobody online: the queue
    actions.do_change_status(conversation, actor=lead_lotte, status=Status.RESOLVED)
    _online(utrecht, anna)
    _reopen(conversation)
    assert tasks.route_reopened.call(conversation.pk) == "routed"
    assert Conversation.objects.get(pk=conversation.pk).assignee == anna


def test_no_routing_task_for_a_manual_team_or_a_conversation_still_open(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    team = _team(utrecht, lead_lotte, [anna], Routing.MANUAL)
    conversation = actions.do_start_webchat(utrecht)[0]
    actions.do_change_status(conversation, actor=lead_lotte, status=Status.RESOLVED)
    assert _reopen(conversation) == []  # manual: nothing to route
    actions.do_set_team_routing(team, Routing.ROUND_ROBIN, actor=lead_lotte)
    assert _reopen(conversation) == []  # open already: it had its routing
    actions.do_change_status(conversation, actor=lead_lotte, status=Status.PENDING)
    assert _reopen(conversation) == []  # pending took room all along


def test_routing_a_reopened_conversation_that_is_gone_or_closed(utrecht, lead_lotte):
    anna = _agent(utrecht, "Anna")
    _team(utrecht, lead_lotte, [anna], Routing.ROUND_ROBIN)
    conversation = actions.do_start_webchat(utrecht)[0]
    actions.do_change_status(conversation, actor=lead_lotte, status=Status.RESOLVED)
    _reopen(conversation)
    actions.do_change_status(conversation, actor=lead_lotte, status=Status.CLOSED)
    assert tasks.route_reopened.call(conversation.pk) == "unchanged"
    assert tasks.route_reopened.call(10**9) == "gone"
