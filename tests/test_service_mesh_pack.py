"""The built-in service-mesh pack: complete, consistent and rich enough to grade with."""

from __future__ import annotations

from mockint.packs import Pack


def test_fifteen_questions_in_seed_order(service_mesh: Pack) -> None:
    assert [q.id for q in service_mesh.questions] == [f"sm-{n:02d}" for n in range(1, 16)]


def test_every_question_is_complete(service_mesh: Pack) -> None:
    for question in service_mesh.questions:
        assert question.intent.strip(), question.id
        assert len(question.rubric) >= 5, question.id
        assert any(p.level == "senior" for p in question.rubric), question.id
        assert len(question.follow_ups) >= 2, question.id
        assert len(question.red_flags) >= 1, question.id
        assert len(question.model_answer) >= 3, question.id
        point_ids = {p.id for p in question.rubric}
        for follow_up in question.follow_ups:
            assert set(follow_up.probes) <= point_ids, (question.id, follow_up.probes)
        for point in question.rubric:
            assert len(point.terms) >= 3, (question.id, point.id)


def test_terms_cover_how_candidates_say_things(service_mesh: Pack) -> None:
    def terms_of(question_id: str) -> set[str]:
        question = service_mesh.question(question_id)
        return {t.lower() for p in question.rubric for t in p.terms}

    everything = set().union(*(terms_of(q.id) for q in service_mesh.questions))
    for wanted in ("sidecar", "cert", "certificate", "istiod", "control plane", "canary"):
        assert any(wanted in term for term in everything), wanted
    assert any("next to" in t or "alongside" in t for t in terms_of("sm-02"))
    assert any("%" in t or "percent" in t for t in terms_of("sm-05"))


def test_seed_misconceptions_are_red_flags(service_mesh: Pack) -> None:
    sm08 = " ".join(t for f in service_mesh.question("sm-08").red_flags for t in f.terms).lower()
    assert "stop" in sm08
    sm04 = " ".join(f.description for f in service_mesh.question("sm-04").red_flags).lower()
    assert "compromis" in sm04 or "secure" in sm04
