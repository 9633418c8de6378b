"""Reading an interview guide: its questions, and the text that answers each.

Guides come as Markdown or plain text, written for people. A question is found by its form:
- a Markdown heading that asks something ("## 3. How does mTLS work?");
- a numbered line at the start of a line ("7. Compare Istio and Linkerd.");
- a "Q:" / "Q3:" / "Question 3:" line, whatever follows.
A heading or numbered line asks something when it has a question mark or starts with an
interviewer's verb ("Explain", "Describe", "Compare", "Design", "Walk me through"...). Indented
numbered lines are list items inside an answer, not questions.

Everything after a question, up to the next question or the next heading that is not one, is
its answer. Lines that only label ("Answer framework:", "A:") are dropped; a line saying what
the interviewer is after ("What the interviewer is really asking: ...") becomes the intent;
fenced code and the lone language names that copied code blocks leave behind ("yaml") are
left out, since a reference answer made of YAML gives the grader nothing to look for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mockint.safe_text import safe_text

MAX_HEADING_WORDS = 8

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_Q_LINE = re.compile(r"^\s*(?:[*_]{1,2})?(?:q|question)\s*(\d{1,3})?\s*[:.)]\s*(.+)$", re.I)
_A_LINE = re.compile(r"^\s*(?:[*_]{1,2})?(?:a|answer)\s*[:.)]\s*(.*)$", re.I)
_NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(\S.*)$")
_NUMBER_PREFIX = re.compile(r"^(?:(?:q|question)\s*)?(\d{1,3})\s*[.):-]\s*", re.I)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(.+?)\1")
_LABEL = re.compile(
    r"^(?:answer(?:\s+framework)?|model answer|sample answer|suggested answer|example answer|"
    r"how to answer|what to say|key points|a)\s*:?\s*$",
    re.I,
)
_INTENT = re.compile(
    r"^(?:what the interviewer is (?:really )?(?:asking|looking for|testing)|"
    r"what they(?:'re| are) (?:really )?(?:asking|looking for|testing)|"
    r"why (?:they|interviewers?) ask(?: this)?|intent|the interviewer wants to know)"
    r"\s*[:\-–—]\s*(.+)$",
    re.I,
)
# A closing pointer to other pages: "For more on X, see Y.", "See our guide to Z."
_POINTER = re.compile(
    r"(?:(?<=[.!?])\s+|^)"
    r"(?:for\b[^.!?]{0,100}?,\s*(?:see|explore|check out|read)\b|see (?:our|also)\b)"
    r"[^.!?]*[.!]?\s*$",
    re.I,
)
_CODE_LANGUAGES = frozenset(
    {
        "yaml", "yml", "bash", "sh", "shell", "zsh", "console", "json", "python", "py", "go",
        "golang", "toml", "hcl", "terraform", "text", "javascript", "js", "typescript", "ts",
        "java", "sql", "ini", "xml", "html", "css", "rust", "ruby", "dockerfile",
    }
)  # fmt: skip
# Imperatives an interviewer opens a question with; "How ...", "What ..." need a "?".
_ASKING_VERBS = frozenset(
    {"explain", "describe", "compare", "contrast", "design", "discuss", "define", "outline",
     "walk", "tell"}
)  # fmt: skip


@dataclass
class GuideQuestion:
    number: int | None  # as numbered in the guide, if it was
    text: str
    line: int  # where the question starts (1-based)
    intent: str = ""
    answer_lines: list[str] = field(default_factory=list)

    @property
    def answer(self) -> str:
        """The answer as paragraphs: wrapped lines joined, blank lines kept as breaks, and the
        guide's pointers to its other pages ("For more on X, see Y.") left out."""
        paragraphs: list[list[str]] = [[]]
        for line in self.answer_lines:
            if line:
                paragraphs[-1].append(line)
            elif paragraphs[-1]:
                paragraphs.append([])
        joined = (_POINTER.sub("", " ".join(p)).strip() for p in paragraphs if p)
        return "\n\n".join(p for p in joined if p)


@dataclass
class Guide:
    title: str | None
    questions: list[GuideQuestion]


def _plain(text: str) -> str:
    """A line without Markdown emphasis, control characters or surrounding space."""
    text = safe_text(text, one_line=True)
    previous = None
    while previous != text:
        previous, text = text, _EMPHASIS.sub(r"\2", text)
    return text.strip()


def _asks(text: str) -> bool:
    words = text.split()
    if not words:
        return False
    if "?" in text:
        return True
    return words[0].lower().strip(",:") in _ASKING_VERBS


def _heading_like(lines: list[str], index: int) -> bool:
    """A short plain-text line standing alone, without closing punctuation: a heading."""
    line = lines[index].strip()
    before = lines[index - 1].strip() if index > 0 else ""
    after = lines[index + 1].strip() if index + 1 < len(lines) else ""
    words = line.split()
    return (
        not before
        and not after
        and 0 < len(words) <= MAX_HEADING_WORDS
        and line[0].isupper()
        and line[-1] not in ".?!:;,"
        and not line.startswith(("-", "*", "•", ">"))
    )


def parse_guide(text: str) -> Guide:
    """The questions of a guide, each with its intent and answer, and the guide's title."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    title: str | None = None
    questions: list[GuideQuestion] = []
    current: GuideQuestion | None = None
    level = 0  # heading level of the current question (0: not a heading)
    in_code = False
    for index, raw in enumerate(lines):
        if _FENCE.match(raw):
            in_code = not in_code
            continue
        if in_code:
            continue
        stripped = raw.strip()
        plain = _plain(stripped)
        if plain.lower() in _CODE_LANGUAGES:
            continue
        start = _question_start(raw, plain, lines, index)
        if start is not None:
            number, asked, heading_level = start
            current = GuideQuestion(number, asked, index + 1)
            questions.append(current)
            level = heading_level
            continue
        heading = _MD_HEADING.match(stripped)
        if heading and not _LABEL.match(_plain(heading.group(2))):
            if current is None:
                title = title or (_plain(heading.group(2)) if len(heading.group(1)) == 1 else None)
            elif level == 0 or len(heading.group(1)) <= level:
                current = None  # a section that is not a question ends the answer
            else:
                current.answer_lines.append(_plain(heading.group(2)))
            continue
        if not heading and plain and _heading_like(lines, index) and not _LABEL.match(plain):
            if current is None:
                if title is None and len(plain.split()) >= 2 and questions == []:
                    title = plain
            else:
                current = None
            continue
        if current is None:
            continue
        intent = _INTENT.match(plain)
        if intent and not current.intent:
            current.intent = intent.group(1).strip()
            continue
        if _LABEL.match(plain):
            continue
        answered = _A_LINE.match(plain)
        if answered:
            plain = answered.group(1).strip()
        current.answer_lines.append(plain)
    return Guide(title, questions)


def _question_start(
    raw: str, plain: str, lines: list[str], index: int
) -> tuple[int | None, str, int] | None:
    """(number, question text, heading level) when this line starts a question."""
    explicit = _Q_LINE.match(plain)
    if explicit:
        number = int(explicit.group(1)) if explicit.group(1) else None
        return number, explicit.group(2).strip(), 0
    heading = _MD_HEADING.match(raw.strip())
    if heading:
        text = _plain(heading.group(2))
        numbered = _NUMBER_PREFIX.match(text)
        body = text[numbered.end() :] if numbered else text
        if _asks(body):
            return (int(numbered.group(1)) if numbered else None), body, len(heading.group(1))
        return None
    numbered = _NUMBERED.match(raw)  # at the start of the line: not an indented list item
    if numbered and _asks(_plain(numbered.group(2))):
        return int(numbered.group(1)), _plain(numbered.group(2)), 0
    return None
