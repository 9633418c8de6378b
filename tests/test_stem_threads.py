"""Stemming from several threads at once: the app's warm-up thread and a grade do exactly that."""

from __future__ import annotations

import sys
import threading

from mockint.grading.text import stem

WORDS = [
    "routing", "retries", "certificates", "configuration", "observability", "generously",
    "propagation", "authorization", "deployments", "replicated", "draining", "throttled",
]  # fmt: skip


def test_threads_stemming_at_once_get_the_same_stems_as_one_thread() -> None:
    expected = {word: stem.__wrapped__(word) for word in WORDS}
    failures: list[BaseException] = []
    wrong: list[tuple[str, str]] = []

    def work() -> None:
        try:
            for _ in range(800):
                for word in WORDS:
                    got = stem.__wrapped__(word)  # past the cache: the stemmer itself
                    if got != expected[word]:
                        wrong.append((word, got))
        except BaseException as error:  # the stemmer's own IndexError when unguarded
            failures.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not failures, failures[:3]
    assert not wrong, wrong[:5]
