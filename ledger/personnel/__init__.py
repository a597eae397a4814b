"""Personnel work as signed records: units, posts, frameworks, officials, decisions and the
registers of initiative and responsibility, with the power-control rules run on every decision.

Every change is one signed statement producing one event of one `PersonnelRecord`; the typed
state those events describe lives in `state.py`, folded in log order by `view.py`.
"""
