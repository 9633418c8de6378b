"""Looking back at sessions: search, export and import, regrade, progress and spaced practice.

Nothing here imports textual; the screens in mockint/tui/screens/ and the `mockint search |
export | import | regrade | stats` commands are thin front ends over these modules.
"""
