"""Writing packs: drafting one from an interview guide, and linting one for its author.

Nothing here imports a front end; the command line (`mockint packs draft`, `mockint packs
lint`) only prints what these modules return.
"""
