"""Importing people from a CSV file: parse (the file's shape), selectors (what each row would
do, with its problems), services (the all-or-nothing import on a worker, its progress over the
staff member's socket, the invitations after commit), views (upload, preview, progress)."""

# The live progress of one import (object id: the ImportJob), for the person who started it.
IMPORT_TOPIC = "people.import"
