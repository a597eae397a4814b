"""Inspection views: what inspectors of a unit see of it and of the units below it.

Plain functions over the read-model tables, each taking the inspector's `Scope`; the HTTP layer
only checks the session and calls them. Dates that decide "due" or "overdue" are passed in
(`today`), never read from a clock here.
"""
