"""Cross-inspection rounds by the level above: scope, period, inspectors, findings, follow-ups.

Records of the same log as personnel work (statements in `statements`, checks in `checks`,
folded by `fold`); shown to inspection by `ledger.personnel.inspection.rounds_overview`.
"""
