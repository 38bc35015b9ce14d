"""The migration to the full-text engine indexes the sources already stored, on both databases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from chorus.evidence import search
from chorus.evidence.models import SearchParagraph, Study

BEFORE = [("evidence", "0001_initial")]
AFTER = [("evidence", "0002_search_engine")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_sources_stored_before_the_engine_are_searchable_after_it():
    old = migrate(BEFORE)
    study = old.get_model("evidence", "Study").objects.create(title="Old study", languages=["ru"])
    old.get_model("evidence", "Source").objects.create(
        study=study,
        kind="interview",
        title="Old interview",
        language="ru",
        text="Сначала нас не слушали.\n\n性工作者组织参加了会议。",
        length=40,
    )
    try:
        migrate(AFTER)
        current = Study.objects.get(pk=study.pk)
        rows = SearchParagraph.objects.filter(study=current)
        assert rows.count() == 2
        assert search.search_study(current, "слушали").total == 1
        assert search.search_study(current, "组织").total == 1
        assert search.search_study(current, "会议 -слушали").total == 1
    finally:
        # Leave the schema as the other tests expect it, whatever happened above.
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
