"""Small packs for the grader tests, built in code so each test says exactly what it grades.

(tests/conftest.py belongs to the foundation; grading tests import from here instead.)
"""

from __future__ import annotations

from pathlib import Path

from mockint.packs import Pack, parse_pack

MESH_PACK = """
[pack]
id = "grading-test"
title = "Grading test pack"

[[questions]]
id = "mesh"
text = "How does a service mesh behave under failure, and how does it secure traffic?"

[[questions.rubric]]
id = "orchestrator"
description = "Runs on Kubernetes."
weight = 1.0
terms = ["kubernetes"]

[[questions.rubric]]
id = "latency"
description = "Knows the latency cost of the proxy hop."
weight = 1.0
terms = ["added latency", "latency per hop"]

[[questions.rubric]]
id = "domains"
description = "Separates the failure domains."
weight = 1.0
terms = ["separate failure domains"]

[[questions.rubric]]
id = "encryption"
description = "mTLS encrypts traffic between services."
weight = 2.0
terms = ["mtls encrypts traffic"]

[[questions.rubric]]
id = "static"
description = "Proxies keep their last known configuration when the control plane is down."
weight = 2.0
terms = ["last known configuration", "keeps routing"]

[[questions.rubric]]
id = "transparent"
description = "Works without code changes."
weight = 1.0
terms = ["without code changes"]

[[questions.rubric]]
id = "identity"
description = "Uses mutual TLS identities."
weight = 1.0
terms = ["mutual tls identity"]

[[questions.red_flags]]
id = "data-plane-stops"
description = "Thinks the data plane stops when the control plane is down."
terms = ["data plane stops"]
penalty = 2.0

[[questions.red_flags]]
id = "mesh-everywhere"
description = "Would put a mesh in front of everything."
terms = ["always use a service mesh"]
penalty = 1.0

[[questions]]
id = "prototype"
text = "What is the role of a prototype program in problem solving?"
reference_answer = "To simulate the behaviour of portions of the desired software product."

[[questions]]
id = "variable"
text = "What is a variable?"
reference_answer = "A location in memory that can store a value."

[[questions]]
id = "leaf"
text = "What is a leaf?"
reference_answer = "A node that has no children."
"""

# A model answer for the "mesh" question that covers every point in plain sentences.
MESH_STRONG = (
    "The mesh runs on Kubernetes. Each proxy hop means added latency, a millisecond or so. "
    "I would separate failure domains so that one failure stays small. "
    "With mTLS the proxy encrypts traffic between services, and each side proves its mutual "
    "TLS identity. When the control plane is down, every proxy keeps its last known "
    "configuration in memory. All of this works without code changes in the application."
)


def mesh_pack() -> Pack:
    return parse_pack(MESH_PACK, "grading-test.toml")


def write_mesh_pack(folder: Path) -> Path:
    path = folder / "grading-test.toml"
    path.write_text(MESH_PACK, encoding="utf-8")
    return path
